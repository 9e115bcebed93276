#!/usr/bin/env bash
# Recover a stack after an interrupted `pulumi up` (killed CI runner, OOM, Ctrl-C twice):
#
#   scripts/recover.sh <stack>        (or: make recover STACK=<stack>)
#
# 1. File backends only: a kill while the CLI rewrites a checkpoint can leave its sidecar `<stack>.json.attrs`
#    empty (the blob library writes it in place), and every command then fails with
#    "failed to load checkpoint: EOF". An empty sidecar holds nothing, so it is removed, with the stray temp files
#    of that unfinished write. The checkpoint itself is written atomically and is kept.
# 2. `pulumi cancel` removes the dead run's lock.
# 3. `pulumi refresh --clear-pending-creates` forgets creates the engine never saw finish and reads the rest.
# 4. `pulumi up` finishes the job. Objects the dead run did create carry this stack's ownership mark, so the
#    provider adopts them instead of creating them twice (docs/safety.md: "When `pulumi up` was interrupted").
#
# Uses PULUMI_BACKEND_URL (default: this project's file backend) and the caller's passphrase settings.
set -euo pipefail
stack=${1:?usage: scripts/recover.sh <stack>}
root=$(cd "$(dirname "$0")/.." && pwd)
backend=${PULUMI_BACKEND_URL:-file://$root/.pulumi-state}

if [[ $backend == file://* ]]; then
  dir=${backend#file://}
  dir=${dir%%\?*}
  if [[ -d $dir/.pulumi/stacks ]]; then
    while IFS= read -r -d '' f; do
      echo "recover: removing empty checkpoint sidecar ${f#"$dir"/}"
      rm -f -- "$f"
      rm -f -- "${f%.attrs}".*.tmp
    done < <(find "$dir/.pulumi/stacks" -name "$stack.json.attrs" -size 0 -print0)
  fi
fi
run() { echo "recover: pulumi $*"; pulumi "$@" --non-interactive --stack "$stack"; }
run cancel --yes
run refresh --yes --clear-pending-creates
run up --yes --skip-preview

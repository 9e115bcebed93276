#!/usr/bin/env bash
# scripts/test_python.sh VERSION - the unit tests, the e2e lifecycle test and the installable package's test on
# another Python (`make test-python`, run by .ci/run with 3.13), in a venv of its own, .venv-VERSION, made by
# scripts/bootstrap.sh from the same pins.
#
# The interpreter: PYTHON= if set, else python<VERSION> on PATH, else the newest pyenv build of it
# ($(pyenv root)/versions/<VERSION>.*). A machine without one skips with a line that says so (exit 0);
# any other failure fails.
set -euo pipefail
cd "$(dirname "$0")/.."
want=${1:?usage: scripts/test_python.sh 3.13}
say() { printf 'test-python %s: %s\n' "$want" "$*"; }

runs_as() { [[ $("$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) == "$want" ]]; }
py=${PYTHON:-}
if [[ -n $py ]]; then
  runs_as "$py" || { say "ERROR: PYTHON=$py is not a working Python $want" >&2; exit 1; }
else
  looked="python$want on PATH"
  if command -v "python$want" >/dev/null && runs_as "python$want"; then
    py=$(command -v "python$want")
  else
    pyenv_root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
    looked+=", $pyenv_root/versions/$want.*"
    for cand in $(ls -d "$pyenv_root/versions/$want".* 2>/dev/null | sort -Vr); do
      if runs_as "$cand/bin/python$want"; then py=$cand/bin/python$want; break; fi
    done
  fi
  if [[ -z $py ]]; then
    say "SKIPPED: no Python $want on this machine (looked for $looked); set PYTHON=/path/to/python$want to run it"
    exit 0
  fi
fi

venv=.venv-$want
say "using $py ($("$py" -V 2>&1)), venv $venv"
PYTHON=$py SMH_VENV=$venv scripts/bootstrap.sh
"$venv/bin/python" -m pytest -q -p no:cacheprovider "${@:2}" tests/unit tests/e2e/test_lifecycle.py \
  tests/packaging

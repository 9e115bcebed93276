#!/usr/bin/env bash
# Run one Pulumi operation on a stack of this project: up | preview | refresh | destroy | recover | down.
#
#   STACK=local (default)  the emulator stack. Stacks whose smh:endpoint is this machine's emulator (local,
#                          albums, tenants) use the fixed, public passphrase "local-emulator"
#   STACK=<other>          needs PULUMI_CONFIG_PASSPHRASE (and real credentials in its config or env)
#   POLICY=1               preview/up with the policy pack in policy/ (when present) and its config
#                          POLICY_CONFIG (default policy/config.json)
#
# When the stack's smh:endpoint (or SMH_ENDPOINT) points at this machine and nothing answers
# there, the embedded emulator is started in the background with its state in .emulator-state/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
op=${1:?usage: scripts/stack.sh up|preview|refresh|destroy|down}
STACK=${STACK:-local}
EMU_DIR=$ROOT/.emulator-state

stop_emulator() {
  if [[ -f $EMU_DIR/emulator.pid ]] && kill -0 "$(cat "$EMU_DIR/emulator.pid")" 2>/dev/null; then
    kill "$(cat "$EMU_DIR/emulator.pid")" && echo "emulator stopped (pid $(cat "$EMU_DIR/emulator.pid"))"
  else
    echo "no emulator started by this project is running"
  fi
  rm -f "$EMU_DIR/emulator.pid"
}
[[ $op == down ]] && { stop_emulator; exit 0; }

export PULUMI_BACKEND_URL=${PULUMI_BACKEND_URL:-file://$ROOT/.pulumi-state}
[[ $PULUMI_BACKEND_URL == file://$ROOT/.pulumi-state ]] && mkdir -p "$ROOT/.pulumi-state"
stack_file=stacks/Pulumi.$STACK.yaml
endpoint=${SMH_ENDPOINT:-}
if [[ -z $endpoint && -f $stack_file ]]; then
  endpoint=$(sed -n 's/^ *smh:endpoint: *//p' "$stack_file" | tr -d '"' | head -1)
fi
local_emulator=0
if [[ -n $endpoint && $endpoint =~ ^http://(127\.0\.0\.1|localhost):([0-9]+)/?$ ]]; then
  local_emulator=1
  port=${BASH_REMATCH[2]}
  if ! curl -fs --noproxy '*' -m 2 "http://127.0.0.1:$port/_emulator/health" >/dev/null; then
    mkdir -p "$EMU_DIR"
    echo "starting the emulator on port $port (state in .emulator-state/, log in .emulator-state/emulator.log)"
    nohup "$ROOT/.venv/bin/python" -m emulator --port "$port" --state-dir "$EMU_DIR" \
      >"$EMU_DIR/emulator.log" 2>&1 </dev/null &
    echo $! >"$EMU_DIR/emulator.pid"
    for _ in $(seq 50); do
      curl -fs --noproxy '*' -m 1 "http://127.0.0.1:$port/_emulator/health" >/dev/null && break
      sleep 0.1
    done
    curl -fs --noproxy '*' -m 2 "http://127.0.0.1:$port/_emulator/health" >/dev/null \
      || { echo "the emulator did not start; see .emulator-state/emulator.log" >&2; exit 1; }
  fi
fi

if [[ -z ${PULUMI_CONFIG_PASSPHRASE:-} && -z ${PULUMI_CONFIG_PASSPHRASE_FILE:-} ]]; then
  if [[ $local_emulator == 1 ]]; then
    # Emulator stacks hold no secret but the emulator's public default key: a fixed, public passphrase.
    export PULUMI_CONFIG_PASSPHRASE=local-emulator
  else
    echo "stack '$STACK': set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE); only stacks that target" \
         "the local emulator have a fixed passphrase" >&2
    exit 2
  fi
fi

pulumi stack select "$STACK" --create --non-interactive >/dev/null
policy=()
if [[ ${POLICY:-} == 1 && -d policy ]]; then
  policy=(--policy-pack "$ROOT/policy")
  policy_config=${POLICY_CONFIG:-$ROOT/policy/config.json}
  [[ -f $policy_config ]] || { echo "POLICY_CONFIG: no such file: $policy_config" >&2; exit 2; }
  policy+=(--policy-pack-config "$policy_config")
fi
case $op in
  up) pulumi up --yes --non-interactive --stack "$STACK" "${policy[@]}"
      pulumi stack output --stack "$STACK" ;;
  preview) pulumi preview --diff --non-interactive --stack "$STACK" "${policy[@]}" ;;
  refresh) pulumi refresh --yes --non-interactive --stack "$STACK" ;;
  destroy) pulumi destroy --yes --non-interactive --stack "$STACK" ;;
  recover) "$ROOT/scripts/recover.sh" "$STACK" ;;
  *) echo "unknown operation $op" >&2; exit 2 ;;
esac

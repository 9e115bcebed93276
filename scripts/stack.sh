#!/usr/bin/env bash
# Run one Pulumi operation on a stack of this project: up | preview | refresh | destroy | recover | down | emulator.
#
#   STACK=local (default)  the emulator stack. Stacks whose smh:endpoint is this machine's emulator (local,
#                          albums, tenants, web) use the fixed, public passphrase "local-emulator"
#   STACK=<other>          needs PULUMI_CONFIG_PASSPHRASE (and real credentials in its config or env)
#   POLICY=1               preview/up with the policy pack in policy/ (when present) and its config
#                          POLICY_CONFIG (default policy/config.json)
#
# The endpoint is the provider's own rule (scripts/stack_endpoint.py): the stack's smh:endpoint, else SMH_ENDPOINT.
# When it points at this machine and nothing answers there, the embedded emulator is started in the background
# with its state, log and pid file in .emulator-state/<port>/; `down` stops every emulator started that way.
# `emulator` does only that part (no Pulumi operation).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
op=${1:?usage: scripts/stack.sh up|preview|refresh|destroy|recover|down|emulator}
STACK=${STACK:-local}
EMU_DIR=$ROOT/.emulator-state

# One emulator per port, each with its own state, log and pid file: .emulator-state/<port>/.
is_our_emulator() {  # is_our_emulator PID PORT: PID is alive and is `python -m emulator --port PORT`
  local cmd
  cmd=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
  [[ $cmd == *"-m emulator --port $2 "* ]]
}
stop_emulators() {
  local pidfile port pid stopped=0
  for pidfile in "$EMU_DIR"/*/emulator.pid "$EMU_DIR"/emulator.pid; do  # the last: the older, single-file layout
    [[ -f $pidfile ]] || continue
    pid=$(cat "$pidfile") port=$(basename "$(dirname "$pidfile")")
    [[ $pidfile == "$EMU_DIR/emulator.pid" ]] && port=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | sed -n 's/.*--port \([0-9]*\).*/\1/p')
    if [[ -n $port ]] && is_our_emulator "$pid" "$port"; then
      kill "$pid" && echo "emulator on port $port stopped (pid $pid)"
      stopped=$((stopped + 1))
    fi
    rm -f "$pidfile"
  done
  (( stopped )) || echo "no emulator started by this project is running"
}
[[ $op == down ]] && { stop_emulators; exit 0; }

export PULUMI_BACKEND_URL=${PULUMI_BACKEND_URL:-file://$ROOT/.pulumi-state}
[[ $PULUMI_BACKEND_URL == file://$ROOT/.pulumi-state ]] && mkdir -p "$ROOT/.pulumi-state"
stack_file=stacks/Pulumi.$STACK.yaml
# Where the provider will call: the provider's own rule (the stack's smh:endpoint, else SMH_ENDPOINT; docs/stack-config.md "Endpoint").
resolved=$("$ROOT/.venv/bin/python" "$ROOT/scripts/stack_endpoint.py" "$stack_file") \
  || { echo "stack '$STACK': fix smh:endpoint / SMH_ENDPOINT (above) first" >&2; exit 2; }
endpoint=${resolved%% *} source=${resolved#* }
if [[ -n ${SMH_ENDPOINT:-} && $source == smh:endpoint && ${SMH_ENDPOINT%/} != "$endpoint" ]]; then
  echo "note: SMH_ENDPOINT=$SMH_ENDPOINT is not used: stack '$STACK' sets smh:endpoint $endpoint, and the stack's" \
       "config wins (docs/stack-config.md, \"Endpoint\"); remove it from the stack to use SMH_ENDPOINT"
fi
local_emulator=0
if [[ -n $endpoint && $endpoint =~ ^http://(127\.0\.0\.1|localhost):([0-9]+)$ ]]; then
  local_emulator=1
  port=${BASH_REMATCH[2]}
  dir=$EMU_DIR/$port
  healthy() { curl -fs --noproxy '*' -m "${1:-2}" "http://127.0.0.1:$port/_emulator/health" >/dev/null; }
  if healthy; then
    if [[ -f $dir/emulator.pid ]] && is_our_emulator "$(cat "$dir/emulator.pid")" "$port"; then
      echo "the emulator on port $port is running (pid $(cat "$dir/emulator.pid"); make down stops it)"
    else
      echo "an emulator not started by make answers on port $port; using it (make down leaves it alone)"
    fi
  else
    mkdir -p "$dir"
    # the older layout kept one emulator's state directly in .emulator-state/: it becomes this port's
    if [[ -f $EMU_DIR/emulator.sqlite3 && ! -f $dir/emulator.sqlite3 ]]; then
      mv "$EMU_DIR"/emulator.sqlite3* "$dir/" && echo "moved .emulator-state/emulator.sqlite3 to .emulator-state/$port/"
    fi
    echo "starting the emulator on port $port (${source}; state and log in .emulator-state/$port/)"
    nohup "$ROOT/.venv/bin/python" -m emulator --port "$port" --state-dir "$dir" \
      >"$dir/emulator.log" 2>&1 </dev/null &
    echo $! >"$dir/emulator.pid"
    for _ in $(seq 300); do  # up to 30 s on a busy machine; usually under 1 s
      healthy 1 && break
      kill -0 "$(cat "$dir/emulator.pid")" 2>/dev/null || break
      sleep 0.1
    done
    healthy || { echo "the emulator did not start; see .emulator-state/$port/emulator.log" >&2; exit 1; }
  fi
fi
[[ $op == emulator ]] && exit 0  # only make sure the emulator this stack calls is up (tests, scripts)

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

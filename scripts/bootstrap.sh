#!/usr/bin/env bash
# scripts/bootstrap.sh - install everything this repo needs, idempotently.
#
#   1. .venv (Python 3.11) with the exact pins of requirements.txt; pip runs
#      only when requirements.txt (or the interpreter) changed since the last
#      successful install (stamp: .venv/.requirements.sha256).
#   2. .tools/pulumi/ holding the pinned Pulumi CLI bundle:
#        pulumi                         CLI + engine, v3.274.0
#        pulumi-language-python         Python language host (Go)
#        pulumi-language-python-exec    script the language host runs (must sit beside it)
#        pulumi-resource-pulumi-python  shim that serves pulumi.dynamic providers
#      Taken from, in order:
#        a. a `pulumi` on PATH that prints v3.274.0 and has the Python host,
#           exec script and dynamic shim beside it or on PATH (symlinked);
#        b. the per-user cache ~/.cache/smh-media/pulumi-v3.274.0/ (hard-linked
#           or copied);
#        c. a one-time build from the Go module proxy (tools/pulumi-cli and
#           tools/pulumi-cli/langhost) into that cache, then (b).
#
# Usage: scripts/bootstrap.sh [--venv-only | --pulumi-only] [--force-build] [--cold]
#   --force-build  rebuild the Pulumi bundle even if the cache has it
#   --cold         like --force-build, but with fresh, throw-away GOMODCACHE
#                  and GOCACHE, to measure a truly cold build (downloads all
#                  modules from the proxy again). Stats go to
#                  tools/pulumi-cli/BUILD_STATS.md.
#
# Environment: PYTHON (interpreter for a new .venv, default python3.11),
#   SMH_CACHE_DIR (default ${XDG_CACHE_HOME:-~/.cache}/smh-media).
set -euo pipefail

PULUMI_VERSION=v3.274.0    # CLI/engine (pkg/v3, sdk/v3 tags)
LANGHOST_SDK_VERSION=v3.188.0  # pkg/sdk the language host is compiled against (see tools/pulumi-cli/README.md)
BUNDLE_FILES=(pulumi pulumi-language-python pulumi-language-python-exec pulumi-resource-pulumi-python)

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE_ROOT=${SMH_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/smh-media}
CACHE_DIR=$CACHE_ROOT/pulumi-$PULUMI_VERSION
TOOLS_DIR=$ROOT/.tools/pulumi
CLI_MOD=$ROOT/tools/pulumi-cli
HOST_MOD=$CLI_MOD/langhost
STATS_FILE=$CLI_MOD/BUILD_STATS.md

# The language-host module is untagged; its pseudo-version is not in the
# checksum database. The committed go.sum files are the integrity check.
export GONOSUMDB="${GONOSUMDB:+$GONOSUMDB,}github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_HOME=${PULUMI_HOME:-$ROOT/.tools/pulumi-home}
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

do_venv=1 do_pulumi=1 force_build=0 cold=0
for arg in "$@"; do
  case $arg in
    --venv-only) do_pulumi=0 ;;
    --pulumi-only) do_venv=0 ;;
    --force-build) force_build=1 ;;
    --cold) force_build=1 cold=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bootstrap: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

T_START=$SECONDS
log() { printf 'bootstrap: %s\n' "$*"; }
die() { printf 'bootstrap: ERROR: %s\n' "$*" >&2; exit 1; }
sha256() { sha256sum "$@" | cut -d' ' -f1; }

# ---------------------------------------------------------------- Python --
setup_venv() {
  local venv=$ROOT/.venv py=${PYTHON:-python3.11}
  if [[ ! -x $venv/bin/python ]] || ! "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
    if ! command -v "$py" >/dev/null 2>&1 || ! "$py" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      if python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
        py=python3
      else
        die "Python 3.11 not found (tried ${PYTHON:-python3.11} and python3); set PYTHON=/path/to/python3.11"
      fi
    fi
    log "creating .venv with $("$py" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
    rm -rf "$venv"
    "$py" -m venv "$venv"
  fi
  local want have
  want="$(sha256 "$ROOT/requirements.txt") $("$venv/bin/python" -c 'import sys; print(sys.version.split()[0])')"
  have=$(cat "$venv/.requirements.sha256" 2>/dev/null || true)
  if [[ $want == "$have" ]]; then
    log ".venv is up to date with requirements.txt"
    return
  fi
  log "installing requirements.txt into .venv (pip cache: $("$venv/bin/python" -m pip cache dir 2>/dev/null || echo default))"
  local t0=$SECONDS
  "$venv/bin/python" -m pip install -q ${CI:+--progress-bar off} -r "$ROOT/requirements.txt"
  echo "$want" > "$venv/.requirements.sha256"
  log "pip install done in $((SECONDS - t0))s"
}

# ---------------------------------------------------------------- Pulumi --
# bundle_ok DIR: the four files are executable and `pulumi version` is right.
bundle_ok() {
  local dir=$1 f v
  for f in "${BUNDLE_FILES[@]}"; do [[ -x $dir/$f ]] || return 1; done
  v=$(timeout 30 "$dir/pulumi" version 2>/dev/null) || return 1
  [[ $v == "$PULUMI_VERSION" ]]
}

# Identifies what a cached build was made from: change either go.sum, go.mod
# or the build flags and the cache entry is rebuilt.
build_key() {
  {
    echo "$PULUMI_VERSION $LANGHOST_SDK_VERSION"
    cat "$CLI_MOD/go.mod" "$CLI_MOD/go.sum" "$HOST_MOD/go.mod" "$HOST_MOD/go.sum"
    printf '%s\n' "${BUILD_FLAGS_DESC}"
  } | sha256sum | cut -d' ' -f1
}
BUILD_TAGS=osusergo,grpcnotrace
BUILD_FLAGS_DESC="-trimpath -tags $BUILD_TAGS -ldflags -s -w -X .../version.Version"

cache_ok() {
  bundle_ok "$CACHE_DIR" && [[ $(cat "$CACHE_DIR/BUILD_KEY" 2>/dev/null) == "$(build_key)" ]]
}

# which_excluding NAME: first NAME on PATH, skipping our own .tools/pulumi.
which_excluding() {
  local name=$1 d IFS=:
  for d in $PATH; do
    [[ -n $d && $d != "$TOOLS_DIR" && $d != "$TOOLS_DIR/" ]] || continue
    if [[ -x $d/$name && ! -d $d/$name ]]; then printf '%s\n' "$d/$name"; return 0; fi
  done
  return 1
}

# find_on_path: sets EXT[...] to the four files of a usable `pulumi` on PATH.
declare -A EXT
find_on_path() {
  local cli dir host shim v
  cli=$(which_excluding pulumi) || return 1
  v=$(timeout 30 "$cli" version 2>/dev/null) || return 1
  [[ $v == "$PULUMI_VERSION" ]] || { log "ignoring $cli on PATH: it prints '$v', need $PULUMI_VERSION"; return 1; }
  dir=$(dirname "$(readlink -f "$cli")")
  host=$dir/pulumi-language-python
  [[ -x $host ]] || host=$(which_excluding pulumi-language-python) || { log "ignoring $cli: no pulumi-language-python beside it or on PATH"; return 1; }
  host=$(readlink -f "$host")
  # the host looks for its exec script next to its own (resolved) executable
  [[ -x $(dirname "$host")/pulumi-language-python-exec ]] || { log "ignoring $cli: no pulumi-language-python-exec beside $host"; return 1; }
  shim=$dir/pulumi-resource-pulumi-python
  [[ -x $shim ]] || shim=$(which_excluding pulumi-resource-pulumi-python) || { log "ignoring $cli: no pulumi-resource-pulumi-python beside it or on PATH"; return 1; }
  EXT[pulumi]=$(readlink -f "$cli")
  EXT[pulumi-language-python]=$host
  EXT[pulumi-language-python-exec]=$(dirname "$host")/pulumi-language-python-exec
  EXT[pulumi-resource-pulumi-python]=$(readlink -f "$shim")
}

# install_tools MODE SOURCE-DESC: atomically (re)create .tools/pulumi from
# EXT[] (MODE=symlink) or from $CACHE_DIR (MODE=copy: hard link, else copy).
install_tools() {
  local mode=$1 desc=$2 tmp f
  mkdir -p "$ROOT/.tools"
  tmp=$(mktemp -d "$ROOT/.tools/.pulumi.XXXXXX")
  for f in "${BUNDLE_FILES[@]}"; do
    if [[ $mode == symlink ]]; then
      ln -s "${EXT[$f]}" "$tmp/$f"
    else
      ln "$CACHE_DIR/$f" "$tmp/$f" 2>/dev/null || cp -p "$CACHE_DIR/$f" "$tmp/$f"
    fi
  done
  [[ $mode == symlink ]] || cp -p "$CACHE_DIR/BUILD_INFO" "$tmp/" 2>/dev/null || true
  echo "$desc" > "$tmp/.source"
  chmod 0755 "$tmp"
  rm -rf "$TOOLS_DIR.old"
  [[ -e $TOOLS_DIR ]] && mv "$TOOLS_DIR" "$TOOLS_DIR.old"
  mv "$tmp" "$TOOLS_DIR"
  rm -rf "$TOOLS_DIR.old"
}

du_mb() { [[ -d $1 ]] && du -sk "$1" 2>/dev/null | awk '{printf "%.0f", $1/1024}' || echo 0; }

HEARTBEAT_PID=
heartbeat_start() {  # heartbeat_start LABEL: a line every 30 s while a silent step runs
  local label=$1 t0=$SECONDS
  (
    sp=
    trap '[[ -n $sp ]] && kill "$sp" 2>/dev/null; exit 0' TERM
    while :; do
      sleep 30 >/dev/null 2>&1 & sp=$!
      wait "$sp"
      printf 'bootstrap:   ... %s still running (%ds)\n' "$label" "$((SECONDS - t0))"
    done
  ) &
  HEARTBEAT_PID=$!
}
heartbeat_stop() {
  if [[ -n $HEARTBEAT_PID ]]; then kill "$HEARTBEAT_PID" 2>/dev/null || true; wait "$HEARTBEAT_PID" 2>/dev/null || true; HEARTBEAT_PID=; fi
}

# go_build_progress LABEL MODDIR OUT PKG VERSION: go build -v, one progress
# line per 50 compiled packages (or 20 s), full log kept for errors.
go_build_progress() {
  local label=$1 moddir=$2 out=$3 pkg=$4 version=$5 total n=0 last=$SECONDS t0=$SECONDS logf line
  total=$(cd "$moddir" && go list -deps "$pkg" | wc -l)
  logf=$BUILD_TMP/$label.log
  log "[$(elapsed)] compiling $label ($total packages incl. std; only uncached ones are listed)"
  set +e
  (cd "$moddir" && go build -v -trimpath -tags "$BUILD_TAGS" \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
      -o "$out" "$pkg") 2>&1 | tee "$logf" | while IFS= read -r line; do
    n=$((n + 1))
    if [[ $line == "$pkg" ]]; then
      printf 'bootstrap:   [%s] %s: %d packages compiled, linking...\n' "$(elapsed)" "$label" "$n"
    elif (( n % 50 == 0 || SECONDS - last >= 20 )); then
      printf 'bootstrap:   [%s] %s: %d/%d packages compiled (%s)\n' "$(elapsed)" "$label" "$n" "$total" "$line"
      last=$SECONDS
    fi
  done
  local rc=${PIPESTATUS[0]}
  set -e
  if (( rc != 0 )); then
    grep -v '^[a-zA-Z0-9._/~-]*$' "$logf" | tail -40 >&2 || true
    die "go build of $label failed (exit $rc); full log: $logf"
  fi
  BUILD_SECS[$label]=$((SECONDS - t0))
  log "[$(elapsed)] $label built in ${BUILD_SECS[$label]}s"
}
elapsed() { printf '%4ds' "$((SECONDS - BUILD_T0))"; }

declare -A BUILD_SECS
BUILD_TMP="" COLD_TMP=""
cleanup_build() {
  heartbeat_stop
  [[ -n $BUILD_TMP && -d $BUILD_TMP ]] && rm -rf "$BUILD_TMP"
  if [[ -n $COLD_TMP && -d $COLD_TMP ]]; then chmod -R u+w "$COLD_TMP" 2>/dev/null || true; rm -rf "$COLD_TMP"; fi
  return 0
}

build_bundle() {
  command -v go >/dev/null 2>&1 || die "no 'go' on PATH: Go >= 1.26 is needed to build the Pulumi CLI $PULUMI_VERSION once (or put a complete pulumi $PULUMI_VERSION bundle on PATH or in $CACHE_DIR)"
  mkdir -p "$CACHE_ROOT"
  exec 9>"$CACHE_ROOT/.pulumi-$PULUMI_VERSION.lock"
  if ! flock -n 9; then
    log "another bootstrap is building Pulumi $PULUMI_VERSION; waiting for it..."
    flock 9
  fi
  if (( ! force_build )) && cache_ok; then log "the other build finished; using it"; return; fi

  trap cleanup_build EXIT
  trap 'exit 130' INT TERM
  # we hold the lock, so any leftover temp dir is from an interrupted build
  rm -rf "$CACHE_ROOT/.build-pulumi-$PULUMI_VERSION".* "$CACHE_DIR.old"
  BUILD_TMP=$(mktemp -d "$CACHE_ROOT/.build-pulumi-$PULUMI_VERSION.XXXXXX")
  local kind="default caches"
  if (( cold )); then
    COLD_TMP=$(mktemp -d "${TMPDIR:-/tmp}/smh-cold-go.XXXXXX")
    export GOMODCACHE=$COLD_TMP/mod GOCACHE=$COLD_TMP/build
    export GOFLAGS="${GOFLAGS:+$GOFLAGS }-modcacherw"
    kind="cold: fresh GOMODCACHE+GOCACHE"
  fi
  local modcache dlcache gover
  modcache=$(go env GOMODCACHE); gover=$(go env GOVERSION)
  dlcache=$modcache/cache/download
  log "=================================================================="
  log "One-time build of the Pulumi CLI $PULUMI_VERSION + Python language host"
  log "from the Go module proxy ($(go env GOPROXY)); this takes several minutes"
  log "(about 5-10 min cold on 2 cores). Result is cached in $CACHE_DIR"
  log "and reused by every checkout on this machine. ($kind, $gover)"
  log "=================================================================="
  BUILD_T0=$SECONDS
  local mod_before dl_before mod_after dl_after t0
  mod_before=$(du_mb "$modcache"); dl_before=$(du_mb "$dlcache")

  t0=$SECONDS
  log "[$(elapsed)] downloading Go modules (GOMODCACHE=$modcache, ${mod_before} MB before)"
  heartbeat_start "module download"
  (cd "$CLI_MOD" && go mod download) || { heartbeat_stop; die "go mod download failed in tools/pulumi-cli"; }
  (cd "$HOST_MOD" && go mod download) || { heartbeat_stop; die "go mod download failed in tools/pulumi-cli/langhost"; }
  heartbeat_stop
  mod_after=$(du_mb "$modcache"); dl_after=$(du_mb "$dlcache")
  BUILD_SECS[download]=$((SECONDS - t0))
  log "[$(elapsed)] modules ready in ${BUILD_SECS[download]}s: downloaded $((dl_after - dl_before)) MB of module files; GOMODCACHE grew $((mod_after - mod_before)) MB"

  go_build_progress pulumi "$CLI_MOD" "$BUILD_TMP/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$PULUMI_VERSION"
  go_build_progress pulumi-language-python "$HOST_MOD" "$BUILD_TMP/pulumi-language-python" \
    github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3 "$LANGHOST_SDK_VERSION"

  # The two Python shims ship in the sdk/v3 module zip (same version as the CLI).
  local sdk
  sdk=$(cd "$CLI_MOD" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
  install -m 0755 "$sdk/python/cmd/pulumi-language-python-exec" "$BUILD_TMP/"
  install -m 0755 "$sdk/python/dist/pulumi-resource-pulumi-python" "$BUILD_TMP/"
  rm -f "$BUILD_TMP"/*.log
  chmod 0755 "$BUILD_TMP"

  bundle_ok "$BUILD_TMP" || die "built bundle is incomplete or '$BUILD_TMP/pulumi version' is not $PULUMI_VERSION"
  local total=$((SECONDS - BUILD_T0))
  build_key > "$BUILD_TMP/BUILD_KEY"
  cat > "$BUILD_TMP/BUILD_INFO" <<EOF
pulumi CLI:       $PULUMI_VERSION (github.com/pulumi/pulumi/pkg/v3, tools/pulumi-cli)
language host:    github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3 v3.0.0-20250806165243-bee5e4fa4815, sdk/pkg $LANGHOST_SDK_VERSION (tools/pulumi-cli/langhost)
python shims:     github.com/pulumi/pulumi/sdk/v3 $PULUMI_VERSION python/cmd, python/dist
built:            $(date -u +%Y-%m-%dT%H:%M:%SZ) with $gover, $(nproc) cores, $kind, ${total}s
EOF
  # atomic placement: the cache dir is either absent, the old one, or complete
  rm -rf "$CACHE_DIR.old"
  [[ -e $CACHE_DIR ]] && mv "$CACHE_DIR" "$CACHE_DIR.old"
  mv "$BUILD_TMP" "$CACHE_DIR"
  BUILD_TMP=
  rm -rf "$CACHE_DIR.old"

  log "=================================================================="
  log "Pulumi bundle built in ${total}s wall (modules ${BUILD_SECS[download]}s, pulumi ${BUILD_SECS[pulumi]}s, language host ${BUILD_SECS[pulumi-language-python]}s)"
  log "module download: $((dl_after - dl_before)) MB of zips/.mod files; GOMODCACHE +$((mod_after - mod_before)) MB (extracted)"
  log "=================================================================="
  if [[ ! -f $STATS_FILE ]]; then
    cat > "$STATS_FILE" <<'EOF'
# Pulumi CLI bundle build measurements

Appended by `scripts/bootstrap.sh` each time it builds the bundle
(`pulumi` v3.274.0 + Python language host + shims) from the Go module proxy.
"cold" rows used fresh, empty GOMODCACHE and GOCACHE (`scripts/bootstrap.sh --pulumi-only --cold`);
"default caches" rows reused whatever this machine already had.
Download = growth of `$GOMODCACHE/cache/download` (module zips + .mod files as fetched);
extracted = growth of the whole `$GOMODCACHE`.

| date (UTC) | caches | Go | cores | download MB | extracted MB | modules s | pulumi s | lang host s | total wall s |
|---|---|---|---|---|---|---|---|---|---|
EOF
  fi
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
    "$(date -u +%Y-%m-%dT%H:%MZ)" "$kind" "$gover" "$(nproc)" \
    "$((dl_after - dl_before))" "$((mod_after - mod_before))" "${BUILD_SECS[download]}" \
    "${BUILD_SECS[pulumi]}" "${BUILD_SECS[pulumi-language-python]}" "$total" >> "$STATS_FILE"
  log "appended these figures to ${STATS_FILE#"$ROOT"/}"
  cleanup_build
  trap - EXIT
}

setup_pulumi() {
  mkdir -p "$PULUMI_HOME" "$ROOT/.pulumi-state"
  if (( ! force_build )); then
    # fast path: .tools/pulumi already complete and from a still-valid source
    local src
    src=$(cat "$TOOLS_DIR/.source" 2>/dev/null || true)
    if bundle_ok "$TOOLS_DIR"; then
      if [[ $src == external:* ]] || [[ $src == "cache:$(build_key)" ]]; then
        log ".tools/pulumi is ready ($("$TOOLS_DIR/pulumi" version), ${src%%:*})"
        return
      fi
    fi
    if find_on_path; then
      log "using the pulumi $PULUMI_VERSION found on PATH: ${EXT[pulumi]} (symlinked into .tools/pulumi)"
      install_tools symlink "external:${EXT[pulumi]}"
      bundle_ok "$TOOLS_DIR" || die ".tools/pulumi is not usable after linking ${EXT[pulumi]}"
      return
    fi
    if cache_ok; then
      log "using cached Pulumi bundle $CACHE_DIR"
      install_tools copy "cache:$(build_key)"
      bundle_ok "$TOOLS_DIR" || die ".tools/pulumi is not usable after copying $CACHE_DIR"
      return
    fi
    [[ -d $CACHE_DIR ]] && log "cache $CACHE_DIR is incomplete or from other pins; rebuilding"
  fi
  build_bundle
  install_tools copy "cache:$(build_key)"
  bundle_ok "$TOOLS_DIR" || die ".tools/pulumi is not usable after the build"
  log ".tools/pulumi is ready ($("$TOOLS_DIR/pulumi" version))"
}

if (( do_venv )); then setup_venv; fi
if (( do_pulumi )); then setup_pulumi; fi
log "done in $((SECONDS - T_START))s"

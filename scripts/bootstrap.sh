#!/usr/bin/env bash
# scripts/bootstrap.sh - install everything this repo needs, idempotently.
#
#   1. .venv with the exact pins of requirements.txt, on Python 3.11 or newer:
#      the interpreter named by PYTHON=, else the newest python3.1x (or
#      python3) >= 3.11 on PATH. An existing .venv is kept unless PYTHON names
#      another version (then it is recreated) or it no longer runs. pip runs
#      only when requirements.txt or the interpreter changed since the last
#      successful install (stamp: .venv/.requirements.sha256).
#   2. .tools/pulumi/ holding a Pulumi CLI and the Python pieces it needs:
#        pulumi                         CLI + engine
#        pulumi-language-python         Python language host (a Go plugin the engine starts)
#        pulumi-language-python-exec    script the language host runs (must sit beside the host's real file)
#        pulumi-resource-pulumi-python  shim the engine starts to serve pulumi.dynamic providers
#      Taken from, in order:
#        a. a `pulumi` on PATH at least as new as the Python SDK (pulumi==X in
#           requirements.txt; same major): symlinked. Pieces not beside it or
#           on PATH come from the cache below (or a build of only those pieces).
#        b. the per-user cache ~/.cache/smh-media/pulumi-v3.274.0/ (hard-linked
#           or copied), the pinned bundle v3.274.0;
#        c. a one-time build from the Go module proxy (tools/pulumi-cli and
#           tools/pulumi-cli/langhost) into that cache, then (b): several minutes.
#      What will happen is printed first, with the expected wait.
#   3. .tools/pulumi/pulumi-language-yaml (the Pulumi YAML language host, built once from the Go module proxy into
#      ~/.cache/smh-media/pulumi-language-yaml-v1.25.0/, tools/pulumi-yaml) and the smh provider plugin installed in
#      PULUMI_HOME: docs/plugin.md. Without Go or a cached host this part only warns.
#
# Usage: scripts/bootstrap.sh [--venv-only | --pulumi-only] [--plan] [--force-build] [--cold]
#   --plan         print what would be used or built, change nothing
#   --force-build  rebuild the Pulumi bundle even if the cache has it
#   --cold         like --force-build, but with fresh, throw-away GOMODCACHE
#                  and GOCACHE, to measure a truly cold build (downloads all
#                  modules from the proxy again). Only --cold appends its figures
#                  to the tracked tools/pulumi-cli/BUILD_STATS.md; other builds
#                  append theirs to BUILD_STATS.md in the cache root (outside the tree).
#
# Environment: PYTHON (interpreter for .venv), SMH_VENV (venv directory,
#   default .venv; `make test-python` uses .venv-3.13), SMH_CACHE_DIR (default
#   ${XDG_CACHE_HOME:-~/.cache}/smh-media).
set -euo pipefail

PULUMI_VERSION=v3.274.0    # pinned CLI/engine (pkg/v3, sdk/v3 tags) when one is built
LANGHOST_SDK_VERSION=v3.188.0  # pkg/sdk the language host is compiled against (see tools/pulumi-cli/README.md)
BUNDLE_FILES=(pulumi pulumi-language-python pulumi-language-python-exec pulumi-resource-pulumi-python)
PIECES=(pulumi-language-python pulumi-language-python-exec pulumi-resource-pulumi-python)
PY_MIN_MINOR=11            # Python 3.11 or newer
# Expected waits, said before they start (measured on 2 cores: tools/pulumi-cli/BUILD_STATS.md).
FULL_BUILD_WAIT="about 6-12 min on 2 cores (measured: 366 s cold on an idle machine, up to 12 min on a busy one)"
PIECES_BUILD_WAIT="a few minutes (the language host is ~40% of the full build's packages; not measured alone)"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE_ROOT=${SMH_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/smh-media}
CACHE_DIR=$CACHE_ROOT/pulumi-$PULUMI_VERSION
PIECES_DIR=$CACHE_ROOT/pulumi-python-pieces-$PULUMI_VERSION
TOOLS_DIR=$ROOT/.tools/pulumi
CLI_MOD=$ROOT/tools/pulumi-cli
HOST_MOD=$CLI_MOD/langhost
VENV=${SMH_VENV:-$ROOT/.venv}
[[ $VENV == /* ]] || VENV=$ROOT/$VENV

# The language-host module is untagged; its pseudo-version is not in the
# checksum database. The committed go.sum files are the integrity check.
export GONOSUMDB="${GONOSUMDB:+$GONOSUMDB,}github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_HOME=${PULUMI_HOME:-$ROOT/.tools/pulumi-home}
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

do_venv=1 do_pulumi=1 force_build=0 cold=0 plan_only=0
for arg in "$@"; do
  case $arg in
    --venv-only) do_pulumi=0 ;;
    --pulumi-only) do_venv=0 ;;
    --plan) plan_only=1 ;;
    --force-build) force_build=1 ;;
    --cold) force_build=1 cold=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bootstrap: unknown argument: $arg" >&2; exit 2 ;;
  esac
done
if (( cold )); then STATS_FILE=$CLI_MOD/BUILD_STATS.md; else STATS_FILE=$CACHE_ROOT/BUILD_STATS.md; fi

T_START=$SECONDS
log() { printf 'bootstrap: %s\n' "$*"; }
die() { printf 'bootstrap: ERROR: %s\n' "$*" >&2; exit 1; }
sha256() { sha256sum "$@" | cut -d' ' -f1; }

# ---------------------------------------------------------------- Python --
# py_version EXE: "3.12.1" if EXE runs, else fails.
py_version() { timeout 20 "$1" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null; }
py_supported() { [[ $1 =~ ^3\.([0-9]+)\. ]] && (( BASH_REMATCH[1] >= PY_MIN_MINOR )); }

# list_pythons: "VERSION PATH" of every runnable python3 / python3.N on PATH that is >= 3.11, newest first.
list_pythons() {
  local d f v IFS=: seen=" "
  for d in $PATH; do
    [[ -n $d && -d $d && $d != "$VENV/bin" ]] || continue
    for f in "$d"/python3 "$d"/python3.[0-9]*; do
      [[ -x $f && ! -d $f && ${f##*/} =~ ^python3(\.[0-9]+)?$ ]] || continue
      v=$(py_version "$f") || continue      # e.g. a pyenv shim of a version that is not selected
      py_supported "$v" || continue
      [[ $seen == *" $v "* ]] && continue
      seen+="$v "
      printf '%s %s\n' "$v" "$f"
    done
  done | sort -t' ' -k1,1Vr
}

# choose_python: sets PY (executable), PY_VER and PY_WHY.
choose_python() {
  if [[ -n ${PYTHON:-} ]]; then
    PY=$(command -v "$PYTHON" 2>/dev/null) || die "PYTHON=$PYTHON: no such executable"
    PY_VER=$(py_version "$PY") || die "PYTHON=$PYTHON ($PY) does not run: $("$PY" -V 2>&1 | head -1)"
    py_supported "$PY_VER" || die "PYTHON=$PYTHON is Python $PY_VER; this project needs Python 3.$PY_MIN_MINOR or newer"
    PY_WHY="named by PYTHON"
    return
  fi
  local found
  found=$(list_pythons)
  [[ -n $found ]] || die "no Python 3.$PY_MIN_MINOR or newer on PATH (looked for python3.1x and python3); install one or set PYTHON=/path/to/python3.x"
  read -r PY_VER PY <<<"$(head -1 <<<"$found")"
  PY_WHY="the newest Python >= 3.$PY_MIN_MINOR on PATH (found: $(awk '{printf "%s%s", (NR>1?", ":""), $1}' <<<"$found"))"
}

# plan_venv: sets VENV_ACTION (keep|create|recreate) and VENV_MSG.
plan_venv() {
  local have
  have=$(py_version "$VENV/bin/python" || true)
  if [[ -z $have ]]; then
    choose_python
    VENV_ACTION=create VENV_MSG="creating ${VENV#"$ROOT"/} with Python $PY_VER ($PY, $PY_WHY)"
  elif [[ -n ${PYTHON:-} ]]; then
    choose_python
    if [[ $have == "$PY_VER" ]]; then
      VENV_ACTION=keep VENV_MSG="${VENV#"$ROOT"/} has Python $have, as PYTHON names"
    else
      VENV_ACTION=recreate VENV_MSG="PYTHON=$PYTHON is Python $PY_VER but ${VENV#"$ROOT"/} has $have: recreating it"
    fi
  elif ! py_supported "$have"; then
    choose_python
    VENV_ACTION=recreate VENV_MSG="${VENV#"$ROOT"/} has Python $have (< 3.$PY_MIN_MINOR): recreating it with $PY_VER ($PY, $PY_WHY)"
  else
    VENV_ACTION=keep VENV_MSG="${VENV#"$ROOT"/} has Python $have (kept; PYTHON=/path/to/python3.x recreates it with another)"
  fi
}

setup_venv() {
  local venv=$VENV
  if [[ $VENV_ACTION != keep ]]; then
    rm -rf "$venv"
    "$PY" -m venv "$venv" || die "'$PY -m venv $venv' failed"
  fi
  local want have
  want="$(sha256 "$ROOT/requirements.txt") $(py_version "$venv/bin/python")"
  have=$(cat "$venv/.requirements.sha256" 2>/dev/null || true)
  if [[ $want == "$have" ]]; then
    log "${venv#"$ROOT"/} is up to date with requirements.txt"
    return
  fi
  log "installing requirements.txt into ${venv#"$ROOT"/} (about 1 min with a warm pip cache; pip cache: $("$venv/bin/python" -m pip cache dir 2>/dev/null || echo default))"
  local t0=$SECONDS
  "$venv/bin/python" -m pip install -q ${CI:+--progress-bar off} -r "$ROOT/requirements.txt"
  echo "$want" > "$venv/.requirements.sha256"
  log "pip install done in $((SECONDS - t0))s"
}

# ---------------------------------------------------------------- Pulumi --
SDK_VERSION=$(sed -n 's/^pulumi==\([0-9][0-9.]*\).*/\1/p' "$ROOT/requirements.txt" | head -1)
[[ -n $SDK_VERSION ]] || die "requirements.txt pins no pulumi==X.Y.Z"

# semver_core V: "3.280.1" from "v3.280.1", "v3.280.1-alpha.x", "3.280.1+dirty"; fails on anything else.
semver_core() { [[ $1 =~ ^v?([0-9]+)\.([0-9]+)\.([0-9]+) ]] && echo "${BASH_REMATCH[1]}.${BASH_REMATCH[2]}.${BASH_REMATCH[3]}"; }
version_ge() { [[ $(printf '%s\n%s\n' "$1" "$2" | sort -V | head -1) == "$2" ]]; }
# cli_new_enough V: V has the SDK's major version and is not older than the SDK.
cli_new_enough() {
  local core
  core=$(semver_core "$1") || return 1
  [[ ${core%%.*} == "${SDK_VERSION%%.*}" ]] && version_ge "$core" "$SDK_VERSION"
}
NEED_CLI="a Pulumi CLI v$SDK_VERSION or newer with major version ${SDK_VERSION%%.*} (the Python SDK is pulumi==$SDK_VERSION)"

# files_ok DIR: the four files are there and executable (through symlinks).
files_ok() {
  local f
  for f in "${BUNDLE_FILES[@]}"; do [[ -x $1/$f && ! -d $1/$f ]] || return 1; done
}
# bundle_ok DIR: the pinned bundle, complete, and `pulumi version` is the pin.
bundle_ok() {
  local v
  files_ok "$1" || return 1
  v=$(timeout 30 "$1/pulumi" version 2>/dev/null) || return 1
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
pieces_cache_ok() {
  local f
  for f in "${PIECES[@]}"; do [[ -x $PIECES_DIR/$f ]] || return 1; done
  [[ $(cat "$PIECES_DIR/BUILD_KEY" 2>/dev/null) == "$(build_key)" ]]
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

# SRC[file] = "link:PATH" (symlink to an installed file) or "copy:PATH" (hard link, else copy, from a cache).
declare -A SRC
CLI_NOTE="" EXT_CLI="" EXT_VER=""

# find_on_path: a `pulumi` on PATH that is new enough: SRC[pulumi] and whichever pieces are installed with it
# (beside it or on PATH). Sets CLI_NOTE to why a CLI was not taken or which pieces it lacks.
find_on_path() {
  local cli v dir host shim
  cli=$(which_excluding pulumi) || { CLI_NOTE="no pulumi on PATH"; return 1; }
  v=$(timeout 30 "$cli" version 2>/dev/null | head -1) || { CLI_NOTE="$cli on PATH does not run ('pulumi version' failed)"; return 1; }
  if ! cli_new_enough "$v"; then
    CLI_NOTE="not using $cli on PATH: it is '${v:-no version}'; this project needs $NEED_CLI"
    return 1
  fi
  EXT_CLI=$(readlink -f "$cli") EXT_VER=$v
  SRC[pulumi]=link:$EXT_CLI
  dir=$(dirname "$EXT_CLI")
  # The host looks for its exec script beside its own resolved executable: they come as a pair.
  host=$dir/pulumi-language-python
  [[ -x $host ]] || host=$(which_excluding pulumi-language-python) || host=
  if [[ -n $host ]]; then
    host=$(readlink -f "$host")
    if [[ -x $(dirname "$host")/pulumi-language-python-exec ]]; then
      SRC[pulumi-language-python]=link:$host
      SRC[pulumi-language-python-exec]=link:$(dirname "$host")/pulumi-language-python-exec
    else
      CLI_NOTE="$host has no pulumi-language-python-exec beside it; "
    fi
  fi
  shim=$dir/pulumi-resource-pulumi-python
  [[ -x $shim ]] || shim=$(which_excluding pulumi-resource-pulumi-python) || shim=
  [[ -n $shim ]] && SRC[pulumi-resource-pulumi-python]=link:$(readlink -f "$shim")
  return 0
}

missing_pieces() {
  local f out=()
  for f in "${PIECES[@]}"; do [[ -n ${SRC[$f]:-} ]] || out+=("$f"); done
  echo "${out[*]}"
}

# plan_pulumi: sets PULUMI_ACTION (ready|link|cache|build) and PULUMI_MSG; for link, PIECES_ACTION
# (none|cache|pieces-cache|build-pieces) and SRC[].
plan_pulumi() {
  local src missing f
  PIECES_ACTION=none
  if (( force_build )); then
    PULUMI_ACTION=build
    PULUMI_MSG="building the Pulumi CLI $PULUMI_VERSION bundle from the Go module proxy (--force-build/--cold): $FULL_BUILD_WAIT; figures go to $STATS_FILE"
    return
  fi
  src=$(cat "$TOOLS_DIR/.source" 2>/dev/null || true)
  if files_ok "$TOOLS_DIR"; then
    if [[ $src == "cache:$(build_key)" ]] && bundle_ok "$TOOLS_DIR"; then
      PULUMI_ACTION=ready PULUMI_MSG=".tools/pulumi is ready ($PULUMI_VERSION, the pinned bundle)"
      return
    fi
    local v on_path
    on_path=$(which_excluding pulumi || true)
    # a reused CLI stays in use while it works, unless another one is now first on PATH
    if [[ $src == external:* ]] && [[ -z $on_path || $(readlink -f "$on_path") == "$(readlink -f "$TOOLS_DIR/pulumi")" ]]; then
      v=$(timeout 30 "$TOOLS_DIR/pulumi" version 2>/dev/null || true)
      if cli_new_enough "$v"; then
        PULUMI_ACTION=ready PULUMI_MSG=".tools/pulumi is ready ($v, linked to $(readlink -f "$TOOLS_DIR/pulumi"))"
        return
      fi
    fi
  fi
  if find_on_path; then
    PULUMI_ACTION=link
    missing=$(missing_pieces)
    PULUMI_MSG="reusing the Pulumi CLI on PATH: $EXT_CLI ($EXT_VER; the Python SDK is pulumi==$SDK_VERSION)"
    if [[ -z $missing ]]; then
      PULUMI_MSG+="; its Python language host, exec script and dynamic-provider shim too"
      return
    fi
    if cache_ok; then
      PIECES_ACTION=cache PIECES_FROM=$CACHE_DIR
    elif pieces_cache_ok; then
      PIECES_ACTION=pieces-cache PIECES_FROM=$PIECES_DIR
    else
      PIECES_ACTION=build-pieces PIECES_FROM=$PIECES_DIR
    fi
    for f in $missing; do SRC[$f]=copy:$PIECES_FROM/$f; done
    PULUMI_MSG+="; ${CLI_NOTE}it lacks $missing"
    if [[ $PIECES_ACTION == build-pieces ]]; then
      PULUMI_MSG+=": building only those from the Go module proxy into $PIECES_DIR ($PIECES_BUILD_WAIT)"
    else
      PULUMI_MSG+=": taking them from $PIECES_FROM"
    fi
    return
  fi
  if cache_ok; then
    PULUMI_ACTION=cache PULUMI_MSG="using the cached Pulumi bundle $PULUMI_VERSION in $CACHE_DIR ($CLI_NOTE)"
    return
  fi
  PULUMI_ACTION=build
  PULUMI_MSG="$CLI_NOTE, and no cached bundle in $CACHE_DIR: building the Pulumi CLI $PULUMI_VERSION and its Python"
  PULUMI_MSG+=" pieces once from the Go module proxy: $FULL_BUILD_WAIT; build figures go to $STATS_FILE."
  PULUMI_MSG+=" To skip this wait, install $NEED_CLI and run bootstrap again"
}

# install_tools SOURCE-DESC: atomically (re)create .tools/pulumi from SRC[].
install_tools() {
  local desc=$1 tmp f from
  mkdir -p "$ROOT/.tools"
  tmp=$(mktemp -d "$ROOT/.tools/.pulumi.XXXXXX")
  for f in "${BUNDLE_FILES[@]}"; do
    from=${SRC[$f]#*:}
    case ${SRC[$f]} in
      link:*) ln -s "$from" "$tmp/$f" ;;
      copy:*) ln "$from" "$tmp/$f" 2>/dev/null || cp -p "$from" "$tmp/$f" ;;
      *) die "internal: no source for $f" ;;
    esac
  done
  [[ $desc == cache:* ]] && { cp -p "$CACHE_DIR/BUILD_INFO" "$tmp/" 2>/dev/null || true; }
  echo "$desc" > "$tmp/.source"
  chmod 0755 "$tmp"
  rm -rf "$TOOLS_DIR.old"
  [[ -e $TOOLS_DIR ]] && mv "$TOOLS_DIR" "$TOOLS_DIR.old"
  mv "$tmp" "$TOOLS_DIR"
  rm -rf "$TOOLS_DIR.old"
}
use_cache_bundle() {
  local f
  for f in "${BUNDLE_FILES[@]}"; do SRC[$f]=copy:$CACHE_DIR/$f; done
  install_tools "cache:$(build_key)"
  bundle_ok "$TOOLS_DIR" || die ".tools/pulumi is not usable after copying $CACHE_DIR"
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

# build_python_pieces: the Python language host into $BUILD_TMP, and the two Python shims, which ship in the
# sdk/v3 module zip (same version as the CLI).
build_python_pieces() {
  go_build_progress pulumi-language-python "$HOST_MOD" "$BUILD_TMP/pulumi-language-python" \
    github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3 "$LANGHOST_SDK_VERSION"
  local sdk
  sdk=$(cd "$CLI_MOD" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
  install -m 0755 "$sdk/python/cmd/pulumi-language-python-exec" "$BUILD_TMP/"
  install -m 0755 "$sdk/python/dist/pulumi-resource-pulumi-python" "$BUILD_TMP/"
  rm -f "$BUILD_TMP"/*.log
}

# place_build DIR: move the finished $BUILD_TMP to DIR atomically: DIR is either absent, the old one, or complete.
place_build() {
  rm -rf "$1.old"
  [[ -e $1 ]] && mv "$1" "$1.old"
  mv "$BUILD_TMP" "$1"
  BUILD_TMP=
  rm -rf "$1.old"
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
  log "from the Go module proxy ($(go env GOPROXY)): $FULL_BUILD_WAIT."
  log "Result is cached in $CACHE_DIR"
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
  build_python_pieces
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
  place_build "$CACHE_DIR"

  log "=================================================================="
  log "Pulumi bundle built in ${total}s wall (modules ${BUILD_SECS[download]}s, pulumi ${BUILD_SECS[pulumi]}s, language host ${BUILD_SECS[pulumi-language-python]}s)"
  log "module download: $((dl_after - dl_before)) MB of zips/.mod files; GOMODCACHE +$((mod_after - mod_before)) MB (extracted)"
  log "=================================================================="
  mkdir -p "$(dirname "$STATS_FILE")"
  if [[ ! -f $STATS_FILE ]]; then
    cat > "$STATS_FILE" <<'EOF'
# Pulumi CLI bundle build measurements

Appended by `scripts/bootstrap.sh --cold` (this tracked file), and by every other build of the bundle
(`pulumi` v3.274.0 + Python language host + shims) from the Go module proxy to BUILD_STATS.md in the
cache root (~/.cache/smh-media/, outside the tree).
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


# build_pieces: only the Python pieces (language host + exec script + dynamic shim) for a reused CLI that
# lacks them, into $PIECES_DIR; the full CLI is not compiled.
build_pieces() {
  command -v go >/dev/null 2>&1 || die "no 'go' on PATH: Go >= 1.26 is needed to build the Python language host once (or install the Pulumi CLI with its Python plugins, e.g. from Pulumi's installer)"
  mkdir -p "$CACHE_ROOT"
  exec 8>"$CACHE_ROOT/.pieces-$PULUMI_VERSION.lock"
  flock -n 8 || { log "another bootstrap is building the Python pieces; waiting for it..."; flock 8; }
  pieces_cache_ok && return
  trap cleanup_build EXIT
  trap 'exit 130' INT TERM
  rm -rf "$PIECES_DIR.build".*
  BUILD_TMP=$(mktemp -d "$PIECES_DIR.build.XXXXXX")
  BUILD_T0=$SECONDS
  log "=================================================================="
  log "One-time build of the Python language host (and its two scripts) for the reused CLI,"
  log "from the Go module proxy: $PIECES_BUILD_WAIT. Cached in $PIECES_DIR"
  log "=================================================================="
  heartbeat_start "module download"
  (cd "$HOST_MOD" && go mod download) || { heartbeat_stop; die "go mod download failed in tools/pulumi-cli/langhost"; }
  (cd "$CLI_MOD" && go mod download github.com/pulumi/pulumi/sdk/v3) || { heartbeat_stop; die "go mod download of sdk/v3 failed"; }
  heartbeat_stop
  build_python_pieces
  build_key > "$BUILD_TMP/BUILD_KEY"
  place_build "$PIECES_DIR"
  log "Python pieces built in $((SECONDS - BUILD_T0))s"
  cleanup_build
  trap - EXIT
}

setup_pulumi() {
  mkdir -p "$PULUMI_HOME" "$ROOT/.pulumi-state"
  case $PULUMI_ACTION in
    ready) return ;;
    link)
      [[ $PIECES_ACTION == build-pieces ]] && build_pieces
      install_tools "external:$EXT_CLI"
      files_ok "$TOOLS_DIR" || die ".tools/pulumi is not usable after linking $EXT_CLI"
      ;;
    cache) use_cache_bundle ;;
    build)
      build_bundle
      use_cache_bundle
      ;;
  esac
  log ".tools/pulumi is ready ($("$TOOLS_DIR/pulumi" version))"
}

# ------------------------------------------------- YAML host + smh plugin --
# 3. Pulumi YAML programs (examples/yaml, docs/plugin.md): .tools/pulumi/ also gets
#      pulumi-language-yaml   the YAML language host: github.com/pulumi/pulumi-yaml v1.25.0, module tools/pulumi-yaml
#                             (its own pkg/sdk v3.206.0: it does not compile against the CLI's v3.274.0); from a
#                             pulumi-language-yaml on PATH, else the cache ~/.cache/smh-media/pulumi-language-yaml-v1.25.0/,
#                             else a one-time build from the Go module proxy into that cache
#      pulumi-resource-smh    symlink to bin/pulumi-resource-smh, the smh provider plugin (found on PATH by the engine)
#    Without Go and without a cached host this step only warns: Python programs do not need it.
YAML_VERSION=v1.25.0
YAML_MOD=$ROOT/tools/pulumi-yaml
YAML_DIR=$CACHE_ROOT/pulumi-language-yaml-$YAML_VERSION
YAML_BUILD_WAIT="about 1-6 min on 2 cores (~600 packages; less when GOCACHE already holds pulumi's)"
yaml_key() {
  { echo "$YAML_VERSION"; cat "$YAML_MOD/go.mod" "$YAML_MOD/go.sum"; printf '%s\n' "$BUILD_FLAGS_DESC"; } | sha256sum | cut -d' ' -f1
}
yaml_cache_ok() { [[ -x $YAML_DIR/pulumi-language-yaml && $(cat "$YAML_DIR/BUILD_KEY" 2>/dev/null) == "$(yaml_key)" ]]; }

# plan_yaml: sets YAML_ACTION (ready|link|cache|build|none) and YAML_MSG.
plan_yaml() {
  local have
  YAML_FROM=
  if YAML_FROM=$(which_excluding pulumi-language-yaml); then
    YAML_FROM=$(readlink -f "$YAML_FROM")
    have=$(readlink -f "$TOOLS_DIR/pulumi-language-yaml" 2>/dev/null || true)
    if [[ $have == "$YAML_FROM" ]]; then YAML_ACTION=ready; else YAML_ACTION=link; fi
    YAML_MSG="YAML language host: $YAML_FROM (on PATH)"
  elif yaml_cache_ok && (( ! force_build )); then
    if cmp -s "$YAML_DIR/pulumi-language-yaml" "$TOOLS_DIR/pulumi-language-yaml"; then
      YAML_ACTION=ready YAML_MSG="YAML language host $YAML_VERSION is ready"
    else
      YAML_ACTION=cache YAML_MSG="YAML language host $YAML_VERSION from the cache $YAML_DIR"
    fi
  elif command -v go >/dev/null 2>&1; then
    YAML_ACTION=build
    YAML_MSG="building the YAML language host $YAML_VERSION once from the Go module proxy into $YAML_DIR: $YAML_BUILD_WAIT"
  else
    YAML_ACTION=none
    YAML_MSG="WARNING: no pulumi-language-yaml on PATH, none cached in $YAML_DIR and no 'go' to build one: Pulumi YAML programs (examples/yaml) will not run; Python programs are not affected"
  fi
}

build_yaml() {
  mkdir -p "$CACHE_ROOT"
  exec 7>"$CACHE_ROOT/.yaml-$YAML_VERSION.lock"
  flock -n 7 || { log "another bootstrap is building the YAML language host; waiting for it..."; flock 7; }
  if (( ! force_build )) && yaml_cache_ok; then return; fi
  local tmp t0=$SECONDS
  tmp=$(mktemp -d "$CACHE_ROOT/.build-yaml-$YAML_VERSION.XXXXXX")
  heartbeat_start "YAML language host build"
  if ! (cd "$YAML_MOD" && go build -trimpath -tags "$BUILD_TAGS" \
        -ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=$YAML_VERSION" \
        -o "$tmp/pulumi-language-yaml" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml) >"$tmp/build.log" 2>&1; then
    heartbeat_stop
    tail -30 "$tmp/build.log" >&2
    rm -rf "$tmp"
    die "go build of pulumi-language-yaml failed (tools/pulumi-yaml)"
  fi
  heartbeat_stop
  rm -f "$tmp/build.log"
  yaml_key > "$tmp/BUILD_KEY"
  chmod 0755 "$tmp"
  rm -rf "$YAML_DIR.old"
  [[ -e $YAML_DIR ]] && mv "$YAML_DIR" "$YAML_DIR.old"
  mv "$tmp" "$YAML_DIR"
  rm -rf "$YAML_DIR.old"
  log "YAML language host built in $((SECONDS - t0))s"
}

setup_yaml() {
  # setup_pulumi may have just recreated .tools/pulumi: "ready" then means "put it back from where it was"
  if [[ $YAML_ACTION == ready && ! -x $TOOLS_DIR/pulumi-language-yaml ]]; then
    if [[ -n $YAML_FROM ]]; then YAML_ACTION=link; else YAML_ACTION=cache; fi
  fi
  case $YAML_ACTION in
    link) ln -sfn "$YAML_FROM" "$TOOLS_DIR/pulumi-language-yaml" ;;
    build) build_yaml; cp -p "$YAML_DIR/pulumi-language-yaml" "$TOOLS_DIR/pulumi-language-yaml.$$.tmp" ;;
    cache) cp -p "$YAML_DIR/pulumi-language-yaml" "$TOOLS_DIR/pulumi-language-yaml.$$.tmp" ;;
    none) log "$YAML_MSG" ;;
  esac
  [[ -e $TOOLS_DIR/pulumi-language-yaml.$$.tmp ]] && mv -f "$TOOLS_DIR/pulumi-language-yaml.$$.tmp" "$TOOLS_DIR/pulumi-language-yaml"
  [[ $YAML_ACTION == none ]] || log "Pulumi YAML language host: .tools/pulumi/pulumi-language-yaml"
  install_smh_plugin
}

# install_smh_plugin: the smh provider plugin as an installed plugin of $PULUMI_HOME (bin/pulumi's, by default
# .tools/pulumi-home), so that every program this checkout's CLI runs finds `smh` without a path (docs/plugin.md).
# Installed is a two-line wrapper naming this checkout's bin/pulumi-resource-smh: the plugin runs this checkout's
# code in its venv, so a change to smh_provider/ needs no reinstall.
install_smh_plugin() {
  local version wrapper dest
  version=$(sed -n 's/^VERSION = "\([0-9.]*\)".*/\1/p' "$ROOT/smh_provider/plugin/schema.py")
  [[ -n $version ]] || die "no VERSION in smh_provider/plugin/schema.py"
  wrapper=$ROOT/.tools/smh-plugin/pulumi-resource-smh
  mkdir -p "$(dirname "$wrapper")"
  # a name of this process's own: two bootstraps at once (make soak beside make test) must not move each other's
  printf '#!/usr/bin/env bash\nexec %q "$@"\n' "$ROOT/bin/pulumi-resource-smh" > "$wrapper.$$.tmp"
  chmod 0755 "$wrapper.$$.tmp"
  mv -f "$wrapper.$$.tmp" "$wrapper"
  dest=$PULUMI_HOME/plugins/resource-smh-v$version/pulumi-resource-smh
  if ! cmp -s "$wrapper" "$dest"; then
    "$TOOLS_DIR/pulumi" plugin install resource smh "$version" --file "$wrapper" --reinstall >/dev/null \
      || die "pulumi plugin install resource smh $version --file $wrapper failed"
  fi
  log "smh provider plugin v$version installed in PULUMI_HOME=$PULUMI_HOME (runs bin/pulumi-resource-smh)"
}

# Say first what will happen and how long it may take, then do it.
if (( do_venv )); then plan_venv; log "Python: $VENV_MSG"; fi
if (( do_pulumi )); then plan_pulumi; log "Pulumi: $PULUMI_MSG"; plan_yaml; log "YAML: $YAML_MSG"; fi
if (( plan_only )); then exit 0; fi
if (( do_venv )); then setup_venv; fi
if (( do_pulumi )); then setup_pulumi; setup_yaml; fi
log "done in $((SECONDS - T_START))s"

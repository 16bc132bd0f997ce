#!/usr/bin/env bash
# Set up, then lint, type-check and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/install-virtuoso.sh
bash scripts/install-chromium.sh
bash scripts/install-r-metafor.sh
.venv/bin/ruff check kg tests benchmarks
.venv/bin/mypy
.venv/bin/pytest -q "$@"

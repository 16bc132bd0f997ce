#!/usr/bin/env bash
# The main job: set up, build the graph from data/, validate it, print the headline answers, write the dumps.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/vskg build
.venv/bin/vskg validate
.venv/bin/vskg query --headline
.venv/bin/vskg export --out dist

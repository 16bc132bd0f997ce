#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (driven by Playwright through executable_path;
# Playwright's own browser download is never used).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ensure_debian_package chromium chromium "the browser tests"

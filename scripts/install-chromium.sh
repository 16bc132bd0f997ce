#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (driven by Playwright through executable_path;
# Playwright's own browser download is never used).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: apt-get not available; the browser tests will be skipped" >&2
  exit 0
fi
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
echo "install-chromium: installing chromium from Debian"
export DEBIAN_FRONTEND=noninteractive
as_root apt-get update -qq >/dev/null
as_root apt-get install -y -qq chromium >/dev/null

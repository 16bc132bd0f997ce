#!/usr/bin/env bash
# Installs Virtuoso 7 from Debian's packages for the scale-out tests (the tests start their own
# throw-away instance on loopback; this only makes the binaries available).
set -euo pipefail
if command -v virtuoso-t >/dev/null 2>&1 && command -v isql-vt >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-virtuoso: apt-get not available; the Virtuoso tests will be skipped" >&2
  exit 0
fi
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
echo "install-virtuoso: installing virtuoso-opensource from Debian"
export DEBIAN_FRONTEND=noninteractive
as_root apt-get update -qq >/dev/null
as_root apt-get install -y -qq virtuoso-opensource >/dev/null
# The package starts a system-wide server on the default ports; the tests do not use it.
as_root service virtuoso-opensource-7 stop >/dev/null 2>&1 || true

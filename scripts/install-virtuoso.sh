#!/usr/bin/env bash
# Installs Virtuoso 7 from Debian's packages for the scale-out tests (the tests start their own
# throw-away instance on loopback; this only makes the binaries available).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
if ! command -v virtuoso-t >/dev/null 2>&1; then
  ensure_debian_package virtuoso-t virtuoso-opensource "the Virtuoso tests"
  # The package starts a system-wide server on the default ports; the tests do not use it.
  as_root service virtuoso-opensource-7 stop >/dev/null 2>&1 || true
fi

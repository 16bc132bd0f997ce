#!/usr/bin/env bash
# Installs what vskg needs on a fresh machine: Java (for HermiT) and a virtualenv with the package.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib.sh
ensure_debian_package java default-jre-headless "the HermiT reasoner"

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# Reinstall only when the package definition changed since the last setup.
stamp=.venv/.vskg-setup
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || ! .venv/bin/python -c "import kg" 2>/dev/null; then
  echo "setup: installing vskg and its tools into .venv"
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]' 2>&1 \
    | grep -vE "^WARNING: Location|BuildBackendWarning|^ |^$" >&2 || true
  .venv/bin/python -c "import kg, pyoxigraph, owlready2, pyshacl" 
  echo "$want" > "$stamp"
fi
bash scripts/install-js.sh

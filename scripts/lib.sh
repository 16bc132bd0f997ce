# Shared by the set-up scripts. ensure_debian_package COMMAND PACKAGE PURPOSE
# installs PACKAGE with apt-get when COMMAND is missing; without apt-get it says what will not run.
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

ensure_debian_package() {
  local command=$1 package=$2 purpose=$3
  if command -v "$command" >/dev/null 2>&1; then
    return 0
  fi
  install_debian_package "$package" "$purpose"
}

# install_debian_package PACKAGE PURPOSE: for what no single command shows (an R library, say).
install_debian_package() {
  local package=$1 purpose=$2
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: $package is needed for $purpose and apt-get is not available; install it to run them" >&2
    return 0
  fi
  echo "setup: installing $package from Debian for $purpose"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq >/dev/null
  as_root apt-get install -y -qq "$package" >/dev/null
}

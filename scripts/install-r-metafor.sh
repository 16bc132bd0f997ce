#!/usr/bin/env bash
# Installs R with metafor from Debian's packages: the synthesis tests check the pooled estimates
# against metafor's rma.glmm and rma on the same numbers.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
# Rscript alone is not enough: an R installed without metafor cannot run the comparison.
if ! command -v Rscript >/dev/null 2>&1 || ! Rscript -e 'library(metafor)' >/dev/null 2>&1; then
  install_debian_package r-cran-metafor "the comparison of the synthesis with metafor"
fi

#!/usr/bin/env bash
# The whole test suite from a fresh machine: installs packages, builds, runs
# unit, integration and conformance tests (ctest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure --timeout 600 -j2 "$@"

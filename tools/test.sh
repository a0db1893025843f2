#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite (ctest). Used by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh
ctest --test-dir build --output-on-failure -j"$(nproc)" "$@"

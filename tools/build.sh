#!/usr/bin/env bash
# Installs what is missing (tools/setup.sh), then configures and builds modelport into build/.
# Arguments are build targets (default: everything, tests included); the demo builds only `modelport`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi  # optional, for rebuilds
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" >/dev/null
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build build -j"$(nproc)" "${targets[@]}"

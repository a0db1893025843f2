#!/usr/bin/env bash
# Installs what is missing (tools/setup.sh), then configures and builds modelport into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"

#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite (ctest). Used by .ci/run.
# With MODELPORT_SANITIZED=1 (as .ci/run sets it) it then builds the loaders (no libtorch) with
# ASan+UBSan into build-asan/ and runs the sanitized subset there: the loaders' tests, the writer's,
# hashing's, buffers' and tensor ops' tests, and the fuzz regressions and seeds (ctest label
# "sanitized"; docs/robustness.md). Off by default for a quick
# local run: the extra build takes minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh
ctest --test-dir build --output-on-failure -j"$(nproc)" "$@"

if [ "${MODELPORT_SANITIZED:-0}" = 1 ]; then
  launcher=()
  if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
  cmake -S . -B build-asan -DMODELPORT_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DMODELPORT_TEST_MODELS_DIR="$PWD/build/test_models" "${launcher[@]}" >/dev/null
  cmake --build build-asan -j"$(nproc)" --target modelport_loader_tests modelport_fuzz_replay
  LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/fuzz/lsan.supp} ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    ctest --test-dir build-asan -L sanitized --output-on-failure -j"$(nproc)"
fi

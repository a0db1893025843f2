#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz) with clang-14 + ASan + UBSan into build-fuzz/ and runs
# them one after another (never two fuzzer processes at once), each for SECONDS of wall time, at
# `nice -n 15`. Corpora (seeded from the project's fixtures by tests/fuzz/make_seeds.py) persist in
# build-fuzz/corpus/<harness>/ and grow across runs; crashers land in build-fuzz/crashes/<harness>/.
# One line per run is appended to build-fuzz/fuzz_runs.tsv (harness, seconds, executions, CPU
# seconds, corpus files, crash files) for docs/robustness.md.
#
#   bash tools/fuzz.sh [SECONDS_PER_HARNESS (default 60)] [HARNESS...]     (default: all harnesses)
#
# A crasher becomes a regression: copy it to tests/fuzz/regressions/<harness>/, fix the code, and
# ctest's fuzz_replay_<harness> replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true

# clang-14 and libFuzzer are needed only here, so they are installed only here (optional).
need=()
for p in clang-14 libfuzzer-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if ((${#need[@]})); then
  bash tools/setup.sh
  echo "fuzz: installing ${need[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache); fi
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -DMODELPORT_FUZZ=ON -DMODELPORT_BUILD_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
nice -n 15 cmake --build build-fuzz -j"$(nproc)" --target fuzz_all

harnesses=("$@")
if ((${#harnesses[@]} == 0)); then
  for f in tests/fuzz/harnesses/*.cpp; do harnesses+=("$(basename "$f" .cpp)"); done
fi

# Seeds: the generated test models (build/test_models, made by the test suite) and ../shared.
models=build/test_models
[ -d "$models" ] || models=""
/usr/bin/python3 tests/fuzz/make_seeds.py build-fuzz/seeds $models >&2

stats=build-fuzz/fuzz_runs.tsv
[ -f "$stats" ] || printf 'date\tharness\tseconds\texecutions\tcpu_seconds\tcorpus_files\tcrash_files\n' > "$stats"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for h in "${harnesses[@]}"; do
  corpus=build-fuzz/corpus/$h crashes=build-fuzz/crashes/$h log=build-fuzz/logs/$h.log
  mkdir -p "$corpus" "$crashes" build-fuzz/logs
  cp -n build-fuzz/seeds/"$h"/* "$corpus"/ 2>/dev/null || true
  echo "fuzz: $h for ${secs}s" >&2
  TIMEFORMAT='%U %S'
  set +e
  { time nice -n 15 build-fuzz/tests/fuzz/fuzz_"$h" "$corpus" -max_total_time="$secs" -timeout=20 \
      -rss_limit_mb=2048 -max_len=262144 -print_final_stats=1 -artifact_prefix="$crashes"/ >"$log" 2>&1 ; } 2>build-fuzz/time.txt
  rc=$?
  set -e
  read -r u s < build-fuzz/time.txt
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  cpu=$(python3 -c "print(round($u + $s, 1))")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$h" "$secs" "${execs:-?}" "$cpu" \
    "$(ls "$corpus" | wc -l)" "$(ls "$crashes" | wc -l)" >> "$stats"
  if [ $rc -ne 0 ]; then echo "fuzz: $h stopped with exit $rc: see $log and $crashes/" >&2; fi
done
cat "$stats" >&2

#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz) with clang-14 + ASan + UBSan into build-fuzz/ and runs
# them one after another: one fuzzer process at a time (no -jobs/-fork: a single in-process fuzzer,
# what -jobs=1 amounts to), at `nice -n 19`, so it only takes CPU nobody else wants. Corpora
# (seeded from the project's fixtures by tests/fuzz/make_seeds.py) persist in build-fuzz/corpus/<h>/
# and grow across runs; crashers land in build-fuzz/crashes/<h>/.
#
#   bash tools/fuzz.sh [--cpu CPU_SECONDS] [--wall WALL_SECONDS] [HARNESS...]   (default: all harnesses)
#
# Each harness runs in chunks of at most 5 wall minutes until it has used CPU_SECONDS of CPU
# (default 60) in this invocation or WALL_SECONDS of wall time (default 4 x CPU_SECONDS) have
# passed, or it stops on a finding. Every chunk appends one line to build-fuzz/fuzz_runs.tsv
# (harness, wall and CPU seconds, executions, coverage, corpus files, crash files, exit code);
# `bash tools/fuzz.sh --summary` sums them per harness for docs/robustness.md.
#
# A crasher becomes a regression: copy it to tests/fuzz/regressions/<harness>/, fix the code, and
# ctest's fuzz_replay_<harness> replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
stats=build-fuzz/fuzz_runs.tsv

summary() {
  [ -f "$stats" ] || { echo "no runs recorded in $stats" >&2; exit 1; }
  python3 - "$stats" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
agg = {}
for r in rows:
    a = agg.setdefault(r["harness"], {"chunks": 0, "wall": 0.0, "cpu": 0.0, "execs": 0, "cov": "", "corpus": "", "crashes": "", "nonzero": 0})
    a["chunks"] += 1
    a["wall"] += float(r["wall_seconds"])
    a["cpu"] += float(r["cpu_seconds"])
    a["execs"] += int(r["executions"]) if r["executions"].isdigit() else 0
    a["cov"], a["corpus"], a["crashes"] = r["cov"], r["corpus_files"], r["crash_files"]
    a["nonzero"] += r["exit"] != "0"
print("| harness | runs | executions | CPU minutes | wall minutes | coverage (edges) | corpus files | crash files | runs ending in a finding |")
print("|---|---|---|---|---|---|---|---|---|")
for h, a in agg.items():
    print(f"| `{h}` | {a['chunks']} | {a['execs']:,} | {a['cpu']/60:.1f} | {a['wall']/60:.1f} | {a['cov']} | {a['corpus']} | {a['crashes']} | {a['nonzero']} |")
EOF
}

cpu_target=60 wall_limit="" harnesses=()
while (($#)); do
  case "$1" in
    --cpu) cpu_target=$2; shift 2 ;;
    --wall) wall_limit=$2; shift 2 ;;
    --summary) summary; exit 0 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) harnesses+=("$1"); shift ;;
  esac
done
wall_limit=${wall_limit:-$((cpu_target * 4))}

# clang-14, libFuzzer and the sanitizer runtimes (libclang-rt-14-dev: libclang_rt.fuzzer and .asan,
# only a Recommends of clang-14) are needed only here, so they are installed only here (optional).
need=()
for p in clang-14 libfuzzer-14-dev libclang-rt-14-dev; do
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

if ((${#harnesses[@]} == 0)); then
  for f in tests/fuzz/harnesses/*.cpp; do harnesses+=("$(basename "$f" .cpp)"); done
fi

# Seeds: the generated test models (build/test_models, made by the test suite) and ../shared.
models=build/test_models
[ -d "$models" ] || models=""
/usr/bin/python3 tests/fuzz/make_seeds.py build-fuzz/seeds $models >&2

[ -f "$stats" ] || printf 'date\tharness\twall_seconds\tcpu_seconds\texecutions\tcov\tcorpus_files\tcrash_files\texit\n' > "$stats"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/fuzz/lsan.supp}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Each chunk's scratch files live in one directory per harness, removed afterwards, so two
# invocations on different harnesses (one per core) can run side by side. They are in memory
# (/dev/shm) where it can be written: the harnesses write every input to a file, and on disk the
# writeback left tensor_bundle less than half of its core (146 CPU seconds in 300 s of wall time).
scratch_root=$PWD/build-fuzz/tmp
if [ -d /dev/shm ] && [ -w /dev/shm ]; then scratch_root=/dev/shm/modelport-fuzz; fi
for h in "${harnesses[@]}"; do
  export TMPDIR=$scratch_root/$h
  timefile=build-fuzz/time.$h.txt
  corpus=build-fuzz/corpus/$h crashes=build-fuzz/crashes/$h
  mkdir -p "$corpus" "$crashes" build-fuzz/logs
  cp -n build-fuzz/seeds/"$h"/* "$corpus"/ 2>/dev/null || true
  echo "fuzz: $h until ${cpu_target} CPU seconds or ${wall_limit} wall seconds" >&2
  cpu_used=0 wall_used=0 chunk=0
  while python3 -c "import sys; sys.exit(not ($cpu_used < $cpu_target and $wall_used < $wall_limit))"; do
    chunk=$((chunk + 1))
    log=build-fuzz/logs/$h.$(date -u +%Y%m%dT%H%M%S).log
    secs=$((wall_limit - ${wall_used%.*}))
    ((secs > 300)) && secs=300
    ((secs < 10)) && secs=10
    mkdir -p "$TMPDIR"
    set +e
    start=$(date +%s.%N)
    TIMEFORMAT='%U %S'
    # -rss_limit_mb is the memory bound (a 2 GiB process from a <= 256 kB input is a finding);
    # -malloc_limit_mb is set above it because libhdf5 asks malloc for the sizes a corrupt object
    # header declares (3.8 GB from a 9 kB file) and fails cleanly when the read comes up short: such
    # a reservation is never touched (the process stays near 500 MB under ASan), so it is not an
    # out-of-memory. Anything that really uses the memory still crosses the RSS limit.
    { time nice -n 19 build-fuzz/tests/fuzz/fuzz_"$h" "$corpus" -max_total_time="$secs" -timeout=20 \
        -rss_limit_mb=2048 -malloc_limit_mb=8192 -max_len=262144 -print_final_stats=1 -artifact_prefix="$crashes"/ >"$log" 2>&1 ; } \
      2>"$timefile"
    rc=$?
    set -e
    rm -rf "$TMPDIR"
    wall=$(python3 -c "import time; print(round(time.time() - $start, 1))")
    read -r u s < "$timefile"
    cpu=$(python3 -c "print(round($u + $s, 1))")
    # The last stat line is the fuzzer's own (a forked child of a harness may print one first).
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || true)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$h" "$wall" "$cpu" "${execs:-?}" "${cov:-?}" \
      "$(ls "$corpus" | wc -l)" "$(ls "$crashes" | wc -l)" "$rc" >> "$stats"
    cpu_used=$(python3 -c "print($cpu_used + $cpu)")
    wall_used=$(python3 -c "print($wall_used + $wall)")
    if [ $rc -ne 0 ]; then
      echo "fuzz: $h stopped with exit $rc: see $log and $crashes/" >&2
      break
    fi
  done
done
summary

// libFuzzer harnesses over modelport's parsers (tests/fuzz/harnesses/<name>.cpp, one per parser).
// Each is a plain function so it links into two programs: a libFuzzer binary per harness
// (-DMODELPORT_FUZZ=ON, clang, tools/fuzz.sh) and modelport_fuzz_replay, built in the normal
// build, which ctest runs over tests/fuzz/regressions/<name>/ (every crasher ever found).
//
// A harness returns normally for any input: bad input must surface as modelport::Error, which the
// harness catches. Any other exception, a crash or a sanitizer report is a finding.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace modelport::fuzz {

using HarnessFn = int (*)(const uint8_t* data, size_t size);

#define MODELPORT_FUZZ_HARNESSES(X) \
  X(detect)                         \
  X(tensor_bundle)                  \
  X(tf_graph)                       \
  X(keras_config)                   \
  X(keras_zip)                      \
  X(hdf5)                           \
  X(npy)                            \
  X(tfjs_model)                     \
  X(cli_options)

#define MODELPORT_DECLARE_HARNESS(name) int harness_##name(const uint8_t* data, size_t size);
MODELPORT_FUZZ_HARNESSES(MODELPORT_DECLARE_HARNESS)
#undef MODELPORT_DECLARE_HARNESS

// Once per process: caps low enough for the fuzzer's 2 GB RSS limit (256 MiB per tensor).
void set_fuzz_limits();
// Writes `data` to a per-process scratch file (under $TMPDIR, default /tmp) named `name` and
// returns its path; the same path is reused by every run.
std::string scratch_file(const std::string& name, const uint8_t* data, size_t size);
// A per-process scratch directory (created once).
std::string scratch_dir();

}  // namespace modelport::fuzz

// modelport_fuzz_replay HARNESS PATH...: runs a harness over files (or every file in directories),
// as the libFuzzer binary would. Exit 0 when every input returns; a crash or an uncaught exception
// ends the process, so ctest reports the failure. Built in the normal build (tests/fuzz/CMakeLists.txt).
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "harness.h"

namespace fs = std::filesystem;
using namespace modelport::fuzz;

int main(int argc, char** argv) {
  struct Entry { const char* name; HarnessFn fn; };
#define MODELPORT_HARNESS_ENTRY(name) {#name, harness_##name},
  static const Entry table[] = {MODELPORT_FUZZ_HARNESSES(MODELPORT_HARNESS_ENTRY)};
#undef MODELPORT_HARNESS_ENTRY
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s HARNESS FILE_OR_DIR...\nharnesses:", argv[0]);
    for (auto& e : table) std::fprintf(stderr, " %s", e.name);
    std::fprintf(stderr, "\n");
    return 2;
  }
  HarnessFn fn = nullptr;
  for (auto& e : table)
    if (std::strcmp(e.name, argv[1]) == 0) fn = e.fn;
  if (!fn) {
    std::fprintf(stderr, "unknown harness %s\n", argv[1]);
    return 2;
  }
  std::vector<fs::path> files;
  for (int i = 2; i < argc; ++i) {
    if (!fs::exists(argv[i])) {
      std::fprintf(stderr, "%s: no such input (skipped)\n", argv[i]);  // no regression found yet
    } else if (fs::is_directory(argv[i])) {
      for (auto& e : fs::recursive_directory_iterator(argv[i]))
        if (e.is_regular_file() && e.path().filename().string()[0] != '.') files.push_back(e.path());
    } else {
      files.push_back(argv[i]);
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "no inputs found\n");
    return 1;
  }
  set_fuzz_limits();
  for (auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
    std::fprintf(stderr, "%s: %s (%zu bytes)\n", argv[1], f.c_str(), bytes.size());
    fn(bytes.data(), bytes.size());
  }
  std::fprintf(stderr, "%s: %zu inputs replayed, no crash\n", argv[1], files.size());
  return 0;
}

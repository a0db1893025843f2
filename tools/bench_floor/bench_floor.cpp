// The floor tools/bench compares modelport against: the least work any conversion has to do.
//
//   modelport_bench_floor torchscript FILE   torch::jit::load + freeze_module (what loading a
//                                            TorchScript model for inference costs in libtorch)
//   modelport_bench_floor read FILE...       reads every byte of the files once, 1 MiB at a time
//                                            (the floor for formats whose loaders are ours)
//
// Prints nothing on success; exit 1 with a one-line error otherwise. Not installed, not a test.
#include <torch/csrc/jit/passes/freeze_module.h>
#include <torch/script.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace {

int load_and_freeze(const char* path) {
  torch::jit::Module m = torch::jit::load(path);
  m.eval();
  torch::jit::Module frozen = torch::jit::freeze_module(m, {}, /*freezeInterfaces=*/true, /*preserveParameters=*/false);
  return frozen.get_method("forward").graph()->outputs().empty() ? 1 : 0;
}

int read_all(int n, char** paths) {
  std::vector<char> buf(size_t(1) << 20);
  unsigned long long total = 0;
  for (int i = 0; i < n; ++i) {
    std::FILE* f = std::fopen(paths[i], "rb");
    if (!f) {
      std::cerr << "modelport_bench_floor: " << paths[i] << ": " << std::strerror(errno) << "\n";
      return 1;
    }
    for (size_t got; (got = std::fread(buf.data(), 1, buf.size(), f)) > 0;) total += got;
    std::fclose(f);
  }
  return total == 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::string(argv[1]) == "torchscript") {
    try {
      return load_and_freeze(argv[2]);
    } catch (const std::exception& e) {
      std::string what = e.what();
      std::cerr << "modelport_bench_floor: " << argv[2] << ": " << what.substr(0, what.find('\n')) << "\n";
      return 1;
    }
  }
  if (argc >= 3 && std::string(argv[1]) == "read") return read_all(argc - 2, argv + 2);
  std::cerr << "usage: modelport_bench_floor torchscript FILE | read FILE...\n";
  return 2;
}

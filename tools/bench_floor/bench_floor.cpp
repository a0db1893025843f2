// The floor tools/bench compares TorchScript exports against: the least work any conversion of a
// TorchScript model has to do.
//
//   modelport_bench_floor torchscript FILE   torch::jit::load + freeze_module (what loading a
//                                            TorchScript model for inference costs in libtorch)
//
// Prints nothing on success; exit 1 with a one-line error otherwise. Not installed, not a test.
#include <torch/csrc/jit/passes/freeze_module.h>
#include <torch/script.h>

#include <iostream>
#include <string>

namespace {

int load_and_freeze(const char* path) {
  torch::jit::Module m = torch::jit::load(path);
  m.eval();
  torch::jit::Module frozen = torch::jit::freeze_module(m, {}, /*freezeInterfaces=*/true, /*preserveParameters=*/false);
  return frozen.get_method("forward").graph()->outputs().empty() ? 1 : 0;
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
  std::cerr << "usage: modelport_bench_floor torchscript FILE\n";
  return 2;
}

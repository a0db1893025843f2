// Converting between libtorch tensors and IR tensors in tests (the only test header with torch).
#pragma once
#include <torch/script.h>

#include <string>
#include <vector>

#include "modelport/ir.h"

namespace modelport::test {

Tensor from_torch(const at::Tensor& t);
at::Tensor to_torch(const Tensor& t);

// Runs a TorchScript file's forward() with libtorch (eval mode, no grad): the reference of the
// op-case tests. The result is flattened in order (tuples, lists, dict values; int/float/bool
// results become 0-d int64/float64/bool tensors), as the ONNX export lists its outputs.
std::vector<Tensor> run_libtorch(const std::string& path, const std::vector<Tensor>& inputs);

}  // namespace modelport::test

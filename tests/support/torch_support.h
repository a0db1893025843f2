// Converting between libtorch tensors and IR tensors in tests (the only test header with torch).
#pragma once
#include <torch/script.h>

#include "modelport/ir.h"

namespace modelport::test {

Tensor from_torch(const at::Tensor& t);
at::Tensor to_torch(const Tensor& t);

}  // namespace modelport::test

// What the archive records about a forward() input the user gave no --input for: its TorchScript
// type when that is complete, else what its first uses imply (a convolution's weight fixes the
// input's rank, dtype and channel count; aten::embedding makes it int64; ...). Nothing is guessed:
// an input whose dtype or rank is recorded nowhere stays unknown, and the loader refuses it naming
// the --input to give.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <torch/csrc/jit/ir/ir.h>

#include "modelport/ir.h"

namespace modelport::ts {

struct RecordedInput {
  std::optional<DType> dtype;
  std::optional<Shape> shape;  // symbolic dims named <name>_d<i> unless recorded
  std::string evidence;        // "aten::_convolution weight [8,3,3,3]", "" when nothing was found
};

RecordedInput recorded_input(const torch::jit::Value* input, const std::string& name);

}  // namespace modelport::ts

// Evaluates one IR node whose inputs are all constants, for constant folding.
#pragma once
#include <optional>

#include "modelport/ir.h"

namespace modelport {

// The outputs of `n` computed from its constant inputs, or nullopt when the op is not one the
// evaluator knows, a dtype is not numeric, or the result would be larger than the folding limit
// (layout-only ops such as Reshape or Transpose have no limit: they reuse or permute the bytes).
// Follows the ONNX semantics of the newest opset, as the IR does.
std::optional<std::vector<Tensor>> eval_constant_node(const Node& n);

}  // namespace modelport

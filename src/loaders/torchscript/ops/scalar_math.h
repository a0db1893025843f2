// Arithmetic and comparisons on TorchScript int/float/bool scalars (constants fold; dynamic
// int scalars become rank-0 int64 IR ops). Shared by the elementwise lowerings.
#pragma once

#include "loaders/torchscript/context.h"

namespace modelport::ts {

// Lowers the current node as scalar math when its output is not a Tensor. `kind` is the aten
// name without namespace ("add", "sub", "mul", "div", "floordiv", "eq", ...). Returns false when
// the node's output is a Tensor (so the caller does the tensor lowering).
bool lower_scalar_op(Ctx& c, const std::string& kind);

}  // namespace modelport::ts

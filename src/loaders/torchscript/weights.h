// libtorch constants -> IR: tensors alias libtorch's memory (kept alive by the IR buffer).
#pragma once

#include <ATen/core/ivalue.h>

#include "loaders/torchscript/context.h"

namespace modelport::ts {

// A CPU tensor as an IR Tensor whose buffer aliases the tensor's storage (made contiguous first).
// Throws Error("<path>: ...") for dtypes the IR has no equivalent for.
Tensor tensor_from_torch(const at::Tensor& t, const std::string& path, const std::string& what);

// A constant IValue (prim::Constant) as a lowered value; tensors become IR constants named `name`.
LVal lval_from_ivalue(Ctx& ctx, const c10::IValue& iv, const std::string& name);

}  // namespace modelport::ts

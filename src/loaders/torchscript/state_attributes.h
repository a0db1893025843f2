// Module state: the attributes a module's forward() assigns (prim::SetAttr), which freezing keeps
// as attributes. Each becomes an explicit ONNX input <path>_in (its value at export is the initial
// state) and output <path>_out (its value after the call), the form streaming models' own ONNX
// exports take: the caller carries the state from one call to the next.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "loaders/torchscript/module.h"
#include "modelport/ir.h"

namespace modelport::ts {

struct StateAttribute {
  std::string path;  // "h", "inner.c" (attribute path from self)
  Tensor initial;    // its value at export
};

// Every attribute forward() assigns, in the order of their first assignment. Throws Error naming
// the file and the attribute for state that cannot become a tensor input (a non-tensor attribute,
// an assignment inside if/loop, an assignment to something other than a module).
std::vector<StateAttribute> find_state_attributes(const std::string& path, const PreparedModule& pm);

// The value at attribute path `dotted` ("inner.h") of module object `root`; nullopt when missing.
std::optional<c10::IValue> attribute_at(c10::IValue root, const std::string& dotted);

}  // namespace modelport::ts

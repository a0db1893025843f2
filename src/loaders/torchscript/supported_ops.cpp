// The TorchScript op kinds the lowering table covers, for `modelport ops`.
#include <algorithm>

#include "loaders/torchscript/registry.h"
#include "modelport/loaders.h"

namespace modelport {

std::vector<std::string> torchscript_supported_ops() {
  std::vector<std::string> ops;
  for (auto& [kind, fn] : ts::registry()) ops.push_back(kind);
  ops.insert(ops.end(), {"prim::If", "prim::Loop"});  // lowered by the driver (control_flow.cpp)
  std::sort(ops.begin(), ops.end());
  return ops;
}

}  // namespace modelport

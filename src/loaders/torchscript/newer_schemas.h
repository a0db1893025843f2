// Schemas of builtins newer than the linked libtorch (1.13) that PyTorch 2.x writes into scripted
// and traced inference graphs. Registering them lets libtorch load such an archive (its compiler
// resolves `torch.scaled_dot_product_attention(...)` to the aten operator) so that the loader can
// lower the node; libtorch itself has no kernel for them, so `verify` cannot run such a model.
#pragma once

#include <string>
#include <vector>

namespace modelport::ts {

// Registers every schema the linked libtorch lacks (once; an op libtorch already has is left alone).
void register_newer_schemas();

// The schemas (for documentation and tests), newest form of each.
const std::vector<std::string>& newer_schemas();

}  // namespace modelport::ts

#include "loaders/torchscript/newer_schemas.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/library.h>

#include <memory>

namespace modelport::ts {

const std::vector<std::string>& newer_schemas() {
  // As in PyTorch's native_functions.yaml (SymInt[] written int[], which 1.13's schema parser reads
  // the same way for a traced or scripted graph).
  static const std::vector<std::string> kSchemas = {
      // 2.0; `scale` 2.1; `enable_gqa` 2.5.
      "scaled_dot_product_attention(Tensor query, Tensor key, Tensor value, Tensor? attn_mask=None, "
      "float dropout_p=0.0, bool is_causal=False, *, float? scale=None, bool enable_gqa=False) -> Tensor",
      // 2.4.
      "rms_norm(Tensor input, int[] normalized_shape, Tensor? weight=None, float? eps=None) -> Tensor",
      // 2.0: what F.prelu traces and scripts to.
      "_prelu_kernel(Tensor self, Tensor weight) -> Tensor",
  };
  return kSchemas;
}

void register_newer_schemas() {
  static const bool done = [] {
    // A Library object registers for as long as it lives: this one lives for the process.
    static std::unique_ptr<torch::Library> lib;
    for (const std::string& s : newer_schemas()) {
      std::string name = "aten::" + s.substr(0, s.find('('));
      if (c10::Dispatcher::singleton().findSchema({name, ""})) continue;
      // The registration's label is this file's path in the repository, not __FILE__: no path of the
      // build machine goes into the binary.
      if (!lib)
        lib = std::make_unique<torch::Library>(torch::Library::FRAGMENT, "aten", c10::nullopt,
                                               "src/loaders/torchscript/newer_schemas.cpp", __LINE__);
      lib->def(s.c_str());
    }
    return true;
  }();
  (void)done;
}

}  // namespace modelport::ts

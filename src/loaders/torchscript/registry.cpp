#include "loaders/torchscript/registry.h"

namespace modelport::ts {

const Registry& registry() {
  static const Registry table = [] {
    Registry r;
    register_prim_ops(r);
    register_conv_ops(r);
    register_activation_ops(r);
    register_pooling_ops(r);
    register_linear_ops(r);
    register_elementwise_ops(r);
    register_reduce_ops(r);
    register_shape_ops(r);
    register_scalar_ops(r);
    register_recurrent_ops(r);
    register_recurrent_cell_ops(r);
    register_transformer_ops(r);
    register_op_surface_ops(r);
    register_container_ops(r);
    register_inplace_ops(r);
    register_pytorch2_ops(r);
    register_quantized_ops(r);
    register_spectral_ops(r);
    return r;
  }();
  return table;
}

const LowerFn* find_lowering(const std::string& kind) {
  auto& r = registry();
  auto it = r.find(kind);
  return it == r.end() ? nullptr : &it->second;
}

}  // namespace modelport::ts

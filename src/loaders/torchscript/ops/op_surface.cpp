// Registers the op families added for the common TorchScript op surface, one file each.
#include "loaders/torchscript/registry.h"

namespace modelport::ts {

void register_resize_ops(Registry& r);
void register_padding_ops(Registry& r);
void register_conv_transpose_ops(Registry& r);
void register_normalization_ops(Registry& r);
void register_indexing_ops(Registry& r);
void register_math_ops(Registry& r);
void register_activation_more_ops(Registry& r);
void register_layout_ops(Registry& r);
void register_range_scalar_ops(Registry& r);

void register_op_surface_ops(Registry& r) {
  register_resize_ops(r);
  register_padding_ops(r);
  register_conv_transpose_ops(r);
  register_normalization_ops(r);
  register_indexing_ops(r);
  register_math_ops(r);
  register_activation_more_ops(r);
  register_layout_ops(r);
  register_range_scalar_ops(r);
}

}  // namespace modelport::ts

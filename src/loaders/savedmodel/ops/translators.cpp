#include "translators.h"

namespace modelport::tf {

const OpTable& op_table() {
  static const OpTable table = [] {
    OpTable t;
    register_core_ops(t);
    register_math_ops(t);
    register_nn_ops(t);
    register_array_ops(t);
    register_fused_ops(t);
    register_index_ops(t);
    register_nms_ops(t);
    register_scatter_ops(t);
    register_matrix_ops(t);
    register_sequence_ops(t);
    register_layout_ops(t);
    register_special_math_ops(t);
    register_scan_reduce_ops(t);
    register_fake_quant_ops(t);
    register_partition_ops(t);
    register_random_ops(t);
    register_image_ops(t);
    register_rnn_ops(t);
    register_shape_query_ops(t);
    register_control_ops(t);
    register_list_ops(t);
    return t;
  }();
  return table;
}

}  // namespace modelport::tf

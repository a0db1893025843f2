// The single table of TF op translators. Families register themselves from ops/<family>.cpp.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "op_context.h"

namespace modelport::tf {

using Translator = std::vector<Value*> (*)(OpCtx&);
using OpTable = std::map<std::string, Translator>;

const OpTable& op_table();

void register_core_ops(OpTable& t);       // Const, Placeholder, Identity, variables, NoOp
void register_math_ops(OpTable& t);       // elementwise, unary, reductions, MatMul
void register_nn_ops(OpTable& t);         // activations, Softmax, Conv, Pool, BatchNorm
void register_array_ops(OpTable& t);      // Reshape, Transpose, Concat, Slice, Gather, Pad, ...
void register_fused_ops(OpTable& t);      // _FusedConv2D, (_)FusedDepthwiseConv2dNative, _FusedMatMul,
                                          // _FusedBatchNormEx, Prelu
void register_index_ops(OpTable& t);      // TopKV2, GatherNd, OneHot, Where, SparseToDense
void register_nms_ops(OpTable& t);        // NonMaxSuppression V1-V5
void register_scatter_ops(OpTable& t);    // ScatterNd, TensorScatter*, UnsortedSegment*, SegmentSum
void register_matrix_ops(OpTable& t);     // MatrixBandPart, MatrixDiag*, MatrixSetDiag*
void register_sequence_ops(OpTable& t);   // LinSpace, InvertPermutation, ListDiff
void register_layout_ops(OpTable& t);     // ReverseV2, Roll, BroadcastTo, DepthToSpace, SpaceToDepth,
                                          // SpaceToBatchND, BatchToSpaceND
void register_special_math_ops(OpTable& t);  // inverse/hyperbolic trig, Atan2, Erfc, IsNan, Mod, DivNoNan, ...
void register_scan_reduce_ops(OpTable& t);   // All, Any, Cumsum, Cumprod
void register_fake_quant_ops(OpTable& t);    // FakeQuantWithMinMaxArgs, FakeQuantWithMinMaxVars
void register_partition_ops(OpTable& t);     // DynamicPartition, (Parallel)DynamicStitch
void register_random_ops(OpTable& t);        // RandomUniform
void register_image_ops(OpTable& t);         // ResizeBicubic, ResizeArea, CropAndResize
void register_rnn_ops(OpTable& t);           // LSTMBlockCell, BlockLSTM, GRUBlockCell
void register_shape_query_ops(OpTable& t);  // Rank, ShapeN, BroadcastArgs
void register_list_ops(OpTable& t);         // TensorList* as one tensor
void register_control_ops(OpTable& t);      // If, While (TF2); Switch/Merge/Enter/Exit/... frames (TF1)

}  // namespace modelport::tf

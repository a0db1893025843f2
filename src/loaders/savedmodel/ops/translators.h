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
void register_fused_ops(OpTable& t);      // _FusedConv2D, FusedDepthwiseConv2dNative, _FusedMatMul, Prelu

}  // namespace modelport::tf

// The one table of op lowerings: TorchScript node kind ("aten::relu") -> lowering function.
// Each ops/<family>.cpp defines a register_<family>_ops(Registry&) that fills its entries.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>

#include "loaders/torchscript/context.h"

namespace modelport::ts {

using LowerFn = void (*)(Ctx&);
using Registry = std::unordered_map<std::string, LowerFn>;

// The full table (built once).
const Registry& registry();
const LowerFn* find_lowering(const std::string& kind);

void register_prim_ops(Registry& r);
void register_conv_ops(Registry& r);
void register_activation_ops(Registry& r);
void register_pooling_ops(Registry& r);
void register_linear_ops(Registry& r);
void register_elementwise_ops(Registry& r);
void register_reduce_ops(Registry& r);
void register_shape_ops(Registry& r);
void register_scalar_ops(Registry& r);
void register_recurrent_ops(Registry& r);
void register_recurrent_cell_ops(Registry& r);  // ops/recurrent_cell.cpp: lstm_cell, gru_cell, rnn_*_cell
void register_transformer_ops(Registry& r);
void register_op_surface_ops(Registry& r);  // op_surface.cpp: resize, padding, indexing, math, ...
void register_container_ops(Registry& r);
void register_inplace_ops(Registry& r);
void register_pytorch2_ops(Registry& r);    // ops/pytorch2.cpp: builtins newer than libtorch 1.13 (newer_schemas.h)
void register_quantized_ops(Registry& r);  // ops/quantized.cpp: quantized:: ops on packed weights (--quantized)
void register_spectral_ops(Registry& r);   // ops/spectral.cpp: aten::stft and its complex result

// Writes `contents` (shaped like `target`) into the TorchScript tensor `target` and every tensor it
// is a view of, rebinding each (ops/inplace.cpp).
void write_through(Ctx& c, const jit::Value* target, Value* contents);

// aten::lstm's lowering with its weights given as aten::lstm takes them (per layer and direction
// w_ih, w_hh[, b_ih, b_hh]); the node's other arguments are aten::lstm's (ops/recurrent.cpp).
void lower_lstm_weights(Ctx& c, const std::vector<LVal>& params);

// Dict lookup, for aten::__getitem__ on a dict (ops/containers.cpp).
void lower_dict_getitem(Ctx& c);

}  // namespace modelport::ts

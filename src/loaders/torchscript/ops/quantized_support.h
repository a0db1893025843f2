// What quantized.cpp (quantized:: ops) and quantized_lstm.cpp (aten::quantized_lstm) share: unpacking
// libtorch's packed weights, and the integer form of a dynamically quantized linear layer.
#pragma once
#include <ATen/ATen.h>

#include <optional>

#include "loaders/torchscript/registry.h"

namespace modelport::ts::quant {

// Runs the libtorch operator `name` (e.g. "quantized::linear_unpack") on `args`: its results.
std::vector<c10::IValue> call_torch(Ctx& c, const char* name, std::vector<c10::IValue> args);
// `t` as an IR constant of the context's graph.
Value* constant(Ctx& c, const at::Tensor& t, const std::string& name);
// The warning of the float form (--quantized float).
void warn_float(Ctx& c);

// A dynamically quantized linear layer's int8 weight ([in, out] for MatMulInteger), its scale and
// zero point (per tensor, or per output column), and its float bias: constants of one graph, which
// subgraphs (a Loop body) may read.
struct DynamicWeight {
  Value* weight = nullptr;
  Value* scale = nullptr;
  Value* zero = nullptr;  // nullptr when every zero point is 0
  Value* bias = nullptr;  // nullptr without bias
};
DynamicWeight dynamic_weight(Ctx& c, const at::Tensor& w, const std::optional<at::Tensor>& bias, const std::string& name);
// What the dynamic quantized kernels compute for x [..., in]: x quantized to uint8 over
// [min(x, 0), max(x, 0)] with `levels` steps (255, or 127 with reduce_range), MatMulInteger with the
// weight, times x_scale * w_scale, plus the bias. Built in `c` (which may be a Loop body's context).
Value* dynamic_linear(Ctx& c, Value* x, const DynamicWeight& w, int64_t levels);

// One cell of a dynamically quantized nn.LSTM (a CellParamsBase, read by its __getstate__): the
// quantized weights, the biases the packed weights carry, and reduce_range.
struct DynamicCell {
  at::Tensor w_ih, w_hh;                    // [4H, in], [4H, H], qint8
  std::optional<at::Tensor> b_ih, b_hh;     // float
  bool reduce_range = false;
};
DynamicCell unpack_cell(Ctx& c, const LVal& cell);

void lower_quantized_lstm(Ctx& c);  // quantized_lstm.cpp

}  // namespace modelport::ts::quant

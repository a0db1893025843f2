// aten::quantized_lstm: a dynamically quantized nn.LSTM (torch.ao.quantization.quantize_dynamic).
//   float (--quantized float): ONNX LSTM on the dequantized weights, with a warning.
//   integer (default): what libtorch's CPU kernel computes (aten/src/ATen/native/RNN.cpp, FullLayer and
//     FullBidirectionalLayer with QuantizedCellParamsDynamic). Per layer and direction:
//       xg = linear_ih(x) over the whole [T, B, in] sequence at once (one dynamic quantization of x,
//            MatMulInteger with the int8 w_ih, b_ih added),
//       then per step t (an ONNX Loop; the reverse direction reads xg[T-1-t] and its outputs are
//            reversed back): gates = linear_hh(h) + xg[t], h quantized per step over [B, H];
//            i, f, g, o = sigmoid, sigmoid, tanh, sigmoid of the 4 gate blocks;
//            c = f * c + i * g; h = o * tanh(c).
//     ONNX LSTM cannot do this (its recurrence is float), so the recurrence is a Loop whose body
//     holds the integer hidden-state projection.
#include "loaders/torchscript/ops/graph_build.h"
#include "loaders/torchscript/ops/quantized_support.h"

namespace modelport::ts::quant {
namespace {

using gb::bin;

struct Direction {
  DynamicWeight ih, hh;
  int64_t levels = 255;
  bool reverse = false;
};

// One layer in one direction over x [T, B, in]: {y [T, B, H], h_T [B, H], c_T [B, H]}.
std::array<Value*, 3> run_direction(Ctx& c, Value* x, const Direction& d, Value* h0, Value* c0, int64_t hidden) {
  Value* xg = dynamic_linear(c, x, d.ih, d.levels);  // [T, B, 4H]
  Value* steps = c.op("Gather", {c.op("Shape", {x}), c.c_i64_scalar(0)}, {{"axis", int64_t(0)}});

  auto body = std::make_shared<Graph>("qlstm_body", &c.g);
  Ctx b(*body, c);
  Value* iter = body->add_input("iter", DType::Int64, Shape(std::vector<Dim>{}));
  Value* cond = body->add_input("cond_in", DType::Bool, Shape(std::vector<Dim>{}));
  Shape state({Dim::unknown(), Dim::fixed(hidden)});
  Value* h = body->add_input("h", DType::Float32, state);
  Value* cs = body->add_input("c", DType::Float32, state);
  Value* t = d.reverse ? bin(b, "Sub", bin(b, "Sub", steps, b.c_i64_scalar(1)), iter) : iter;
  Value* gx = b.op("Gather", {xg, t}, {{"axis", int64_t(0)}});  // [B, 4H]
  Value* gates = bin(b, "Add", dynamic_linear(b, h, d.hh, d.levels), gx);
  auto gate = [&](int64_t k) { return gb::slice(b, gates, 1, b.c_i64({k * hidden}), b.c_i64({(k + 1) * hidden})); };
  Value* i = b.op("Sigmoid", {gate(0)});
  Value* f = b.op("Sigmoid", {gate(1)});
  Value* g = b.op("Tanh", {gate(2)});
  Value* o = b.op("Sigmoid", {gate(3)});
  Value* c_next = bin(b, "Add", bin(b, "Mul", f, cs), bin(b, "Mul", i, g));
  Value* h_next = bin(b, "Mul", o, b.op("Tanh", {c_next}));
  body->name = c.g.unique_name("qlstm_body");
  body->outputs = {b.op("Identity", {cond}), h_next, c_next, b.op("Identity", {h_next})};

  Value* run = c.g.add_constant("qlstm_true", Tensor::scalar(DType::Bool, 1));
  Node* loop = c.node_op("Loop", {steps, run, h0, c0}, 3, {{"body", body}});
  Value* y = loop->outputs[2];
  if (d.reverse) y = gb::slice(c, y, 0, c.c_i64({-1}), c.c_i64({INT64_MIN}), -1);  // step -1: opset 10, as MatMulInteger
  return {y, loop->outputs[0], loop->outputs[1]};
}

// The float form's weight list for lower_lstm_weights: w_ih, w_hh (dequantized), b_ih, b_hh per cell.
std::vector<LVal> dequantized_params(Ctx& c, const LVal& cells, bool has_biases, bool bidir) {
  std::vector<LVal> out;
  for (size_t i = 0; i < cells.items.size(); ++i) {
    std::string sfx = "_l" + std::to_string(bidir ? i / 2 : i) + (bidir && i % 2 ? "_reverse" : "");
    DynamicCell cell = unpack_cell(c, cells.items[i]);
    out.push_back(LVal::tensor(constant(c, cell.w_ih.dequantize(), "weight_ih" + sfx)));
    out.push_back(LVal::tensor(constant(c, cell.w_hh.dequantize(), "weight_hh" + sfx)));
    if (has_biases) {
      if (!cell.b_ih || !cell.b_hh) c.fail("the packed cell weights carry no biases");
      out.push_back(LVal::tensor(constant(c, *cell.b_ih, "bias_ih" + sfx)));
      out.push_back(LVal::tensor(constant(c, *cell.b_hh, "bias_hh" + sfx)));
    }
  }
  return out;
}

// The initial state for (layer, direction) k of hx's [L*D, B, H] tensor, or zeros [B, H].
Value* initial_state(Ctx& c, const LVal& s, int64_t k, Value* x, int64_t hidden) {
  if (!s.is_none()) return c.op("Gather", {c.tensor_of(s), c.c_i64_scalar(k)}, {{"axis", int64_t(0)}});
  Value* batch = gb::slice(c, gb::shape_of(c, x), 0, c.c_i64({1}), c.c_i64({2}));
  Value* shape = gb::concat(c, {batch, c.c_i64({hidden})}, 0);
  return c.op("ConstantOfShape", {shape}, {{"value", Tensor::f32({0.0f})}});
}

void lower_integer(Ctx& c, const LVal& cells, bool has_biases, int64_t layers, bool bidir, bool batch_first) {
  int64_t dirs = bidir ? 2 : 1;
  if (int64_t(cells.items.size()) != layers * dirs)
    c.fail("has " + std::to_string(cells.items.size()) + " cells, expected " + std::to_string(layers * dirs));
  Value* x = c.tensor(0);
  if (x->dtype != DType::Float32) c.fail("input must be float32, got " + std::string(dtype_name(x->dtype)));
  if (x->shape.rank_known && x->shape.rank() != 3) c.fail("only batched 3-D input is supported");
  const LVal& hx = c.in(1);
  if (!hx.is_seq() || hx.items.size() != 2) c.fail("hx must be a list [h0, c0]");
  if (batch_first) x = gb::transpose(c, x, {1, 0, 2});
  std::vector<Value*> hn, cn;
  for (int64_t l = 0; l < layers; ++l) {
    std::vector<Value*> ys;
    for (int64_t k = l * dirs; k < (l + 1) * dirs; ++k) {
      std::string sfx = "_l" + std::to_string(l) + (k % dirs ? "_reverse" : "");
      DynamicCell cell = unpack_cell(c, cells.items[size_t(k)]);
      if (has_biases != (cell.b_ih && cell.b_hh)) c.fail("the packed cell weights' biases do not match has_biases");
      int64_t hidden = cell.w_hh.size(1);
      if (cell.w_ih.size(0) != 4 * hidden || cell.w_hh.size(0) != 4 * hidden)
        c.fail("cell" + sfx + " weights are not 4 gates x hidden " + std::to_string(hidden) +
               " (proj_size is not supported)");
      Direction d{dynamic_weight(c, cell.w_ih, cell.b_ih, "weight_ih" + sfx),
                  dynamic_weight(c, cell.w_hh, cell.b_hh, "weight_hh" + sfx), cell.reduce_range ? 127 : 255,
                  k % dirs == 1};
      auto [y, h, cst] = run_direction(c, x, d, initial_state(c, hx.items[0], k, x, hidden),
                                       initial_state(c, hx.items[1], k, x, hidden), hidden);
      ys.push_back(y);
      hn.push_back(c.op("Unsqueeze", {h, c.c_i64({0})}));
      cn.push_back(c.op("Unsqueeze", {cst, c.c_i64({0})}));
    }
    x = gb::concat(c, ys, 2);
  }
  c.out(batch_first ? gb::transpose(c, x, {1, 0, 2}) : x, 0);
  c.out(gb::concat(c, hn, 0), 1);
  c.out(gb::concat(c, cn, 0), 2);
}

}  // namespace

DynamicCell unpack_cell(Ctx& c, const LVal& l) {
  if (l.kind != LVal::Kind::Object) c.fail("expected quantized cell parameters, got " + l.describe());
  const auto& iv = *static_cast<const c10::IValue*>(l.object.get());
  auto* getstate = iv.toObjectRef().type()->findMethod("__getstate__");
  if (!getstate) c.fail("its cell parameters " + l.s + " have no __getstate__");
  // (kind, [b_ih, b_hh], doubles, longs [reduce_range], [packed w_ih, packed w_hh])
  c10::IValue state = (*getstate)({iv});
  if (!state.isTuple() || state.toTupleRef().elements().size() != 5 || !state.toTupleRef().elements()[0].isString())
    c.fail("its cell parameters " + l.s + " have an unknown serialized form");
  auto inner = state.toTupleRef().elements();
  std::string kind = inner.at(0).toStringRef();
  if (kind != "quantized_dynamic")
    c.fail("cell parameters of kind '" + kind + "' are not supported (dynamically quantized qint8 are)");
  DynamicCell cell;
  if (inner.at(3).isIntList() && !inner.at(3).toIntList().empty()) cell.reduce_range = inner.at(3).toIntList().get(0) != 0;
  auto packed = inner.at(4).toListRef();
  if (packed.size() != 2) c.fail("its cell parameters " + l.s + " do not hold two packed weights");
  for (size_t k = 0; k < 2; ++k) {
    auto unpacked = call_torch(c, "quantized::linear_unpack", {packed.at(k)});
    at::Tensor& w = k ? cell.w_hh : cell.w_ih;
    w = unpacked.at(0).toTensor();
    if (!unpacked.at(1).isNone()) (k ? cell.b_hh : cell.b_ih) = unpacked.at(1).toTensor().to(at::kFloat);
  }
  return cell;
}

// aten::quantized_lstm(input, hx, CellParamsBase[] params, has_biases, num_layers, dropout, train,
// bidirectional, batch_first, *, dtype, use_dynamic)
void lower_quantized_lstm(Ctx& c) {
  const LVal& cells = c.in(2);
  if (!cells.is_seq()) c.fail("expected a list of cell parameters, got " + cells.describe());
  bool has_biases = c.bool_arg(3), bidir = c.bool_arg(7);
  if (c.bool_arg(6)) c.fail("recurrent layer in training mode: call model.eval() before saving");
  if (c.quantized_float) {
    warn_float(c);
    lower_lstm_weights(c, dequantized_params(c, cells, has_biases, bidir));
    return;
  }
  lower_integer(c, cells, has_biases, c.int_arg(4), bidir, c.bool_arg(8));
}

}  // namespace modelport::ts::quant

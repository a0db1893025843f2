// Recurrent layers: aten::lstm / aten::gru / aten::rnn_tanh / aten::rnn_relu -> one ONNX
// LSTM / GRU / RNN node per layer (bidirectional layers: one node with direction="bidirectional").
//
// PyTorch keeps the weights as a flat list, per layer and per direction: w_ih [G*H, in],
// w_hh [G*H, H], then (has_biases) b_ih [G*H], b_hh [G*H]. Gate blocks are reordered at load time:
// LSTM [i, f, g, o] -> ONNX [i, o, f, c]; GRU [r, z, n] -> ONNX [z, r, h] (with
// linear_before_reset=1, which is PyTorch's GRU formula); RNN has one gate.
//
// Also here: aten::format/aten::list/prim::Uninitialized, which only appear inside the argument
// checks of nn.LSTM/nn.GRU/nn.RNN's scripted forward(). (Their int-list ==/!= is lowered in
// scalar.cpp; aten::zeros for the default initial state with the tensor-creation ops.)
#include <cstring>

#include "loaders/torchscript/registry.h"
#include "modelport/tensor_ops.h"

namespace modelport::ts {
namespace {

enum class Cell { LSTM, GRU, RNN_TANH, RNN_RELU };

int64_t gates_of(Cell cell) { return cell == Cell::LSTM ? 4 : cell == Cell::GRU ? 3 : 1; }

// ONNX gate g is PyTorch gate order[g].
std::vector<int64_t> gate_order(Cell cell) {
  if (cell == Cell::LSTM) return {0, 3, 1, 2};  // i,f,g,o -> i,o,f,c
  if (cell == Cell::GRU) return {1, 0, 2};      // r,z,n -> z,r,h
  return {0};
}

const Tensor& weight_tensor(Ctx& c, const LVal& l, const std::string& what) {
  if (!l.is_tensor() || !l.v->is_constant())
    c.fail(what + " is not a constant tensor (recurrent weights must be frozen parameters)");
  const Tensor& t = *l.v->constant;
  if (!dtype_is_float(t.dtype) || !t.buffer) c.fail(what + " must be a floating-point tensor");
  return t;
}

// Rows of `t` ([G*H, ...] or [G*H]) regrouped by gate, as raw bytes appended to `out`.
void append_reordered(Ctx& c, const Tensor& t, const std::vector<int64_t>& order, int64_t hidden,
                      const std::string& what, std::vector<uint8_t>& out) {
  int64_t g = int64_t(order.size());
  if (t.dims.empty() || t.dims[0] != g * hidden)
    c.fail(what + " has " + (t.dims.empty() ? std::string("no rows") : std::to_string(t.dims[0]) + " rows") +
           ", expected " + std::to_string(g * hidden) + " (" + std::to_string(g) + " gates x hidden " +
           std::to_string(hidden) + ")");
  size_t block = size_t(t.nbytes() / size_t(g));
  for (int64_t k : order) out.insert(out.end(), t.raw() + size_t(k) * block, t.raw() + size_t(k + 1) * block);
}

// True when `v` is known to be all zeros: the default initial state of nn.LSTM/GRU/RNN.
bool is_zeros(const Value* v) {
  auto all_zero = [](const Tensor& t) {
    if (!t.buffer) return false;
    for (size_t i = 0; i < t.nbytes(); ++i)
      if (t.raw()[i] != 0) return false;
    return true;
  };
  if (v->is_constant()) return all_zero(*v->constant);
  const Node* p = v->producer;
  if (!p || p->op != "ConstantOfShape") return false;
  auto it = p->attrs.find("value");
  if (it == p->attrs.end()) return true;  // ONNX default: 0
  const Tensor* t = std::get_if<Tensor>(&it->second);
  return t && all_zero(*t);
}

Value* slice0(Ctx& c, Value* v, int64_t begin, int64_t end) {
  return c.op("Slice", {v, c.c_i64({begin}), c.c_i64({end}), c.c_i64({0})});
}

Value* transpose(Ctx& c, Value* v, const std::vector<int64_t>& perm) {
  return c.op("Transpose", {v}, {{"perm", perm}});
}

Dim dim_or_unknown(const Value* v, size_t i) {
  return v->shape.rank_known && v->shape.rank() > i ? v->shape.dims[i] : Dim::unknown();
}

// Shared lowering. Argument layout (non-packed overloads):
//   lstm(input, hx: Tensor[] [h0, c0], params: Tensor[], has_biases, num_layers, dropout, train, bidirectional, batch_first)
//   gru/rnn_*(input, hx: Tensor, params: Tensor[], has_biases, num_layers, dropout, train, bidirectional, batch_first)
// `params` is argument 2's weight tensors, or what replaces them (quantized_lstm's dequantized weights).
void lower_recurrent(Ctx& c, Cell cell, const std::vector<LVal>& params) {
  const char* name = cell == Cell::LSTM ? "lstm" : cell == Cell::GRU ? "gru" : cell == Cell::RNN_TANH ? "rnn_tanh" : "rnn_relu";
  if (c.num_inputs() < 9 || !c.in(2).is_seq())
    c.fail(std::string("packed sequences (") + name + " with batch_sizes) are not supported: pass a padded tensor");
  Value* x = c.tensor(0);
  bool has_biases = c.bool_arg(3);
  int64_t layers = c.int_arg(4);
  if (c.bool_arg(6)) c.fail("recurrent layer in training mode: call model.eval() before saving");
  bool bidir = c.bool_arg(7);
  bool batch_first = c.bool_arg(8);
  int64_t dirs = bidir ? 2 : 1;
  if (x->shape.rank_known && x->shape.rank() != 3)
    c.fail("input of rank " + std::to_string(x->shape.rank()) +
           " is not supported (only batched 3-D input; unbatched 2-D input is not supported)");

  // Initial states.
  Value* h0 = nullptr;
  Value* c0 = nullptr;
  if (cell == Cell::LSTM) {
    const LVal& hx = c.in(1);
    if (!hx.is_seq() || hx.items.size() != 2) c.fail("lstm hx must be a list [h0, c0]");
    h0 = c.tensor_of(hx.items[0]);
    c0 = c.tensor_of(hx.items[1]);
  } else if (!c.in(1).is_none()) {
    h0 = c.tensor(1);
  }
  if (h0 && is_zeros(h0)) h0 = nullptr;
  if (c0 && is_zeros(c0)) c0 = nullptr;
  for (Value* s : {h0, c0})
    if (s && s->shape.rank_known && s->shape.rank() != 3)
      c.fail("initial state of rank " + std::to_string(s->shape.rank()) + " is not supported (expected 3-D)");

  // Weights.
  size_t per = has_biases ? 4 : 2;
  if (params.size() != size_t(layers * dirs) * per) {
    if (params.size() == size_t(layers * dirs) * (per + 1))
      c.fail(std::string(name) + " with proj_size > 0 is not supported (ONNX LSTM has no projection)");
    c.fail(std::string(name) + " has " + std::to_string(params.size()) + " weight tensors, expected " +
           std::to_string(size_t(layers * dirs) * per));
  }
  const Tensor& w_hh0 = weight_tensor(c, params[1], "weight_hh_l0");
  if (w_hh0.dims.size() != 2) c.fail("weight_hh_l0 must be 2-D");
  int64_t hidden = w_hh0.dims[1];
  int64_t g = gates_of(cell);
  auto order = gate_order(cell);
  DType wdt = w_hh0.dtype;

  if (batch_first) x = transpose(c, x, {1, 0, 2});  // -> [seq, batch, feat]
  Dim seq = dim_or_unknown(x, 0), batch = dim_or_unknown(x, 1);

  std::vector<Value*> hn, cn;
  for (int64_t l = 0; l < layers; ++l) {
    std::vector<uint8_t> W, R, B;
    int64_t in_size = -1;
    for (int64_t d = 0; d < dirs; ++d) {
      size_t base = size_t(l * dirs + d) * per;
      std::string sfx = "_l" + std::to_string(l) + (d ? "_reverse" : "");
      const Tensor& w_ih = weight_tensor(c, params[base], "weight_ih" + sfx);
      const Tensor& w_hh = weight_tensor(c, params[base + 1], "weight_hh" + sfx);
      if (w_ih.dims.size() != 2 || w_hh.dims.size() != 2 || w_hh.dims[1] != hidden)
        c.fail("weight_ih" + sfx + "/weight_hh" + sfx + " have unexpected shapes");
      if (w_ih.dtype != wdt || w_hh.dtype != wdt) c.fail("recurrent weights of mixed dtypes are not supported");
      if (in_size < 0) in_size = w_ih.dims[1];
      append_reordered(c, w_ih, order, hidden, "weight_ih" + sfx, W);
      append_reordered(c, w_hh, order, hidden, "weight_hh" + sfx, R);
      if (has_biases) {
        const Tensor& b_ih = weight_tensor(c, params[base + 2], "bias_ih" + sfx);
        const Tensor& b_hh = weight_tensor(c, params[base + 3], "bias_hh" + sfx);
        if (b_ih.dtype != wdt || b_hh.dtype != wdt) c.fail("recurrent weights of mixed dtypes are not supported");
        append_reordered(c, b_ih, order, hidden, "bias_ih" + sfx, B);
        append_reordered(c, b_hh, order, hidden, "bias_hh" + sfx, B);
      }
    }
    if (x->shape.rank_known && x->shape.dims[2].is_fixed() && x->shape.dims[2].value != in_size)
      c.fail("layer " + std::to_string(l) + " expects " + std::to_string(in_size) + " input features, got " +
             std::to_string(x->shape.dims[2].value));
    std::string pfx = std::string(name) + "_l" + std::to_string(l);
    std::vector<Value*> ins = {
        x, c.g.add_constant(pfx + "_W", tensor_from_bytes(wdt, {dirs, g * hidden, in_size}, std::move(W))),
        c.g.add_constant(pfx + "_R", tensor_from_bytes(wdt, {dirs, g * hidden, hidden}, std::move(R))),
        has_biases ? c.g.add_constant(pfx + "_B", tensor_from_bytes(wdt, {dirs, 2 * g * hidden}, std::move(B))) : nullptr,
        nullptr};  // sequence_lens
    auto layer_state = [&](Value* s) { return layers == 1 ? s : slice0(c, s, l * dirs, (l + 1) * dirs); };
    ins.push_back(h0 ? layer_state(h0) : nullptr);
    if (cell == Cell::LSTM) ins.push_back(c0 ? layer_state(c0) : nullptr);
    while (!ins.back()) ins.pop_back();

    std::map<std::string, Attribute> attrs{{"hidden_size", hidden},
                                           {"direction", std::string(bidir ? "bidirectional" : "forward")}};
    if (cell == Cell::GRU) attrs["linear_before_reset"] = int64_t(1);
    if (cell == Cell::RNN_TANH || cell == Cell::RNN_RELU)
      attrs["activations"] = std::vector<std::string>(size_t(dirs), cell == Cell::RNN_TANH ? "Tanh" : "Relu");
    const char* op = cell == Cell::LSTM ? "LSTM" : cell == Cell::GRU ? "GRU" : "RNN";
    Node* n = c.node_op(op, ins, cell == Cell::LSTM ? 3 : 2, attrs);
    hn.push_back(n->outputs[1]);
    if (cell == Cell::LSTM) cn.push_back(n->outputs[2]);

    // Y [seq, dirs, batch, hidden] -> [seq, batch, dirs*hidden]
    Value* y = n->outputs[0];
    if (dirs == 1) {
      x = c.op("Squeeze", {y, c.c_i64({1})});
    } else {
      y = transpose(c, y, {0, 2, 1, 3});
      x = c.op("Reshape", {y, c.c_i64({0, 0, -1})});
    }
  }
  Value* out = batch_first ? transpose(c, x, {1, 0, 2}) : x;
  auto concat = [&](const std::vector<Value*>& parts) {
    if (parts.size() == 1) return parts[0];
    return c.op("Concat", parts, {{"axis", int64_t(0)}});
  };
  c.out(out, 0);
  c.out(concat(hn), 1);
  if (cell == Cell::LSTM) c.out(concat(cn), 2);
}

void lower_lstm(Ctx& c) { lower_recurrent(c, Cell::LSTM, c.in(2).items); }
void lower_gru(Ctx& c) { lower_recurrent(c, Cell::GRU, c.in(2).items); }
void lower_rnn_tanh(Ctx& c) { lower_recurrent(c, Cell::RNN_TANH, c.in(2).items); }
void lower_rnn_relu(Ctx& c) { lower_recurrent(c, Cell::RNN_RELU, c.in(2).items); }

// ---------------------------------------------------------------- helpers for nn.RNNBase's forward()

// aten::format only builds error messages for prim::RaiseException (never taken when lowering).
void lower_format(Ctx& c) { c.out(LVal::of_string("<formatted message>")); }

// aten::list(list) -> the same list.
void lower_list(Ctx& c) {
  if (!c.in(0).is_seq()) c.fail("aten::list of " + c.in(0).describe() + " is not supported");
  c.out(c.in(0));
}

// prim::Uninitialized: the value a raising branch "returns" (e.g. GRU's optional hx check).
void lower_uninitialized(Ctx& c) { c.out(LVal::none()); }

}  // namespace

void lower_lstm_weights(Ctx& c, const std::vector<LVal>& params) { lower_recurrent(c, Cell::LSTM, params); }

void register_recurrent_ops(Registry& r) {
  r["aten::lstm"] = lower_lstm;
  r["aten::gru"] = lower_gru;
  r["aten::rnn_tanh"] = lower_rnn_tanh;
  r["aten::rnn_relu"] = lower_rnn_relu;
  // What scripted nn.RNNBase.forward needs around the recurrent op itself.
  r["aten::format"] = lower_format;
  r["aten::list"] = lower_list;
  r["prim::Uninitialized"] = lower_uninitialized;
}

}  // namespace modelport::ts

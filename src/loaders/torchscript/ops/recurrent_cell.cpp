// One step of a recurrent cell: aten::lstm_cell / gru_cell / rnn_tanh_cell / rnn_relu_cell (what
// nn.LSTMCell / GRUCell / RNNCell call) -> MatMul/Add/Sigmoid/Tanh, with PyTorch's gate formulas:
//   lstm: [i, f, g, o] = x W_ih^T + b_ih + h W_hh^T + b_hh; c' = s(f) c + s(i) tanh(g); h' = s(o) tanh(c')
//   gru:  [r, z, n] blocks of gi = x W_ih^T + b_ih and gh = h W_hh^T + b_hh;
//         r = s(gi_r + gh_r), z = s(gi_z + gh_z), n = tanh(gi_n + r gh_n), h' = (1 - z) n + z h
//   rnn:  h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)
// Schemas: lstm_cell(input, Tensor[] hx [h, c], w_ih, w_hh, b_ih?, b_hh?) -> (h', c');
//          gru_cell/rnn_*_cell(input, hx, w_ih, w_hh, b_ih?, b_hh?) -> h'.
// Inputs may be [batch, features] or unbatched [features] (MatMul handles both).
#include "loaders/torchscript/ops/graph_build.h"
#include "loaders/torchscript/registry.h"

namespace modelport::ts {
namespace {

using gb::bin;
using gb::un;

// v W^T (+ b): W is [G*H, in].
Value* affine(Ctx& c, Value* v, size_t w_i, size_t b_i) {
  Value* y = bin(c, "MatMul", v, gb::transpose(c, c.tensor(w_i), {1, 0}));
  if (c.num_inputs() > b_i && !c.in(b_i).is_none()) y = bin(c, "Add", y, c.tensor(b_i));
  return y;
}

// Hidden size: the second dim of w_hh [G*H, H].
int64_t hidden_size(Ctx& c) {
  Value* w_hh = c.tensor(3);
  if (!w_hh->shape.rank_known || w_hh->shape.rank() != 2 || !w_hh->shape.dims[1].is_fixed())
    c.fail("w_hh must be a 2-D tensor of known hidden size");
  return w_hh->shape.dims[1].value;
}

// Gate block k (of hidden columns each) of the last axis.
Value* gate(Ctx& c, Value* v, int64_t k, int64_t hidden) {
  return gb::slice(c, v, -1, c.c_i64({k * hidden}), c.c_i64({(k + 1) * hidden}));
}

void lower_lstm_cell(Ctx& c) {
  const LVal& hx = c.in(1);
  if (!hx.is_seq() || hx.items.size() != 2) c.fail("lstm_cell hx must be a list [h, c]");
  Value* x = c.tensor(0);
  Value* h = c.tensor_of(hx.items[0]);
  Value* cell = c.tensor_of(hx.items[1]);
  int64_t hidden = hidden_size(c);
  Value* gates = bin(c, "Add", affine(c, x, 2, 4), affine(c, h, 3, 5));
  Value* i = un(c, "Sigmoid", gate(c, gates, 0, hidden));
  Value* f = un(c, "Sigmoid", gate(c, gates, 1, hidden));
  Value* g = un(c, "Tanh", gate(c, gates, 2, hidden));
  Value* o = un(c, "Sigmoid", gate(c, gates, 3, hidden));
  Value* c_next = bin(c, "Add", bin(c, "Mul", f, cell), bin(c, "Mul", i, g));
  c.out(bin(c, "Mul", o, un(c, "Tanh", c_next)), 0);
  c.out(c_next, 1);
}

void lower_gru_cell(Ctx& c) {
  Value* x = c.tensor(0);
  Value* h = c.tensor(1);
  int64_t hidden = hidden_size(c);
  Value* gi = affine(c, x, 2, 4);
  Value* gh = affine(c, h, 3, 5);
  Value* r = un(c, "Sigmoid", bin(c, "Add", gate(c, gi, 0, hidden), gate(c, gh, 0, hidden)));
  Value* z = un(c, "Sigmoid", bin(c, "Add", gate(c, gi, 1, hidden), gate(c, gh, 1, hidden)));
  Value* n = un(c, "Tanh", bin(c, "Add", gate(c, gi, 2, hidden), bin(c, "Mul", r, gate(c, gh, 2, hidden))));
  // (1 - z) n + z h = n + z (h - n)
  c.out(bin(c, "Add", n, bin(c, "Mul", z, bin(c, "Sub", h, n))));
}

void lower_rnn_cell(Ctx& c) {
  bool relu = std::string(c.node->kind().toUnqualString()) == "rnn_relu_cell";
  Value* pre = bin(c, "Add", affine(c, c.tensor(0), 2, 4), affine(c, c.tensor(1), 3, 5));
  c.out(un(c, relu ? "Relu" : "Tanh", pre));
}

}  // namespace

void register_recurrent_cell_ops(Registry& r) {
  r["aten::lstm_cell"] = lower_lstm_cell;
  r["aten::gru_cell"] = lower_gru_cell;
  r["aten::rnn_tanh_cell"] = r["aten::rnn_relu_cell"] = lower_rnn_cell;
}

}  // namespace modelport::ts

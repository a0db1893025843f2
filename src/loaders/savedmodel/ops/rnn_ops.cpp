// TF's fused recurrent cells (tf.contrib.rnn / tf.raw_ops): LSTMBlockCell, GRUBlockCell and
// BlockLSTM (LSTMBlockCell over a sequence). Written out step by step rather than as ONNX
// LSTM/GRU: TF clips the cell state (cell_clip, on by default), ONNX clips gate inputs, and the
// gate layouts differ. Semantics from lstm_ops.h / gru_ops.h.
#include <algorithm>

#include "translators.h"

namespace modelport::tf {
namespace {

// The hidden size from a bias of `gates * H` entries.
int64_t hidden_size(OpCtx& c, Value* bias, int64_t gates) {
  if (!bias->shape.rank_known || bias->shape.rank() != 1 || !bias->shape.dims[0].is_fixed() ||
      bias->shape.dims[0].value % gates)
    c.fail("the bias must be 1-D of known size (a multiple of " + std::to_string(gates) + ")");
  return bias->shape.dims[0].value / gates;
}

// Gate k of `gates` [B, n * H] as [B, H].
Value* gate(OpCtx& c, Value* gates, int64_t k, int64_t h) {
  return c.op("Slice", {gates, c.c_i64({k * h}), c.c_i64({(k + 1) * h}), c.c_i64({1})});
}

Value* affine(OpCtx& c, Value* x, Value* h, Value* w, Value* b) {
  return c.op("Add", {c.op("MatMul", {c.op("Concat", {x, h}, {{"axis", int64_t(1)}}), w}), b});
}

// LSTMBlockCell's inputs after x, cs_prev, h_prev: w [I + H, 4H] (gates i, ci, f, o), wci, wcf,
// wco [H] (peepholes), b [4H]; attrs forget_bias = 1, cell_clip = 3 (<= 0: none), use_peephole.
struct Lstm {
  Value *w, *wci, *wcf, *wco, *b;
  int64_t h;
  float forget_bias, cell_clip;
  bool peephole;
};
Lstm lstm_params(OpCtx& c, size_t first) {
  Lstm p{c.input(first), c.input(first + 1), c.input(first + 2), c.input(first + 3), c.input(first + 4), 0,
         c.attr_float("forget_bias", 1.f), c.attr_float("cell_clip", 3.f), c.attr_bool("use_peephole", false)};
  p.h = hidden_size(c, p.b, 4);
  return p;
}

// One step: i = sigmoid(i + cs_prev * wci), f = sigmoid(f + forget_bias + cs_prev * wcf),
// ci = tanh(ci), cs = clip(ci * i + cs_prev * f), o = sigmoid(o + cs * wco), co = tanh(cs),
// h = co * o. Returns {i, cs, f, o, ci, co, h} (LSTMBlockCell's outputs).
std::vector<Value*> lstm_step(OpCtx& c, const Lstm& p, Value* x, Value* cs_prev, Value* h_prev) {
  Value* g = affine(c, x, h_prev, p.w, p.b);
  Value *i = gate(c, g, 0, p.h), *ci = gate(c, g, 1, p.h), *f = gate(c, g, 2, p.h), *o = gate(c, g, 3, p.h);
  f = c.op("Add", {f, c.c_scalar(f->dtype, p.forget_bias)});
  if (p.peephole) {
    i = c.op("Add", {i, c.op("Mul", {cs_prev, p.wci})});
    f = c.op("Add", {f, c.op("Mul", {cs_prev, p.wcf})});
  }
  i = c.op("Sigmoid", {i});
  f = c.op("Sigmoid", {f});
  ci = c.op("Tanh", {ci});
  Value* cs = c.op("Add", {c.op("Mul", {ci, i}), c.op("Mul", {cs_prev, f})});
  if (p.cell_clip > 0)
    cs = c.op("Clip", {cs, c.c_scalar(cs->dtype, -p.cell_clip), c.c_scalar(cs->dtype, p.cell_clip)});
  if (p.peephole) o = c.op("Add", {o, c.op("Mul", {cs, p.wco})});
  o = c.op("Sigmoid", {o});
  Value* co = c.op("Tanh", {cs});
  return {i, cs, f, o, ci, co, c.op("Mul", {co, o})};
}

// LSTMBlockCell(x, cs_prev, h_prev, w, wci, wcf, wco, b) -> i, cs, f, o, ci, co, h.
std::vector<Value*> lstm_block_cell(OpCtx& c) {
  return lstm_step(c, lstm_params(c, 3), c.input(0), c.input(1), c.input(2));
}

// BlockLSTM(seq_len_max, x [T, B, I], cs_prev, h_prev, w, wci, wcf, wco, b): LSTMBlockCell over
// the T steps, each output stacked [T, B, H]; steps from seq_len_max on are zeros (TF zeroes cs and
// h there and leaves the rest unset). Unrolled: T must be known.
constexpr int64_t kMaxUnrolledSteps = 256;
std::vector<Value*> block_lstm(OpCtx& c) {
  Value* x = c.input(1);
  if (!x->shape.rank_known || x->shape.rank() != 3 || !x->shape.dims[0].is_fixed())
    c.fail("x must be [T, batch, input] with T known (the steps are unrolled)");
  int64_t t_len = x->shape.dims[0].value, steps = std::min(t_len, c.const_int(0, "seq_len_max"));
  if (t_len > kMaxUnrolledSteps) c.fail(std::to_string(t_len) + " steps are above the " + std::to_string(kMaxUnrolledSteps) + " unrolled");
  if (steps < 0) c.fail("seq_len_max must be >= 0");
  Lstm p = lstm_params(c, 4);
  Value *cs = c.input(2), *h = c.input(3);
  std::vector<std::vector<Value*>> per_output(7);
  for (int64_t t = 0; t < steps; ++t) {
    Value* xt = c.op("Squeeze", {c.op("Slice", {x, c.c_i64({t}), c.c_i64({t + 1}), c.c_i64({0})}), c.c_i64({0})});
    std::vector<Value*> out = lstm_step(c, p, xt, cs, h);
    cs = out[1];
    h = out[6];
    for (size_t k = 0; k < 7; ++k) per_output[k].push_back(c.op("Unsqueeze", {out[k], c.c_i64({0})}));
  }
  if (steps < t_len) {  // zeros [T - steps, B, H]
    Value* batch = c.op("Slice", {c.op("Shape", {x}), c.c_i64({1}), c.c_i64({2})});
    Value* shape = c.op("Concat", {c.c_i64({t_len - steps}), batch, c.c_i64({p.h})}, {{"axis", int64_t(0)}});
    Value* zeros = c.op("Expand", {c.c_scalar(x->dtype, 0), shape});
    for (auto& v : per_output) v.push_back(zeros);
  }
  std::vector<Value*> result;
  for (auto& v : per_output) result.push_back(v.size() == 1 ? v[0] : c.op("Concat", v, {{"axis", int64_t(0)}}));
  return result;
}

// GRUBlockCell(x, h_prev, w_ru [I + H, 2H], w_c [I + H, H], b_ru [2H], b_c [H]) -> r, u, c, h:
// [r, u] = sigmoid([x, h_prev] w_ru + b_ru), c = tanh([x, r * h_prev] w_c + b_c),
// h = u * (h_prev - c) + c.
std::vector<Value*> gru_block_cell(OpCtx& c) {
  Value *x = c.input(0), *h_prev = c.input(1);
  int64_t h = hidden_size(c, c.input(4), 2);
  Value* ru = c.op("Sigmoid", {affine(c, x, h_prev, c.input(2), c.input(4))});
  Value *r = gate(c, ru, 0, h), *u = gate(c, ru, 1, h);
  Value* cand = c.op("Tanh", {affine(c, x, c.op("Mul", {h_prev, r}), c.input(3), c.input(5))});
  return {r, u, cand, c.op("Add", {c.op("Mul", {u, c.op("Sub", {h_prev, cand})}), cand})};
}

}  // namespace

void register_rnn_ops(OpTable& t) {
  t["LSTMBlockCell"] = lstm_block_cell;
  t["BlockLSTM"] = block_lstm;
  t["GRUBlockCell"] = gru_block_cell;
}

}  // namespace modelport::tf

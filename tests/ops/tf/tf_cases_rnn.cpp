// TF's fused recurrent cells: LSTMBlockCell, BlockLSTM and GRUBlockCell (tf.raw_ops), checked
// against ATen's lstm_cell where TF's cell reduces to it and against the kernels' documented
// equations (lstm_ops.h, gru_ops.h) otherwise.
#include <cmath>

#include "ops/tf/tf_cases.h"

namespace modelport::test::tf_ops {
namespace {
using B = sm::GraphDefBuilder;

std::vector<float> wave(size_t n, float scale, float shift) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = std::sin(float(i) * 0.77f + shift) * scale;
  return v;
}
at::Tensor tensor(const std::vector<float>& v, std::vector<int64_t> dims) {
  return at::from_blob(const_cast<float*>(v.data()), dims, at::kFloat).clone();
}

constexpr int64_t kIn = 3, kHidden = 4;
const std::vector<float>& lstm_w() { static const auto v = wave((kIn + kHidden) * 4 * kHidden, 0.6f, 0.1f); return v; }
const std::vector<float>& lstm_b() { static const auto v = wave(4 * kHidden, 0.5f, 0.4f); return v; }
const std::vector<float>& peep(int k) {
  static const std::vector<std::vector<float>> v = {wave(kHidden, 0.7f, 1.f), wave(kHidden, 0.7f, 2.f), wave(kHidden, 0.7f, 3.f)};
  return v[size_t(k)];
}

// TF's LSTM step (gates i, ci, f, o in w's columns): {i, cs, f, o, ci, co, h}.
Tensors lstm_step(const at::Tensor& x, const at::Tensor& cs_prev, const at::Tensor& h_prev, float forget_bias,
                  float cell_clip, bool peephole) {
  at::Tensor g = at::cat({x, h_prev}, 1).matmul(tensor(lstm_w(), {kIn + kHidden, 4 * kHidden})) + tensor(lstm_b(), {4 * kHidden});
  auto part = g.split(kHidden, 1);
  at::Tensor wci = tensor(peep(0), {kHidden}), wcf = tensor(peep(1), {kHidden}), wco = tensor(peep(2), {kHidden});
  at::Tensor i = at::sigmoid(part[0] + (peephole ? cs_prev * wci : at::zeros_like(cs_prev)));
  at::Tensor f = at::sigmoid(part[2] + forget_bias + (peephole ? cs_prev * wcf : at::zeros_like(cs_prev)));
  at::Tensor ci = at::tanh(part[1]);
  at::Tensor cs = ci * i + cs_prev * f;
  if (cell_clip > 0) cs = cs.clamp(-cell_clip, cell_clip);
  at::Tensor o = at::sigmoid(part[3] + (peephole ? cs * wco : at::zeros_like(cs)));
  at::Tensor co = at::tanh(cs);
  return {i, cs, f, o, ci, co, co * o};
}

void lstm_consts(B& b) {
  b.const_f("w", {kIn + kHidden, 4 * kHidden}, lstm_w());
  b.const_f("b", {4 * kHidden}, lstm_b());
  b.const_f("wci", {kHidden}, peep(0));
  b.const_f("wcf", {kHidden}, peep(1));
  b.const_f("wco", {kHidden}, peep(2));
}

}  // namespace

void add_rnn_cases(std::vector<Case>& out) {
  // LSTMBlockCell: with forget_bias 1, no clip (cell_clip -1) and no peepholes it is ATen's
  // lstm_cell with the gate columns reordered (TF i, ci, f, o; ATen i, f, g, o) and forget_bias
  // added to f's bias; with peepholes and the default clip (3), TF's equations.
  Case cell;
  cell.name = "lstm_block_cell";
  cell.ops = {"LSTMBlockCell"};
  cell.inputs = {{"x", {-1, kIn}}, {"cs", {-1, kHidden}}, {"h", {-1, kHidden}}};
  cell.outputs = {"plain:1", "plain:6", "peep:0", "peep:1", "peep:2", "peep:3", "peep:4", "peep:5", "peep:6"};
  cell.build = [](B& b) {
    lstm_consts(b);
    tf::NodeDef* plain = b.node("plain", "LSTMBlockCell", {"x", "cs", "h", "w", "wci", "wcf", "wco", "b"});
    B::set_float(plain, "cell_clip", -1.f);
    B::set_bool(b.node("peep", "LSTMBlockCell", {"x", "cs", "h", "w", "wci", "wcf", "wco", "b"}), "use_peephole", true);
  };
  cell.reference = [](const Tensors& in) {
    const at::Tensor &x = in[0], &h = in[2];
    at::Tensor w = tensor(lstm_w(), {kIn + kHidden, 4 * kHidden}).t(), b = tensor(lstm_b(), {4 * kHidden});
    auto rows = w.split(kHidden, 0);
    auto bias = b.split(kHidden, 0);
    at::Tensor w_ifgo = at::cat({rows[0], rows[2], rows[1], rows[3]}, 0);
    at::Tensor b_ifgo = at::cat({bias[0], bias[2] + 1.f, bias[1], bias[3]}, 0);
    auto hc = at::lstm_cell(x, {h, in[1]}, w_ifgo.narrow(1, 0, kIn), w_ifgo.narrow(1, kIn, kHidden), b_ifgo);
    Tensors r{std::get<1>(hc), std::get<0>(hc)};
    for (auto& t : lstm_step(x, in[1], h, 1.f, 3.f, true)) r.push_back(t);
    return r;
  };
  out.push_back(cell);

  // BlockLSTM: the cell over x [T, B, I] from (cs_prev, h_prev), each output stacked over time;
  // steps from seq_len_max (3 of 4) on are zeros.
  Case seq;
  seq.name = "block_lstm";
  seq.ops = {"BlockLSTM"};
  seq.inputs = {{"x", {4, -1, kIn}}, {"cs", {-1, kHidden}}, {"h", {-1, kHidden}}};
  seq.outputs = {"seq:0", "seq:1", "seq:2", "seq:3", "seq:4", "seq:5", "seq:6"};
  seq.build = [](B& b) {
    lstm_consts(b);
    tf::NodeDef* len = b.const_i("len", {}, /*scalar=*/true);  // seq_len_max is an int64 scalar
    set_type(len, "dtype", tf::DT_INT64);
    auto* value = (*len->mutable_attr())["value"].mutable_tensor();
    value->set_dtype(tf::DT_INT64);
    value->add_int64_val(3);
    tf::NodeDef* n = b.node("seq", "BlockLSTM", {"len", "x", "cs", "h", "w", "wci", "wcf", "wco", "b"});
    B::set_float(n, "forget_bias", 0.5f);
    B::set_bool(n, "use_peephole", true);
  };
  seq.reference = [](const Tensors& in) {
    std::vector<Tensors> steps(7);
    at::Tensor cs = in[1], h = in[2];
    for (int64_t t = 0; t < 4; ++t) {
      Tensors o = t < 3 ? lstm_step(in[0][t], cs, h, 0.5f, 3.f, true) : Tensors(7, at::zeros_like(cs));
      if (t < 3) cs = o[1], h = o[6];
      for (size_t k = 0; k < 7; ++k) steps[k].push_back(o[k]);
    }
    Tensors r;
    for (auto& s : steps) r.push_back(at::stack(s, 0));
    return r;
  };
  out.push_back(seq);

  // GRUBlockCell: [r, u] = sigmoid([x, h] w_ru + b_ru), c = tanh([x, r * h] w_c + b_c),
  // h' = u * (h - c) + c.
  static const auto w_ru = wave((kIn + kHidden) * 2 * kHidden, 0.6f, 0.3f), w_c = wave((kIn + kHidden) * kHidden, 0.6f, 0.9f),
                    b_ru = wave(2 * kHidden, 0.5f, 1.3f), b_c = wave(kHidden, 0.5f, 1.7f);
  Case gru;
  gru.name = "gru_block_cell";
  gru.ops = {"GRUBlockCell"};
  gru.inputs = {{"x", {-1, kIn}}, {"h", {-1, kHidden}}};
  gru.outputs = {"gru:0", "gru:1", "gru:2", "gru:3"};
  gru.build = [](B& b) {
    b.const_f("w_ru", {kIn + kHidden, 2 * kHidden}, w_ru);
    b.const_f("w_c", {kIn + kHidden, kHidden}, w_c);
    b.const_f("b_ru", {2 * kHidden}, b_ru);
    b.const_f("b_c", {kHidden}, b_c);
    b.node("gru", "GRUBlockCell", {"x", "h", "w_ru", "w_c", "b_ru", "b_c"});
  };
  gru.reference = [](const Tensors& in) {
    const at::Tensor &x = in[0], &h = in[1];
    at::Tensor ru = at::sigmoid(at::cat({x, h}, 1).matmul(tensor(w_ru, {kIn + kHidden, 2 * kHidden})) + tensor(b_ru, {2 * kHidden}));
    at::Tensor r = ru.narrow(1, 0, kHidden), u = ru.narrow(1, kHidden, kHidden);
    at::Tensor c = at::tanh(at::cat({x, r * h}, 1).matmul(tensor(w_c, {kIn + kHidden, kHidden})) + tensor(b_c, {kHidden}));
    return Tensors{r, u, c, u * (h - c) + c};
  };
  out.push_back(gru);
}

}  // namespace modelport::test::tf_ops

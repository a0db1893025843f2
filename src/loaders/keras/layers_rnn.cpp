// Lowerings of recurrent layers (SimpleRNN, LSTM, GRU), Bidirectional and TimeDistributed.
// Keras runs batch-major [N,T,F]; ONNX RNN ops are time-major [T,N,F] with a direction axis.
#include <climits>
#include <cstring>
#include <set>

#include "loaders/keras/layers.h"
#include "modelport/error.h"

namespace modelport::keras {
namespace {

enum class Cell { RNN, LSTM, GRU };

struct CellWeights {
  Tensor W, R, B;  // ONNX layouts for one direction: [G*u, F], [G*u, u], [2*G*u]
  bool linear_before_reset = false;
};

// Rows of `t` ([G*u, cols]) regrouped by gate: out gate g = in gate order[g].
Tensor reorder_gates(const Tensor& t, const std::vector<int>& order, int64_t u) {
  int64_t cols = t.dims.size() > 1 ? t.dims[1] : 1;
  std::vector<float> src = floats(t), dst(src.size());
  for (size_t g = 0; g < order.size(); ++g)
    std::memcpy(&dst[g * u * cols], &src[(size_t)order[g] * u * cols], sizeof(float) * (size_t)(u * cols));
  return Tensor::from_vector(DType::Float32, dst, t.dims);
}

CellWeights cell_weights(Ctx& c, Cell cell, const std::vector<Tensor>& w, const json& cfg) {
  if (w.size() < 2) c.fail("recurrent layer has no kernel/recurrent_kernel weights");
  int64_t u = config_int(cfg.at("units"));
  int gates = cell == Cell::LSTM ? 4 : cell == Cell::GRU ? 3 : 1;
  // Keras LSTM gates i,f,c,o -> ONNX i,o,f,c; GRU z,r,h and SimpleRNN match.
  std::vector<int> order = cell == Cell::LSTM ? std::vector<int>{0, 3, 1, 2} : std::vector<int>{0, 1, 2};
  order.resize((size_t)gates);
  // The weights must have the shapes the config implies (a damaged file must not be read past).
  if (u <= 0 || u > (int64_t(1) << 30)) c.fail("units " + std::to_string(u) + " is not a positive size");
  const int64_t gu = gates * u;
  if (w[0].dims.size() != 2 || w[0].dims[1] != gu)
    c.fail("kernel has shape " + dims_str(w[0].dims) + ", expected [features, " + std::to_string(gu) + "] for units " + std::to_string(u));
  if (w[1].dims != std::vector<int64_t>{u, gu})
    c.fail("recurrent_kernel has shape " + dims_str(w[1].dims) + ", expected [" + std::to_string(u) + ", " + std::to_string(gu) + "]");
  if (w.size() > 2 && flag(cfg, "use_bias", true) && w[2].numel() != gu && w[2].numel() != 2 * gu)
    c.fail("bias has shape " + dims_str(w[2].dims) + ", expected " + std::to_string(gu) + " or 2x" + std::to_string(gu) + " values");
  CellWeights out;
  out.W = reorder_gates(permute_tensor(to_float32(w[0]), {1, 0}), order, u);
  out.R = reorder_gates(permute_tensor(to_float32(w[1]), {1, 0}), order, u);
  std::vector<float> b((size_t)(2 * gates * u), 0.0f);
  bool reset_after = cell == Cell::GRU && flag(cfg, "reset_after", true);
  if (w.size() > 2 && flag(cfg, "use_bias", true)) {
    std::vector<float> kb = floats(w[2]);
    // GRU reset_after: bias [2, 3u] = input bias, recurrent bias.
    size_t nin = (size_t)(gates * u);
    for (size_t g = 0; g < (size_t)gates; ++g)
      for (size_t j = 0; j < (size_t)u; ++j) {
        b[g * u + j] = kb[(size_t)order[g] * u + j];
        if (kb.size() >= 2 * nin) b[nin + g * u + j] = kb[nin + (size_t)order[g] * u + j];
      }
    reset_after = cell == Cell::GRU && kb.size() >= 2 * nin;
  }
  out.B = Tensor::from_vector(DType::Float32, b, {(int64_t)b.size()});
  out.linear_before_reset = reset_after;
  return out;
}

// A Keras activation as an ONNX RNN activation function (with the alpha / beta it consumes; ONNX
// Runtime reads activation_alpha / activation_beta only for the functions that take them).
struct RnnAct {
  std::string name;
  std::vector<float> alpha, beta;  // 0 or 1 value each
};
RnnAct onnx_activation(Ctx& c, const json& a, const char* field) {
  std::string n = activation_name(a);
  if (n == "sigmoid") return {"Sigmoid", {}, {}};
  if (n == "tanh") return {"Tanh", {}, {}};
  if (n == "relu") return {"Relu", {}, {}};
  if (n == "linear") return {"Affine", {1.0f}, {0.0f}};
  if (n == "hard_sigmoid") return {"HardSigmoid", {c.keras_major >= 3 ? 1.0f / 6.0f : 0.2f}, {0.5f}};
  if (n == "elu") return {"Elu", {1.0f}, {}};
  if (n == "softsign") return {"Softsign", {}, {}};
  if (n == "softplus") return {"Softplus", {}, {}};
  if (n == "leaky_relu") return {"LeakyRelu", {0.2f}, {}};
  c.fail(std::string(field) + " '" + n + "' is not supported in a recurrent layer (ONNX RNN ops take sigmoid, tanh, "
         "relu, linear, hard_sigmoid, elu, softsign, softplus, leaky_relu)");
}

const std::set<std::string>& rnn_activations() {
  static const std::set<std::string> s = {"sigmoid", "tanh", "relu", "linear", "hard_sigmoid",
                                          "elu", "softsign", "softplus", "leaky_relu"};
  return s;
}

Tensor stack(const std::vector<Tensor>& ts) {
  std::vector<float> all;
  for (auto& t : ts) {
    auto f = floats(t);
    all.insert(all.end(), f.begin(), f.end());
  }
  std::vector<int64_t> dims{(int64_t)ts.size()};
  dims.insert(dims.end(), ts[0].dims.begin(), ts[0].dims.end());
  return Tensor::from_vector(DType::Float32, all, dims);
}

Cell cell_of(const std::string& cls) {
  if (cls == "LSTM" || cls == "CuDNNLSTM") return Cell::LSTM;
  if (cls == "GRU" || cls == "CuDNNGRU") return Cell::GRU;
  return Cell::RNN;
}

// Runs the ONNX RNN op. Returns Y [T,D,N,u], Y_h [D,N,u] and (LSTM) Y_c.
Node* run_rnn(Ctx& c, const LayerCall& l, Cell cell, const json& cfg, const std::vector<CellWeights>& dirs,
              const std::string& direction) {
  Value* x = l.in();
  Value* xt = c.transpose(x, {1, 0, 2});
  int64_t u = config_int(cfg.at("units"));
  std::vector<Tensor> W, R, B;
  for (auto& d : dirs) W.push_back(d.W), R.push_back(d.R), B.push_back(d.B);
  std::vector<Value*> ins{xt, c.constant(stack(W), "W"), c.constant(stack(R), "R"), c.constant(stack(B), "B")};
  // sequence_lens from a Keras mask (exact for post-padded sequences).
  Value* seq = nullptr;
  auto m = c.masks.find(x);
  if (m != c.masks.end()) {
    Value* mi = c.cast(m->second, DType::Int32);
    seq = c.op("ReduceSum", {mi, c.i64({1})}, {{"keepdims", (int64_t)0}});
    c.warn("masked timesteps are treated as trailing padding (ONNX sequence_lens)");
  }
  ins.push_back(seq);
  auto init = l.kwargs.find("initial_state");
  if (init != l.kwargs.end() && !init->second.empty()) {
    if (dirs.size() != 1) c.fail("initial_state on a Bidirectional layer is not supported");
    for (size_t i = 0; i < init->second.size() && i < 2; ++i)
      ins.push_back(c.op("Unsqueeze", {init->second[i], c.i64({0})}));
  }
  std::vector<std::string> acts;
  std::vector<float> alphas, betas;
  auto add_act = [&](const json& a, const char* field) {
    RnnAct r = onnx_activation(c, a, field);
    acts.push_back(r.name);
    alphas.insert(alphas.end(), r.alpha.begin(), r.alpha.end());
    betas.insert(betas.end(), r.beta.begin(), r.beta.end());
  };
  for (size_t d = 0; d < dirs.size(); ++d) {
    if (cell != Cell::RNN) add_act(cfg.value("recurrent_activation", json("sigmoid")), "recurrent_activation");
    add_act(cfg.value("activation", json("tanh")), "activation");
    if (cell == Cell::LSTM) add_act(cfg.value("activation", json("tanh")), "activation");
  }
  std::map<std::string, Attribute> attrs{{"hidden_size", u}, {"direction", direction}, {"activations", acts}};
  if (!alphas.empty()) attrs["activation_alpha"] = alphas;
  if (!betas.empty()) attrs["activation_beta"] = betas;
  if (cell == Cell::GRU) attrs["linear_before_reset"] = (int64_t)(dirs[0].linear_before_reset ? 1 : 0);
  const char* op = cell == Cell::LSTM ? "LSTM" : cell == Cell::GRU ? "GRU" : "RNN";
  Node* n = c.node(op, ins, cell == Cell::LSTM ? 3 : 2, attrs);
  return n;
}

Value* squeeze(Ctx& c, Value* v, int64_t axis) {
  Value* y = c.op("Squeeze", {v, c.i64({axis})});
  return y;
}

Outs recurrent(Ctx& c, const LayerCall& l, const std::string& cls, const json& cfg) {
  Cell cell = cell_of(cls);
  bool backwards = flag(cfg, "go_backwards", false);
  Node* n = run_rnn(c, l, cell, cfg, {cell_weights(c, cell, l.weights(), cfg)}, backwards ? "reverse" : "forward");
  Outs out;
  if (flag(cfg, "return_sequences", false)) {
    Value* y = squeeze(c, n->outputs[0], 1);  // [T,N,u]
    if (backwards)  // Keras emits the outputs in processing (reversed) order
      y = c.op("Slice", {y, c.i64({-1}), c.i64({INT64_MIN}), c.i64({0}), c.i64({-1})});
    out.push_back(c.transpose(y, {1, 0, 2}));
  } else {
    out.push_back(squeeze(c, n->outputs[1], 0));
  }
  if (flag(cfg, "return_state", false))
    for (size_t i = 1; i < n->outputs.size(); ++i) out.push_back(squeeze(c, n->outputs[i], 0));
  return out;
}

}  // namespace

bool is_rnn_activation(const json& a) { return rnn_activations().count(activation_name(a)) != 0; }

Outs lower_simple_rnn(Ctx& c, const LayerCall& l) { return recurrent(c, l, l.class_name, l.cfg); }
Outs lower_lstm(Ctx& c, const LayerCall& l) { return recurrent(c, l, l.class_name, l.cfg); }
Outs lower_gru(Ctx& c, const LayerCall& l) { return recurrent(c, l, l.class_name, l.cfg); }

Outs lower_bidirectional(Ctx& c, const LayerCall& l) {
  const json& inner = l.cfg.at("layer");
  std::string cls = inner.value("class_name", std::string());
  const json& icfg = inner.at("config");
  if (is_conv_lstm(cls)) return lower_bidirectional_conv_lstm(c, l, cls, icfg);
  Cell cell = cell_of(cls);
  std::vector<CellWeights> dirs{cell_weights(c, cell, l.weights("forward_layer"), icfg),
                                cell_weights(c, cell, l.weights("backward_layer"), icfg)};
  Node* n = run_rnn(c, l, cell, icfg, dirs, "bidirectional");
  std::string merge = l.cfg.contains("merge_mode") && l.cfg["merge_mode"].is_null() ? "none" : str(l.cfg, "merge_mode", "concat");
  bool seqs = flag(icfg, "return_sequences", false);
  // Per direction output, batch-major: [N,T,2,u] or [N,2,u]; direction axis = dax.
  Value* y = seqs ? c.transpose(n->outputs[0], {2, 0, 1, 3}) : c.transpose(n->outputs[1], {1, 0, 2});
  int64_t dax = seqs ? 2 : 1;
  Outs out;
  auto dir = [&](Value* v, int64_t d, int64_t axis) {
    Value* s = c.op("Slice", {v, c.i64({d}), c.i64({d + 1}), c.i64({axis})});
    return squeeze(c, s, axis);
  };
  if (merge == "concat") {
    Value* r = c.op("Reshape", {y, c.i64(seqs ? std::vector<int64_t>{0, 0, -1} : std::vector<int64_t>{0, -1})});
    out.push_back(r);
  } else if (merge == "sum" || merge == "ave") {
    Value* r = c.op(merge == "sum" ? "ReduceSum" : "ReduceMean", {y, c.i64({dax})}, {{"keepdims", (int64_t)0}});
    out.push_back(r);
  } else if (merge == "mul") {
    out.push_back(c.op("Mul", {dir(y, 0, dax), dir(y, 1, dax)}));
  } else if (merge == "none") {
    out.push_back(dir(y, 0, dax));
    out.push_back(dir(y, 1, dax));
  } else {
    c.fail("unsupported merge_mode '" + merge + "'");
  }
  if (flag(icfg, "return_state", false))
    for (int64_t d = 0; d < 2; ++d)
      for (size_t i = 1; i < n->outputs.size(); ++i) out.push_back(dir(n->outputs[i], d, 0));
  return out;
}

Outs lower_time_distributed(Ctx& c, const LayerCall& l) {
  const json& inner = l.cfg.at("layer");
  std::string cls = inner.value("class_name", std::string());
  LowerFn fn = find_lowering(cls);
  if (!fn) c.fail("TimeDistributed of unsupported layer " + cls);
  Value* x = l.in();
  LayerCall sub{l.name, cls, inner.at("config"), {}, {}, l.scope, l.key};
  if (cls == "Dense") {  // MatMul broadcasts over the time axis
    sub.inputs = {x};
    return fn(c, sub);
  }
  // Fold time into batch: [N,T,...] -> [N*T,...] -> layer -> [N,T,...].
  c.need_rank(x);
  Value* shape = c.op("Shape", {x});
  Value* rest = c.op("Slice", {shape, c.i64({2}), c.i64({INT64_MAX})});
  Value* folded = c.op("Reshape", {x, c.op("Concat", {c.i64({-1}), rest}, {{"axis", (int64_t)0}})});
  sub.inputs = {folded};
  Outs ys = fn(c, sub);
  Value* y = ys.at(0);
  Value* yshape = c.op("Shape", {y});
  Value* nt = c.op("Slice", {shape, c.i64({0}), c.i64({2})});
  Value* yrest = c.op("Slice", {yshape, c.i64({1}), c.i64({INT64_MAX})});
  Value* out = c.op("Reshape", {y, c.op("Concat", {nt, yrest}, {{"axis", (int64_t)0}})});
  return {out};
}

}  // namespace modelport::keras

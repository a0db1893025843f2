// Lowering of ConvLSTM1D / ConvLSTM2D / ConvLSTM3D (channels_last, also inside Bidirectional): an
// LSTM whose gates are convolutions. Per step, with Keras's gate order i, f, c, o in the last axis
// of kernel [k..., in, 4*filters] and recurrent_kernel [k..., filters, 4*filters]:
//   z = conv(x_t, kernel) + bias + conv(h, recurrent_kernel)   (the recurrent conv: stride 1, 'same')
//   i, f, o = recurrent_activation(z_i, z_f, z_o); c = f*c + i*activation(z_c); h = o*activation(c)
// The input convolutions of all steps run as one Conv (time folded into batch); the steps are
// unrolled, so the sequence length must be known.
#include <algorithm>
#include <climits>

#include "loaders/keras/layers.h"

namespace modelport::keras {
namespace {

struct ConvLstmOut {
  std::vector<Value*> steps;  // h per step in processing order, channels-first [B,F,spatial...]
  Value* h = nullptr;
  Value* c = nullptr;
};

// One direction over x [B,T,spatial...,C] (channels_last); weights in Keras order.
ConvLstmOut run_conv_lstm(Ctx& c, const LayerCall& l, const json& cfg, size_t nd, Value* x,
                          const std::vector<Tensor>& w, bool backwards) {
  int64_t F = config_int(cfg.at("filters"));
  if (F <= 0) c.fail("filters must be positive");
  if (w.size() < 2) c.fail("ConvLSTM has no kernel/recurrent_kernel weights");
  const auto& kd = w[0].dims;
  const auto& rd = w[1].dims;
  int64_t cin = x->shape.dims.back().is_fixed() ? x->shape.dims.back().value : -1;
  if (kd.size() != nd + 2 || kd[nd + 1] != 4 * F || (cin >= 0 && kd[nd] != cin))
    c.fail("kernel has shape " + dims_str(kd) + ", expected [kernel..., " + (cin >= 0 ? std::to_string(cin) : "in") +
           ", " + std::to_string(4 * F) + "]");
  if (rd.size() != nd + 2 || rd[nd] != F || rd[nd + 1] != 4 * F)
    c.fail("recurrent_kernel has shape " + dims_str(rd) + ", expected [kernel..., " + std::to_string(F) + ", " +
           std::to_string(4 * F) + "]");
  bool bias = flag(cfg, "use_bias", true) && w.size() > 2;
  if (bias && w[2].numel() != 4 * F) c.fail("bias has shape " + dims_str(w[2].dims) + ", expected [" + std::to_string(4 * F) + "]");
  if (!x->shape.dims[1].is_fixed())
    c.fail("ConvLSTM over a sequence of unknown length is not supported (the steps are unrolled; give the input a fixed time axis)");
  int64_t T = x->shape.dims[1].value;

  // All steps' input convolutions: [B,T,s...,C] -> [B*T,C,s...] -> Conv -> [B,T,4F,s'...].
  Value* shape = c.op("Shape", {x});
  Value* folded = c.op("Reshape", {x, c.op("Concat", {c.i64({-1}), c.op("Slice", {shape, c.i64({2}), c.i64({INT64_MAX})})},
                                            {{"axis", (int64_t)0}})});
  LayerCall conv_call{l.name, l.class_name, cfg, {}, {}, l.scope, l.key};
  Value* xz = conv(c, conv_call, c.to_channels_first(folded), nd, permute_tensor(to_float32(w[0]), kernel_to_onnx_perm(nd)),
                   bias ? &w[2] : nullptr, 1);
  Value* zshape = c.op("Shape", {xz});
  Value* bt = c.op("Slice", {shape, c.i64({0}), c.i64({2})});
  xz = c.op("Reshape", {xz, c.op("Concat", {bt, c.op("Slice", {zshape, c.i64({1}), c.i64({INT64_MAX})})},
                                      {{"axis", (int64_t)0}})});

  // The recurrent convolution: stride 1, 'same' (TF's split: the extra padding at the end).
  std::vector<int64_t> rk(rd.begin(), rd.begin() + (std::ptrdiff_t)nd), pads(2 * nd);
  for (size_t d = 0; d < nd; ++d) pads[d] = (rk[d] - 1) / 2, pads[nd + d] = rk[d] - 1 - (rk[d] - 1) / 2;
  Value* U = c.constant(permute_tensor(to_float32(w[1]), kernel_to_onnx_perm(nd)), "recurrent_kernel");
  std::map<std::string, Attribute> rattrs{{"kernel_shape", rk}, {"pads", pads}, {"strides", std::vector<int64_t>(nd, 1)},
                                          {"dilations", std::vector<int64_t>(nd, 1)}};
  const json act = cfg.value("activation", json("tanh"));
  const json ract = cfg.value("recurrent_activation", json(c.keras_major >= 3 ? "sigmoid" : "hard_sigmoid"));

  ConvLstmOut out;
  for (int64_t s = 0; s < T; ++s) {
    int64_t t = backwards ? T - 1 - s : s;
    Value* z = c.op("Squeeze", {c.op("Slice", {xz, c.i64({t}), c.i64({t + 1}), c.i64({1})}), c.i64({1})});
    if (out.h) z = c.op("Add", {z, c.op("Conv", {out.h, U}, rattrs)});
    Node* parts = c.node("Split", {z, c.i64({F, F, F, F})}, 4, {{"axis", (int64_t)1}});
    Value* i = apply_activation(c, ract, parts->outputs[0]);
    Value* f = apply_activation(c, ract, parts->outputs[1]);
    Value* g = c.op("Mul", {i, apply_activation(c, act, parts->outputs[2])});
    Value* o = apply_activation(c, ract, parts->outputs[3]);
    out.c = out.c ? c.op("Add", {c.op("Mul", {f, out.c}), g}) : g;  // the initial state is zero
    out.h = c.op("Mul", {o, apply_activation(c, act, out.c)});
    out.steps.push_back(out.h);
  }
  return out;
}

bool channels_last(const json& cfg) { return str(cfg, "data_format", "channels_last") == "channels_last"; }

// Keras's outputs of one direction: the sequence [B,T,s...,F] or the last h, then h and c with
// return_state (all channels_last).
Outs conv_lstm_outputs(Ctx& c, const json& cfg, const ConvLstmOut& r) {
  Outs out;
  if (flag(cfg, "return_sequences", false)) {
    std::vector<Value*> steps;
    for (Value* h : r.steps) steps.push_back(c.op("Unsqueeze", {h, c.i64({1})}));
    Value* seq = c.op("Concat", steps, {{"axis", (int64_t)1}});  // [B,T,F,s...]
    int rank = c.need_rank(seq);
    std::vector<int64_t> perm{0, 1};
    for (int d = 3; d < rank; ++d) perm.push_back(d);
    perm.push_back(2);
    out.push_back(c.transpose(seq, perm));
  } else {
    out.push_back(c.to_channels_last(r.h));
  }
  if (flag(cfg, "return_state", false)) {
    out.push_back(c.to_channels_last(r.h));
    out.push_back(c.to_channels_last(r.c));
  }
  return out;
}

void check_supported(Ctx& c, const std::string& cls, const json& cfg) {
  if (!channels_last(cfg)) c.fail(cls + " with data_format channels_first is not supported");
  if (flag(cfg, "stateful", false)) c.fail(cls + " with stateful=True is not supported (its state is not in the file)");
}

size_t spatial_dims(const std::string& cls) { return cls == "ConvLSTM1D" ? 1 : cls == "ConvLSTM3D" ? 3 : 2; }

}  // namespace

Outs lower_conv_lstm(Ctx& c, const LayerCall& l) {
  check_supported(c, l.class_name, l.cfg);
  if (l.kwargs.count("initial_state")) c.fail(l.class_name + " with initial_state is not supported");
  size_t nd = spatial_dims(l.class_name);
  if (c.need_rank(l.in()) != (int)nd + 3) c.fail(l.class_name + " expects an input of rank " + std::to_string(nd + 3));
  auto r = run_conv_lstm(c, l, l.cfg, nd, l.in(), l.weights(), flag(l.cfg, "go_backwards", false));
  return conv_lstm_outputs(c, l.cfg, r);
}

bool is_conv_lstm(const std::string& cls) { return cls == "ConvLSTM1D" || cls == "ConvLSTM2D" || cls == "ConvLSTM3D"; }

// Bidirectional(ConvLSTM*): the backward layer reads the sequence reversed; Keras re-reverses its
// sequence output before merging, so the two line up in time.
Outs lower_bidirectional_conv_lstm(Ctx& c, const LayerCall& l, const std::string& cls, const json& icfg) {
  check_supported(c, cls, icfg);
  size_t nd = spatial_dims(cls);
  if (c.need_rank(l.in()) != (int)nd + 3) c.fail(cls + " expects an input of rank " + std::to_string(nd + 3));
  if (flag(icfg, "return_state", false)) c.fail("Bidirectional " + cls + " with return_state is not supported");
  bool back_first = flag(icfg, "go_backwards", false);
  auto fw = run_conv_lstm(c, l, icfg, nd, l.in(), l.weights("forward_layer"), back_first);
  auto bw = run_conv_lstm(c, l, icfg, nd, l.in(), l.weights("backward_layer"), !back_first);
  if (flag(icfg, "return_sequences", false)) std::reverse(bw.steps.begin(), bw.steps.end());
  Value* a = conv_lstm_outputs(c, icfg, fw).at(0);
  Value* b = conv_lstm_outputs(c, icfg, bw).at(0);
  std::string merge = l.cfg.contains("merge_mode") && l.cfg["merge_mode"].is_null() ? "none" : str(l.cfg, "merge_mode", "concat");
  if (merge == "concat") return {c.op("Concat", {a, b}, {{"axis", (int64_t)-1}})};
  if (merge == "sum") return {c.op("Add", {a, b})};
  if (merge == "mul") return {c.op("Mul", {a, b})};
  if (merge == "ave") return {c.op("Mul", {c.op("Add", {a, b}), c.scalar(0.5f)})};
  if (merge == "none") return {a, b};
  c.fail("unsupported merge_mode '" + merge + "'");
}

}  // namespace modelport::keras

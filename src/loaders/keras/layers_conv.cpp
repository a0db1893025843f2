// Lowerings of convolution, pooling and batch normalization. Keras is channels_last: the
// channel-first ONNX ops are wrapped in Transposes (the transpose optimizer cancels pairs).
#include "loaders/keras/layers.h"

namespace modelport::keras {
namespace {

bool channels_first(const LayerCall& l) { return str(l.cfg, "data_format", "channels_last") == "channels_first"; }

// Conv attributes shared by Conv/DepthwiseConv/pools: strides, dilations and padding.
void add_window_attrs(Ctx& c, const LayerCall& l, size_t nd, const std::vector<int64_t>& kernel,
                      const std::vector<int64_t>& strides, const std::vector<int64_t>& dil,
                      std::map<std::string, Attribute>& attrs) {
  std::string padding = str(l.cfg, "padding", "valid");
  attrs["kernel_shape"] = kernel;
  attrs["strides"] = strides;
  std::vector<int64_t> pads(2 * nd, 0);
  if (padding == "same") {
    bool unit = true;
    for (auto s : strides) unit &= s == 1;
    if (unit) {  // total padding (k-1)*d, the extra one at the end (TF's SAME)
      for (size_t i = 0; i < nd; ++i) {
        int64_t total = (kernel[i] - 1) * dil[i];
        pads[i] = total / 2;
        pads[nd + i] = total - total / 2;
      }
    } else {
      attrs["auto_pad"] = std::string("SAME_UPPER");
      return;
    }
  } else if (padding == "causal") {
    for (size_t i = 0; i < nd; ++i) pads[i] = (kernel[i] - 1) * dil[i];
  } else if (padding != "valid") {
    c.fail("unsupported padding '" + padding + "'");
  }
  attrs["pads"] = pads;
}

}  // namespace

Value* conv(Ctx& c, const LayerCall& l, Value* x, size_t nd, const Tensor& w_onnx, const Tensor* bias, int64_t group,
            bool use_config_padding) {
  std::vector<int64_t> kernel(w_onnx.dims.begin() + 2, w_onnx.dims.end());
  auto strides = ints(l.cfg.value("strides", json(1)), nd);
  auto dil = ints(l.cfg.value("dilation_rate", json(1)), nd);
  std::map<std::string, Attribute> attrs{{"group", group}, {"dilations", dil}};
  if (use_config_padding) {
    add_window_attrs(c, l, nd, kernel, strides, dil, attrs);
  } else {  // pointwise conv of a separable conv
    attrs["kernel_shape"] = kernel;
    attrs["strides"] = std::vector<int64_t>(nd, 1);
    attrs["dilations"] = std::vector<int64_t>(nd, 1);
  }
  std::vector<Value*> ins{x, c.constant(w_onnx, "W")};
  if (bias) ins.push_back(c.constant(to_float32(*bias), "B"));
  return c.op("Conv", ins, attrs);
}

namespace {

Value* in_cf(Ctx& c, const LayerCall& l) { return channels_first(l) ? l.in() : c.to_channels_first(l.in()); }
Value* out_cl(Ctx& c, const LayerCall& l, Value* y) { return channels_first(l) ? y : c.to_channels_last(y); }

}  // namespace

std::vector<int64_t> kernel_to_onnx_perm(size_t nd) {  // [k..., cin, cout] -> [cout, cin, k...]
  std::vector<int64_t> perm{(int64_t)nd + 1, (int64_t)nd};
  for (size_t i = 0; i < nd; ++i) perm.push_back((int64_t)i);
  return perm;
}

namespace {

Outs regular_conv(Ctx& c, const LayerCall& l, size_t nd) {
  auto w = l.weights();
  if (w.empty()) c.fail("convolution has no kernel weights");
  Tensor k = permute_tensor(to_float32(w[0]), kernel_to_onnx_perm(nd));
  int64_t groups = l.cfg.value("groups", (int64_t)1);
  bool bias = flag(l.cfg, "use_bias", true) && w.size() > 1;
  Value* y = conv(c, l, in_cf(c, l), nd, k, bias ? &w[1] : nullptr, groups);
  return {apply_activation(c, l.cfg.value("activation", json("linear")), out_cl(c, l, y))};
}

// Keras depthwise kernel [k..., cin, mult] -> ONNX [cin*mult, 1, k...] (group = cin).
Tensor depthwise_kernel(const Tensor& kt, size_t nd) {
  std::vector<int64_t> perm{(int64_t)nd, (int64_t)nd + 1};
  for (size_t i = 0; i < nd; ++i) perm.push_back((int64_t)i);
  Tensor k = permute_tensor(to_float32(kt), perm);
  std::vector<int64_t> dims{k.dims[0] * k.dims[1], 1};
  dims.insert(dims.end(), k.dims.begin() + 2, k.dims.end());
  k.dims = dims;
  return k;
}

Outs depthwise_conv(Ctx& c, const LayerCall& l, size_t nd) {
  auto w = l.weights();
  if (w.empty()) c.fail("depthwise convolution has no kernel weights");
  int64_t cin = w[0].dims[nd];
  Tensor k = depthwise_kernel(w[0], nd);
  bool bias = flag(l.cfg, "use_bias", true) && w.size() > 1;
  Value* y = conv(c, l, in_cf(c, l), nd, k, bias ? &w[1] : nullptr, cin);
  return {apply_activation(c, l.cfg.value("activation", json("linear")), out_cl(c, l, y))};
}

Outs separable_conv(Ctx& c, const LayerCall& l, size_t nd) {
  auto w = l.weights();  // depthwise kernel, pointwise kernel, bias
  if (w.size() < 2) c.fail("separable convolution needs depthwise and pointwise kernels");
  int64_t cin = w[0].dims[nd];
  Value* y = conv(c, l, in_cf(c, l), nd, depthwise_kernel(w[0], nd), nullptr, cin);
  Tensor pk = permute_tensor(to_float32(w[1]), kernel_to_onnx_perm(nd));
  bool bias = flag(l.cfg, "use_bias", true) && w.size() > 2;
  y = conv(c, l, y, nd, pk, bias ? &w[2] : nullptr, 1, false);
  return {apply_activation(c, l.cfg.value("activation", json("linear")), out_cl(c, l, y))};
}

Outs conv_transpose(Ctx& c, const LayerCall& l, size_t nd) {
  auto w = l.weights();
  if (w.empty()) c.fail("transposed convolution has no kernel weights");
  // Keras [k..., cout, cin] -> ONNX ConvTranspose [cin, cout, k...]
  Tensor k = permute_tensor(to_float32(w[0]), kernel_to_onnx_perm(nd));
  std::vector<int64_t> kernel(k.dims.begin() + 2, k.dims.end());
  auto strides = ints(l.cfg.value("strides", json(1)), nd);
  auto dil = ints(l.cfg.value("dilation_rate", json(1)), nd);
  std::string padding = str(l.cfg, "padding", "valid");
  const json& op_cfg = l.cfg.value("output_padding", json());
  std::vector<int64_t> pads(2 * nd, 0), out_pad(nd, 0);
  for (size_t i = 0; i < nd; ++i) {
    int64_t ke = kernel[i] + (kernel[i] - 1) * (dil[i] - 1), s = strides[i];
    if (!op_cfg.is_null()) {  // length = (in-1)*s + ke - 2*pad + output_padding
      int64_t pad = padding == "same" ? ke / 2 : 0;
      pads[i] = pads[nd + i] = pad;
      out_pad[i] = ints(op_cfg, nd)[i];
    } else if (ke >= s) {  // valid: in*s + (ke-s); same: in*s, cropping (ke-s) with the extra at the end
      int64_t total = padding == "same" ? ke - s : 0;
      pads[i] = total / 2;
      pads[nd + i] = total - total / 2;
    } else {
      out_pad[i] = s - ke;
    }
  }
  std::map<std::string, Attribute> attrs{{"kernel_shape", kernel}, {"strides", strides}, {"dilations", dil},
                                         {"pads", pads}, {"output_padding", out_pad}};
  std::vector<Value*> ins{in_cf(c, l), c.constant(k, "W")};
  if (flag(l.cfg, "use_bias", true) && w.size() > 1) ins.push_back(c.constant(to_float32(w[1]), "B"));
  Value* y = c.op("ConvTranspose", ins, attrs);
  return {apply_activation(c, l.cfg.value("activation", json("linear")), out_cl(c, l, y))};
}

Outs pool(Ctx& c, const LayerCall& l, const std::string& op) {
  Value* x = l.in();
  size_t nd = (size_t)c.need_rank(x) - 2;
  auto kernel = ints(l.cfg.value("pool_size", json(2)), nd);
  const json& st = l.cfg.value("strides", json());
  auto strides = st.is_null() ? kernel : ints(st, nd);
  std::map<std::string, Attribute> attrs;
  add_window_attrs(c, l, nd, kernel, strides, std::vector<int64_t>(nd, 1), attrs);
  if (op == "AveragePool") attrs["count_include_pad"] = (int64_t)0;
  return {out_cl(c, l, c.op(op, {in_cf(c, l)}, attrs))};
}

Outs global_pool(Ctx& c, const LayerCall& l, const std::string& op) {
  Value* x = l.in();
  int r = c.need_rank(x);
  std::vector<int64_t> axes;
  for (int i = channels_first(l) ? 2 : 1; i < (channels_first(l) ? r : r - 1); ++i) axes.push_back(i);
  bool keep = flag(l.cfg, "keepdims", false);
  Value* y = c.op(op, {x, c.i64(axes)}, {{"keepdims", (int64_t)(keep ? 1 : 0)}});
  return {y};
}

}  // namespace

Outs lower_conv1d(Ctx& c, const LayerCall& l) { return regular_conv(c, l, 1); }
Outs lower_conv2d(Ctx& c, const LayerCall& l) { return regular_conv(c, l, 2); }
Outs lower_conv3d(Ctx& c, const LayerCall& l) { return regular_conv(c, l, 3); }
Outs lower_depthwise_conv1d(Ctx& c, const LayerCall& l) { return depthwise_conv(c, l, 1); }
Outs lower_depthwise_conv2d(Ctx& c, const LayerCall& l) { return depthwise_conv(c, l, 2); }
Outs lower_separable_conv1d(Ctx& c, const LayerCall& l) { return separable_conv(c, l, 1); }
Outs lower_separable_conv2d(Ctx& c, const LayerCall& l) { return separable_conv(c, l, 2); }
Outs lower_conv1d_transpose(Ctx& c, const LayerCall& l) { return conv_transpose(c, l, 1); }
Outs lower_conv2d_transpose(Ctx& c, const LayerCall& l) { return conv_transpose(c, l, 2); }
Outs lower_max_pool(Ctx& c, const LayerCall& l) { return pool(c, l, "MaxPool"); }
Outs lower_average_pool(Ctx& c, const LayerCall& l) { return pool(c, l, "AveragePool"); }
Outs lower_global_max_pool(Ctx& c, const LayerCall& l) { return global_pool(c, l, "ReduceMax"); }
Outs lower_global_average_pool(Ctx& c, const LayerCall& l) { return global_pool(c, l, "ReduceMean"); }

Outs lower_batch_normalization(Ctx& c, const LayerCall& l) {
  Value* x = l.in();
  int r = c.need_rank(x);
  const json& a = l.cfg.value("axis", json(-1));
  int64_t axis = a.is_array() ? config_int(a.at(0)) : config_int(a);
  if (axis < 0) axis += r;
  auto w = l.weights();
  bool scale = flag(l.cfg, "scale", true), center = flag(l.cfg, "center", true);
  size_t need = 2 + (scale ? 1 : 0) + (center ? 1 : 0);
  if (w.size() < need) c.fail("BatchNormalization expects " + std::to_string(need) + " weights");
  size_t i = 0;
  int64_t ch = w.back().numel();
  Tensor gamma = scale ? to_float32(w[i++]) : Tensor::f32(std::vector<float>((size_t)ch, 1.0f));
  Tensor beta = center ? to_float32(w[i++]) : Tensor::f32(std::vector<float>((size_t)ch, 0.0f));
  Tensor mean = to_float32(w[i++]), var = to_float32(w[i++]);
  float eps = num(l.cfg, "epsilon", 1e-3f);
  // ONNX BatchNormalization normalizes axis 1: move the Keras axis there and back.
  std::vector<int64_t> perm;
  if (axis != 1) {
    perm.push_back(0);
    perm.push_back(axis);
    for (int64_t d = 1; d < r; ++d)
      if (d != axis) perm.push_back(d);
  }
  Value* xin = perm.empty() ? x : c.transpose(x, perm);
  Value* y = c.op("BatchNormalization", {xin, c.constant(gamma, "gamma"), c.constant(beta, "beta"),
                                         c.constant(mean, "moving_mean"), c.constant(var, "moving_variance")},
                  {{"epsilon", eps}});
  if (!perm.empty()) {
    std::vector<int64_t> inv(perm.size());
    for (size_t d = 0; d < perm.size(); ++d) inv[(size_t)perm[d]] = (int64_t)d;
    y = c.transpose(y, inv);
  }
  return {y};
}

}  // namespace modelport::keras

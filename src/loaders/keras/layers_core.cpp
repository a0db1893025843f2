// Lowerings of the core Keras layers: Dense, activations, reshaping, merging, padding, embedding.
#include <algorithm>
#include <climits>
#include <cmath>

#include "loaders/keras/layers.h"

namespace modelport::keras {

Outs lower_identity(Ctx&, const LayerCall& l) { return {l.in()}; }

Outs lower_dense(Ctx& c, const LayerCall& l) {
  auto w = l.weights();
  if (w.empty()) c.fail("Dense has no kernel weights");
  Value* y = c.op("MatMul", {l.in(), c.constant(to_float32(w[0]), "kernel")});
  if (flag(l.cfg, "use_bias", true) && w.size() > 1) y = c.op("Add", {y, c.constant(to_float32(w[1]), "bias")});
  return {apply_activation(c, l.cfg.value("activation", json("linear")), y)};
}

Outs lower_activation(Ctx& c, const LayerCall& l) {
  return {apply_activation(c, l.cfg.value("activation", json("linear")), l.in())};
}

Outs lower_relu(Ctx& c, const LayerCall& l) {
  Value* x = l.in();
  float slope = num(l.cfg, "negative_slope", 0.0f), threshold = num(l.cfg, "threshold", 0.0f);
  bool has_max = l.cfg.contains("max_value") && !l.cfg["max_value"].is_null();
  Value* y;
  if (threshold == 0.0f && slope == 0.0f) {
    y = c.op("Relu", {x});
  } else if (threshold == 0.0f) {
    y = c.op("LeakyRelu", {x}, {{"alpha", slope}});
  } else {  // x >= threshold ? x : slope * (x - threshold)
    Value* below = c.op("Mul", {c.op("Sub", {x, c.scalar(threshold)}), c.scalar(slope)});
    Value* cond = c.op("GreaterOrEqual", {x, c.scalar(threshold)});
    y = c.op("Where", {cond, x, below});
  }
  if (has_max) y = c.op("Min", {y, c.scalar(num(l.cfg, "max_value", 0.0f))});
  return {y};
}

Outs lower_leaky_relu(Ctx& c, const LayerCall& l) {
  float alpha = num(l.cfg, "negative_slope", num(l.cfg, "alpha", 0.3f));
  return {c.op("LeakyRelu", {l.in()}, {{"alpha", alpha}})};
}

Outs lower_prelu(Ctx& c, const LayerCall& l) {
  auto w = l.weights();
  if (w.empty()) c.fail("PReLU has no alpha weights");
  return {c.op("PRelu", {l.in(), c.constant(to_float32(w[0]), "alpha")})};
}

Outs lower_elu(Ctx& c, const LayerCall& l) { return {c.op("Elu", {l.in()}, {{"alpha", num(l.cfg, "alpha", 1.0f)}})}; }

Outs lower_thresholded_relu(Ctx& c, const LayerCall& l) {
  return {c.op("ThresholdedRelu", {l.in()}, {{"alpha", num(l.cfg, "theta", 1.0f)}})};
}

Outs lower_softmax(Ctx& c, const LayerCall& l) {
  const json& a = l.cfg.value("axis", json(-1));
  if (a.is_array() && a.size() != 1) c.fail("Softmax over several axes is not supported");
  int64_t axis = a.is_array() ? config_int(a[0]) : config_int(a);
  return {c.op("Softmax", {l.in()}, {{"axis", axis}})};
}

Outs lower_flatten(Ctx& c, const LayerCall& l) {
  Value* x = l.in();
  if (c.rank(x) == 2) return {x};
  if (str(l.cfg, "data_format", "channels_last") == "channels_first" && c.rank(x) > 2) x = c.to_channels_last(x);
  Value* y = c.op("Flatten", {x}, {{"axis", (int64_t)1}});
  return {y};
}

Outs lower_reshape(Ctx& c, const LayerCall& l) {
  std::vector<int64_t> shape{0};
  for (auto& d : l.cfg.at("target_shape")) shape.push_back(d.is_null() ? -1 : config_int(d));
  Value* y = c.op("Reshape", {l.in(), c.i64(shape)});
  return {y};
}

Outs lower_permute(Ctx& c, const LayerCall& l) {
  std::vector<int64_t> perm{0};
  for (auto& d : l.cfg.at("dims")) perm.push_back(config_int(d));
  return {c.transpose(l.in(), perm)};
}

Outs lower_repeat_vector(Ctx& c, const LayerCall& l) {
  int64_t n = config_int(l.cfg.at("n"));
  Value* u = c.op("Unsqueeze", {l.in(), c.i64({1})});
  Value* y = c.op("Tile", {u, c.i64({1, n, 1})});
  return {y};
}

Outs lower_concatenate(Ctx& c, const LayerCall& l) {
  return {c.op("Concat", l.inputs, {{"axis", (int64_t)l.cfg.value("axis", -1)}})};
}

static Value* fold(Ctx& c, const std::string& op, const std::vector<Value*>& ins) {
  Value* y = ins.at(0);
  for (size_t i = 1; i < ins.size(); ++i) y = c.op(op, {y, ins[i]});
  return y;
}

Outs lower_add(Ctx& c, const LayerCall& l) { return {fold(c, "Add", l.inputs)}; }
Outs lower_subtract(Ctx& c, const LayerCall& l) { return {c.op("Sub", {l.in(0), l.in(1)})}; }
Outs lower_multiply(Ctx& c, const LayerCall& l) { return {fold(c, "Mul", l.inputs)}; }
Outs lower_average(Ctx& c, const LayerCall& l) { return {c.op("Mean", l.inputs)}; }
Outs lower_maximum(Ctx& c, const LayerCall& l) { return {c.op("Max", l.inputs)}; }
Outs lower_minimum(Ctx& c, const LayerCall& l) { return {c.op("Min", l.inputs)}; }

// keras.layers.Dot: batch_dot of two batched tensors over one axis each (optionally L2-normalized
// along those axes first) as one Einsum; a rank-1 result gets a trailing unit axis like batch_dot.
Outs lower_dot(Ctx& c, const LayerCall& l) {
  if (l.inputs.size() != 2) c.fail("Dot needs exactly two inputs");
  Value *x = l.in(0), *y = l.in(1);
  int rx = c.need_rank(x), ry = c.need_rank(y);
  const json& a = l.cfg.at("axes");
  std::vector<int64_t> axes = a.is_array() ? std::vector<int64_t>{config_int(a.at(0)), config_int(a.at(1))}
                                           : std::vector<int64_t>{config_int(a), config_int(a)};
  int ranks[2] = {rx, ry};
  for (int i = 0; i < 2; ++i) {
    if (axes[i] < 0) axes[i] += ranks[i];
    if (axes[i] <= 0 || axes[i] >= ranks[i]) c.fail("Dot axes must name a non-batch axis of each input");
  }
  if (flag(l.cfg, "normalize", false)) {
    auto l2 = [&](Value* v, int64_t axis) {
      Value* ss = c.op("ReduceSum", {c.op("Mul", {v, v}), c.i64({axis})}, {{"keepdims", (int64_t)1}});
      return c.op("Div", {v, c.op("Sqrt", {c.op("Max", {ss, c.scalar(1e-12f)})})});
    };
    x = l2(x, axes[0]);
    y = l2(y, axes[1]);
  }
  // Equation: batch 'a', the contracted axis 'z', the other axes fresh letters.
  char next = 'b';
  std::string ex = "a", ey = "a", out = "a";
  for (int i = 1; i < rx; ++i) {
    char ch = i == axes[0] ? 'z' : next++;
    ex += ch;
    if (ch != 'z') out += ch;
  }
  for (int i = 1; i < ry; ++i) {
    char ch = i == axes[1] ? 'z' : next++;
    ey += ch;
    if (ch != 'z') out += ch;
  }
  if (next > 'y') c.fail("Dot inputs have too many axes");
  Value* r = c.op("Einsum", {x, y}, {{"equation", ex + "," + ey + "->" + out}});
  if (out.size() == 1) r = c.op("Unsqueeze", {r, c.i64({1})});
  return {r};
}

// ((before, after), ...) per spatial axis from an int, a per-axis list, or per-axis pairs; anything
// else (too few or too many axes, negative amounts) is a config error naming the field.
static std::vector<std::pair<int64_t, int64_t>> spatial_pairs(Ctx& c, const json& v, size_t n, const char* field) {
  std::vector<std::pair<int64_t, int64_t>> out;
  auto amount = [&](const json& x) {
    if (!x.is_number_integer() || config_int(x) < 0 || config_int(x) > (int64_t(1) << 40))
      c.fail(std::string(field) + " " + x.dump().substr(0, 40) + " is not a non-negative integer");
    return config_int(x);
  };
  if (v.is_number()) return std::vector<std::pair<int64_t, int64_t>>(n, {amount(v), amount(v)});
  if (!v.is_array()) c.fail(std::string(field) + " is " + v.dump().substr(0, 40) + ", expected a number or a list");
  if (n == 1 && v.size() == 2 && v[0].is_number()) return {{amount(v[0]), amount(v[1])}};
  for (auto& e : v) {
    if (e.is_number()) out.push_back({amount(e), amount(e)});
    else if (e.is_array() && e.size() == 2) out.push_back({amount(e[0]), amount(e[1])});
    else c.fail(std::string(field) + " entry " + e.dump().substr(0, 40) + " is not an amount or a (before, after) pair");
  }
  if (out.size() != n)
    c.fail(std::string(field) + " gives " + std::to_string(out.size()) + " axes, the layer has " + std::to_string(n));
  return out;
}

static Outs zero_padding(Ctx& c, const LayerCall& l, size_t nd) {
  auto p = spatial_pairs(c, l.cfg.at("padding"), nd, "padding");
  bool cf = str(l.cfg, "data_format", "channels_last") == "channels_first";
  size_t r = nd + 2;
  std::vector<int64_t> pads(2 * r, 0);
  for (size_t i = 0; i < nd; ++i) {
    size_t axis = cf ? i + 2 : i + 1;
    pads[axis] = p[i].first;
    pads[r + axis] = p[i].second;
  }
  return {c.op("Pad", {l.in(), c.i64(pads)}, {{"mode", std::string("constant")}})};
}
Outs lower_zero_padding1d(Ctx& c, const LayerCall& l) { return zero_padding(c, l, 1); }
Outs lower_zero_padding2d(Ctx& c, const LayerCall& l) { return zero_padding(c, l, 2); }
Outs lower_zero_padding3d(Ctx& c, const LayerCall& l) { return zero_padding(c, l, 3); }

static Outs cropping(Ctx& c, const LayerCall& l, size_t nd) {
  auto p = spatial_pairs(c, l.cfg.at("cropping"), nd, "cropping");
  bool cf = str(l.cfg, "data_format", "channels_last") == "channels_first";
  std::vector<int64_t> starts, ends, axes;
  for (size_t i = 0; i < nd; ++i) {
    starts.push_back(p[i].first);
    ends.push_back(p[i].second == 0 ? INT64_MAX : -p[i].second);
    axes.push_back(cf ? (int64_t)i + 2 : (int64_t)i + 1);
  }
  return {c.op("Slice", {l.in(), c.i64(starts), c.i64(ends), c.i64(axes)})};
}
Outs lower_cropping1d(Ctx& c, const LayerCall& l) { return cropping(c, l, 1); }
Outs lower_cropping2d(Ctx& c, const LayerCall& l) { return cropping(c, l, 2); }
Outs lower_cropping3d(Ctx& c, const LayerCall& l) { return cropping(c, l, 3); }

static Outs upsampling(Ctx& c, const LayerCall& l, size_t nd) {
  auto size = ints(l.cfg.value("size", json(2)), nd);
  bool bilinear = str(l.cfg, "interpolation", "nearest") == "bilinear";
  Value* x = l.in();
  std::vector<float> scales{1.0f};
  for (auto s : size) scales.push_back((float)s);
  scales.push_back(1.0f);
  std::map<std::string, Attribute> attrs;
  if (bilinear) {
    x = c.to_channels_first(x);
    scales = {1.0f, 1.0f};
    for (auto s : size) scales.push_back((float)s);
    attrs = {{"mode", std::string("linear")}, {"coordinate_transformation_mode", std::string("half_pixel")}};
  } else {
    attrs = {{"mode", std::string("nearest")}, {"coordinate_transformation_mode", std::string("asymmetric")},
             {"nearest_mode", std::string("floor")}};
  }
  Value* y = c.op("Resize", {x, nullptr, c.f32(scales, {(int64_t)scales.size()}, "scales")}, attrs);
  return {bilinear ? c.to_channels_last(y) : y};
}
Outs lower_upsampling1d(Ctx& c, const LayerCall& l) { return upsampling(c, l, 1); }
Outs lower_upsampling2d(Ctx& c, const LayerCall& l) { return upsampling(c, l, 2); }

Outs lower_embedding(Ctx& c, const LayerCall& l) {
  auto w = l.weights();
  if (w.empty()) c.fail("Embedding has no weights");
  Value* x = l.in();
  Value* idx = c.cast(x, DType::Int64);
  Value* y = c.op("Gather", {c.constant(to_float32(w[0]), "embeddings"), idx}, {{"axis", (int64_t)0}});
  if (flag(l.cfg, "mask_zero", false)) {
    Value* m = c.op("Not", {c.op("Equal", {idx, c.constant(Tensor::i64_scalar(0), "zero")})});
    c.masks[y] = m;
  }
  return {y};
}

Outs lower_masking(Ctx& c, const LayerCall& l) {
  Value* x = l.in();
  float mv = num(l.cfg, "mask_value", 0.0f);
  Value* ne = c.op("Not", {c.op("Equal", {x, c.scalar(mv)})});
  Value* nef = c.cast(ne, DType::Float32);
  Value* keep = c.op("ReduceMax", {nef, c.i64({-1})}, {{"keepdims", (int64_t)1}});
  Value* y = c.op("Mul", {x, keep});
  Value* m = c.cast(c.op("Squeeze", {keep, c.i64({-1})}), DType::Bool);
  c.masks[y] = m;
  return {y};
}

Outs lower_rescaling(Ctx& c, const LayerCall& l) {
  auto vec = [&](const char* k, float def) {
    const json& v = l.cfg.value(k, json(def));
    std::vector<float> out;
    if (v.is_array()) for (auto& e : v) out.push_back(e.get<float>());
    else out.push_back(v.is_number() ? v.get<float>() : def);
    return out;
  };
  auto scale = vec("scale", 1.0f), offset = vec("offset", 0.0f);
  Value* y = c.op("Mul", {l.in(), c.f32(scale, {(int64_t)scale.size()}, "scale")});
  return {c.op("Add", {y, c.f32(offset, {(int64_t)offset.size()}, "offset")})};
}

Outs lower_normalization(Ctx& c, const LayerCall& l) {
  // (x - mean) / max(sqrt(variance), epsilon); adapted statistics are weights (mean, variance, count),
  // fixed ones are in the config. Only the last axis is supported.
  const json& a = l.cfg.value("axis", json(-1));
  int64_t axis = a.is_array() ? (a.size() == 1 ? config_int(a[0]) : 0) : a.is_number() ? config_int(a) : 0;
  int r = c.rank(l.in());
  if (!(axis == -1 || (r > 0 && axis == r - 1))) c.fail("Normalization is only supported over the last axis");
  if (flag(l.cfg, "invert", false)) c.fail("Normalization(invert=True) is not supported");
  auto w = l.weights();
  std::vector<float> mean, var;
  if (w.size() >= 2) {
    mean = floats(w[0]);
    var = floats(w[1]);
  } else {
    for (auto& v : l.cfg.value("mean", json::array())) mean.push_back(v.get<float>());
    for (auto& v : l.cfg.value("variance", json::array())) var.push_back(v.get<float>());
    if (l.cfg.value("mean", json()).is_number()) mean = {l.cfg["mean"].get<float>()};
    if (l.cfg.value("variance", json()).is_number()) var = {l.cfg["variance"].get<float>()};
  }
  if (mean.empty() || mean.size() != var.size()) c.fail("Normalization has no mean/variance");
  std::vector<float> inv(var.size());
  for (size_t i = 0; i < var.size(); ++i) inv[i] = 1.0f / std::max(std::sqrt(var[i]), 1e-7f);
  int64_t n = (int64_t)mean.size();
  Value* y = c.op("Sub", {l.in(), c.f32(mean, {n}, "mean")});
  return {c.op("Mul", {y, c.f32(inv, {n}, "inv_std")})};
}

Outs lower_layer_normalization(Ctx& c, const LayerCall& l) {
  Value* x = l.in();
  std::vector<int64_t> axes;
  const json& a = l.cfg.value("axis", json(-1));
  if (a.is_array()) for (auto& e : a) axes.push_back(config_int(e));
  else axes.push_back(config_int(a));
  float eps = num(l.cfg, "epsilon", 1e-3f);
  auto w = l.weights();
  size_t wi = 0;
  Value* mean = c.op("ReduceMean", {x, c.i64(axes)}, {{"keepdims", (int64_t)1}});
  Value* d = c.op("Sub", {x, mean});
  Value* var = c.op("ReduceMean", {c.op("Mul", {d, d}), c.i64(axes)}, {{"keepdims", (int64_t)1}});
  Value* y = c.op("Div", {d, c.op("Sqrt", {c.op("Add", {var, c.scalar(eps)})})});
  if (flag(l.cfg, "scale", true) && wi < w.size()) y = c.op("Mul", {y, c.constant(to_float32(w[wi++]), "gamma")});
  if (flag(l.cfg, "center", true) && wi < w.size()) y = c.op("Add", {y, c.constant(to_float32(w[wi++]), "beta")});
  return {y};
}

}  // namespace modelport::keras

// The op forms of opsets 9 and 10 (TensorRT 7, OpenCV DNN, older mobile runtimes): attributes where
// opset 11 takes inputs, non-negative axes, and exact decompositions of ops added in 10..12. Each
// form throws "<op> needs opset >= N" when the node cannot be expressed. Picked by op_forms.cpp.
#include <algorithm>
#include <cmath>
#include <limits>

#include "emit/op_form_helpers.h"

namespace modelport::emit {
namespace {

bool is_float(DType t) { return t == DType::Float32 || t == DType::Float64 || t == DType::Float16; }

// Constant input i as floats (the caller checked that it is constant).
std::vector<float> const_floats(EmitCtx& c, size_t i) {
  const Tensor* t = c.const_input(i);
  std::vector<float> v(size_t(t->numel()));
  for (int64_t k = 0; k < t->numel(); ++k) v[size_t(k)] = float(t->as_double(k));
  return v;
}

}  // namespace

int64_t nonneg_axis(EmitCtx& c, int64_t axis, int64_t rank) {
  if (axis >= 0 || c.opset() >= 11) return axis;
  if (rank < 0) rank = c.rank_of(0, "for a negative axis");
  if (axis + rank < 0) c.fail("axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank));
  return axis + rank;
}

std::vector<int64_t> nonneg_axes(EmitCtx& c, std::vector<int64_t> axes, int64_t rank) {
  for (auto& a : axes) a = nonneg_axis(c, a, rank);
  return axes;
}

std::string write_equal(EmitCtx& c, const std::string& a, const std::string& b, DType dt, const std::string& out) {
  if (c.opset() >= 11 || dt == DType::Bool || dt == DType::Int32 || dt == DType::Int64)
    return c.add1("Equal", {a, b}, out);
  if (is_float(dt)) {  // neither less nor greater, and no NaN on either side
    std::string ordered = c.add1("Or", {c.add1("Less", {a, b}), c.add1("Greater", {a, b})});
    std::string nan = c.add1("Or", {c.add1("IsNaN", {a}), c.add1("IsNaN", {b})});
    return c.add1("Not", {c.add1("Or", {ordered, nan})}, out);
  }
  if (dt == DType::String || dt == DType::Undefined)
    needs_opset(c, std::string("Equal on ") + dtype_name(dt), 11);
  // Other integer types: a cast to int64 keeps distinct values distinct.
  auto wide = [&](const std::string& v) { return c.add1("Cast", {v}, "", {{"to", int64_t{onnx_dtype(DType::Int64)}}}); };
  return c.add1("Equal", {wide(a), wide(b)}, out);
}

std::string write_slice(EmitCtx& c, const std::string& data, const std::vector<int64_t>& starts,
                        const std::vector<int64_t>& ends, const std::vector<int64_t>& axes, const std::string& out) {
  if (c.opset() < 10) return c.add1("Slice", {data}, out, {{"starts", starts}, {"ends", ends}, {"axes", axes}});
  return c.add1("Slice", {data, c.ints(starts, "starts"), c.ints(ends, "ends"), c.ints(axes, "axes")}, out);
}

// ---------------------------------------------------------------- axis attributes: non-negative below 11
void axis_attr_legacy(EmitCtx& c) {
  const Node& n = c.node();
  std::set<std::string> skip = drop_late_attrs(c);
  if (!n.has_attr("axis") || n.attr_int("axis", 0) >= 0) {
    c.write_as_is(skip);
    return;
  }
  skip.insert("axis");
  onnx::NodeProto* p = c.write_as_is(skip);
  c.set_attr(p, "axis", nonneg_axis(c, n.attr_int("axis", 0)));  // Flatten too: -k counts from the rank
}

// ---------------------------------------------------------------- Slice: attributes at 9, no negative axes at 10
void slice_legacy(EmitCtx& c) {
  const Node& n = c.node();
  const int opset = c.opset();
  bool has_axes = n.input(3) != nullptr;
  if (has_axes && !c.const_input(3)) needs_opset(c, "Slice with non-constant axes", 11);
  std::vector<int64_t> axes;
  if (has_axes) axes = nonneg_axes(c, c.const_ints(3, "axes"));
  if (opset >= 10) {
    onnx::NodeProto* p = c.write_as_is(drop_late_attrs(c));
    if (has_axes) set_input(p, 3, c.ints(axes, "axes"));
    return;
  }
  if (!c.const_input(1) || !c.const_input(2)) needs_opset(c, "Slice with non-constant starts/ends", 10);
  if (n.input(4)) {
    if (!c.const_input(4)) needs_opset(c, "Slice with steps", 10);
    auto steps = c.const_ints(4, "steps");
    if (std::any_of(steps.begin(), steps.end(), [](int64_t s) { return s != 1; }))
      needs_opset(c, "Slice with steps", 10);
  }
  onnx::NodeProto* p = c.write_as_is(drop_late_attrs(c));
  keep_inputs(p, 1);
  c.set_attr(p, "starts", c.const_ints(1, "starts"));
  c.set_attr(p, "ends", c.const_ints(2, "ends"));
  if (has_axes) c.set_attr(p, "axes", axes);
}

// ---------------------------------------------------------------- TopK: k attribute at 9
void topk_legacy(EmitCtx& c) {
  std::set<std::string> skip = drop_late_attrs(c);
  if (c.opset() >= 10) {
    c.write_as_is(skip);
    return;
  }
  if (!c.const_input(1)) needs_opset(c, "TopK with a non-constant k", 10);
  auto k = c.const_ints(1, "k");
  if (k.size() != 1) c.fail("k must hold one value");
  onnx::NodeProto* p = c.write_as_is(skip);
  keep_inputs(p, 1);
  c.set_attr(p, "k", k[0]);
}

// ---------------------------------------------------------------- Clip: min/max attributes below 11
void clip_legacy(EmitCtx& c) {
  const Node& n = c.node();
  DType dt = c.dtype_of(0, "to write Clip below opset 11");
  if (!is_float(dt)) needs_opset(c, std::string("Clip on ") + dtype_name(dt), 12);
  std::map<std::string, float> bounds;
  for (size_t i : {1, 2}) {
    if (!n.input(i)) continue;
    const Tensor* t = c.const_input(i);
    if (!t || t->numel() != 1) needs_opset(c, "Clip with non-constant min/max", 11);
    bounds[i == 1 ? "min" : "max"] = float(t->as_double(0));
  }
  onnx::NodeProto* p = c.write_as_is(drop_late_attrs(c));
  keep_inputs(p, 1);
  for (auto& [k, v] : bounds) c.set_attr(p, k, v);
}

// ---------------------------------------------------------------- Pad: pads/value attributes below 11
void pad_legacy(EmitCtx& c) {
  const Node& n = c.node();
  DType dt = c.dtype_of(0, "to write Pad below opset 11");
  if (!is_float(dt)) needs_opset(c, std::string("Pad on ") + dtype_name(dt), 11);
  if (!c.const_input(1) || (n.input(3) && !c.const_input(3)))
    needs_opset(c, "Pad with non-constant pads", 11);
  std::vector<int64_t> pads = full_pads(c);
  bool has_value = n.input(2) != nullptr;
  float value = 0.f;
  if (has_value) {
    const Tensor* t = c.const_input(2);
    if (!t || t->numel() != 1) needs_opset(c, "Pad with a non-constant value", 11);
    value = float(t->as_double(0));
  }
  onnx::NodeProto* p = c.write_as_is(drop_late_attrs(c));
  keep_inputs(p, 1);
  c.set_attr(p, "pads", pads);
  if (has_value) c.set_attr(p, "value", value);
}

// ---------------------------------------------------------------- Resize: Upsample-9 / Resize-10
void resize_legacy(EmitCtx& c) {
  // Upsample-9 and Resize-10 take (X, scales) and map coordinates the asymmetric way (x_in =
  // x_out / scale), nearest rounding down: the 11 form with 'asymmetric' and nearest_mode 'floor'.
  const Node& n = c.node();
  const int opset = c.opset();
  drop_late_attrs(c);  // refuses non-default antialias/axes/keep_aspect_ratio_policy
  std::string mode = n.attr_string("mode", "nearest");
  if (mode != "nearest" && mode != "linear") needs_opset(c, "Resize mode '" + mode + "'", 11);
  std::string ctm = n.attr_string("coordinate_transformation_mode", "half_pixel");
  if (ctm != "asymmetric") needs_opset(c, "Resize coordinate_transformation_mode '" + ctm + "'", 11);
  std::string nearest = n.attr_string("nearest_mode", "round_prefer_floor");
  if (mode == "nearest" && nearest != "floor") needs_opset(c, "Resize nearest_mode '" + nearest + "'", 11);
  if (n.attr_int("exclude_outside", 0) != 0) needs_opset(c, "Resize exclude_outside", 11);
  std::string scales;
  std::vector<float> known;  // constant scales
  if (n.input(2)) {
    scales = c.in(2);
    if (c.const_input(2)) known = const_floats(c, 2);
  } else {
    if (!n.input(3) || !c.const_input(3)) needs_opset(c, "Resize with a dynamic output size", 11);
    auto sizes = c.const_ints(3, "sizes");
    const Value* x = n.input(0);
    if (!x->shape.rank_known || x->shape.rank() != sizes.size())
      needs_opset(c, "Resize to sizes of an input of unknown rank", 11);
    for (size_t i = 0; i < sizes.size(); ++i) {
      const Dim& d = x->shape.dims[i];
      if (!d.is_fixed() || d.value == 0) needs_opset(c, "Resize to fixed sizes of a dynamic input", 11);
      // The runtime computes the output size as int(scale * input size) in float: the smallest
      // float scale that reaches the size.
      float s = float(sizes[i]) / float(d.value);
      while (int64_t(s * float(d.value)) < sizes[i]) s = std::nextafter(s, std::numeric_limits<float>::infinity());
      known.push_back(s);
    }
    scales = c.constant(Tensor::f32(known), "scales");
  }
  if (opset < 10 && std::any_of(known.begin(), known.end(), [](float s) { return s < 1.f; }))
    needs_opset(c, "Resize downsampling", 10);
  c.add1(opset < 10 ? "Upsample" : "Resize", {c.in(0), scales}, c.out(0), {{"mode", mode}});
}

// ---------------------------------------------------------------- Gemm: C required below 11
void gemm_legacy(EmitCtx& c) {
  onnx::NodeProto* p = c.write_as_is(drop_late_attrs(c));
  if (!c.node().input(2)) set_input(p, 2, c.scalar(c.dtype_of(0, "for Gemm's zero C"), 0.0, "C"));
}

// ---------------------------------------------------------------- Gather: no negative indices below 11
void gather_legacy(EmitCtx& c) {
  const Node& n = c.node();
  const Value* data = n.input(0);
  int64_t axis = n.attr_int("axis", 0);
  if (const Tensor* t = c.const_input(1)) {
    auto idx = t->to_int_vector();
    if (std::none_of(idx.begin(), idx.end(), [](int64_t i) { return i < 0; })) {
      c.write_as_is(drop_late_attrs(c));
      return;
    }
    int64_t r = c.rank_of(0, "for negative Gather indices");
    int64_t a = axis < 0 ? axis + r : axis;
    if (a < 0 || a >= r || !data->shape.dims[a].is_fixed())
      needs_opset(c, "Gather with negative indices into a dynamic axis", 11);
    for (auto& i : idx)
      if (i < 0) i += data->shape.dims[a].value;
    Tensor fixed = Tensor::i64(idx);
    fixed.dims = t->dims;
    if (t->dtype != DType::Int64) fixed = Tensor::from_vector<int32_t>(DType::Int32, {idx.begin(), idx.end()}, t->dims);
    onnx::NodeProto* p = c.write_as_is(drop_late_attrs(c));
    set_input(p, 1, c.constant(fixed, "indices"));
    return;
  }
  // Dynamic indices: Where(i < 0, i + dim, i).
  DType it = c.dtype_of(1, "for Gather indices below opset 11");
  std::string dim;
  int64_t r = data && data->shape.rank_known ? int64_t(data->shape.rank()) : -1;
  int64_t a = axis < 0 && r >= 0 ? axis + r : axis;
  if (a >= 0 && r > a && data->shape.dims[a].is_fixed()) {
    dim = c.scalar(it, double(data->shape.dims[a].value), "dim");
  } else {
    if (a < 0) a = nonneg_axis(c, axis);
    dim = c.add1("Gather", {c.add1("Shape", {c.in(0)}), c.constant(Tensor::i64_scalar(a), "axis")});
    if (it != DType::Int64) dim = c.add1("Cast", {dim}, "", {{"to", int64_t{onnx_dtype(it)}}});
  }
  std::string i = c.in(1);
  std::string neg = c.add1("Less", {i, c.scalar(it, 0.0, "zero")});
  std::string idx = c.add1("Where", {neg, c.add1("Add", {i, dim}), i});
  onnx::NodeProto* p = c.write_as_is(drop_late_attrs(c));
  set_input(p, 1, idx);
}

// ---------------------------------------------------------------- DepthToSpace: no mode attribute below 11
void depth_to_space_legacy(EmitCtx& c) {
  // The old op is DCR. CRD reads input channel c*b*b + i*b + j where DCR reads (i*b + j)*C' + c:
  // a constant channel Gather turns one layout into the other.
  const Node& n = c.node();
  std::string mode = n.attr_string("mode", "DCR");
  if (mode == "DCR") {
    c.write_as_is({"mode"});
    return;
  }
  const Value* x = n.input(0);
  int64_t b = n.attr_int("blocksize", 1);
  if (!x->shape.rank_known || x->shape.rank() != 4 || !x->shape.dims[1].is_fixed() || b <= 0 ||
      x->shape.dims[1].value % (b * b) != 0)
    needs_opset(c, "DepthToSpace mode 'CRD' with a dynamic channel count", 11);
  int64_t ch = x->shape.dims[1].value, inner = ch / (b * b);
  std::vector<int64_t> idx(static_cast<size_t>(ch));
  for (int64_t k = 0; k < ch; ++k) idx[size_t(k)] = (k % inner) * b * b + k / inner;
  std::string dcr = c.add1("Gather", {c.in(0), c.ints(idx, "crd_channels")}, "", {{"axis", int64_t{1}}});
  c.add1("DepthToSpace", {dcr}, c.out(0), {{"blocksize", b}});
}

// ---------------------------------------------------------------- MaxPool: no ceil_mode at 9
void maxpool_9(EmitCtx& c) {
  // ceil_mode rounds the output size up: extra end padding of stride - 1 does the same (padding
  // never wins a max). Exact while no window would start inside the end padding, i.e. when
  // stride + end pad <= kernel on every axis (PyTorch drops such windows).
  const Node& n = c.node();
  if (n.attr_int("ceil_mode", 0) == 0) {
    c.write_as_is(drop_late_attrs(c));
    return;
  }
  auto k = n.attr_ints("kernel_shape");
  auto s = n.attr_ints("strides", std::vector<int64_t>(k.size(), 1));
  auto pads = n.attr_ints("pads", std::vector<int64_t>(2 * k.size(), 0));
  auto dil = n.attr_ints("dilations", std::vector<int64_t>(k.size(), 1));
  bool ok = n.attr_string("auto_pad", "NOTSET") == "NOTSET" && s.size() == k.size() && pads.size() == 2 * k.size() &&
            std::all_of(dil.begin(), dil.end(), [](int64_t d) { return d == 1; });
  for (size_t i = 0; ok && i < k.size(); ++i) ok = s[i] + pads[k.size() + i] <= k[i];
  if (!ok) needs_opset(c, "MaxPool attribute ceil_mode", 10);
  for (size_t i = 0; i < k.size(); ++i) pads[k.size() + i] += s[i] - 1;
  onnx::NodeProto* p = c.write_as_is({"ceil_mode", "dilations", "pads"});
  c.set_attr(p, "pads", pads);
}

// ---------------------------------------------------------------- Mod (10): integers at 9
void mod_9(EmitCtx& c) {
  // t = a - b * (a / b) is the remainder with the sign of a (Div truncates integers); Mod's default
  // (fmod=0) takes the sign of b: t + b where t != 0 and t, b differ in sign.
  const Node& n = c.node();
  DType dt = c.dtype_of(0, "to decompose Mod");
  if (dt != DType::Int32 && dt != DType::Int64) needs_opset(c, std::string("Mod on ") + dtype_name(dt), 10);
  std::string a = c.in(0), b = c.in(1);
  std::string t = c.add1("Sub", {a, c.add1("Mul", {b, c.add1("Div", {a, b})})});
  if (n.attr_int("fmod", 0) != 0) {
    c.add1("Identity", {t}, c.out(0));
    return;
  }
  std::string zero = c.scalar(dt, 0.0, "zero");
  std::string signs_differ = c.add1("Xor", {c.add1("Less", {t, zero}), c.add1("Less", {b, zero})});
  std::string fix = c.add1("And", {c.add1("Not", {write_equal(c, t, zero, dt)}), signs_differ});
  c.add1("Where", {fix, c.add1("Add", {t, b}), t}, c.out(0));
}

// ---------------------------------------------------------------- comparisons
void equal_legacy(EmitCtx& c) { write_equal(c, c.in(0), c.in(1), c.dtype_of(0, "to write Equal below opset 11"), c.out(0)); }

void compare_or_equal(EmitCtx& c) {
  std::string strict = c.node().op == "GreaterOrEqual" ? "Greater" : "Less";
  DType dt = c.dtype_of(0, "to write GreaterOrEqual/LessOrEqual below opset 12");
  std::string eq = write_equal(c, c.in(0), c.in(1), dt);
  c.add1("Or", {c.add1(strict, {c.in(0), c.in(1)}), eq}, c.out(0));
}

// ---------------------------------------------------------------- activations newer than 9
void celu_decomposed(EmitCtx& c) {
  // celu(x) = max(0, x) + min(0, alpha * (exp(x / alpha) - 1)) = alpha * elu(x / alpha)
  DType dt = c.dtype_of(0, "to decompose Celu");
  std::string alpha = c.scalar(dt, c.node().attr_float("alpha", 1.f), "alpha");
  std::string e = c.add1("Elu", {c.add1("Div", {c.in(0), alpha})}, "", {{"alpha", 1.f}});
  c.add1("Mul", {e, alpha}, c.out(0));
}

void thresholded_relu_9(EmitCtx& c) {
  DType dt = c.dtype_of(0, "to decompose ThresholdedRelu");
  std::string above = c.add1("Greater", {c.in(0), c.scalar(dt, c.node().attr_float("alpha", 1.f), "alpha")});
  c.add1("Where", {above, c.in(0), c.scalar(dt, 0.0, "zero")}, c.out(0));
}

void isinf_9(EmitCtx& c) {
  // Beyond the largest finite value of the type lies only infinity.
  const Node& n = c.node();
  DType dt = c.dtype_of(0, "to decompose IsInf");
  if (dt != DType::Float32 && dt != DType::Float64)
    needs_opset(c, std::string("IsInf on ") + dtype_name(dt), 10);
  double big = dt == DType::Float32 ? double(std::numeric_limits<float>::max()) : std::numeric_limits<double>::max();
  auto above = [&](const std::string& out) { return c.add1("Greater", {c.in(0), c.scalar(dt, big, "max")}, out); };
  auto below = [&](const std::string& out) { return c.add1("Less", {c.in(0), c.scalar(dt, -big, "lowest")}, out); };
  bool pos = n.attr_int("detect_positive", 1) != 0, neg = n.attr_int("detect_negative", 1) != 0;
  if (pos && neg) c.add1("Or", {above(""), below("")}, c.out(0));
  else if (pos) above(c.out(0));
  else if (neg) below(c.out(0));
  else c.add1("And", {above(""), below("")}, c.out(0));  // never true
}

}  // namespace modelport::emit

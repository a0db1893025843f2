// The per-op table: IR ops carry the newest ONNX semantics; each entry below is one op form, valid
// from its `since` opset. For a node the emitter picks the entry with the largest `since` <= the
// requested opset. Ops without an entry are written as is when ONNX (onnx 1.12's schema registry)
// has them at the requested opset.
#include <onnx/defs/schema.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <map>

#include "emit/emit_context.h"
#include "emit/op_form_helpers.h"
#include "emit/op_forms.h"
#include "modelport/tensor_ops.h"
#include "modelport/emit.h"

namespace modelport {
namespace emit {
namespace {

using WriteFn = void (*)(EmitCtx&);

struct Form {
  const char* op;
  int since;          // first opset this form is valid for
  WriteFn write;
  const char* notes;  // for the op table; empty for the newest form
  bool decomposed = false;  // written as other ops (the op itself does not appear)
};

}  // namespace

void needs_opset(const EmitCtx& c, const std::string& what, int min) {
  const Node& n = c.node();
  throw Error(what + " needs opset >= " + std::to_string(min) + " (requested " + std::to_string(c.opset()) +
              "): node '" + n.name + "'" + (n.source.empty() || n.source == n.name ? "" : " (" + n.source + ")"));
}

namespace {

// Attributes added to an op after its first form. Below `since` the attribute is dropped when it
// holds its default, otherwise the node cannot be written.
struct LateAttr {
  const char* op;
  const char* attr;
  int since;
  std::variant<int64_t, std::string> def;  // default value
};
const LateAttr kLateAttrs[] = {
    {"ArgMax", "select_last_index", 12, int64_t{0}}, {"ArgMin", "select_last_index", 12, int64_t{0}},
    {"GatherND", "batch_dims", 12, int64_t{0}},      {"Reshape", "allowzero", 14, int64_t{0}},
    {"ScatterElements", "reduction", 16, std::string("none")},
    {"ScatterND", "reduction", 16, std::string("none")},
    {"BatchNormalization", "training_mode", 14, int64_t{0}},
    {"Cast", "saturate", 19, int64_t{1}},            {"CastLike", "saturate", 19, int64_t{1}},
    {"Resize", "antialias", 18, int64_t{0}},         {"Resize", "keep_aspect_ratio_policy", 18, std::string("stretch")},
    {"Resize", "axes", 18, int64_t{-1}},  // no default: always an error below 18
    {"AveragePool", "dilations", 19, int64_t{-1}}, {"LpPool", "dilations", 18, int64_t{-1}},
    {"LpPool", "ceil_mode", 18, int64_t{0}},
    {"MaxPool", "ceil_mode", 10, int64_t{0}},        {"MaxPool", "dilations", 10, int64_t{-1}},
    {"AveragePool", "ceil_mode", 10, int64_t{0}},
    {"TopK", "largest", 11, int64_t{1}},             {"TopK", "sorted", 11, int64_t{1}},
    // per-axis (per-channel) quantization: no default, always an error below 13
    {"QuantizeLinear", "axis", 13, std::string()},   {"DequantizeLinear", "axis", 13, std::string()},
};

// String attribute values added after the attribute itself: below `since` the node cannot be written.
struct LateValue {
  const char* op;
  const char* attr;
  const char* value;
  int since;
};
const LateValue kLateValues[] = {
    {"ScatterElements", "reduction", "max", 18}, {"ScatterElements", "reduction", "min", 18},
    {"ScatterND", "reduction", "max", 18},       {"ScatterND", "reduction", "min", 18},
    {"Pad", "mode", "wrap", 19},                 {"Resize", "coordinate_transformation_mode", "half_pixel_symmetric", 19},
};

void check_late_values(const EmitCtx& c) {
  const Node& n = c.node();
  for (auto& lv : kLateValues)
    if (n.op == lv.op && c.opset() < lv.since && n.attr_string(lv.attr, "") == lv.value)
      needs_opset(c, n.op + " " + lv.attr + " '" + lv.value + "'", lv.since);
}

bool holds_default(const Attribute& a, const std::variant<int64_t, std::string>& def) {
  if (auto* i = std::get_if<int64_t>(&a)) return std::holds_alternative<int64_t>(def) && *i == std::get<int64_t>(def);
  if (auto* s = std::get_if<std::string>(&a))
    return std::holds_alternative<std::string>(def) && *s == std::get<std::string>(def);
  if (auto* v = std::get_if<std::vector<int64_t>>(&a))  // dilations: all ones is the default
    return std::all_of(v->begin(), v->end(), [](int64_t d) { return d == 1; });
  return false;
}

}  // namespace

std::set<std::string> drop_late_attrs(EmitCtx& c) {
  std::set<std::string> drop;
  const Node& n = c.node();
  for (auto& la : kLateAttrs) {
    if (n.op != la.op || c.opset() >= la.since) continue;
    auto it = n.attrs.find(la.attr);
    if (it == n.attrs.end()) continue;
    if (!holds_default(it->second, la.def))
      needs_opset(c, n.op + " attribute " + la.attr, la.since);
    drop.insert(la.attr);
  }
  return drop;
}

void keep_inputs(onnx::NodeProto* p, int k) {
  while (p->input_size() > k || (p->input_size() && p->input(p->input_size() - 1).empty()))
    p->mutable_input()->RemoveLast();
}
void set_input(onnx::NodeProto* p, int i, const std::string& name) {
  while (p->input_size() <= i) p->add_input("");
  p->set_input(i, name);
}
bool output_used(EmitCtx& c, size_t i) {
  const auto& outs = c.node().outputs;
  return i < outs.size() && !outs[i]->uses().empty();
}

void as_is(EmitCtx& c) { c.write_as_is(drop_late_attrs(c)); }

namespace {

// ---------------------------------------------------------------- Squeeze / Unsqueeze: axes input since 13
void axes_to_attr(EmitCtx& c) {
  std::set<std::string> skip = drop_late_attrs(c);
  bool has_axes = c.node().input(1) != nullptr;
  if (c.node().op == "Unsqueeze" && !has_axes) c.fail("axes input is required");
  std::vector<int64_t> axes;
  if (has_axes) axes = c.const_ints(1, "axes");
  if (c.opset() < 11 && std::any_of(axes.begin(), axes.end(), [](int64_t a) { return a < 0; })) {
    int64_t r = c.rank_of(0, "for negative axes");  // Unsqueeze: axes index the output
    axes = nonneg_axes(c, axes, c.node().op == "Unsqueeze" ? r + int64_t(axes.size()) : r);
  }
  onnx::NodeProto* p = c.write_as_is(skip);
  keep_inputs(p, 1);
  if (has_axes) c.set_attr(p, "axes", axes);
}

// ---------------------------------------------------------------- Reduce*: axes input (ReduceSum 13, others 18)
void reduce_axes_attr(EmitCtx& c) {
  bool noop = c.node().attr_int("noop_with_empty_axes", 0) != 0;
  std::vector<int64_t> axes;
  if (c.node().input(1)) axes = c.const_ints(1, "axes");
  if (axes.empty() && noop) {  // empty axes + noop: the input passes through
    c.add1("Identity", {c.in(0)}, c.out(0));
    return;
  }
  std::set<std::string> skip = drop_late_attrs(c);
  skip.insert("noop_with_empty_axes");
  if (c.opset() < 11) axes = nonneg_axes(c, axes);
  onnx::NodeProto* p = c.write_as_is(skip);
  keep_inputs(p, 1);
  if (!axes.empty()) c.set_attr(p, "axes", axes);  // no axes attribute: reduce over all axes
}

// ---------------------------------------------------------------- Split: split input since 13, num_outputs 18
void split_old(EmitCtx& c) {
  const Node& n = c.node();
  std::vector<int64_t> sizes;
  bool explicit_sizes = n.input(1) != nullptr;
  if (explicit_sizes && c.opset() < 13) sizes = c.const_ints(1, "split");
  if (!explicit_sizes && n.has_attr("num_outputs")) {
    // Before 18 a split without sizes is an equal split; 18 lets the last chunk be smaller.
    int64_t k = n.attr_int("num_outputs", 1);
    const Value* x = n.input(0);
    int64_t axis = n.attr_int("axis", 0);
    if (x && x->shape.rank_known && axis < 0) axis += static_cast<int64_t>(x->shape.rank());
    if (x && x->shape.rank_known && axis >= 0 && axis < (int64_t)x->shape.rank() && x->shape.dims[axis].is_fixed() &&
        k > 0 && x->shape.dims[axis].value % k != 0) {
      int64_t dim = x->shape.dims[axis].value, chunk = (dim + k - 1) / k;
      for (int64_t i = 0; i < k; ++i) sizes.push_back(std::max<int64_t>(0, std::min(chunk, dim - i * chunk)));
      explicit_sizes = true;
    }
  }
  std::set<std::string> skip = drop_late_attrs(c);
  skip.insert("num_outputs");
  if (c.opset() < 11) skip.insert("axis");
  onnx::NodeProto* p = c.write_as_is(skip);
  if (c.opset() < 11) c.set_attr(p, "axis", nonneg_axis(c, n.attr_int("axis", 0)));
  if (c.opset() < 13) {
    keep_inputs(p, 1);
    if (explicit_sizes) c.set_attr(p, "split", sizes);
  } else if (explicit_sizes && !sizes.empty() && !n.input(1)) {
    set_input(p, 1, c.ints(sizes, "split"));
  }
}

// Split-18 needs the split input or num_outputs: an equal split without either gets num_outputs.
void split_18(EmitCtx& c) {
  const Node& n = c.node();
  onnx::NodeProto* p = c.write_as_is(drop_late_attrs(c));
  if (!n.input(1) && !n.has_attr("num_outputs")) c.set_attr(p, "num_outputs", int64_t(n.outputs.size()));
}

// ---------------------------------------------------------------- Pad: axes input 18 (wrap mode 19: kLateValues)
}  // namespace

std::vector<int64_t> full_pads(EmitCtx& c) {
  auto pads = c.const_ints(1, "pads");
  if (!c.node().input(3)) return pads;
  auto axes = c.const_ints(3, "axes");  // pads for the listed axes only -> pads for every axis
  int64_t r = c.rank_of(0, "to expand Pad axes");
  if (pads.size() != 2 * axes.size()) c.fail("pads has " + std::to_string(pads.size()) + " values for " +
                                             std::to_string(axes.size()) + " axes");
  std::vector<int64_t> full(2 * r, 0);
  for (size_t j = 0; j < axes.size(); ++j) {
    int64_t a = axes[j] < 0 ? axes[j] + r : axes[j];
    if (a < 0 || a >= r) c.fail("axis " + std::to_string(axes[j]) + " out of range");
    full[a] = pads[j];
    full[a + r] = pads[j + axes.size()];
  }
  return full;
}

namespace {

void pad_full(EmitCtx& c) {
  bool expand = c.node().input(3) != nullptr;
  std::vector<int64_t> full;
  if (expand) full = full_pads(c);
  onnx::NodeProto* p = c.write_as_is(drop_late_attrs(c));
  keep_inputs(p, 3);
  if (expand) set_input(p, 1, c.ints(full, "pads"));
}

// ---------------------------------------------------------------- Resize: 18 adds attributes; roi required before 13
void resize_old(EmitCtx& c) {
  onnx::NodeProto* p = c.write_as_is(drop_late_attrs(c));
  if (c.opset() < 13) {
    // Resize-11: roi and scales are required inputs; an empty float tensor means "not given".
    Tensor empty = Tensor::f32({});
    for (int i : {1, 2})
      if (i >= p->input_size() || p->input(i).empty()) set_input(p, i, c.constant(empty, i == 1 ? "roi" : "scales"));
  }
}

// ---------------------------------------------------------------- Softmax family: single-axis semantics since 13
void softmax_old(EmitCtx& c) {
  // Before 13 these ops flatten the input to 2-D at `axis`; that equals the single-axis form only
  // when `axis` is the last axis. Otherwise move the axis last with a Transpose and back.
  const Node& n = c.node();
  int64_t axis = n.attr_int("axis", -1);
  bool last = axis == -1;
  int64_t r = 0;
  if (!last || c.opset() < 11) {
    r = c.rank_of(0, "to move a non-last softmax axis");
    if (axis < 0) axis += r;
    if (axis < 0 || axis >= r) c.fail("axis out of range");
    last = axis == r - 1;
  }
  if (last) {  // negative axes need opset 11
    onnx::NodeProto* p = c.write_as_is({"axis"});
    c.set_attr(p, "axis", c.opset() < 11 ? r - 1 : int64_t{-1});
    return;
  }
  std::vector<int64_t> perm(r);
  for (int64_t i = 0; i < r; ++i) perm[i] = i;
  std::swap(perm[axis], perm[r - 1]);  // a swap is its own inverse
  std::string t = c.add1("Transpose", {c.in(0)}, "", {{"perm", perm}});
  std::string s = c.add1(n.op, {t}, "", {{"axis", int64_t{-1}}});
  c.add1("Transpose", {s}, c.out(0), {{"perm", perm}});
}

// ---------------------------------------------------------------- LayerNormalization (17)
void layernorm_decomposed(EmitCtx& c) {
  // The ONNX function body of LayerNormalization-17: computed in stash_type (float) and cast back.
  const Node& n = c.node();
  int64_t axis = n.attr_int("axis", -1);
  float eps = n.attr_float("epsilon", 1e-5f);
  if (n.attr_int("stash_type", 1) != 1) c.fail("only stash_type=1 (float) can be decomposed");
  std::vector<int64_t> axes;
  if (axis < 0 && c.opset() >= 11) {  // -k..-1: no rank needed
    for (int64_t a = axis; a < 0; ++a) axes.push_back(a);
  } else {
    int64_t r = c.rank_of(0, "for a non-negative LayerNormalization axis");
    if (axis < 0) axis += r;
    for (int64_t a = axis; a < r; ++a) axes.push_back(a);
  }
  DType dt = c.dtype_of(0, "to decompose LayerNormalization");
  DType cdt = DType::Float32;
  bool cast = dt != cdt;
  auto to = [&](const std::string& v, DType t) {
    return c.add1("Cast", {v}, "", {{"to", int64_t{onnx_dtype(t)}}});
  };
  std::string x = cast ? to(c.in(0), cdt) : c.in(0);
  std::string mean = c.add1("ReduceMean", {x}, "", {{"axes", axes}, {"keepdims", int64_t{1}}});
  std::string d = c.add1("Sub", {x, mean});
  std::string var = c.add1("ReduceMean", {c.add1("Mul", {d, d})}, "", {{"axes", axes}, {"keepdims", int64_t{1}}});
  std::string sd = c.add1("Sqrt", {c.add1("Add", {var, c.scalar(cdt, eps, "epsilon")})});
  std::string norm = c.add1("Div", {d, sd});
  if (cast) norm = to(norm, dt);
  bool bias = n.input(2) != nullptr;
  std::string y = c.add1("Mul", {norm, c.in(1)}, bias ? "" : c.out(0));
  if (bias) c.add1("Add", {y, c.in(2)}, c.out(0));
  if (output_used(c, 1)) c.add1("Identity", {mean}, c.out(1));
  if (output_used(c, 2)) c.add1("Reciprocal", {sd}, c.out(2));
}

// ---------------------------------------------------------------- Gelu (20)
void gelu_decomposed(EmitCtx& c) {
  DType dt = c.dtype_of(0, "to decompose Gelu");
  std::string x = c.in(0), approx = c.node().attr_string("approximate", "none");
  std::string inner;
  if (approx == "tanh") {  // 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))
    std::string x3 = c.add1("Mul", {c.add1("Mul", {x, x}), x});
    std::string s = c.add1("Add", {x, c.add1("Mul", {x3, c.scalar(dt, 0.044715, "gelu_c")})});
    inner = c.add1("Tanh", {c.add1("Mul", {s, c.scalar(dt, std::sqrt(2.0 / M_PI), "sqrt_2_over_pi")})});
  } else if (approx == "none") {  // 0.5 * x * (1 + erf(x / sqrt(2)))
    inner = c.add1("Erf", {c.add1("Div", {x, c.scalar(dt, std::sqrt(2.0), "sqrt2")})});
  } else {
    c.fail("unknown approximate '" + approx + "'");
  }
  std::string one_plus = c.add1("Add", {inner, c.scalar(dt, 1.0, "one")});
  c.add1("Mul", {c.add1("Mul", {x, one_plus}), c.scalar(dt, 0.5, "half")}, c.out(0));
}

// ---------------------------------------------------------------- GroupNormalization: per-channel scale/bias since 21
void groupnorm_18(EmitCtx& c) {
  // GroupNormalization-18 takes scale/bias per group and has no stash_type. Normalize with unit
  // per-group scale and zero bias (in float, as stash_type=1 asks), then apply the per-channel
  // scale and bias of the 21 form broadcast over the spatial axes.
  const Node& n = c.node();
  if (n.attr_int("stash_type", 1) != 1) c.fail("only stash_type=1 (float) can be written below opset 21");
  int64_t groups = n.attr_int("num_groups", 0);
  if (groups <= 0) c.fail("num_groups must be positive");
  int64_t r = c.rank_of(0, "to broadcast per-channel GroupNormalization scale below opset 21");
  if (r < 2) c.fail("input rank must be at least 2");
  DType dt = c.dtype_of(0, "to write GroupNormalization below opset 21");
  bool cast = dt != DType::Float32;
  std::string x = cast ? c.add1("Cast", {c.in(0)}, "", {{"to", int64_t{onnx_dtype(DType::Float32)}}}) : c.in(0);
  std::vector<float> ones(groups, 1.f), zeros(groups, 0.f);
  std::string norm = c.add1("GroupNormalization", {x, c.constant(Tensor::f32(ones), "group_scale"),
                                                    c.constant(Tensor::f32(zeros), "group_bias")},
                            "", {{"num_groups", groups}, {"epsilon", n.attr_float("epsilon", 1e-5f)}});
  if (cast) norm = c.add1("Cast", {norm}, "", {{"to", int64_t{onnx_dtype(dt)}}});
  auto per_channel = [&](size_t i) {
    if (r == 2) return c.in(i);
    std::vector<int64_t> axes;
    for (int64_t a = 1; a < r - 1; ++a) axes.push_back(a);
    return c.add1("Unsqueeze", {c.in(i), c.ints(axes, "axes")});
  };
  std::string y = c.add1("Mul", {norm, per_channel(1)});
  c.add1("Add", {y, per_channel(2)}, c.out(0));
}

// ---------------------------------------------------------------- HardSwish (14), Mish (18)
void hardswish_decomposed(EmitCtx& c) {
  std::string h = c.add1("HardSigmoid", {c.in(0)}, "", {{"alpha", 1.0f / 6.0f}, {"beta", 0.5f}});
  c.add1("Mul", {c.in(0), h}, c.out(0));
}
void mish_decomposed(EmitCtx& c) {
  c.add1("Mul", {c.in(0), c.add1("Tanh", {c.add1("Softplus", {c.in(0)})})}, c.out(0));
}

// ---------------------------------------------------------------- Trilu (14)
// Below 14: Where(keep, x, 0), keep[i, j] = j - i >= k (upper) or j - i <= k (lower) over the last
// two axes: a constant mask when those dims and k are fixed, else built from Shape and Range (11).
void trilu_decomposed(EmitCtx& c) {
  const Node& n = c.node();
  int64_t r = c.rank_of(0, "Trilu below opset 14 needs the input's rank");
  if (r < 2) c.fail("Trilu needs an input of rank >= 2");
  DType dt = c.dtype_of(0, "Trilu below opset 14 needs the input's dtype");
  bool upper = n.attr_int("upper", 1) != 0;
  const Tensor* kt = n.input(1) ? c.const_input(1) : nullptr;
  bool k_known = !n.input(1) || kt;
  int64_t k = kt ? kt->as_int(0) : 0;
  const Dim& rows = n.input(0)->shape.dims[size_t(r - 2)];
  const Dim& cols = n.input(0)->shape.dims[size_t(r - 1)];
  std::string keep;
  if (k_known && rows.is_fixed() && cols.is_fixed()) {
    std::vector<uint8_t> mask(size_t(rows.value * cols.value));
    for (int64_t i = 0; i < rows.value; ++i)
      for (int64_t j = 0; j < cols.value; ++j) mask[size_t(i * cols.value + j)] = upper ? j - i >= k : j - i <= k;
    keep = c.constant(tensor_from_bytes(DType::Bool, {rows.value, cols.value}, std::move(mask)), "trilu_keep");
  } else {
    if (c.opset() < 11) needs_opset(c, "Trilu with symbolic rows/columns or a run-time diagonal", 11);
    std::string shape = c.add1("Shape", {c.in(0)});
    auto dim = [&](int64_t axis) {
      return c.add1("Gather", {shape, c.constant(Tensor::i64_scalar(axis), "trilu_axis")}, "", {{"axis", int64_t{0}}});
    };
    std::string zero = c.constant(Tensor::i64_scalar(0), "trilu_zero"), one = c.constant(Tensor::i64_scalar(1), "trilu_one");
    std::string row_ids = c.add1("Range", {zero, dim(r - 2), one}), col_ids = c.add1("Range", {zero, dim(r - 1), one});
    std::string column = c.opset() < 13 ? c.add1("Unsqueeze", {row_ids}, "", {{"axes", std::vector<int64_t>{1}}})
                                        : c.add1("Unsqueeze", {row_ids, c.ints({1}, "trilu_axes")});
    std::string diff = c.add1("Sub", {col_ids, column});
    std::string drop = c.add1(upper ? "Less" : "Greater", {diff, n.input(1) ? c.in(1) : zero});
    keep = c.add1("Not", {drop});
  }
  if (dt == DType::Bool) c.add1("And", {keep, c.in(0)}, c.out(0));  // ONNX Runtime has no bool Where
  else c.add1("Where", {keep, c.in(0), c.scalar(dt, 0.0, "trilu_fill")}, c.out(0));
}

// ---------------------------------------------------------------- Shape start/end (15)
void shape_slice(EmitCtx& c) {
  const Node& n = c.node();
  if (!n.has_attr("start") && !n.has_attr("end")) {
    c.write_as_is();
    return;
  }
  std::string s = c.add1("Shape", {c.in(0)});
  write_slice(c, s, {n.attr_int("start", 0)}, {n.attr_int("end", INT64_MAX)}, {0}, c.out(0));
}

// ---------------------------------------------------------------- BatchNormalization: inference form only
void batchnorm_inference(EmitCtx& c) {
  for (size_t i = 1; i < c.node().outputs.size(); ++i)
    if (output_used(c, i)) c.fail("training outputs (running mean/var) are not supported");
  if (c.node().attr_int("training_mode", 0) != 0) c.fail("training_mode=1 is not supported");
  std::set<std::string> skip = drop_late_attrs(c);
  skip.insert("training_mode");
  onnx::NodeProto* p = c.write_as_is(skip);
  while (p->output_size() > 1) p->mutable_output()->RemoveLast();
}

// ---------------------------------------------------------------- Dropout: ratio/training_mode inputs since 12
void dropout_10(EmitCtx& c) {
  const Node& n = c.node();
  if (n.input(2)) {
    const Tensor* t = c.const_input(2);
    if (!t || t->numel() != 1 || t->as_int(0) != 0) needs_opset(c, "Dropout with training_mode", 12);
  }
  if (c.opset() < 10 && output_used(c, 1)) needs_opset(c, "Dropout mask output", 10);
  float ratio = 0.5f;
  if (n.input(1)) {
    const Tensor* t = c.const_input(1);
    if (!t || t->numel() != 1) c.fail("ratio must be a constant scalar at opset " + std::to_string(c.opset()));
    ratio = static_cast<float>(t->as_double(0));
  }
  onnx::NodeProto* p = c.write_as_is();
  keep_inputs(p, 1);
  c.set_attr(p, "ratio", ratio);
}

// ---------------------------------------------------------------- Constant: value_* attributes since 12
void constant_11(EmitCtx& c) {
  const Node& n = c.node();
  if (n.has_attr("value")) {
    c.write_as_is();
    return;
  }
  Tensor t;
  for (auto& [k, a] : n.attrs) {
    if (k == "value_float") t = Tensor::f32_scalar(std::get<float>(a));
    else if (k == "value_floats") t = Tensor::f32(std::get<std::vector<float>>(a));
    else if (k == "value_int") t = Tensor::i64_scalar(std::get<int64_t>(a));
    else if (k == "value_ints") t = Tensor::i64(std::get<std::vector<int64_t>>(a));
    else if (k == "value_string" || k == "value_strings") {
      t.dtype = DType::String;
      if (k == "value_string") t.strings = {std::get<std::string>(a)};
      else t.strings = std::get<std::vector<std::string>>(a), t.dims = {(int64_t)t.strings.size()};
    }
  }
  if (t.dtype == DType::Undefined) needs_opset(c, "Constant without 'value'", 12);
  c.add1("Constant", {}, c.out(0), {{"value", t}});
}

// One row per op form. Notes describe the older forms.
const Form kForms[] = {
    {"Squeeze", 13, as_is, ""},
    {"Squeeze", 9, axes_to_attr, "axes input -> attribute below 13 (axes must be constant); non-negative axes below 11 (needs rank for negative ones)"},
    {"Unsqueeze", 13, as_is, ""},
    {"Unsqueeze", 9, axes_to_attr, "axes input -> attribute below 13 (axes must be constant); non-negative axes below 11 (needs rank for negative ones)"},
    {"ReduceSum", 13, as_is, ""},
    {"ReduceSum", 9, reduce_axes_attr, "axes input -> attribute below 13 (axes must be constant); non-negative axes below 11 (needs rank for negative ones)"},
#define REDUCE(op)                                                                            \
  {op, 18, as_is, ""}, {                                                                      \
    op, 9, reduce_axes_attr, "axes input -> attribute below 18 (axes must be constant); non-negative axes below 11 (needs rank for negative ones)" \
  }
    REDUCE("ReduceMean"), REDUCE("ReduceMax"), REDUCE("ReduceMin"), REDUCE("ReduceProd"), REDUCE("ReduceL1"),
    REDUCE("ReduceL2"), REDUCE("ReduceLogSum"), REDUCE("ReduceLogSumExp"), REDUCE("ReduceSumSquare"),
#undef REDUCE
    {"Split", 18, split_18, ""},
    {"Split", 9, split_old, "split input -> attribute below 13; num_outputs dropped below 18 (uneven split "
                            "-> explicit sizes when the dim is known); non-negative axis below 11"},
    {"Pad", 19, as_is, ""},
    {"Pad", 18, as_is, ""},
    {"Pad", 11, pad_full, "axes input expanded into full pads below 18 (needs rank)"},
    {"Pad", 9, pad_legacy, "9-10: pads/value attributes (must be constant), float data only"},
    {"Resize", 19, as_is, ""},
    {"Resize", 11, resize_old, "antialias/axes/keep_aspect_ratio_policy need 18; empty roi/scales inserted at 11-12"},
    {"Resize", 9, resize_legacy, "Upsample at 9 (no downsampling), Resize-10 at 10: nearest/linear, 'asymmetric' "
                                 "and nearest_mode 'floor' only; constant sizes -> scales (needs fixed dims)"},
    {"Softmax", 13, as_is, ""},
    {"Softmax", 9, softmax_old, "below 13 a non-last axis is moved last with Transpose (needs rank)"},
    {"LogSoftmax", 13, as_is, ""},
    {"LogSoftmax", 9, softmax_old, "below 13 a non-last axis is moved last with Transpose (needs rank)"},
    {"Hardmax", 13, as_is, ""},
    {"Hardmax", 9, softmax_old, "below 13 a non-last axis is moved last with Transpose (needs rank)"},
    {"LayerNormalization", 17, as_is, ""},
    {"LayerNormalization", 9, layernorm_decomposed, "decomposed below 17 (ReduceMean/Sub/Mul/Sqrt/Div)", true},
    {"Gelu", 20, as_is, ""},
    {"Gelu", 9, gelu_decomposed, "decomposed below 20 (Erf, or Tanh for approximate='tanh')", true},
    {"HardSwish", 14, as_is, ""},
    {"HardSwish", 9, hardswish_decomposed, "x * HardSigmoid(x, 1/6, 0.5) below 14", true},
    {"GroupNormalization", 21, as_is, ""},
    {"GroupNormalization", 18, groupnorm_18, "18-20: per-group form with unit scale, then per-channel Mul/Add "
                                             "(needs rank)"},
    {"Mish", 18, as_is, ""},
    {"Mish", 9, mish_decomposed, "x * Tanh(Softplus(x)) below 18", true},
    {"Shape", 15, as_is, ""},
    {"Shape", 1, shape_slice, "start/end -> Shape + Slice below 15"},
    {"BatchNormalization", 14, batchnorm_inference, "inference form only (no training outputs)"},
    {"BatchNormalization", 9, batchnorm_inference, "inference form only (no training outputs)"},
    {"Dropout", 12, as_is, ""},
    {"Dropout", 9, dropout_10, "ratio input -> attribute below 12 (inference only); mask output needs 10"},
    {"Constant", 12, as_is, ""},
    {"Constant", 1, constant_11, "value_* attributes -> value tensor below 12"},
    {"Trilu", 14, as_is, ""},
    {"Trilu", 9, trilu_decomposed, "Where with a mask below 14 (constant when the last two dims and k are fixed, "
                                   "else from Shape and Range, which need 11)", true},
    // Control flow: If/Loop-11, -13 and -16 changed only shape inference and type constraints
    // (sequences, optionals, bfloat16); the subgraph attributes are written the same way at every opset.
    {"If", 1, as_is, ""},
    {"Loop", 1, as_is, ""},
    // Opsets 9 and 10 (op_forms_legacy.cpp).
#define NONNEG_AXIS(op) {op, 11, as_is, ""}, {op, 9, axis_attr_legacy, "negative axis made non-negative below 11 (needs rank)"}
    NONNEG_AXIS("Concat"), NONNEG_AXIS("Flatten"), NONNEG_AXIS("ArgMax"), NONNEG_AXIS("ArgMin"),
#undef NONNEG_AXIS
    {"Slice", 11, as_is, ""},
    {"Slice", 9, slice_legacy, "attributes at 9 (constant starts/ends, steps 1); non-negative axes below 11"},
    {"TopK", 10, as_is, ""},
    {"TopK", 9, topk_legacy, "k attribute at 9 (k must be constant); largest/sorted need 11"},
    {"Mod", 10, as_is, ""},
    {"Mod", 9, mod_9, "integers only at 9: a - b * (a / b), sign fixed for fmod=0", true},
    {"MaxPool", 10, as_is, ""},
    {"MaxPool", 9, maxpool_9, "ceil_mode -> extra end padding at 9 (when stride + end pad <= kernel)"},
    {"Clip", 11, as_is, ""},
    {"Clip", 9, clip_legacy, "min/max attributes below 11 (must be constant), float data only"},
    {"Gemm", 11, as_is, ""},
    {"Gemm", 9, gemm_legacy, "zero C added below 11"},
    {"Gather", 11, as_is, ""},
    {"Gather", 9, gather_legacy, "negative indices made non-negative below 11 (Where(i < 0, i + dim, i) when dynamic)"},
    {"DepthToSpace", 11, as_is, ""},
    {"DepthToSpace", 9, depth_to_space_legacy, "mode 'CRD' -> channel Gather + DCR below 11 (needs a fixed channel count)"},
    {"Equal", 11, as_is, ""},
    {"Equal", 9, equal_legacy, "float operands: Not(Or(Less, Greater, IsNaN)) below 11"},
    {"GreaterOrEqual", 12, as_is, ""},
    {"GreaterOrEqual", 9, compare_or_equal, "Or(Greater, Equal) below 12", true},
    {"LessOrEqual", 12, as_is, ""},
    {"LessOrEqual", 9, compare_or_equal, "Or(Less, Equal) below 12", true},
    {"Celu", 12, as_is, ""},
    {"Celu", 9, celu_decomposed, "alpha * Elu(x / alpha) below 12", true},
    {"ThresholdedRelu", 10, as_is, ""},
    {"ThresholdedRelu", 9, thresholded_relu_9, "Where(x > alpha, x, 0) at 9", true},
    {"IsInf", 10, as_is, ""},
    {"IsInf", 9, isinf_9, "comparisons with the largest finite value at 9", true},
    // Ops newer than onnx 1.12's schemas (opset 17): written as is from their first opset.
    {"BitwiseAnd", 18, as_is, ""}, {"BitwiseNot", 18, as_is, ""}, {"BitwiseOr", 18, as_is, ""},
    {"BitwiseXor", 18, as_is, ""}, {"CenterCropPad", 18, as_is, ""}, {"Col2Im", 18, as_is, ""},
    {"DeformConv", 19, as_is, ""}, {"AffineGrid", 20, as_is, ""},
    {"ImageDecoder", 20, as_is, ""}, {"RegexFullMatch", 20, as_is, ""}, {"StringConcat", 20, as_is, ""},
    {"StringSplit", 20, as_is, ""},
    {"Attention", 23, as_is, ""}, {"RMSNormalization", 23, as_is, ""},
};

// First opset of every default-domain op in the bundled ONNX schemas.
const std::map<std::string, int>& schema_min_opsets() {
  static const std::map<std::string, int> m = [] {
    std::map<std::string, int> r;
    for (const auto& s : onnx::OpSchemaRegistry::get_all_schemas_with_history()) {
      if (!s.domain().empty() && s.domain() != "ai.onnx") continue;
      auto it = r.find(s.Name());
      if (it == r.end() || s.SinceVersion() < it->second) r[s.Name()] = s.SinceVersion();
    }
    return r;
  }();
  return m;
}

}  // namespace

void write_node(EmitCtx& c) {
  const Node& n = c.node();
  if (!n.domain.empty() && n.domain != "ai.onnx") {  // custom domains are the caller's business
    c.write_as_is();
    return;
  }
  const Form* best = nullptr;
  int min_since = INT_MAX;
  for (const Form& f : kForms) {
    if (n.op != f.op) continue;
    min_since = std::min(min_since, f.since);
    if (f.since <= c.opset() && (!best || f.since > best->since)) best = &f;
  }
  check_late_values(c);
  if (min_since != INT_MAX) {
    if (!best) needs_opset(c, n.op, min_since);
    best->write(c);
    return;
  }
  auto& schemas = schema_min_opsets();
  auto it = schemas.find(n.op);
  if (it == schemas.end()) c.fail("unknown ONNX operator");
  if (it->second > c.opset()) needs_opset(c, n.op, it->second);
  const onnx::OpSchema* s = onnx::OpSchemaRegistry::Schema(n.op, c.opset(), "");
  if (s && s->Deprecated()) c.fail("deprecated at opset " + std::to_string(c.opset()));
  as_is(c);
}

int single_node_opset(const std::string& op) {
  bool listed = false;
  int first = INT_MAX;
  for (const Form& f : kForms) {
    if (op != f.op) continue;
    listed = true;
    if (!f.decomposed) first = std::min(first, f.since);
  }
  if (listed) return first == INT_MAX ? 0 : first;
  auto it = schema_min_opsets().find(op);
  return it == schema_min_opsets().end() ? 0 : it->second;
}

}  // namespace emit

std::vector<OpInfo> emitter_op_table() {
  std::map<std::string, OpInfo> t;
  for (auto& [op, since] : emit::schema_min_opsets()) t[op] = OpInfo{op, since, ""};
  for (auto& f : emit::kForms) {
    OpInfo& info = t[f.op];
    if (info.op.empty() || f.since < info.min_opset) info.min_opset = f.since;
    info.op = f.op;
    if (*f.notes) info.notes = info.notes.empty() ? f.notes : info.notes;
  }
  for (auto& la : emit::kLateAttrs) {
    OpInfo& info = t[la.op];
    if (info.op.empty()) continue;
    std::string note = std::string(la.attr) + " needs " + std::to_string(la.since);
    if (info.notes.find(note) == std::string::npos && info.notes.find(la.attr) == std::string::npos)
      info.notes += (info.notes.empty() ? "" : "; ") + note;
  }
  for (auto& lv : emit::kLateValues) {
    OpInfo& info = t[lv.op];
    if (info.op.empty()) continue;
    std::string note = std::string(lv.attr) + " '" + lv.value + "' needs " + std::to_string(lv.since);
    info.notes += (info.notes.empty() ? "" : "; ") + note;
  }
  std::vector<OpInfo> out;
  for (auto& [k, v] : t)
    if (!v.op.empty()) out.push_back(v);
  return out;
}

}  // namespace modelport

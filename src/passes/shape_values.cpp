#include "passes/shape_values.h"

#include <algorithm>
#include <set>

#include "modelport/tensor_ops.h"
#include "passes/nn_shapes.h"

namespace modelport {

bool DimValues::all_fixed() const {
  return std::all_of(dims.begin(), dims.end(), [](const ShapeEntry& d) { return d.is_fixed(); });
}

std::vector<int64_t> DimValues::fixed() const {
  std::vector<int64_t> out;
  for (auto& d : dims) out.push_back(d.value);
  return out;
}

namespace {

int64_t norm(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

// Python-style slice of `n` elements: the indices taken.
std::vector<int64_t> slice_indices(int64_t n, int64_t s, int64_t e, int64_t st) {
  std::vector<int64_t> idx;
  if (st == 0) return idx;
  if (s < 0) s += n;
  if (e < 0) e += n;
  if (st > 0) {
    s = std::clamp<int64_t>(s, 0, n);
    e = std::clamp<int64_t>(e, 0, n);
    for (int64_t i = s; i < e; i += st) idx.push_back(i);
  } else {
    s = std::clamp<int64_t>(s, 0, n - 1);
    e = std::clamp<int64_t>(e, -1, n - 1);
    for (int64_t i = s; i > e; i += st) idx.push_back(i);
  }
  return idx;
}

std::optional<std::vector<int64_t>> const_ints(const Value* v) {
  if (!v || !v->is_constant() || v->constant->dtype == DType::String || dtype_is_float(v->constant->dtype))
    return std::nullopt;
  return v->constant->to_int_vector();
}

// Keeps `cur`'s known dims and fills the unknown ones from `inferred`.
void merge_into(Value* v, const Shape& inferred) {
  if (!v || !inferred.rank_known) return;
  if (!v->shape.rank_known) {
    v->shape = inferred;
    return;
  }
  if (v->shape.rank() != inferred.rank()) return;
  for (size_t i = 0; i < inferred.rank(); ++i) {
    Dim& d = v->shape.dims[i];
    if (!d.is_fixed() && !d.is_symbol()) d = inferred.dims[i];
  }
}

Shape from_dims(const DimValues& dv) {
  std::vector<Dim> d;
  for (auto& e : dv.dims) d.push_back(e.dim());
  return Shape(d);
}

// Fixed product and symbols of `dims`; nullopt when a dim is unknown.
std::optional<std::pair<int64_t, std::multiset<std::string>>> factor(const std::vector<Dim>& dims) {
  int64_t fixed = 1;
  std::multiset<std::string> symbols;
  for (auto& d : dims) {
    if (d.is_fixed()) fixed *= d.value;
    else if (d.is_symbol()) symbols.insert(d.symbol);
    else return std::nullopt;
  }
  return std::make_pair(fixed, symbols);
}

std::optional<Shape> reshape_shape(const Shape& in, const DimValues& target, bool allowzero) {
  std::vector<Dim> out;
  int64_t infer = -1;
  std::vector<Dim> rest;  // the target without its -1
  for (size_t i = 0; i < target.dims.size(); ++i) {
    const ShapeEntry& e = target.dims[i];
    if (e.is_fixed() && e.value == 0 && !allowzero) {
      if (!in.rank_known || i >= in.rank()) return std::nullopt;
      out.push_back(in.dims[i]);
    } else if (e.is_fixed() && e.value == -1) {
      if (infer >= 0) return std::nullopt;
      infer = static_cast<int64_t>(i);
      out.push_back(Dim::unknown());
      continue;
    } else if (e.is_fixed() && e.value < 0) {
      return std::nullopt;
    } else {
      out.push_back(e.dim());
    }
    rest.push_back(out.back());
  }
  // The -1 is what is left of the input's size: its fixed part over the target's, times the
  // input's symbols the target does not name (at most one of them).
  auto fin = in.rank_known ? factor(in.dims) : std::nullopt;
  auto fout = factor(rest);
  if (infer >= 0 && fin && fout && fout->first > 0 && fin->first % fout->first == 0) {
    std::multiset<std::string> left = fin->second;
    bool subset = true;
    for (auto& sym : fout->second) {
      auto it = left.find(sym);
      if (it == left.end()) subset = false;
      else left.erase(it);
    }
    int64_t ratio = fin->first / fout->first;
    if (subset && left.empty()) out[infer] = Dim::fixed(ratio);
    else if (subset && left.size() == 1 && ratio == 1) out[infer] = Dim::sym(*left.begin());
  }
  return Shape(out);
}

std::optional<Shape> slice_shape(const Node& n, const Shape& in) {
  auto starts = const_ints(n.input(1)), ends = const_ints(n.input(2));
  if (!in.rank_known || !starts || !ends || starts->size() != ends->size()) return std::nullopt;
  std::vector<int64_t> axes, steps(starts->size(), 1);
  if (n.input(3)) {
    auto a = const_ints(n.input(3));
    if (!a) return std::nullopt;
    axes = *a;
  } else {
    for (size_t i = 0; i < starts->size(); ++i) axes.push_back(static_cast<int64_t>(i));
  }
  if (n.input(4)) {
    auto s = const_ints(n.input(4));
    if (!s) return std::nullopt;
    steps = *s;
  }
  if (axes.size() != starts->size() || steps.size() != starts->size()) return std::nullopt;
  std::vector<Dim> out = in.dims;
  int64_t rank = static_cast<int64_t>(in.rank());
  for (size_t k = 0; k < axes.size(); ++k) {
    int64_t ax = norm(axes[k], rank);
    if (ax < 0 || ax >= rank) return std::nullopt;
    const Dim& d = in.dims[ax];
    if (d.is_fixed()) {
      out[ax] = Dim::fixed(static_cast<int64_t>(slice_indices(d.value, (*starts)[k], (*ends)[k], steps[k]).size()));
    } else {
      bool whole = (*starts)[k] == 0 && (*ends)[k] >= (int64_t{1} << 31) && steps[k] == 1;
      out[ax] = whole ? d : Dim::unknown();
    }
  }
  return Shape(out);
}

std::optional<Shape> pad_shape(const Node& n, const Shape& in, const ShapeValues& sv) {
  auto pads = sv.get(n.input(1));
  if (!in.rank_known || !pads || !pads->all_fixed() || pads->dims.size() != 2 * in.rank() || n.input(3))
    return std::nullopt;
  std::vector<int64_t> p = pads->fixed();
  std::vector<Dim> out = in.dims;
  for (size_t i = 0; i < in.rank(); ++i) {
    int64_t add = p[i] + p[i + in.rank()];
    if (out[i].is_fixed()) out[i] = Dim::fixed(out[i].value + add);
    else if (add != 0) out[i] = Dim::unknown();
  }
  return Shape(out);
}

std::optional<Shape> concat_shape(const Node& n) {
  std::vector<const Shape*> in;
  for (Value* v : n.inputs) {
    if (!v || !v->shape.rank_known) return std::nullopt;
    in.push_back(&v->shape);
  }
  if (in.empty()) return std::nullopt;
  int64_t rank = static_cast<int64_t>(in[0]->rank());
  int64_t axis = norm(n.attr_int("axis", 0), rank);
  if (axis < 0 || axis >= rank) return std::nullopt;
  std::vector<Dim> out(rank);
  for (int64_t i = 0; i < rank; ++i) {
    int64_t sum = 0;
    bool all_fixed = true;
    for (auto* s : in) {
      if (static_cast<int64_t>(s->rank()) != rank) return std::nullopt;
      const Dim& d = s->dims[i];
      if (i == axis) {
        if (d.is_fixed()) sum += d.value;
        else all_fixed = false;
      } else if (d.is_fixed() || (d.is_symbol() && !out[i].is_fixed())) {
        out[i] = d;
      }
    }
    if (i == axis) out[i] = all_fixed ? Dim::fixed(sum) : Dim::unknown();
  }
  return Shape(out);
}

std::optional<Shape> axes_shape(const Node& n, const Shape& in, bool unsqueeze) {
  auto axes = n.input(1) ? const_ints(n.input(1)) : std::optional<std::vector<int64_t>>(n.attr_ints("axes"));
  if (!in.rank_known || !axes || axes->empty()) return std::nullopt;
  int64_t out_rank = static_cast<int64_t>(in.rank()) + (unsqueeze ? static_cast<int64_t>(axes->size()) : 0);
  std::set<int64_t> ax;
  for (int64_t a : *axes) ax.insert(norm(a, unsqueeze ? out_rank : static_cast<int64_t>(in.rank())));
  std::vector<Dim> out;
  if (unsqueeze) {
    size_t j = 0;
    for (int64_t i = 0; i < out_rank; ++i) out.push_back(ax.count(i) ? Dim::fixed(1) : in.dims.at(j++));
  } else {
    for (size_t i = 0; i < in.rank(); ++i)
      if (!ax.count(static_cast<int64_t>(i))) out.push_back(in.dims[i]);
  }
  return Shape(out);
}

std::optional<Shape> matmul_shape(const Shape& a, const Shape& b) {
  if (!a.rank_known || !b.rank_known || a.rank() < 2 || b.rank() < 2) return std::nullopt;
  Shape ba(std::vector<Dim>(a.dims.begin(), a.dims.end() - 2)), bb(std::vector<Dim>(b.dims.begin(), b.dims.end() - 2));
  Shape out = broadcast_shapes(ba, bb);
  out.dims.push_back(a.dims[a.rank() - 2]);
  out.dims.push_back(b.dims[b.rank() - 1]);
  return out;
}

const std::set<std::string>& same_shape_ops() {
  static const std::set<std::string> s = {
      "Identity", "Cast", "Relu", "Sigmoid", "Tanh", "Erf", "Exp", "Log", "Sqrt", "Neg", "Abs", "Not", "Floor",
      "Ceil", "Round", "Reciprocal", "Softmax", "LogSoftmax", "LayerNormalization", "HardSigmoid", "HardSwish",
      "LeakyRelu", "Elu", "Selu", "Celu", "Softplus", "Softsign", "Mish", "Gelu", "Clip", "BatchNormalization",
      "InstanceNormalization", "Dropout", "Sin", "Cos", "Sign", "IsNaN", "IsInf", "CumSum", "PRelu"};
  return s;
}

const std::set<std::string>& broadcast_ops() {
  static const std::set<std::string> s = {"Add", "Sub", "Mul", "Div", "Pow", "Mod", "Equal", "Less", "Greater",
                                          "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "Min", "Max",
                                          "Where", "Sum", "Mean"};
  return s;
}

}  // namespace

std::optional<DimValues> ShapeValues::get(const Value* v) const {
  if (!v) return std::nullopt;
  if (auto it = known_.find(v); it != known_.end()) return it->second;
  auto ints = const_ints(v);
  if (!ints || v->constant->dims.size() > 1) return std::nullopt;
  DimValues dv;
  dv.scalar = v->constant->dims.empty();
  for (int64_t i : *ints) dv.dims.push_back(ShapeEntry::of(i));
  return dv;
}

void ShapeValues::record(const Node& n) {
  if (n.outputs.size() != 1 || !n.domain.empty()) return;
  const Value* out = n.outputs[0];
  if (out->is_constant()) return;
  DimValues dv;
  const std::string& op = n.op;
  if (op == "Shape") {
    const Shape& s = n.input(0)->shape;
    if (!s.rank_known) return;
    int64_t r = static_cast<int64_t>(s.rank());
    int64_t b = std::clamp<int64_t>(norm(n.attr_int("start", 0), r), 0, r);
    int64_t e = std::clamp<int64_t>(n.has_attr("end") ? norm(n.attr_int("end", r), r) : r, 0, r);
    for (int64_t i = b; i < e; ++i) dv.dims.push_back(s.dims[i]);
  } else if (op == "Identity" || (op == "Cast" && n.attr_int("to", 0) == onnx_type_code(DType::Int64))) {
    auto in = get(n.input(0));
    if (!in) return;
    dv = *in;
  } else if (op == "Gather") {
    auto data = get(n.input(0));
    auto idx = const_ints(n.input(1));
    if (!data || data->scalar || !idx || n.attr_int("axis", 0) != 0 || n.input(1)->constant->dims.size() > 1) return;
    int64_t len = static_cast<int64_t>(data->dims.size());
    for (int64_t i : *idx) {
      i = norm(i, len);
      if (i < 0 || i >= len) return;
      dv.dims.push_back(data->dims[i]);
    }
    dv.scalar = n.input(1)->constant->dims.empty();
  } else if (op == "Slice") {
    auto data = get(n.input(0));
    auto s = const_ints(n.input(1)), e = const_ints(n.input(2));
    if (!data || data->scalar || !s || !e || s->size() != 1 || e->size() != 1) return;
    if (n.input(3)) {
      auto a = const_ints(n.input(3));
      if (!a || a->size() != 1 || norm((*a)[0], 1) != 0) return;
    }
    int64_t step = 1;
    if (n.input(4)) {
      auto st = const_ints(n.input(4));
      if (!st || st->size() != 1) return;
      step = (*st)[0];
    }
    for (int64_t i : slice_indices(static_cast<int64_t>(data->dims.size()), (*s)[0], (*e)[0], step))
      dv.dims.push_back(data->dims[i]);
  } else if (op == "Concat") {
    if (norm(n.attr_int("axis", 0), 1) != 0) return;
    for (Value* v : n.inputs) {
      auto in = get(v);
      if (!in || in->scalar) return;
      dv.dims.insert(dv.dims.end(), in->dims.begin(), in->dims.end());
    }
  } else if (op == "Unsqueeze") {
    auto in = get(n.input(0));
    if (!in || !in->scalar) return;
    dv.dims = in->dims;
  } else if (op == "Squeeze") {
    auto in = get(n.input(0));
    if (!in || in->scalar || in->dims.size() != 1) return;
    dv.dims = in->dims;
    dv.scalar = true;
  } else {
    return;
  }
  known_[out] = std::move(dv);
}

void refine_output_shapes(Node& n, const ShapeValues& sv) {
  if (!n.domain.empty() || n.outputs.empty() || !n.outputs[0] || n.inputs.empty() || !n.input(0)) return;
  const std::string& op = n.op;
  Value* out = n.outputs[0];
  const Shape& x = n.input(0)->shape;
  std::optional<Shape> s;
  if (same_shape_ops().count(op)) {
    s = x;
  } else if (broadcast_ops().count(op)) {
    Shape acc = x;
    for (size_t i = 1; i < n.inputs.size(); ++i) acc = n.input(i) ? broadcast_shapes(acc, n.input(i)->shape) : Shape();
    s = acc;
  } else if (op == "Transpose") {
    std::vector<int64_t> perm = n.attr_ints("perm");
    if (x.rank_known && perm.empty())
      for (size_t i = x.rank(); i-- > 0;) perm.push_back(static_cast<int64_t>(i));
    s = permute_shape(x, perm);
  } else if (op == "Reshape") {
    if (auto t = sv.get(n.input(1)); t && !t->scalar) s = reshape_shape(x, *t, n.attr_int("allowzero", 0) != 0);
  } else if (op == "Expand") {
    if (auto t = sv.get(n.input(1)); t && !t->scalar) s = broadcast_shapes(x, from_dims(*t));
  } else if (op == "ConstantOfShape") {
    if (auto t = sv.get(n.input(0)); t && !t->scalar) s = from_dims(*t);
  } else if (op == "Pad") {
    s = pad_shape(n, x, sv);
  } else if (op == "Slice") {
    s = slice_shape(n, x);
  } else if (op == "Concat") {
    s = concat_shape(n);
  } else if (op == "Unsqueeze" || op == "Squeeze") {
    s = axes_shape(n, x, op == "Unsqueeze");
  } else if (op == "MatMul" && n.input(1)) {
    s = matmul_shape(x, n.input(1)->shape);
  } else if (op == "Gather" && n.input(1) && x.rank_known && n.input(1)->shape.rank_known) {
    int64_t axis = norm(n.attr_int("axis", 0), static_cast<int64_t>(x.rank()));
    if (axis >= 0 && axis < static_cast<int64_t>(x.rank())) {
      std::vector<Dim> d(x.dims.begin(), x.dims.begin() + axis);
      d.insert(d.end(), n.input(1)->shape.dims.begin(), n.input(1)->shape.dims.end());
      d.insert(d.end(), x.dims.begin() + axis + 1, x.dims.end());
      s = Shape(d);
    }
  } else if (auto shapes = nn_output_shapes(n)) {
    for (size_t i = 0; i < shapes->size() && i < n.outputs.size(); ++i) merge_into(n.outputs[i], (*shapes)[i]);
  }
  if (s) merge_into(out, *s);
}

void refine_shapes(Graph& g) {
  ShapeValues sv;
  for (auto& n : g.nodes()) {
    for_each_subgraph_of(*n, [](Graph& sg) { refine_shapes(sg); });
    refine_output_shapes(*n, sv);
    sv.record(*n);
  }
}

}  // namespace modelport

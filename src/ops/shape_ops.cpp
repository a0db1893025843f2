// Ops that move, select or describe data without computing on it: Reshape, Transpose, Slice,
// Gather, Concat, Squeeze/Unsqueeze, Flatten, Expand, Pad, Shape/Size, ConstantOfShape, Range, and
// MatMul's shape. These carry the shape-value rules (how a Shape output flows through index math).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>

#include "modelport/tensor_ops.h"
#include "ops/eval_support.h"
#include "ops/op_def.h"
#include "ops/shape_support.h"

namespace modelport {
namespace ops {
namespace {

// ---- shape rules ----

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
      if (in.rank_known && i >= in.rank()) return std::nullopt;
      out.push_back(in.rank_known ? in.dims[i] : Dim::unknown());
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

// Slice with run-time starts or ends: the sliced axes (constant `axes`, or the first ones) unknown.
std::optional<Shape> slice_dynamic_shape(const Node& n, const Shape& in) {
  std::vector<Dim> out = in.dims;
  int64_t rank = static_cast<int64_t>(in.rank());
  if (n.input(3)) {
    auto axes = const_ints(n.input(3));
    if (!axes) return std::nullopt;
    for (int64_t a : *axes) {
      a = norm(a, rank);
      if (a < 0 || a >= rank) return std::nullopt;
      out[a] = Dim::unknown();
    }
    return Shape(out);
  }
  const Shape* s = known(n.input(1));
  if (!s || s->rank() != 1 || !s->dims[0].is_fixed() || s->dims[0].value > rank) return std::nullopt;
  for (int64_t i = 0; i < s->dims[0].value; ++i) out[i] = Dim::unknown();
  return Shape(out);
}

std::optional<Shape> slice_shape(const Node& n, const Shape& in) {
  auto starts = const_ints(n.input(1)), ends = const_ints(n.input(2));
  if (!in.rank_known) return std::nullopt;
  if (!starts || !ends) return slice_dynamic_shape(n, in);
  if (starts->size() != ends->size()) return std::nullopt;
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
      bool whole = ((*starts)[k] == 0 && (*ends)[k] >= (int64_t{1} << 31) && steps[k] == 1) ||
                   ((*starts)[k] == -1 && (*ends)[k] <= -(int64_t{1} << 31) && steps[k] == -1);  // reversed
      out[ax] = whole ? d : Dim::unknown();
    }
  }
  return Shape(out);
}

std::optional<Shape> pad_shape(const Node& n, const Shape& in, const ShapeValues& sv) {
  auto pads = sv.get(n.input(1));
  if (!in.rank_known || n.input(3)) return std::nullopt;
  if (!pads || !pads->all_fixed() || pads->dims.size() != 2 * in.rank())  // the rank stays
    return Shape(std::vector<Dim>(in.rank(), Dim::unknown()));
  std::vector<int64_t> p = pads->fixed();
  std::vector<Dim> out = in.dims;
  for (size_t i = 0; i < in.rank(); ++i) {
    int64_t add = p[i] + p[i + in.rank()];
    if (out[i].is_fixed()) out[i] = Dim::fixed(out[i].value + add);
    else if (add != 0) out[i] = Dim::unknown();
  }
  return Shape(out);
}

// x[s:] and x[:s] (Slice steps 1 along `axis`, the same `s`), in either order: x's whole axis.
bool complementary_slices(const Value* a, const Value* b, int64_t axis) {
  auto piece = [axis](const Value* v) -> const Node* {
    const Node* p = v->producer;
    if (!p || p->op != "Slice" || !p->domain.empty() || p->inputs.size() < 4 || !p->input(3)) return nullptr;
    auto ax = const_ints(p->input(3));
    const Shape* x = known(p->input(0));
    if (!ax || ax->size() != 1 || !x || norm((*ax)[0], static_cast<int64_t>(x->rank())) != axis) return nullptr;
    if (p->input(4)) {
      auto st = const_ints(p->input(4));
      if (!st || *st != std::vector<int64_t>{1}) return nullptr;
    }
    return p;
  };
  const Node *ta = piece(a), *tb = piece(b);
  if (!ta || !tb || ta->input(0) != tb->input(0)) return false;
  auto whole = [](const Node* tail, const Node* head) {
    auto end = const_ints(tail->input(2)), start = const_ints(head->input(1));
    return tail->input(1) == head->input(2) && end && end->size() == 1 && (*end)[0] >= (int64_t{1} << 31) && start &&
           *start == std::vector<int64_t>{0};
  };
  return whole(ta, tb) || whole(tb, ta);
}

// The inputs of known rank give the dims; one of unknown rank leaves the axis' size unknown.
std::optional<Shape> concat_shape(const Node& n) {
  std::vector<const Shape*> in;
  bool all_known = true;
  for (Value* v : n.inputs) {
    if (!v) return std::nullopt;
    if (v->shape.rank_known) in.push_back(&v->shape);
    else all_known = false;
  }
  if (in.empty()) return std::nullopt;
  int64_t rank = static_cast<int64_t>(in[0]->rank());
  int64_t axis = norm(n.attr_int("axis", 0), rank);
  if (axis < 0 || axis >= rank) return std::nullopt;
  std::vector<Dim> out(rank);
  for (int64_t i = 0; i < rank; ++i) {
    int64_t sum = 0;
    bool all_fixed = all_known;
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
  if (n.inputs.size() == 2 && complementary_slices(n.input(0), n.input(1), axis))
    out[axis] = n.input(0)->producer->input(0)->shape.dims[axis];
  return Shape(out);
}

std::optional<Shape> axes_shape(const Node& n, const Shape& in, bool unsqueeze) {
  auto axes = n.input(1) ? const_ints(n.input(1)) : std::optional<std::vector<int64_t>>(n.attr_ints("axes"));
  if (!unsqueeze && !n.input(1) && axes && axes->empty() && in.all_fixed()) {  // Squeeze without axes: the 1s go
    std::vector<Dim> out;
    for (auto& d : in.dims)
      if (d.value != 1) out.push_back(d);
    return Shape(out);
  }
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


Shapes transpose_shape(const Node& n, const ShapeValues&) {
  const Shape& x = n.input(0)->shape;
  std::vector<int64_t> perm = n.attr_ints("perm");
  if (x.rank_known && perm.empty())
    for (size_t i = x.rank(); i-- > 0;) perm.push_back(static_cast<int64_t>(i));
  return one(permute_shape(x, perm));
}

Shapes gather_shape(const Node& n, const ShapeValues&) {
  const Shape& x = n.input(0)->shape;
  const Shape* idx = known(n.input(1));
  if (!x.rank_known || !idx) return std::nullopt;
  int64_t axis = norm(n.attr_int("axis", 0), static_cast<int64_t>(x.rank()));
  if (axis < 0 || axis >= static_cast<int64_t>(x.rank())) return std::nullopt;
  std::vector<Dim> d(x.dims.begin(), x.dims.begin() + axis);
  d.insert(d.end(), idx->dims.begin(), idx->dims.end());
  d.insert(d.end(), x.dims.begin() + axis + 1, x.dims.end());
  return one(Shape(d));
}

Shapes flatten_shape(const Node& n, const ShapeValues&) {
  const Shape* x = known(n.input(0));
  if (!x) return std::nullopt;
  int64_t a = norm(n.attr_int("axis", 1), static_cast<int64_t>(x->rank()));
  if (a < 0 || a > static_cast<int64_t>(x->rank())) return std::nullopt;
  return one(Shape({product({x->dims.begin(), x->dims.begin() + a}), product({x->dims.begin() + a, x->dims.end()})}));
}

// Range: its length when the bounds are constants, or Range(0, n, 1) with n a known dim.
Shapes range_shape(const Node& n, const ShapeValues& sv) {
  auto scalar = [](const Value* v) -> std::optional<double> {
    if (!v || !v->is_constant() || v->constant->numel() != 1 || v->constant->dtype == DType::String) return std::nullopt;
    return v->constant->as_double(0);
  };
  auto start = scalar(n.input(0)), limit = scalar(n.input(1)), delta = scalar(n.input(2));
  if (start && limit && delta && *delta != 0)
    return one(Shape({Dim::fixed(std::max<int64_t>(0, static_cast<int64_t>(std::ceil((*limit - *start) / *delta))))}));
  auto lv = sv.get(n.input(1));
  if (start && *start == 0 && delta && *delta == 1 && lv && lv->scalar && lv->dims.size() == 1)
    return one(Shape({lv->dims[0].dim()}));
  return one(Shape({Dim::unknown()}));
}

// ---- constant evaluation ----

std::optional<Tensor> gather(const Node& n, const In& in) {
  if (!has(in, 1)) return std::nullopt;
  const Tensor &data = *in[0], &indices = *in[1];
  int64_t axis = norm_axis(n.attr_int("axis", 0), data.dims.size());
  if (axis < 0 || axis >= static_cast<int64_t>(data.dims.size())) return std::nullopt;
  std::vector<int64_t> idx = indices.to_int_vector();
  int64_t outer = count({data.dims.begin(), data.dims.begin() + axis});
  int64_t inner = count({data.dims.begin() + axis + 1, data.dims.end()});
  int64_t dim = data.dims[axis];
  std::vector<int64_t> out_dims(data.dims.begin(), data.dims.begin() + axis);
  out_dims.insert(out_dims.end(), indices.dims.begin(), indices.dims.end());
  out_dims.insert(out_dims.end(), data.dims.begin() + axis + 1, data.dims.end());
  if (count(out_dims) > kMaxFoldElements) return std::nullopt;
  size_t es = dtype_size(data.dtype);
  std::vector<uint8_t> bytes;
  bytes.reserve(count(out_dims) * es);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i : idx) {
      if (i < 0) i += dim;
      if (i < 0 || i >= dim) return std::nullopt;
      const uint8_t* p = data.raw() + ((o * dim + i) * inner) * es;
      bytes.insert(bytes.end(), p, p + inner * es);
    }
  return tensor_from_bytes(data.dtype, out_dims, std::move(bytes));
}

std::optional<Tensor> concat(const Node& n, const In& in) {
  const Tensor& first = *in[0];
  int64_t axis = norm_axis(n.attr_int("axis", 0), first.dims.size());
  if (axis < 0 || axis >= static_cast<int64_t>(first.dims.size())) return std::nullopt;
  std::vector<int64_t> out_dims = first.dims;
  out_dims[axis] = 0;
  for (auto* t : in) {
    if (!t || t->dtype != first.dtype || t->dims.size() != first.dims.size()) return std::nullopt;
    out_dims[axis] += t->dims[axis];
  }
  if (count(out_dims) > kMaxFoldElements) return std::nullopt;
  int64_t outer = count({first.dims.begin(), first.dims.begin() + axis});
  size_t es = dtype_size(first.dtype);
  std::vector<uint8_t> bytes;
  for (int64_t o = 0; o < outer; ++o)
    for (auto* t : in) {
      int64_t chunk = count({t->dims.begin() + axis, t->dims.end()}) * es;
      bytes.insert(bytes.end(), t->raw() + o * chunk, t->raw() + (o + 1) * chunk);
    }
  return tensor_from_bytes(first.dtype, out_dims, std::move(bytes));
}

std::optional<Tensor> slice(const Node&, const In& in) {
  if (!has(in, 2)) return std::nullopt;
  const Tensor& data = *in[0];
  size_t rank = data.dims.size();
  std::vector<int64_t> starts = in[1]->to_int_vector(), ends = in[2]->to_int_vector();
  std::vector<int64_t> axes, steps;
  if (has(in, 3)) axes = in[3]->to_int_vector();
  else for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  if (has(in, 4)) steps = in[4]->to_int_vector();
  else steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size()) return std::nullopt;
  std::vector<int64_t> start(rank, 0), step(rank, 1), out_dims = data.dims;
  for (size_t k = 0; k < axes.size(); ++k) {
    int64_t ax = norm_axis(axes[k], rank);
    if (ax < 0 || ax >= static_cast<int64_t>(rank) || steps[k] == 0) return std::nullopt;
    int64_t d = data.dims[ax], s = starts[k], e = ends[k], st = steps[k];
    if (s < 0) s += d;
    if (e < 0) e += d;
    if (st > 0) {
      s = std::clamp<int64_t>(s, 0, d);
      e = std::clamp<int64_t>(e, 0, d);
      out_dims[ax] = e > s ? (e - s + st - 1) / st : 0;
    } else {
      s = std::clamp<int64_t>(s, 0, d - 1);
      e = std::clamp<int64_t>(e, -1, d - 1);
      out_dims[ax] = s > e ? (s - e - st - 1) / -st : 0;
    }
    start[ax] = s;
    step[ax] = st;
  }
  int64_t total = count(out_dims);
  if (total > kMaxFoldElements) return std::nullopt;
  size_t es = dtype_size(data.dtype);
  std::vector<int64_t> in_strides = row_major_strides(data.dims), idx(rank, 0);
  std::vector<uint8_t> bytes(total * es);
  for (int64_t k = 0; k < total; ++k) {
    int64_t off = 0;
    for (size_t i = 0; i < rank; ++i) off += (start[i] + idx[i] * step[i]) * in_strides[i];
    std::memcpy(bytes.data() + k * es, data.raw() + off * es, es);
    advance_index(idx, out_dims);
  }
  return tensor_from_bytes(data.dtype, out_dims, std::move(bytes));
}

std::optional<std::vector<int64_t>> reshape_dims(const std::vector<int64_t>& in_dims, std::vector<int64_t> target,
                                                 bool allowzero) {
  int64_t known_size = 1, infer = -1;
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] == 0 && !allowzero) {
      if (i >= in_dims.size()) return std::nullopt;
      target[i] = in_dims[i];
    }
    if (target[i] == -1) {
      if (infer >= 0) return std::nullopt;
      infer = static_cast<int64_t>(i);
    } else {
      known_size *= target[i];
    }
  }
  int64_t total = count(in_dims);
  if (infer >= 0) {
    if (known_size == 0 || total % known_size) return std::nullopt;
    target[infer] = total / known_size;
  }
  if (count(target) != total) return std::nullopt;
  return target;
}

std::optional<Tensor> reshape(const Node& n, const In& in) {
  if (!has(in, 1)) return std::nullopt;
  auto d = reshape_dims(in[0]->dims, in[1]->to_int_vector(), n.attr_int("allowzero", 0) != 0);
  return d ? std::optional<Tensor>(with_dims(*in[0], *d)) : std::nullopt;
}

std::optional<Tensor> unsqueeze(const Node& n, const In& in) {
  const Tensor& x = *in[0];
  std::vector<int64_t> axes = has(in, 1) ? in[1]->to_int_vector() : n.attr_ints("axes");
  size_t out_rank = x.dims.size() + axes.size();
  std::vector<bool> added(out_rank, false);
  for (int64_t a : axes) {
    a = norm_axis(a, out_rank);
    if (a < 0 || a >= static_cast<int64_t>(out_rank) || added[a]) return std::nullopt;
    added[a] = true;
  }
  std::vector<int64_t> dims;
  size_t j = 0;
  for (size_t i = 0; i < out_rank; ++i) dims.push_back(added[i] ? 1 : x.dims[j++]);
  return with_dims(x, dims);
}

std::optional<Tensor> squeeze(const Node& n, const In& in) {
  const Tensor& x = *in[0];
  size_t rank = x.dims.size();
  std::vector<int64_t> axes = has(in, 1) ? in[1]->to_int_vector() : n.attr_ints("axes");
  std::vector<bool> drop(rank, axes.empty());
  if (axes.empty())
    for (size_t i = 0; i < rank; ++i) drop[i] = x.dims[i] == 1;
  for (int64_t a : axes) {
    a = norm_axis(a, rank);
    if (a < 0 || a >= static_cast<int64_t>(rank) || x.dims[a] != 1) return std::nullopt;
    drop[a] = true;
  }
  std::vector<int64_t> dims;
  for (size_t i = 0; i < rank; ++i)
    if (!drop[i]) dims.push_back(x.dims[i]);
  return with_dims(x, dims);
}

std::optional<Tensor> flatten(const Node& n, const In& in) {
  const Tensor& x = *in[0];
  int64_t axis = norm_axis(n.attr_int("axis", 1), x.dims.size());
  if (axis < 0 || axis > static_cast<int64_t>(x.dims.size())) return std::nullopt;
  return with_dims(x, {count({x.dims.begin(), x.dims.begin() + axis}), count({x.dims.begin() + axis, x.dims.end()})});
}

std::optional<Tensor> transpose(const Node& n, const In& in) {
  const Tensor& x = *in[0];
  std::vector<int64_t> perm = n.attr_ints("perm");
  if (perm.empty())
    for (size_t i = x.dims.size(); i-- > 0;) perm.push_back(static_cast<int64_t>(i));
  if (perm.size() != x.dims.size() || !is_permutation(perm)) return std::nullopt;
  return permute_tensor(x, perm);
}

// Shape's start/end attributes, clamped to [0, rank].
std::pair<int64_t, int64_t> shape_range(const Node& n, size_t rank) {
  int64_t r = static_cast<int64_t>(rank);
  int64_t b = std::clamp<int64_t>(norm_axis(n.attr_int("start", 0), rank), 0, r);
  int64_t e = std::clamp<int64_t>(n.has_attr("end") ? norm_axis(n.attr_int("end", r), rank) : r, 0, r);
  return {b, std::max(b, e)};
}

std::optional<Tensor> shape_of(const Node& n, const In& in) {
  const Tensor& x = *in[0];
  auto [b, e] = shape_range(n, x.dims.size());
  return Tensor::i64(std::vector<int64_t>(x.dims.begin() + b, x.dims.begin() + e));
}

std::optional<Tensor> constant_of_shape(const Node& n, const In& in) {
  std::vector<int64_t> dims = in[0]->to_int_vector();
  if (count(dims) > kMaxFoldElements) return std::nullopt;
  Tensor value = n.has_attr("value") ? std::get<Tensor>(n.attrs.at("value")) : Tensor::f32_scalar(0);
  if (!numeric(value.dtype) || value.numel() != 1) return std::nullopt;
  Arr a{value.dtype, dims, std::vector<Num>(static_cast<size_t>(count(dims)), load(value).v[0])};
  return store(a);
}

std::optional<Tensor> range(const Node&, const In& in) {
  if (!has(in, 2) || !numeric_inputs(in)) return std::nullopt;
  Num start = load(*in[0]).v.at(0), limit = load(*in[1]).v.at(0), delta = load(*in[2]).v.at(0);
  if (delta == 0) return std::nullopt;
  Num steps = std::ceil((limit - start) / delta);
  int64_t len = steps > 0 ? static_cast<int64_t>(steps) : 0;
  if (len > kMaxFoldElements) return std::nullopt;
  Arr a{in[0]->dtype, {len}, {}};
  for (int64_t i = 0; i < len; ++i) a.v.push_back(round_to(in[0]->dtype, start + i * delta));
  return store(a);
}

std::optional<Tensor> expand(const Node&, const In& in) {
  if (!has(in, 1) || !numeric_inputs(in)) return std::nullopt;
  Arr a = load(*in[0]), shape{in[0]->dtype, in[1]->to_int_vector(), {}};
  shape.v.assign(static_cast<size_t>(count(shape.dims)), 0);
  auto r = broadcast({&a, &shape}, a.dt, [](const std::vector<Num>& v) { return v[0]; });
  return r ? store(*r) : std::nullopt;
}

// ---- shape-value rules ----

std::optional<DimValues> shape_values(const Node& n, const ShapeValues&) {
  const Shape& s = n.input(0)->shape;
  if (!s.rank_known) return std::nullopt;
  auto [b, e] = shape_range(n, s.rank());
  DimValues dv;
  for (int64_t i = b; i < e; ++i) dv.dims.push_back(s.dims[i]);
  return dv;
}

std::optional<DimValues> gather_values(const Node& n, const ShapeValues& sv) {
  auto data = sv.get(n.input(0));
  auto idx = const_ints(n.input(1));
  if (!data || data->scalar || !idx || n.attr_int("axis", 0) != 0 || n.input(1)->constant->dims.size() > 1)
    return std::nullopt;
  int64_t len = static_cast<int64_t>(data->dims.size());
  DimValues dv;
  for (int64_t i : *idx) {
    i = norm(i, len);
    if (i < 0 || i >= len) return std::nullopt;
    dv.dims.push_back(data->dims[i]);
  }
  dv.scalar = n.input(1)->constant->dims.empty();
  return dv;
}

std::optional<DimValues> slice_values(const Node& n, const ShapeValues& sv) {
  auto data = sv.get(n.input(0));
  auto s = const_ints(n.input(1)), e = const_ints(n.input(2));
  if (!data || data->scalar || !s || !e || s->size() != 1 || e->size() != 1) return std::nullopt;
  if (n.input(3)) {
    auto a = const_ints(n.input(3));
    if (!a || a->size() != 1 || norm((*a)[0], 1) != 0) return std::nullopt;
  }
  int64_t step = 1;
  if (n.input(4)) {
    auto st = const_ints(n.input(4));
    if (!st || st->size() != 1) return std::nullopt;
    step = (*st)[0];
  }
  DimValues dv;
  for (int64_t i : slice_indices(static_cast<int64_t>(data->dims.size()), (*s)[0], (*e)[0], step))
    dv.dims.push_back(data->dims[i]);
  return dv;
}

std::optional<DimValues> concat_values(const Node& n, const ShapeValues& sv) {
  if (norm(n.attr_int("axis", 0), 1) != 0) return std::nullopt;
  DimValues dv;
  for (Value* v : n.inputs) {
    auto in = sv.get(v);
    if (!in || in->scalar) return std::nullopt;
    dv.dims.insert(dv.dims.end(), in->dims.begin(), in->dims.end());
  }
  return dv;
}

std::optional<DimValues> unsqueeze_values(const Node& n, const ShapeValues& sv) {
  auto in = sv.get(n.input(0));
  if (!in || !in->scalar) return std::nullopt;
  DimValues dv;
  dv.dims = in->dims;
  return dv;
}

std::optional<DimValues> squeeze_values(const Node& n, const ShapeValues& sv) {
  auto in = sv.get(n.input(0));
  if (!in || in->scalar || in->dims.size() != 1) return std::nullopt;
  DimValues dv;
  dv.dims = in->dims;
  dv.scalar = true;
  return dv;
}

}  // namespace

void add_shape_ops(Table& t) {
  auto x = [](const Node& n) -> const Shape& { return n.input(0)->shape; };
  t.push_back({"Reshape", Layout::Opaque,
               [x](const Node& n, const ShapeValues& sv) -> Shapes {
                 auto tv = target_entries(n.input(1), sv);
                 if (!tv || tv->scalar) return std::nullopt;
                 return one(reshape_shape(x(n), *tv, n.attr_int("allowzero", 0) != 0));
               },
               reshape, nullptr});
  t.push_back({"Expand", Layout::Opaque,
               [x](const Node& n, const ShapeValues& sv) -> Shapes {
                 auto tv = target_entries(n.input(1), sv);
                 if (!tv || tv->scalar) return std::nullopt;
                 Shape target = from_dims(*tv), out = broadcast_shapes(x(n), target);
                 // A symbolic target dim is the output's (the input's dim is 1 or the same).
                 for (size_t i = 0; out.rank_known && i < target.rank(); ++i) {
                   Dim& d = out.dims[out.rank() - target.rank() + i];
                   if (!d.is_fixed() && !d.is_symbol() && target.dims[i].is_symbol()) d = target.dims[i];
                 }
                 return one(out);
               },
               expand, nullptr});
  t.push_back({"ConstantOfShape", Layout::Opaque,
               [](const Node& n, const ShapeValues& sv) -> Shapes {
                 auto tv = target_entries(n.input(0), sv);
                 if (!tv || tv->scalar) return std::nullopt;
                 return one(from_dims(*tv));
               },
               constant_of_shape, nullptr, [](const Node& n, size_t) {
                 return n.has_attr("value") ? std::get<Tensor>(n.attrs.at("value")).dtype : DType::Float32;
               }});
  t.push_back({"Pad", Layout::Opaque,
               [x](const Node& n, const ShapeValues& sv) { return one(pad_shape(n, x(n), sv)); }, nullptr, nullptr});
  t.push_back({"Slice", Layout::Opaque, [x](const Node& n, const ShapeValues&) { return one(slice_shape(n, x(n))); },
               slice, slice_values});
  t.push_back({"Concat", Layout::Opaque, [](const Node& n, const ShapeValues&) { return one(concat_shape(n)); }, concat,
               concat_values});
  t.push_back({"Unsqueeze", Layout::Opaque,
               [x](const Node& n, const ShapeValues&) { return one(axes_shape(n, x(n), true)); }, unsqueeze,
               unsqueeze_values});
  t.push_back({"Squeeze", Layout::Opaque,
               [x](const Node& n, const ShapeValues&) { return one(axes_shape(n, x(n), false)); }, squeeze,
               squeeze_values});
  t.push_back({"MatMul", Layout::Opaque,
               [x](const Node& n, const ShapeValues&) -> Shapes {
                 return n.input(1) ? one(matmul_shape(x(n), n.input(1)->shape)) : std::nullopt;
               },
               nullptr, nullptr});
  t.push_back({"Transpose", Layout::Opaque, transpose_shape, transpose, nullptr});
  t.push_back({"Gather", Layout::Opaque, gather_shape, gather, gather_values});
  t.push_back({"Flatten", Layout::Opaque, flatten_shape, flatten, nullptr});
  t.push_back({"Shape", Layout::Opaque,
               [](const Node& n, const ShapeValues&) -> Shapes {
                 const Shape* s = known(n.input(0));
                 if (!s) return one(Shape({Dim::unknown()}));  // 1-D, however long
                 auto [b, e] = shape_range(n, s->rank());
                 return one(Shape({Dim::fixed(e - b)}));
               },
               shape_of, shape_values, int64_type});
  t.push_back({"Size", Layout::Opaque, [](const Node&, const ShapeValues&) { return one(Shape(std::vector<Dim>{})); },
               [](const Node&, const In& in) -> std::optional<Tensor> { return Tensor::i64_scalar(in[0]->numel()); },
               nullptr, int64_type});
  t.push_back({"Range", Layout::Opaque, range_shape, range, nullptr});
}

}  // namespace ops
}  // namespace modelport

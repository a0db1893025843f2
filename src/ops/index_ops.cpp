// Ops that pick elements by value or by index tuple, or write them at an index: TopK (the k largest
// along an axis, with their int64 indices), GatherND (slices named by index tuples), OneHot (a
// new axis of depth with on/off values, typed as its values input), GatherElements, the scatters,
// NonZero (int64 coordinates), Compress (the entries a boolean condition selects),
// NonMaxSuppression (int64 [batch, class, box] triples) and Split.
#include <algorithm>

#include "ops/op_def.h"
#include "ops/shape_support.h"

namespace modelport {
namespace ops {
namespace {

// The one value of a constant integer input, or nullopt.
std::optional<int64_t> const_scalar(const Value* v) {
  auto k = const_ints(v);
  if (!k || k->size() != 1) return std::nullopt;
  return (*k)[0];
}

// TopK(X, K) {axis}: both outputs are X's shape with K at the axis (K a constant, or a shape value
// such as x.size(d) for a sort).
Shapes topk_shape(const Node& n, const ShapeValues& sv) {
  const Shape* x = known(n.input(0));
  if (!x) return std::nullopt;
  int64_t axis = norm(n.attr_int("axis", -1), static_cast<int64_t>(x->rank()));
  if (axis < 0 || axis >= static_cast<int64_t>(x->rank())) return std::nullopt;
  std::vector<Dim> d = x->dims;
  auto k = sv.get(n.input(1));
  d[axis] = k && k->dims.size() == 1 ? k->dims[0].dim() : Dim::unknown();
  return Shapes(std::vector<Shape>{Shape(d), Shape(d)});
}

// GatherND(data, indices) {batch_dims}: indices.shape[:-1] + data.shape[batch_dims + indices.shape[-1]:].
Shapes gather_nd_shape(const Node& n, const ShapeValues&) {
  const Shape *x = known(n.input(0)), *idx = known(n.input(1));
  if (!x || !idx || idx->rank() == 0 || !idx->dims.back().is_fixed()) return std::nullopt;
  size_t from = static_cast<size_t>(n.attr_int("batch_dims", 0) + idx->dims.back().value);
  if (from > x->rank()) return std::nullopt;
  std::vector<Dim> d(idx->dims.begin(), idx->dims.end() - 1);
  d.insert(d.end(), x->dims.begin() + static_cast<std::ptrdiff_t>(from), x->dims.end());
  return one(Shape(d));
}

// OneHot(indices, depth, values) {axis}: the indices' shape with depth inserted at the axis.
Shapes one_hot_shape(const Node& n, const ShapeValues&) {
  const Shape* idx = known(n.input(0));
  if (!idx) return std::nullopt;
  int64_t rank = static_cast<int64_t>(idx->rank()) + 1;
  int64_t axis = norm(n.attr_int("axis", -1), rank);
  if (axis < 0 || axis >= rank) return std::nullopt;
  std::vector<Dim> d = idx->dims;
  auto depth = const_scalar(n.input(1));
  d.insert(d.begin() + axis, depth ? Dim::fixed(*depth) : Dim::unknown());
  return one(Shape(d));
}

// GatherElements: the indices' shape.
Shapes indices_shape(const Node& n, const ShapeValues&) {
  const Shape* idx = known(n.input(1));
  return idx ? one(*idx) : std::nullopt;
}

// NonZero: [rank, number of non-zeros].
Shapes nonzero_shape(const Node& n, const ShapeValues&) {
  const Shape* x = known(n.input(0));
  return x ? one(Shape({Dim::fixed(static_cast<int64_t>(x->rank())), Dim::unknown()})) : std::nullopt;
}

// Compress(X, condition) {axis}: X's shape with the axis sized by the count selected (unknown);
// without an axis, X flattened to that count.
Shapes compress_shape(const Node& n, const ShapeValues&) {
  if (!n.has_attr("axis")) return one(Shape({Dim::unknown()}));
  const Shape* x = known(n.input(0));
  if (!x) return std::nullopt;
  int64_t axis = norm(n.attr_int("axis", 0), static_cast<int64_t>(x->rank()));
  if (axis < 0 || axis >= static_cast<int64_t>(x->rank())) return std::nullopt;
  std::vector<Dim> d = x->dims;
  d[static_cast<size_t>(axis)] = Dim::unknown();
  return one(Shape(d));
}

// NonMaxSuppression: [number selected, 3].
Shapes nms_shape(const Node&, const ShapeValues&) { return one(Shape({Dim::unknown(), Dim::fixed(3)})); }

// Split: input 0's shape with the axis sized by the `split` input (or attribute), else divided
// evenly among the outputs (num_outputs: the last output takes the remainder).
Shapes split_shape(const Node& n, const ShapeValues&) {
  const Shape* x = known(n.input(0));
  if (!x) return std::nullopt;
  int64_t axis = norm(n.attr_int("axis", 0), static_cast<int64_t>(x->rank()));
  if (axis < 0 || axis >= static_cast<int64_t>(x->rank())) return std::nullopt;
  std::optional<std::vector<int64_t>> sizes;
  if (n.input(1)) sizes = const_ints(n.input(1));
  else if (n.has_attr("split")) sizes = n.attr_ints("split");
  const Dim& d = x->dims[axis];
  size_t outs = n.outputs.size();
  if (!sizes && d.is_fixed() && outs > 0) {
    int64_t each = (d.value + static_cast<int64_t>(outs) - 1) / static_cast<int64_t>(outs);
    sizes = std::vector<int64_t>();
    for (size_t i = 0; i < outs; ++i) sizes->push_back(std::max<int64_t>(0, std::min(each, d.value - each * static_cast<int64_t>(i))));
  }
  std::vector<Shape> out;
  for (size_t i = 0; i < outs; ++i) {
    Shape s = *x;
    s.dims[axis] = sizes && i < sizes->size() ? Dim::fixed((*sizes)[i]) : Dim::unknown();
    out.push_back(s);
  }
  return out;
}

}  // namespace

void add_index_ops(Table& t) {
  t.push_back({"GatherElements", Layout::Opaque, indices_shape, nullptr, nullptr});
  for (const char* op : {"ScatterElements", "ScatterND"}) t.push_back({op, Layout::Opaque, same_shape, nullptr, nullptr});
  t.push_back({"NonZero", Layout::Opaque, nonzero_shape, nullptr, nullptr, int64_type});
  t.push_back({"Compress", Layout::Opaque, compress_shape, nullptr, nullptr});
  t.push_back({"NonMaxSuppression", Layout::Opaque, nms_shape, nullptr, nullptr, int64_type});
  t.push_back({"Split", Layout::Opaque, split_shape, nullptr, nullptr});
  t.push_back({"TopK", Layout::Opaque, topk_shape, nullptr, nullptr,
               [](const Node& n, size_t i) { return i == 1 ? DType::Int64 : n.input(0) ? n.input(0)->dtype : DType::Undefined; }});
  t.push_back({"GatherND", Layout::Opaque, gather_nd_shape, nullptr, nullptr});
  t.push_back({"OneHot", Layout::Opaque, one_hot_shape, nullptr, nullptr, [](const Node& n, size_t) {
                 return n.input(2) ? n.input(2)->dtype : DType::Undefined;
               }});
}

}  // namespace ops
}  // namespace modelport

// Ops that pick elements by value or by index tuple, or write them at an index: TopK (the k largest
// along an axis, with their int64 indices), GatherND (slices named by index tuples) and OneHot (a
// new axis of depth with on/off values, typed as its values input).
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

// TopK(X, K) {axis}: both outputs are X's shape with K at the axis.
Shapes topk_shape(const Node& n, const ShapeValues&) {
  const Shape* x = known(n.input(0));
  if (!x) return std::nullopt;
  int64_t axis = norm(n.attr_int("axis", -1), static_cast<int64_t>(x->rank()));
  if (axis < 0 || axis >= static_cast<int64_t>(x->rank())) return std::nullopt;
  std::vector<Dim> d = x->dims;
  auto k = const_scalar(n.input(1));
  d[axis] = k ? Dim::fixed(*k) : Dim::unknown();
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

}  // namespace

void add_index_ops(Table& t) {
  t.push_back({"TopK", Layout::Opaque, topk_shape, nullptr, nullptr,
               [](const Node& n, size_t i) { return i == 1 ? DType::Int64 : n.input(0)->dtype; }});
  t.push_back({"GatherND", Layout::Opaque, gather_nd_shape, nullptr, nullptr});
  t.push_back({"OneHot", Layout::Opaque, one_hot_shape, nullptr, nullptr, [](const Node& n, size_t) {
                 return n.input(2) ? n.input(2)->dtype : DType::Undefined;
               }});
}

}  // namespace ops
}  // namespace modelport

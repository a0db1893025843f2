// What the op entries' shape rules share.
#pragma once
#include <optional>
#include <vector>

#include "modelport/ir.h"
#include "ops/shape_values.h"

namespace modelport {
namespace ops {

using Shapes = std::optional<std::vector<Shape>>;

// One output's shape, or nothing known.
inline Shapes one(std::optional<Shape> s) { return s ? Shapes(std::vector<Shape>{*s}) : std::nullopt; }
// `v`'s shape when its rank is known.
inline const Shape* known(const Value* v) { return v && v->shape.rank_known ? &v->shape : nullptr; }
inline int64_t norm(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }
// Python-style slice of `n` elements: the indices taken.
std::vector<int64_t> slice_indices(int64_t n, int64_t s, int64_t e, int64_t st);
// The integers of an integer constant.
std::optional<std::vector<int64_t>> const_ints(const Value* v);
Shape from_dims(const DimValues& dv);
// What a shape operand (a Reshape/Expand target, Tile's repeats) holds, entry by entry: its
// shape values, else the pieces of a Concat along axis 0 (each known or unknown entries), else as
// many unknown entries as its fixed length. Only for shape rules: unknown entries may be anything.
std::optional<DimValues> target_entries(const Value* v, const ShapeValues& sv);
// The product of `dims`: fixed, one symbol times 1, or unknown.
Dim product(const std::vector<Dim>& dims);

// numpy matmul (MatMul, MatMulInteger): a 1-D operand gets a 1 prepended (a) or appended (b).
std::optional<Shape> matmul_shape(const Shape& a, const Shape& b);

// Shape rules shared by many entries: output 0 has input 0's shape; the inputs broadcast.
Shapes same_shape(const Node& n, const ShapeValues&);
Shapes broadcast_shape(const Node& n, const ShapeValues&);

}  // namespace ops
}  // namespace modelport

// Ops that describe shapes: Rank, ShapeN, BroadcastArgs.
#include "translators.h"

namespace modelport::tf {
namespace {

DType out_type(OpCtx& c, const char* attr, DType def) {
  DType t = c.attr_type(attr);
  return t == DType::Undefined ? def : t;
}

// Rank(input): an int32 scalar, the size of the input's shape.
std::vector<Value*> rank(OpCtx& c) { return {c.cast(c.op("Size", {c.op("Shape", {c.input(0)})}), DType::Int32)}; }

// ShapeN(input...) {out_type}: the shape of each input.
std::vector<Value*> shape_n(OpCtx& c) {
  std::vector<Value*> outs;
  for (size_t i = 0; i < c.in.size(); ++i)
    outs.push_back(c.cast(c.op("Shape", {c.input(i)}), out_type(c, "out_type", DType::Int32)));
  return outs;
}

// BroadcastArgs(s0, s1): the broadcast of two shapes, read off the sum of two zero tensors of
// those shapes.
std::vector<Value*> broadcast_args(OpCtx& c) {
  Value* a = c.op("ConstantOfShape", {c.to_i64(c.input(0))});
  Value* b = c.op("ConstantOfShape", {c.to_i64(c.input(1))});
  return {c.cast(c.op("Shape", {c.op("Add", {a, b})}), c.input(0)->dtype)};
}

}  // namespace

void register_shape_query_ops(OpTable& t) {
  t["Rank"] = rank;
  t["ShapeN"] = shape_n;
  t["BroadcastArgs"] = broadcast_args;
}

}  // namespace modelport::tf

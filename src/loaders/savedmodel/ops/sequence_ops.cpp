// Ops that build or rearrange 1-D sequences: LinSpace, InvertPermutation, ListDiff.
#include "translators.h"

namespace modelport::tf {
namespace {

// LinSpace(start, stop, num): num values start + i * (stop - start) / (num - 1) (just start when
// num is 1), in start's type.
std::vector<Value*> lin_space(OpCtx& c) {
  Value *start = c.input(0), *stop = c.input(1);
  DType dt = start->dtype;
  Value* num = c.op("Reshape", {c.to_i64(c.input(2)), c.c_i64({})});
  Value* i = c.cast(c.op("Range", {c.c_scalar(DType::Int64, 0), num, c.c_scalar(DType::Int64, 1)}), dt);
  Value* steps = c.op("Max", {c.op("Sub", {c.cast(num, dt), c.c_scalar(dt, 1)}), c.c_scalar(dt, 1)});
  Value* step = c.op("Div", {c.op("Sub", {stop, start}), steps});
  return {c.op("Add", {start, c.op("Mul", {i, step})})};
}

// InvertPermutation(x): y[x[i]] = i, a ScatterElements of 0..n-1 at x.
std::vector<Value*> invert_permutation(OpCtx& c) {
  Value* x = c.input(0);
  Value* n = c.op("Reshape", {c.op("Shape", {x}), c.c_i64({})});
  Value* i = c.cast(c.op("Range", {c.c_scalar(DType::Int64, 0), n, c.c_scalar(DType::Int64, 1)}), x->dtype);
  return {c.op("ScatterElements", {x, c.to_i64(x), i}, {{"axis", int64_t(0)}})};
}

// ListDiff(x, y) {out_idx}: the values of x not in y, in x's order, and their positions in x.
std::vector<Value*> list_diff(OpCtx& c) {
  Value *x = c.input(0), *y = c.input(1);
  Value* same = c.op("Equal", {c.op("Unsqueeze", {x, c.c_i64({1})}), c.op("Unsqueeze", {y, c.c_i64({0})})});
  // how often each x occurs in y (0 for an empty y)
  Value* found = c.op("ReduceSum", {c.cast(same, DType::Int64), c.c_i64({1})}, {{"keepdims", int64_t(0)}});
  Value* keep = c.op("Equal", {found, c.c_scalar(DType::Int64, 0)});
  Value* idx = c.op("Reshape", {c.op("NonZero", {keep}), c.c_i64({-1})});
  DType it = c.attr_type("out_idx");
  return {c.op("Gather", {x, idx}, {{"axis", int64_t(0)}}), c.cast(idx, it == DType::Undefined ? DType::Int32 : it)};
}

}  // namespace

void register_sequence_ops(OpTable& t) {
  t["LinSpace"] = lin_space;
  t["InvertPermutation"] = invert_permutation;
  t["ListDiff"] = list_diff;
}

}  // namespace modelport::tf

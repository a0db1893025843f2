// Small graph-building helpers shared by the resize, padding, normalization, indexing, math and
// layout lowerings: Shape/Slice/Concat pieces and dims that may be symbolic. Output shapes and
// dtypes come from the op layer (Ctx::op infers them).
#pragma once

#include <algorithm>
#include <climits>

#include "loaders/torchscript/context.h"

namespace modelport::ts::gb {

inline Value* typed(Value* o, DType dt) {
  o->dtype = dt;
  return o;
}

// Unary op (shaped as x by the op layer).
inline Value* un(Ctx& c, const std::string& op, Value* x) { return c.op(op, {x}); }
// Binary op (broadcast shape and a's dtype by the op layer).
inline Value* bin(Ctx& c, const std::string& op, Value* a, Value* b) { return c.op(op, {a, b}); }
// Comparison / logic: bool output (the op layer's type rule).
inline Value* cmp(Ctx& c, const std::string& op, Value* a, Value* b) { return bin(c, op, a, b); }

// Shape(x) as a 1-D int64 tensor.
inline Value* shape_of(Ctx& c, Value* x) { return c.op("Shape", {x}); }

// x[start:end] along `axis` (start/end 1-element int64 tensors or constants).
inline Value* slice(Ctx& c, Value* x, int64_t axis, Value* start, Value* end, int64_t step = 1) {
  return c.op("Slice", {x, start, end, c.c_i64({axis}), c.c_i64({step})});
}

// A lowered int (constant or rank-0 int64 tensor) as a 1-element int64 tensor.
inline Value* as_1d(Ctx& c, const LVal& v) { return c.ints_tensor(LVal::list({v})); }

// Integer arithmetic on lowered ints: folded when both are constants.
inline LVal iop(Ctx& c, const std::string& op, const LVal& a, const LVal& b) {
  if (a.kind == LVal::Kind::Int && b.kind == LVal::Kind::Int) {
    if (op == "Add") return LVal::of_int(a.i + b.i);
    if (op == "Sub") return LVal::of_int(a.i - b.i);
    if (op == "Mul") return LVal::of_int(a.i * b.i);
    if (op == "Div" && b.i != 0) return LVal::of_int(a.i / b.i);
    if (op == "Mod" && b.i != 0) return LVal::of_int(((a.i % b.i) + b.i) % b.i);
  }
  return LVal::tensor(c.op(op, {c.tensor_of(a), c.tensor_of(b)}));
}

// `x` concatenated along `axis`; dims other than `axis` taken from the first piece.
inline Value* concat(Ctx& c, const std::vector<Value*>& xs, int64_t axis) {
  if (xs.size() == 1) return xs[0];
  return c.op("Concat", xs, {{"axis", axis}});
}

inline Value* transpose(Ctx& c, Value* x, const std::vector<int64_t>& perm) {
  return c.op("Transpose", {x}, {{"perm", perm}});
}

// Reduction with axes as an input (the IR's newest form).
inline Value* reduce(Ctx& c, const std::string& op, Value* x, const std::vector<int64_t>& axes, bool keep) {
  std::vector<Value*> ins = {x};
  if (!axes.empty()) ins.push_back(c.c_i64(axes));
  return c.op(op, ins, {{"keepdims", int64_t(keep)}});
}

}  // namespace modelport::ts::gb

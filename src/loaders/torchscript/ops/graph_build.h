// Small graph-building helpers shared by the resize, padding, normalization, indexing, math and
// layout lowerings: shaped values, Shape/Slice/Concat pieces, and dims that may be symbolic.
#pragma once

#include <algorithm>
#include <climits>

#include "loaders/torchscript/context.h"

namespace modelport::ts::gb {

inline Value* shaped(Value* o, Shape s) {
  o->shape = std::move(s);
  return o;
}
inline Value* typed(Value* o, DType dt) {
  o->dtype = dt;
  return o;
}
inline Value* same(Value* o, const Value* x) { return shaped(o, x->shape); }

// Unary op keeping x's shape.
inline Value* un(Ctx& c, const std::string& op, Value* x) { return same(c.op(op, {x}), x); }
// Binary op with broadcast shape and a's dtype.
inline Value* bin(Ctx& c, const std::string& op, Value* a, Value* b) {
  return shaped(c.op(op, {a, b}), broadcast_shapes(a->shape, b->shape));
}
// Comparison / logic: bool output.
inline Value* cmp(Ctx& c, const std::string& op, Value* a, Value* b) { return typed(bin(c, op, a, b), DType::Bool); }

// Shape(x) as a 1-D int64 tensor.
inline Value* shape_of(Ctx& c, Value* x) {
  Value* s = typed(c.op("Shape", {x}), DType::Int64);
  if (x->shape.rank_known) s->shape = Shape::of({int64_t(x->shape.rank())});
  return s;
}

// x[start:end] along `axis` (start/end 1-element int64 tensors or constants).
inline Value* slice(Ctx& c, Value* x, int64_t axis, Value* start, Value* end, int64_t step = 1) {
  Value* o = c.op("Slice", {x, start, end, c.c_i64({axis}), c.c_i64({step})});
  if (x->shape.rank_known) {
    auto d = x->shape.dims;
    d[size_t(axis)] = Dim::unknown();
    o->shape = Shape(d);
  }
  return o;
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
  Value* o = c.op(op, {c.tensor_of(a), c.tensor_of(b)});
  o->dtype = DType::Int64;
  o->shape = Shape(std::vector<Dim>{});
  return LVal::tensor(o);
}

// `x` concatenated along `axis`; dims other than `axis` taken from the first piece.
inline Value* concat(Ctx& c, const std::vector<Value*>& xs, int64_t axis) {
  if (xs.size() == 1) return xs[0];
  Value* o = c.op("Concat", xs, {{"axis", axis}});
  if (xs[0]->shape.rank_known) {
    auto d = xs[0]->shape.dims;
    int64_t total = 0;
    for (auto* x : xs)
      total = (total >= 0 && x->shape.rank_known && x->shape.dims[size_t(axis)].is_fixed())
                  ? total + x->shape.dims[size_t(axis)].value
                  : -1;
    d[size_t(axis)] = total >= 0 ? Dim::fixed(total) : Dim::unknown();
    o->shape = Shape(d);
  }
  return o;
}

// Transpose with the permuted shape.
inline Value* transpose(Ctx& c, Value* x, const std::vector<int64_t>& perm) {
  Value* o = c.op("Transpose", {x}, {{"perm", perm}});
  o->shape = permute_shape(x->shape, perm);
  return o;
}

// Reduction with axes as an input (the IR's newest form).
inline Value* reduce(Ctx& c, const std::string& op, Value* x, const std::vector<int64_t>& axes, bool keep) {
  std::vector<Value*> ins = {x};
  if (!axes.empty()) ins.push_back(c.c_i64(axes));
  Value* o = c.op(op, ins, {{"keepdims", int64_t(keep)}});
  if (x->shape.rank_known) {
    std::vector<Dim> d;
    for (size_t i = 0; i < x->shape.rank(); ++i) {
      bool red = axes.empty() || std::find(axes.begin(), axes.end(), int64_t(i)) != axes.end();
      if (!red) d.push_back(x->shape.dims[i]);
      else if (keep) d.push_back(Dim::fixed(1));
    }
    o->shape = Shape(d);
  }
  return o;
}

}  // namespace modelport::ts::gb

// Boolean reductions (All, Any) and the running sum and product (Cumsum, Cumprod).
#include "translators.h"

namespace modelport::tf {
namespace {

// All / Any(input, reduction_indices) {keep_dims}: ReduceMin / ReduceMax of the bools as int32,
// back to bool. No axes reduces nothing (TF), unlike ONNX's empty axes.
std::vector<Value*> all_any(OpCtx& c) {
  Value* x = c.input(0);
  Value* axes = c.to_i64(c.input(1));
  if (axes->constant && axes->constant->numel() == 0) return {x};
  if (!axes->shape.rank_known || axes->shape.rank() != 1) axes = c.op("Reshape", {axes, c.c_i64({-1})});
  const char* op = c.node.op == "All" ? "ReduceMin" : "ReduceMax";
  Value* r = c.op(op, {c.cast(x, DType::Int32), axes}, {{"keepdims", int64_t(c.attr_bool("keep_dims", false))}});
  return {c.cast(r, DType::Bool)};
}

// Cumsum(x, axis) {exclusive, reverse}: ONNX CumSum has the same attributes.
std::vector<Value*> cumsum(OpCtx& c) {
  return {c.op("CumSum", {c.input(0), c.to_i64(c.input(1))},
               {{"exclusive", int64_t(c.attr_bool("exclusive", false))}, {"reverse", int64_t(c.attr_bool("reverse", false))}})};
}

// Cumprod(x, axis) {exclusive, reverse}: ONNX has no CumProd, so the running product is written
// out exactly over the N slices of a constant axis of known length: each output slice is the
// product of the slices before it (exclusive) or up to it, counted from the end when reversed.
constexpr int64_t kMaxCumprodLength = 256;
std::vector<Value*> cumprod(OpCtx& c) {
  Value* x = c.input(0);
  if (!x->shape.rank_known) c.fail("the input needs a known rank");
  int64_t r = int64_t(x->shape.rank()), axis = c.const_int(1, "axis");
  if (axis < -r || axis >= r) c.fail("axis " + std::to_string(axis) + " is outside rank " + std::to_string(r));
  if (axis < 0) axis += r;
  const Dim& d = x->shape.dims[size_t(axis)];
  if (!d.is_fixed()) c.fail("the length of axis " + std::to_string(axis) + " must be known (ONNX has no CumProd)");
  int64_t n = d.value;
  if (n > kMaxCumprodLength)
    c.fail("axis length " + std::to_string(n) + " is above " + std::to_string(kMaxCumprodLength) + " (written out as one Mul per element)");
  if (n == 0) return {x};
  bool exclusive = c.attr_bool("exclusive", false), reverse = c.attr_bool("reverse", false);
  std::vector<Value*> slice(static_cast<size_t>(n)), out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    slice[size_t(i)] = c.op("Slice", {x, c.c_i64({i}), c.c_i64({i + 1}), c.c_i64({axis})});
  Value* running = nullptr;
  for (int64_t k = 0; k < n; ++k) {
    size_t i = size_t(reverse ? n - 1 - k : k);
    if (exclusive)
      out[i] = running ? running : c.op("Expand", {c.c_scalar(x->dtype, 1), c.op("Shape", {slice[i]})});
    running = running ? c.op("Mul", {running, slice[i]}) : slice[i];
    if (!exclusive) out[i] = running;
  }
  return {n == 1 ? out[0] : c.op("Concat", out, {{"axis", axis}})};
}

}  // namespace

void register_scan_reduce_ops(OpTable& t) {
  t["All"] = t["Any"] = all_any;
  t["Cumsum"] = cumsum;
  t["Cumprod"] = cumprod;
}

}  // namespace modelport::tf

// Boolean reductions (All, Any) and the running sum (Cumsum).
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

}  // namespace

void register_scan_reduce_ops(OpTable& t) {
  t["All"] = t["Any"] = all_any;
  t["Cumsum"] = cumsum;
}

}  // namespace modelport::tf

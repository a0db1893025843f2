// Ops that pick elements by value or by index tuple, or write them at an index: TopKV2/TopK,
// GatherNd, OneHot.
#include "translators.h"

namespace modelport::tf {
namespace {

// TopKV2(input, k) {sorted, index_type} / TopK(input) {k}: the k largest along the last axis, ties
// to the lower index (as ONNX TopK). sorted=false leaves TF's order unspecified; the sorted order
// is one of the orders it allows.
std::vector<Value*> top_k(OpCtx& c) {
  Value* x = c.input(0);
  Value* k;
  if (c.node.op == "TopK") {
    k = c.c_i64({c.attr_int("k", -1)});
  } else {
    k = c.to_i64(c.input(1));
    k = k->constant ? c.c_i64({k->constant->as_int(0)}) : c.op("Reshape", {k, c.c_i64({1})});
  }
  Node* n = c.add("TopK", {x, k}, 2, {{"axis", int64_t(-1)}, {"largest", int64_t(1)}, {"sorted", int64_t(1)}});
  DType it = c.attr_type("index_type");
  return {n->outputs[0], c.cast(n->outputs[1], it == DType::Undefined ? DType::Int32 : it)};
}

// GatherNd(params, indices): ONNX GatherND with batch_dims 0 (its indices are int64).
std::vector<Value*> gather_nd(OpCtx& c) { return {c.op("GatherND", {c.input(0), c.to_i64(c.input(1))})}; }

// OneHot(indices, depth, on_value, off_value) {axis}. ONNX counts negative indices from the end,
// TF gives them all off_value: they are sent past the depth, where both give off_value.
std::vector<Value*> one_hot(OpCtx& c) {
  Value *idx = c.to_i64(c.input(0)), *depth = c.to_i64(c.input(1));
  Value* negative = c.op("Less", {idx, c.c_scalar(DType::Int64, 0)});
  idx = c.op("Where", {negative, depth, idx});
  Value* off = c.op("Reshape", {c.input(3), c.c_i64({1})});
  Value* on = c.op("Reshape", {c.input(2), c.c_i64({1})});
  Value* values = c.op("Concat", {off, on}, {{"axis", int64_t(0)}});
  return {c.op("OneHot", {idx, depth, values}, {{"axis", c.attr_int("axis", -1)}})};
}

}  // namespace

void register_index_ops(OpTable& t) {
  t["TopKV2"] = t["TopK"] = top_k;
  t["GatherNd"] = gather_nd;
  t["OneHot"] = one_hot;
}

}  // namespace modelport::tf

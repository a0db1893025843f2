// Ops that pick elements by value or by index tuple, or write them at an index: TopKV2/TopK,
// GatherNd, OneHot, Where, SparseToDense.
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

// Where(condition): the int64 coordinates [n, rank] of the true (non-zero) elements in row-major
// order; ONNX NonZero gives them as [rank, n] in the same order.
std::vector<Value*> where(OpCtx& c) {
  if (c.in.size() != 1) c.fail("the 3-input form is SelectV2; Where takes one input");
  return {c.transpose(c.op("NonZero", {c.input(0)}), {1, 0})};
}

// SparseToDense(sparse_indices, output_shape, sparse_values, default_value): default_value
// expanded to output_shape, sparse_values written at the indices (a scalar index, a vector of
// indices into a vector, or [N, rank] index tuples; a scalar value goes to every index). TF refuses
// repeated indices (validate_indices); ONNX ScatterND leaves them undefined.
std::vector<Value*> sparse_to_dense(OpCtx& c) {
  Value *idx = c.to_i64(c.input(0)), *values = c.input(2);
  if (!idx->shape.rank_known || !values->shape.rank_known) c.fail("sparse_indices and sparse_values need a known rank");
  if (idx->shape.rank() > 2) c.fail("sparse_indices must have rank 0, 1 or 2");
  if (idx->shape.rank() < 2) idx = c.op("Reshape", {idx, c.c_i64({-1, 1})});
  if (values->shape.rank() == 0)
    values = c.op("Expand", {values, c.op("Slice", {c.op("Shape", {idx}), c.c_i64({0}), c.c_i64({1})})});
  Value* dense = c.op("Expand", {c.input(3), c.to_i64(c.input(1))});
  return {c.op("ScatterND", {dense, idx, values})};
}

}  // namespace

void register_index_ops(OpTable& t) {
  t["TopKV2"] = t["TopK"] = top_k;
  t["GatherNd"] = gather_nd;
  t["OneHot"] = one_hot;
  t["Where"] = where;
  t["SparseToDense"] = sparse_to_dense;
}

}  // namespace modelport::tf

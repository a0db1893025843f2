// Ops that write or combine values at indices: ScatterNd, TensorScatterUpdate/Add/Sub/Max/Min and
// the segment reductions UnsortedSegmentSum/Max/Min/Prod and SegmentSum, all ONNX ScatterND (its
// reduction attribute needs opset 16, max/min 18; the emitter refuses below).
#include <limits>

#include "translators.h"

namespace modelport::tf {
namespace {

Value* scatter(OpCtx& c, Value* data, Value* indices, Value* updates, const char* reduction) {
  return c.op("ScatterND", {data, c.to_i64(indices), updates}, {{"reduction", std::string(reduction)}});
}

// ScatterNd(indices, updates, shape): updates summed (repeated indices add up) into zeros of `shape`.
std::vector<Value*> scatter_nd(OpCtx& c) {
  Value* updates = c.input(1);
  Value* zeros = c.op("Expand", {c.c_scalar(updates->dtype, 0), c.to_i64(c.input(2))});
  return {scatter(c, zeros, c.input(0), updates, "add")};
}

// TensorScatterUpdate/Add/Sub/Max/Min(tensor, indices, updates): the tensor with the updates written,
// added, subtracted or combined by max/min at the index tuples.
std::vector<Value*> tensor_scatter(OpCtx& c) {
  const std::string& op = c.node.op;
  Value* updates = c.input(2);
  if (op == "TensorScatterSub") updates = c.op("Neg", {updates});
  const char* reduction = op == "TensorScatterUpdate" ? "none"
                          : op == "TensorScatterMax"  ? "max"
                          : op == "TensorScatterMin"  ? "min"
                                                      : "add";
  return {scatter(c, c.input(0), c.input(1), updates, reduction)};
}

// The value a segment without entries holds: 0 for sums, 1 for products, the lowest / largest
// value of the type for max / min (TF's kernels).
double empty_segment(DType dt, const std::string& reduction) {
  if (reduction == "mul") return 1;
  if (reduction == "add") return 0;
  bool max = reduction == "max";
  switch (dt) {
    case DType::Float32: return max ? -std::numeric_limits<float>::max() : std::numeric_limits<float>::max();
    case DType::Float64: return max ? -std::numeric_limits<double>::max() : std::numeric_limits<double>::max();
    case DType::Int32: return max ? std::numeric_limits<int32_t>::min() : std::numeric_limits<int32_t>::max();
    case DType::Int64:
      return double(max ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max());
    default: return max ? -std::numeric_limits<float>::infinity() : std::numeric_limits<float>::infinity();
  }
}

// Data rows (over the ids' dims) combined into row id of [n, data.shape[ids.rank:]...]. Negative
// ids are dropped (TF's unsorted ops): they go to an extra row n, cut off afterwards.
Value* segments(OpCtx& c, Value* n, const std::string& reduction) {
  Value *data = c.input(0), *ids = c.to_i64(c.input(1));
  if (!ids->shape.rank_known) c.fail("segment_ids need a known rank");
  int64_t k = int64_t(ids->shape.rank());
  Value* rows = c.op("Add", {n, c.c_i64({1})});
  ids = c.op("Where", {c.op("Less", {ids, c.c_scalar(DType::Int64, 0)}), n, ids});
  Value* rest = c.op("Slice", {c.op("Shape", {data}), c.c_i64({k}), c.c_i64({std::numeric_limits<int64_t>::max()})});
  Value* shape = c.op("Concat", {rows, rest}, {{"axis", int64_t(0)}});
  Value* init = c.op("Expand", {c.c_scalar(data->dtype, empty_segment(data->dtype, reduction)), shape});
  Value* out = scatter(c, init, c.op("Unsqueeze", {ids, c.c_i64({-1})}), data, reduction.c_str());
  return c.op("Slice", {out, c.c_i64({0}), n, c.c_i64({0})});
}

// UnsortedSegmentSum/Max/Min/Prod(data, segment_ids, num_segments).
std::vector<Value*> unsorted_segment(OpCtx& c) {
  const std::string& op = c.node.op;
  std::string reduction = op == "UnsortedSegmentSum"   ? "add"
                          : op == "UnsortedSegmentMax" ? "max"
                          : op == "UnsortedSegmentMin" ? "min"
                                                       : "mul";
  Value* n = c.op("Reshape", {c.to_i64(c.input(2)), c.c_i64({1})});
  return {segments(c, n, reduction)};
}

// SegmentSum(data, segment_ids): sorted non-negative ids, max(ids) + 1 segments (empty ones 0).
std::vector<Value*> segment_sum(OpCtx& c) {
  Value* ids = c.to_i64(c.input(1));
  Value* n = c.op("Add", {c.op("ReduceMax", {ids, c.c_i64({0})}, {{"keepdims", int64_t(1)}}), c.c_i64({1})});
  return {segments(c, n, "add")};
}

}  // namespace

void register_scatter_ops(OpTable& t) {
  t["ScatterNd"] = scatter_nd;
  for (const char* op : {"TensorScatterUpdate", "TensorScatterAdd", "TensorScatterSub", "TensorScatterMax", "TensorScatterMin"})
    t[op] = tensor_scatter;
  for (const char* op : {"UnsortedSegmentSum", "UnsortedSegmentMax", "UnsortedSegmentMin", "UnsortedSegmentProd"})
    t[op] = unsorted_segment;
  t["SegmentSum"] = segment_sum;
}

}  // namespace modelport::tf

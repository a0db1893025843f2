// DynamicPartition and DynamicStitch (tf.dynamic_partition / tf.dynamic_stitch): data-dependent
// sizes, so the outer index dims are flattened and the rows picked with Compress or written with
// ScatterND.
#include <limits>

#include "translators.h"

namespace modelport::tf {
namespace {

// x [d0 .. d(k-1), rest...] -> [d0 * .. * d(k-1), rest...]; `rest` gets the trailing dims.
Value* flatten_outer(OpCtx& c, Value* x, int64_t k, Value*& rest) {
  rest = c.op("Slice", {c.op("Shape", {x}), c.c_i64({k}), c.c_i64({std::numeric_limits<int64_t>::max()})});
  return c.op("Reshape", {x, c.op("Concat", {c.c_i64({-1}), rest}, {{"axis", int64_t(0)}})});
}

int64_t known_rank(OpCtx& c, Value* v, const char* what) {
  if (!v->shape.rank_known) c.fail(std::string(what) + " needs a known rank");
  return int64_t(v->shape.rank());
}

// DynamicPartition(data, partitions) {num_partitions}: output i holds, in order, the rows
// data[j...] whose partitions[j...] == i; partitions' shape is a prefix of data's.
std::vector<Value*> dynamic_partition(OpCtx& c) {
  Value *data = c.input(0), *parts = c.input(1);
  int64_t n = c.attr_int("num_partitions", -1);
  if (n < 1) c.fail("num_partitions must be >= 1");
  Value* rest;
  Value* rows = flatten_outer(c, data, known_rank(c, parts, "partitions"), rest);
  Value* flat_parts = c.op("Reshape", {parts, c.c_i64({-1})});
  std::vector<Value*> out;
  for (int64_t i = 0; i < n; ++i) {
    Value* pick = c.op("Equal", {flat_parts, c.c_scalar(parts->dtype, double(i))});
    out.push_back(c.op("Compress", {rows, pick}, {{"axis", int64_t(0)}}));
  }
  return out;
}

// DynamicStitch / ParallelDynamicStitch(indices x N, data x N) {N}: merged[indices[m][j...]] =
// data[m][j...], merged has max(indices) + 1 rows (zeros where no index points). DynamicStitch
// lets the later of repeated indices win: ScatterND writes its updates in order in ONNX Runtime
// (ONNX leaves repeated indices unspecified).
std::vector<Value*> dynamic_stitch(OpCtx& c) {
  if (c.in.empty() || c.in.size() % 2) c.fail("needs N indices and N data inputs");
  size_t n = c.in.size() / 2;
  std::vector<Value*> idx, rows;
  Value* rest = nullptr;
  for (size_t m = 0; m < n; ++m) {
    Value* ind = c.to_i64(c.input(m));
    int64_t k = known_rank(c, ind, "indices");
    idx.push_back(c.op("Reshape", {ind, c.c_i64({-1, 1})}));
    rows.push_back(flatten_outer(c, c.input(n + m), k, rest));
  }
  auto join = [&](const std::vector<Value*>& v) { return v.size() == 1 ? v[0] : c.op("Concat", v, {{"axis", int64_t(0)}}); };
  Value *all_idx = join(idx), *all_rows = join(rows);
  Value* size = c.op("Add", {c.op("ReduceMax", {c.op("Reshape", {all_idx, c.c_i64({-1})})}, {{"keepdims", int64_t(1)}}),
                             c.c_i64({1})});
  Value* zeros = c.op("Expand", {c.c_scalar(all_rows->dtype, 0), c.op("Concat", {size, rest}, {{"axis", int64_t(0)}})});
  return {c.op("ScatterND", {zeros, all_idx, all_rows}, {{"reduction", std::string("none")}})};
}

}  // namespace

void register_partition_ops(OpTable& t) {
  t["DynamicPartition"] = dynamic_partition;
  t["DynamicStitch"] = t["ParallelDynamicStitch"] = dynamic_stitch;
}

}  // namespace modelport::tf

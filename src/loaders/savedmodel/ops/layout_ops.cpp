// Ops that move elements without computing on them: ReverseV2/Reverse, Roll, BroadcastTo,
// DepthToSpace/SpaceToDepth.
#include <limits>

#include "translators.h"

namespace modelport::tf {
namespace {

constexpr int64_t kMaxI = std::numeric_limits<int64_t>::max();
constexpr int64_t kMinI = std::numeric_limits<int64_t>::min();

Value* reverse_axes(OpCtx& c, Value* x, const std::vector<int64_t>& axes) {
  if (axes.empty()) return x;
  size_t n = axes.size();
  return c.op("Slice", {x, c.c_i64(std::vector<int64_t>(n, -1)), c.c_i64(std::vector<int64_t>(n, kMinI)),
                        c.c_i64(axes), c.c_i64(std::vector<int64_t>(n, -1))});
}

// ReverseV2(tensor, axis): a step -1 Slice over the axes.
std::vector<Value*> reverse_v2(OpCtx& c) { return {reverse_axes(c, c.input(0), c.const_ints(1, "axis"))}; }

// Reverse(tensor, dims): TF1's form, one bool per axis.
std::vector<Value*> reverse_v1(OpCtx& c) {
  std::vector<int64_t> dims = c.const_ints(1, "dims"), axes;
  for (size_t i = 0; i < dims.size(); ++i)
    if (dims[i]) axes.push_back(int64_t(i));
  return {reverse_axes(c, c.input(0), axes)};
}

// Roll(input, shift, axis): out[i] = in[(i - shift) mod n] along each axis, i.e. the last
// shift mod n elements moved to the front. The split point is a constant when the axis has a
// fixed size, else computed from the input's shape. `s` is the shape of Roll's input (each axis
// rolled keeps it).
Value* roll_axis(OpCtx& c, Value* x, const Shape& s, int64_t shift, int64_t axis) {
  if (axis < 0 && !s.rank_known) c.fail("a negative axis needs a known input rank");
  int64_t r = s.rank_known ? int64_t(s.rank()) : axis + 1;
  if (axis < -r || axis >= r) c.fail("axis " + std::to_string(axis) + " out of range");
  if (axis < 0) axis += r;
  Value* split;
  if (s.rank_known && s.dims[size_t(axis)].is_fixed()) {
    const Dim& d = s.dims[size_t(axis)];
    int64_t n = d.value;
    if (n == 0 || shift % n == 0) return x;
    split = c.c_i64({n - ((shift % n) + n) % n});
  } else {
    Value* shape = c.op("Shape", {x});
    Value* n = c.op("Slice", {shape, c.c_i64({axis}), c.c_i64({axis + 1})});
    Value* k = c.op("Mod", {c.c_i64({shift}), n}, {{"fmod", int64_t(0)}});  // in [0, n)
    split = c.op("Sub", {n, k});
  }
  Value* ax = c.c_i64({axis});
  Value* tail = c.op("Slice", {x, split, c.c_i64({kMaxI}), ax});
  Value* head = c.op("Slice", {x, c.c_i64({0}), split, ax});
  return c.op("Concat", {tail, head}, {{"axis", axis}});
}
std::vector<Value*> roll(OpCtx& c) {
  std::vector<int64_t> shift = c.const_ints(1, "shift"), axis = c.const_ints(2, "axis");
  if (shift.size() != axis.size()) c.fail("shift and axis lengths differ");
  Value* x = c.input(0);
  for (size_t i = 0; i < shift.size(); ++i) x = roll_axis(c, x, c.input(0)->shape, shift[i], axis[i]);
  return {x};
}

// BroadcastTo(input, shape): Expand (TF's shape is the result; Expand's is broadcast with the
// input's, the same for shapes BroadcastTo accepts).
std::vector<Value*> broadcast_to(OpCtx& c) { return {c.op("Expand", {c.input(0), c.to_i64(c.input(1))})}; }

// DepthToSpace / SpaceToDepth {block_size, data_format}: TF's channel order is ONNX's DCR
// (depth, column, row): out[b, h*bs + i, w*bs + j, c] = in[b, h, w, (i*bs + j)*C + c]. ONNX is NCHW:
// transposed around.
std::vector<Value*> depth_space(OpCtx& c) {
  int64_t bs = c.attr_int("block_size", 0);
  if (bs < 2) c.fail("block_size must be at least 2, not " + std::to_string(bs));
  std::string fmt = c.attr_str("data_format", "NHWC");
  if (fmt != "NHWC") c.fail("data_format " + fmt + " is not supported (TF runs it only on GPU)");
  std::map<std::string, Attribute> a{{"blocksize", bs}};
  if (c.node.op == "DepthToSpace") a["mode"] = std::string("DCR");
  Value* y = c.op(c.node.op, {c.transpose(c.input(0), {0, 3, 1, 2})}, a);
  return {c.transpose(y, {0, 2, 3, 1})};
}

}  // namespace

void register_layout_ops(OpTable& t) {
  t["ReverseV2"] = reverse_v2;
  t["Reverse"] = reverse_v1;
  t["Roll"] = roll;
  t["BroadcastTo"] = broadcast_to;
  t["DepthToSpace"] = t["SpaceToDepth"] = depth_space;
}

}  // namespace modelport::tf

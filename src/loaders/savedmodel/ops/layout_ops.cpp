// Ops that move elements without computing on them: ReverseV2/Reverse, Roll, BroadcastTo,
// DepthToSpace/SpaceToDepth, SpaceToBatchND/BatchToSpaceND, ReverseSequence.
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

// Dim i of x as a [1] tensor: a constant when fixed, else read from x's shape.
Value* dim_of(OpCtx& c, Value* x, size_t i) {
  const Dim& d = x->shape.dims[i];
  if (d.is_fixed()) return c.c_i64({d.value});
  return c.op("Slice", {c.op("Shape", {x}), c.c_i64({int64_t(i)}), c.c_i64({int64_t(i) + 1})});
}
// Dim i of x multiplied by `m` (m > 0) or divided by -m (m < 0).
Value* scaled_dim(OpCtx& c, Value* x, size_t i, int64_t m) {
  const Dim& d = x->shape.dims[i];
  if (d.is_fixed()) return c.c_i64({m > 0 ? d.value * m : d.value / -m});
  return c.op(m > 0 ? "Mul" : "Div", {dim_of(c, x, i), c.c_i64({m > 0 ? m : -m})});
}
Value* shape_from(OpCtx& c, const std::vector<Value*>& parts) { return c.op("Concat", parts, {{"axis", int64_t(0)}}); }

// The constant block_shape [M] (entries >= 1) and the input's rank (at least 1 + M).
std::vector<int64_t> block_shape(OpCtx& c, size_t& rank) {
  std::vector<int64_t> bs = c.const_ints(1, "block_shape");
  Value* x = c.input(0);
  if (!x->shape.rank_known) c.fail("the input needs a known rank");
  rank = x->shape.rank();
  if (bs.empty() || rank < 1 + bs.size()) c.fail("block_shape must have 1 to rank - 1 entries");
  for (auto b : bs)
    if (b < 1) c.fail("block_shape entries must be >= 1");
  return bs;
}

// SpaceToBatchND(input [B, s1..sM, rest], block_shape [M], paddings [M, 2]): the spatial dims
// padded, split into (s_i / b_i, b_i), and the block offsets moved in front of the batch:
// [b1..bM, B, s1/b1..sM/bM, rest] merged to [B * prod(b), ...].
std::vector<Value*> space_to_batch(OpCtx& c) {
  size_t r;
  std::vector<int64_t> bs = block_shape(c, r);
  size_t m = bs.size();
  std::vector<int64_t> p = c.const_ints(2, "paddings");
  if (p.size() != 2 * m) c.fail("paddings must be [M, 2]");
  Value* x = c.input(0);
  std::vector<int64_t> pads(2 * r, 0);
  for (size_t i = 0; i < m; ++i) {
    if (p[2 * i] < 0 || p[2 * i + 1] < 0) c.fail("paddings must be >= 0");
    pads[1 + i] = p[2 * i];
    pads[r + 1 + i] = p[2 * i + 1];
  }
  if (pads != std::vector<int64_t>(2 * r, 0)) x = c.op("Pad", {x, c.c_i64(pads)});
  int64_t prod = 1;
  std::vector<Value*> split{dim_of(c, x, 0)}, merged;
  std::vector<int64_t> perm;
  for (size_t i = 0; i < m; ++i) {
    const Dim& d = x->shape.dims[1 + i];
    if (d.is_fixed() && d.value % bs[i]) c.fail("padded spatial dim " + std::to_string(i) + " is not a multiple of its block");
    split.push_back(scaled_dim(c, x, 1 + i, -bs[i]));
    split.push_back(c.c_i64({bs[i]}));
    perm.push_back(2 + 2 * int64_t(i));
    prod *= bs[i];
  }
  perm.push_back(0);
  merged = {scaled_dim(c, x, 0, prod)};
  for (size_t i = 0; i < m; ++i) {
    perm.push_back(1 + 2 * int64_t(i));
    merged.push_back(scaled_dim(c, x, 1 + i, -bs[i]));
  }
  for (size_t j = 1 + m; j < r; ++j) {
    split.push_back(dim_of(c, x, j));
    merged.push_back(dim_of(c, x, j));
    perm.push_back(int64_t(m + j));
  }
  Value* y = c.transpose(c.op("Reshape", {x, shape_from(c, split)}), perm);
  return {c.op("Reshape", {y, shape_from(c, merged)})};
}

// BatchToSpaceND(input [B * prod(b), s1..sM, rest], block_shape [M], crops [M, 2]): the inverse
// of SpaceToBatchND: [b1..bM, B, s1..sM, rest] interleaved to [B, s1, b1, .., sM, bM, rest],
// merged to [B, s1*b1, .., rest], then cropped.
std::vector<Value*> batch_to_space(OpCtx& c) {
  size_t r;
  std::vector<int64_t> bs = block_shape(c, r);
  size_t m = bs.size();
  std::vector<int64_t> crops = c.const_ints(2, "crops");
  if (crops.size() != 2 * m) c.fail("crops must be [M, 2]");
  Value* x = c.input(0);
  int64_t prod = 1;
  for (auto b : bs) prod *= b;
  std::vector<Value*> split, merged{scaled_dim(c, x, 0, -prod)};
  for (auto b : bs) split.push_back(c.c_i64({b}));
  split.push_back(merged[0]);
  std::vector<int64_t> perm{int64_t(m)};
  for (size_t i = 0; i < m; ++i) {
    split.push_back(dim_of(c, x, 1 + i));
    perm.push_back(int64_t(m + 1 + i));
    perm.push_back(int64_t(i));
    merged.push_back(scaled_dim(c, x, 1 + i, bs[i]));
  }
  for (size_t j = 1 + m; j < r; ++j) {
    split.push_back(dim_of(c, x, j));
    merged.push_back(dim_of(c, x, j));
    perm.push_back(int64_t(m + j));
  }
  Value* y = c.transpose(c.op("Reshape", {x, shape_from(c, split)}), perm);
  y = c.op("Reshape", {y, shape_from(c, merged)});
  std::vector<int64_t> starts, ends, axes;
  for (size_t i = 0; i < m; ++i) {
    if (crops[2 * i] < 0 || crops[2 * i + 1] < 0) c.fail("crops must be >= 0");
    if (!crops[2 * i] && !crops[2 * i + 1]) continue;
    starts.push_back(crops[2 * i]);
    ends.push_back(crops[2 * i + 1] ? -crops[2 * i + 1] : kMaxI);
    axes.push_back(int64_t(1 + i));
  }
  if (axes.empty()) return {y};
  return {c.op("Slice", {y, c.c_i64(starts), c.c_i64(ends), c.c_i64(axes)})};
}

// ReverseSequence(input, seq_lengths) {seq_dim, batch_dim}: the first seq_lengths[b] entries of
// batch b reversed along seq_dim. ONNX's batch and time axes must be 0 and 1: other axes are
// transposed there and back.
std::vector<Value*> reverse_sequence(OpCtx& c) {
  Value* x = c.input(0);
  if (!x->shape.rank_known || x->shape.rank() < 2) c.fail("input needs a known rank >= 2");
  int64_t r = int64_t(x->shape.rank()), seq = c.attr_int("seq_dim", -1), batch = c.attr_int("batch_dim", 0);
  if (seq < 0) seq += r;
  if (batch < 0) batch += r;
  if (seq < 0 || seq >= r || batch < 0 || batch >= r || seq == batch) c.fail("bad seq_dim / batch_dim");
  Value* lens = c.to_i64(c.input(1));
  if (seq <= 1 && batch <= 1)
    return {c.op("ReverseSequence", {x, lens}, {{"batch_axis", batch}, {"time_axis", seq}})};
  std::vector<int64_t> perm{batch, seq}, inverse(size_t(r), 0);
  for (int64_t i = 0; i < r; ++i)
    if (i != batch && i != seq) perm.push_back(i);
  for (int64_t i = 0; i < r; ++i) inverse[size_t(perm[size_t(i)])] = i;
  Value* y = c.op("ReverseSequence", {c.transpose(x, perm), lens}, {{"batch_axis", int64_t(0)}, {"time_axis", int64_t(1)}});
  return {c.transpose(y, inverse)};
}

}  // namespace

void register_layout_ops(OpTable& t) {
  t["ReverseV2"] = reverse_v2;
  t["Reverse"] = reverse_v1;
  t["Roll"] = roll;
  t["BroadcastTo"] = broadcast_to;
  t["DepthToSpace"] = t["SpaceToDepth"] = depth_space;
  t["SpaceToBatchND"] = space_to_batch;
  t["BatchToSpaceND"] = batch_to_space;
  t["ReverseSequence"] = reverse_sequence;
}

}  // namespace modelport::tf

// TF ops that move elements without computing on them: ReverseV2/Reverse, Roll, BroadcastTo,
// DepthToSpace/SpaceToDepth, SpaceToBatchND/BatchToSpaceND.
#include "ops/tf/tf_cases.h"

namespace modelport::test::tf_ops {
namespace {
using B = sm::GraphDefBuilder;

tf::NodeDef* const_bools(B& b, const std::string& name, const std::vector<bool>& v) {
  tf::NodeDef* n = b.node(name, "Const");
  (*n->mutable_attr())["dtype"].set_type(tf::DT_BOOL);
  auto* t = (*n->mutable_attr())["value"].mutable_tensor();
  t->set_dtype(tf::DT_BOOL);
  t->mutable_tensor_shape()->add_dim()->set_size(int64_t(v.size()));
  for (bool x : v) t->add_bool_val(x);
  return n;
}

// The block offsets (o_1..o_M) of offset number k, row-major over block shape bs.
std::vector<int64_t> block_offsets(int64_t k, const std::vector<int64_t>& bs) {
  std::vector<int64_t> o(bs.size());
  for (size_t i = bs.size(); i-- > 0;) {
    o[i] = k % bs[i];
    k /= bs[i];
  }
  return o;
}
int64_t product(const std::vector<int64_t>& v) {
  int64_t p = 1;
  for (auto x : v) p *= x;
  return p;
}

// tf.space_to_batch_nd as TF documents it: output batch k * B + b holds padded[b, o_1::b_1, ..,
// o_M::b_M, ...] for the k-th block offset (o_1..o_M). pads: [M][2].
at::Tensor space_to_batch(const at::Tensor& x, const std::vector<int64_t>& bs, const std::vector<int64_t>& pads) {
  std::vector<int64_t> p;  // constant_pad_nd: last dim first
  for (int64_t d = x.dim() - 1; d >= 1; --d)
    if (d <= int64_t(bs.size())) p.insert(p.end(), {pads[size_t(2 * d - 2)], pads[size_t(2 * d - 1)]});
    else p.insert(p.end(), {0, 0});
  at::Tensor xp = at::constant_pad_nd(x, p);
  Tensors parts;
  for (int64_t k = 0; k < product(bs); ++k) {
    at::Tensor t = xp;
    auto o = block_offsets(k, bs);
    for (size_t i = 0; i < bs.size(); ++i) t = t.slice(int64_t(1 + i), o[i], at::indexing::None, bs[i]);
    parts.push_back(t);
  }
  return at::cat(parts, 0);
}

// tf.batch_to_space_nd: out[b, i_1 * b_1 + o_1, ..] = x[k * B + b, i_1, ..] for the k-th block offset,
// then crops [M][2] removed from each spatial dim's ends.
at::Tensor batch_to_space(const at::Tensor& x, const std::vector<int64_t>& bs, const std::vector<int64_t>& crops) {
  int64_t batch = x.size(0) / product(bs);
  std::vector<int64_t> dims = x.sizes().vec();
  dims[0] = batch;
  for (size_t i = 0; i < bs.size(); ++i) dims[1 + i] *= bs[i];
  at::Tensor out = at::zeros(dims, x.options());
  for (int64_t k = 0; k < product(bs); ++k) {
    at::Tensor target = out;
    auto o = block_offsets(k, bs);
    for (size_t i = 0; i < bs.size(); ++i) target = target.slice(int64_t(1 + i), o[i], at::indexing::None, bs[i]);
    target.copy_(x.slice(0, k * batch, (k + 1) * batch));
  }
  for (size_t i = 0; i < bs.size(); ++i)
    out = out.slice(int64_t(1 + i), crops[2 * i], out.size(int64_t(1 + i)) - crops[2 * i + 1]);
  return out;
}

// tf.reverse_sequence: along seq_dim, the first lens[b] entries of batch b (along batch_dim) reversed.
at::Tensor reverse_sequence(const at::Tensor& x, const at::Tensor& lens, int64_t seq_dim, int64_t batch_dim) {
  at::Tensor out = x.clone();
  int64_t axis = seq_dim < batch_dim ? seq_dim : seq_dim - 1;  // in one batch entry
  for (int64_t b = 0; b < x.size(batch_dim); ++b) {
    int64_t l = lens[b].item<int64_t>();
    out.select(batch_dim, b).narrow(axis, 0, l).copy_(x.select(batch_dim, b).narrow(axis, 0, l).flip(axis));
  }
  return out;
}

}  // namespace

void add_layout_cases(std::vector<Case>& out) {
  // tf.reverse over listed axes (ReverseV2) or over the axes whose flag is set (TF1 Reverse);
  // tf.roll: out[i] = in[(i - shift) mod n] per axis, shifts of either sign and larger than n, on
  // the symbolic batch axis too; tf.broadcast_to a constant shape and one computed at run time.
  Case rev;
  rev.name = "reverse_roll_broadcast";
  rev.ops = {"ReverseV2", "Reverse", "Roll", "BroadcastTo"};
  rev.inputs = {{"x", {-1, 3, 4}}, {"z", {3, 1}}, {"row", {4}}};
  rev.outputs = {"rev02", "rev1", "rev_flags", "roll2", "roll1", "bcast", "bcast_like"};
  rev.build = [](B& b) {
    b.const_i("axes02", {0, 2});
    b.node("rev02", "ReverseV2", {"x", "axes02"});
    b.const_i("axes1", {1});
    b.node("rev1", "ReverseV2", {"x", "axes1"});
    const_bools(b, "flags", {false, true, true});
    b.node("rev_flags", "Reverse", {"x", "flags"});
    b.const_i("shifts", {1, -5});
    b.node("roll2", "Roll", {"x", "shifts", "axes02"});
    const_scalar_i(b, "two", 2);
    const_scalar_i(b, "one", 1);
    b.node("roll1", "Roll", {"x", "two", "one"});
    b.const_i("to", {2, 3, 4});
    b.node("bcast", "BroadcastTo", {"z", "to"});
    b.node("shape", "Shape", {"x"});
    b.node("bcast_like", "BroadcastTo", {"row", "shape"});
  };
  rev.reference = [](const Tensors& in) {
    auto& x = in[0];
    return Tensors{x.flip({0, 2}), x.flip({1}), x.flip({1, 2}), at::roll(x, {1, -5}, {0, 2}), at::roll(x, {2}, {1}),
                   in[1].expand({2, 3, 4}), in[2].expand_as(x)};
  };
  out.push_back(rev);

  // tf.nn.depth_to_space / space_to_depth (NHWC): out[b, h*bs + i, w*bs + j, c] =
  // in[b, h, w, (i*bs + j)*C + c], written out with views.
  Case ds;
  ds.name = "depth_space";
  ds.ops = {"DepthToSpace", "SpaceToDepth"};
  ds.inputs = {{"d", {-1, 2, 3, 8}}, {"s", {-1, 4, 6, 3}}};
  ds.outputs = {"to_space", "to_depth"};
  ds.build = [](B& b) {
    for (auto [name, op, in] : {std::tuple{"to_space", "DepthToSpace", "d"}, {"to_depth", "SpaceToDepth", "s"}}) {
      tf::NodeDef* n = b.node(name, op, {in});
      B::set_int(n, "block_size", 2);
      B::set_str(n, "data_format", "NHWC");
    }
  };
  ds.reference = [](const Tensors& in) {
    int64_t n = in[0].size(0);
    at::Tensor sp = in[0].view({n, 2, 3, 2, 2, 2}).permute({0, 1, 3, 2, 4, 5}).reshape({n, 4, 6, 2});
    at::Tensor dp = in[1].view({n, 2, 2, 3, 2, 3}).permute({0, 1, 3, 2, 4, 5}).reshape({n, 2, 3, 12});
    return Tensors{sp, dp};
  };
  out.push_back(ds);

  // tf.rank (times the size: the rank alone is a constant), tf.shape_n, tf.broadcast_dynamic_shape
  // (BroadcastArgs) of a [3, 1] and a [batch, 3, 4] shape; AccumulateNV2 (tf.math.accumulate_n) sums.
  Case sq;
  sq.name = "shape_queries";
  sq.ops = {"Rank", "ShapeN", "BroadcastArgs", "AccumulateNV2"};
  sq.inputs = {{"x", {-1, 3, 4}}, {"z", {3, 1}}};
  sq.outputs = {"rank_size", "shapes:0", "shapes:1", "bargs", "acc"};
  sq.build = [](B& b) {
    b.node("rank", "Rank", {"x"});
    b.node("size", "Size", {"x"});
    b.node("rank_size", "Mul", {"rank", "size"});
    tf::NodeDef* shapes = b.node("shapes", "ShapeN", {"x", "z"});
    B::set_int(shapes, "N", 2);
    set_type(shapes, "out_type", tf::DT_INT32);
    b.node("sz", "Shape", {"z"});
    b.node("sx", "Shape", {"x"});
    b.node("bargs", "BroadcastArgs", {"sz", "sx"});
    B::set_int(b.node("acc", "AccumulateNV2", {"x", "x", "z"}), "N", 3);
  };
  sq.reference = [](const Tensors& in) {
    auto& x = in[0];
    auto i32 = [](std::vector<int64_t> v) { return at::tensor(v).to(at::kInt); };
    return Tensors{i32({3 * x.numel()}).reshape({}), i32({x.size(0), 3, 4}), i32({3, 1}), i32({x.size(0), 3, 4}),
                   x + x + in[1]};
  };
  out.push_back(sq);

  // tf.space_to_batch_nd / tf.batch_to_space_nd (the dilated-convolution pattern): symbolic batch
  // and spatial sizes (padded to a multiple of the block), a 1-D block with a trailing dim, a
  // direct BatchToSpaceND with crops, and the round trip back to the input.
  Case sb;
  sb.name = "space_batch";
  sb.ops = {"SpaceToBatchND", "BatchToSpaceND"};
  sb.inputs = {{"x", {-1, -2, -2, 3}}, {"v", {-1, 6, 2}}, {"z", {4, -2, 3, 2}}};
  sb.outputs = {"s2b", "s2b_1d", "b2s", "round"};
  sb.build = [](B& b) {
    b.const_i("block22", {2, 2});
    const_matrix_i(b, "pads", 2, {0, 1, 1, 0});
    b.node("s2b", "SpaceToBatchND", {"x", "block22", "pads"});
    b.const_i("block3", {3});
    const_matrix_i(b, "pads1", 1, {1, 2});
    b.node("s2b_1d", "SpaceToBatchND", {"v", "block3", "pads1"});
    b.const_i("block21", {2, 1});
    const_matrix_i(b, "crops", 2, {1, 0, 0, 1});
    b.node("b2s", "BatchToSpaceND", {"z", "block21", "crops"});
    b.node("round", "BatchToSpaceND", {"s2b", "block22", "pads"});
  };
  sb.reference = [](const Tensors& in) {
    return Tensors{space_to_batch(in[0], {2, 2}, {0, 1, 1, 0}), space_to_batch(in[1], {3}, {1, 2}),
                   batch_to_space(in[2], {2, 1}, {1, 0, 0, 1}), in[0]};
  };
  out.push_back(sb);

  // tf.reverse_sequence with the batch and sequence on axes 0/1 and on axes 1/2 (moved for ONNX),
  // lengths in [0, 4] from the input.
  Case rs;
  rs.name = "reverse_sequence";
  rs.ops = {"ReverseSequence"};
  rs.inputs = {{"x", {-1, 4, 3}}, {"v", {3, -1, 4, 2}}, {"len", {-1}, tf::DT_INT32, Input::SmallInt}};
  rs.outputs = {"rev01", "rev21"};
  rs.build = [](B& b) {
    b.const_i("five", {5});
    b.node("lens", "FloorMod", {"len", "five"});
    tf::NodeDef* a = b.node("rev01", "ReverseSequence", {"x", "lens"});
    B::set_int(a, "seq_dim", 1);
    set_type(a, "Tlen", tf::DT_INT32);
    tf::NodeDef* c = b.node("rev21", "ReverseSequence", {"v", "lens"});
    B::set_int(c, "seq_dim", 2);
    B::set_int(c, "batch_dim", 1);
    set_type(c, "Tlen", tf::DT_INT32);
  };
  rs.reference = [](const Tensors& in) {
    at::Tensor lens = at::remainder(in[2], 5);
    return Tensors{reverse_sequence(in[0], lens, 1, 0), reverse_sequence(in[1], lens, 2, 1)};
  };
  out.push_back(rs);
}

}  // namespace modelport::test::tf_ops

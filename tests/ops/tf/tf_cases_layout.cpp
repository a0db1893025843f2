// TF ops that move elements without computing on them: ReverseV2/Reverse, Roll, BroadcastTo,
// DepthToSpace/SpaceToDepth.
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
}

}  // namespace modelport::test::tf_ops

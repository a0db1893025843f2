// TF ops that pick elements by value or by index tuple, or write them at an index: TopKV2/TopK,
// GatherNd, OneHot.
#include "ops/tf/tf_cases.h"

namespace modelport::test::tf_ops {
namespace {
using B = sm::GraphDefBuilder;
}  // namespace

void add_index_cases(std::vector<Case>& out) {
  // tf.math.top_k: the k largest of the last axis, largest first, ties to the lower index; indices
  // int32 unless index_type says otherwise. k is a constant, an attribute (TopK) or computed from
  // the input's shape (the batch size) at run time.
  Case topk;
  topk.name = "top_k";
  topk.ops = {"TopKV2", "TopK"};
  topk.inputs = {{"x", {-1, 3, 5}}, {"t", {-1, 6}, tf::DT_FLOAT, Input::SmallInt}};
  topk.outputs = {"top3:0", "top3:1", "top_batch:0", "top_batch:1", "top2:0", "top2:1", "ties:1"};
  topk.build = [](B& b) {
    const_scalar_i(b, "three", 3);
    b.node("top3", "TopKV2", {"x", "three"});
    b.node("shape", "Shape", {"x"});
    b.const_i("b0", {0});
    b.const_i("b1", {1});
    b.const_i("s1", {1});
    tf::NodeDef* batch = b.node("batch", "StridedSlice", {"shape", "b0", "b1", "s1"});
    B::set_int(batch, "shrink_axis_mask", 1);
    set_type(b.node("top_batch", "TopKV2", {"x", "batch"}), "index_type", tf::DT_INT64);
    B::set_int(b.node("top2", "TopK", {"x"}), "k", 2);
    const_scalar_i(b, "four", 4);
    b.node("ties", "TopKV2", {"t", "four"});  // small integers: equal values, lower index first
  };
  topk.reference = [](const Tensors& in) {
    auto& x = in[0];
    auto [v3, i3] = x.topk(3, -1);
    auto [vb, ib] = x.topk(x.size(0), -1);
    auto [v2, i2] = x.topk(2, -1);
    // ties: a stable descending sort keeps equal values in index order
    auto [vt, it] = in[1].sort(/*stable=*/true, -1, /*descending=*/true);
    return Tensors{v3, i3.to(at::kInt), vb, ib, v2, i2.to(at::kInt), it.slice(1, 0, 4).to(at::kInt)};
  };
  out.push_back(topk);

  // tf.gather_nd: each row of indices names a slice of params (batch_dims 0), index tuples shorter
  // than params' rank take whole trailing slices.
  Case gnd;
  gnd.name = "gather_nd";
  gnd.ops = {"GatherNd"};
  gnd.inputs = {{"x", {-1, 3, 4}}};
  gnd.outputs = {"rows", "elements"};
  gnd.build = [](B& b) {
    const_matrix_i(b, "pairs", 3, {0, 1, 1, 2, 0, 0});
    b.node("rows", "GatherNd", {"x", "pairs"});
    const_matrix_i(b, "triples", 2, {1, 2, 3, 0, 0, 1});
    b.node("elements", "GatherNd", {"x", "triples"});
  };
  gnd.reference = [](const Tensors& in) {
    auto& x = in[0];
    return Tensors{at::stack({x[0][1], x[1][2], x[0][0]}), at::stack({x[1][2][3], x[0][0][1]})};
  };
  out.push_back(gnd);

  // tf.one_hot: depth entries along `axis`, on_value where the index is, off_value elsewhere; an
  // index outside [0, depth) (negative ones too) gives a row of off_value.
  Case oh;
  oh.name = "one_hot";
  oh.ops = {"OneHot"};
  oh.inputs = {{"i", {-1, 3}, tf::DT_INT32, Input::SmallInt}};
  oh.outputs = {"last", "middle"};
  oh.build = [](B& b) {
    const_scalar_i(b, "depth", 4);
    b.const_f("on", {}, {2.5f});
    b.const_f("off", {}, {-1.f});
    set_type(b.node("last", "OneHot", {"i", "depth", "on", "off"}), "T", tf::DT_FLOAT);
    tf::NodeDef* middle = b.node("middle", "OneHot", {"i", "depth", "on", "off"});
    set_type(middle, "T", tf::DT_FLOAT);
    B::set_int(middle, "axis", 1);
  };
  oh.reference = [](const Tensors& in) {
    at::Tensor depth = at::arange(4, at::kInt);
    auto pick = [](const at::Tensor& hit) { return at::where(hit, at::full({}, 2.5f), at::full({}, -1.f)); };
    return Tensors{pick(in[0].unsqueeze(-1) == depth), pick(in[0].unsqueeze(1) == depth.view({1, 4, 1}))};
  };
  out.push_back(oh);
}

}  // namespace modelport::test::tf_ops

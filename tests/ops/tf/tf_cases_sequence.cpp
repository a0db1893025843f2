// TF ops that build or rearrange 1-D sequences: LinSpace, InvertPermutation, ListDiff.
#include "ops/tf/tf_cases.h"

namespace modelport::test::tf_ops {
namespace {
using B = sm::GraphDefBuilder;

// tf.linspace: start + i * (stop - start) / (num - 1) for i < num; [start] when num is 1.
at::Tensor lin_space(const at::Tensor& start, const at::Tensor& stop, int64_t num) {
  at::Tensor i = at::arange(num, at::kFloat);
  return num == 1 ? start.reshape({1}) : start + i * (stop - start) / double(num - 1);
}

}  // namespace

void add_sequence_cases(std::vector<Case>& out) {
  // tf.linspace with a constant count, a count read off the input's size at run time, and a count
  // of 1; tf.math.invert_permutation of a permutation computed at run time (the descending sort
  // order of p: the result is each element's rank); tf.compat.v1.setdiff1d (ListDiff): the values
  // of x not in y, in order, with their positions.
  Case s;
  s.name = "sequences";
  s.ops = {"LinSpace", "InvertPermutation", "ListDiff"};
  s.inputs = {{"a", {}}, {"b", {}}, {"p", {-2}}, {"x", {-2}, tf::DT_INT32, Input::SmallInt},
              {"y", {3}, tf::DT_INT32, Input::SmallInt}};
  s.outputs = {"lin5", "lin_n", "lin1", "ranks", "diff:0", "diff:1"};
  s.build = [](B& b) {
    const_scalar_i(b, "five", 5);
    const_scalar_i(b, "one", 1);
    b.node("lin5", "LinSpace", {"a", "b", "five"});
    b.node("n", "Size", {"p"});
    b.node("lin_n", "LinSpace", {"a", "b", "n"});
    b.node("lin1", "LinSpace", {"a", "b", "one"});
    b.node("order", "TopKV2", {"p", "n"});
    b.node("ranks", "InvertPermutation", {"order:1"});
    b.node("diff", "ListDiff", {"x", "y"});
  };
  s.reference = [](const Tensors& in) {
    const at::Tensor &a = in[0], &b = in[1], &p = in[2], &x = in[3], &y = in[4];
    at::Tensor order = std::get<1>(p.sort(/*stable=*/true, 0, /*descending=*/true));
    at::Tensor ranks = at::empty_like(order);
    for (int64_t i = 0; i < order.size(0); ++i) ranks[order[i].item<int64_t>()] = i;
    std::vector<int32_t> vals, pos;
    for (int64_t i = 0; i < x.size(0); ++i)
      if (!(y == x[i]).any().item<bool>()) {
        vals.push_back(x[i].item<int32_t>());
        pos.push_back(int32_t(i));
      }
    return Tensors{lin_space(a, b, 5), lin_space(a, b, p.size(0)), lin_space(a, b, 1), ranks.to(at::kInt),
                   at::tensor(at::ArrayRef<int32_t>(vals), at::kInt), at::tensor(at::ArrayRef<int32_t>(pos), at::kInt)};
  };
  out.push_back(s);
}

}  // namespace modelport::test::tf_ops

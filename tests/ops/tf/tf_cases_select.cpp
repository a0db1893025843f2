// TF ops whose output size depends on the values: NonMaxSuppression V1-V5 and Where (coordinates
// of the true elements); SparseToDense (values written at index tuples).
#include <algorithm>
#include <limits>

#include "ops/tf/tf_cases.h"

namespace modelport::test::tf_ops {
namespace {
using B = sm::GraphDefBuilder;

// IoU of boxes i and j ([y1, x1, y2, x2], either diagonal), 0 when either has no area
// (tensorflow/core/kernels/image/non_max_suppression_op.cc IOU).
float iou(const at::Tensor& boxes, int64_t i, int64_t j) {
  auto b = boxes.accessor<float, 2>();
  auto lo = [&](int64_t k, int c) { return std::min(b[k][c], b[k][c + 2]); };
  auto hi = [&](int64_t k, int c) { return std::max(b[k][c], b[k][c + 2]); };
  float area_i = (hi(i, 0) - lo(i, 0)) * (hi(i, 1) - lo(i, 1)), area_j = (hi(j, 0) - lo(j, 0)) * (hi(j, 1) - lo(j, 1));
  if (area_i <= 0 || area_j <= 0) return 0.f;
  float h = std::max(std::min(hi(i, 0), hi(j, 0)) - std::max(lo(i, 0), lo(j, 0)), 0.f);
  float w = std::max(std::min(hi(i, 1), hi(j, 1)) - std::max(lo(i, 1), lo(j, 1)), 0.f);
  return h * w / (area_i + area_j - h * w);
}

// TF's greedy hard NMS: candidates by descending score (equal scores: lower index first) above the
// score threshold, each kept unless its IoU with a kept box exceeds the IoU threshold, until
// max_output boxes are kept. The int32 indices in selection order.
at::Tensor nms(const at::Tensor& boxes, const at::Tensor& scores, int64_t max_output, float iou_threshold,
               float score_threshold = std::numeric_limits<float>::lowest()) {
  auto s = scores.accessor<float, 1>();
  std::vector<int64_t> order(size_t(scores.size(0)));
  for (size_t i = 0; i < order.size(); ++i) order[i] = int64_t(i);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return s[a] > s[b]; });
  std::vector<int32_t> kept;
  for (int64_t i : order) {
    if (int64_t(kept.size()) == max_output || !(s[i] > score_threshold)) break;
    bool suppressed = false;
    for (int32_t k : kept) suppressed = suppressed || iou(boxes, i, k) > iou_threshold;
    if (!suppressed) kept.push_back(int32_t(i));
  }
  return at::tensor(at::ArrayRef<int32_t>(kept), at::kInt);
}

at::Tensor pad_to(const at::Tensor& t, int64_t n) { return at::constant_pad_nd(t, {0, n - t.size(0)}, 0); }

}  // namespace

void add_select_cases(std::vector<Case>& out) {
  // tf.image.non_max_suppression*: random boxes (corners in any order, some empty) overlap often.
  // V1 takes the IoU threshold as an attribute; V4/V5 pad indices (and V5 scores) with zeros to
  // max_output_size when asked and count the valid ones; V5's soft_nms_sigma 0 is hard NMS.
  Case n;
  n.name = "non_max_suppression";
  n.ops = {"NonMaxSuppression", "NonMaxSuppressionV2", "NonMaxSuppressionV3", "NonMaxSuppressionV4",
           "NonMaxSuppressionV5"};
  n.inputs = {{"boxes", {-2, 4}}, {"scores", {-2}}};
  n.outputs = {"v1", "v2", "v3", "v4:0", "v4:1", "v4_pad:0", "v4_pad:1", "v5:0", "v5:1", "v5:2",
               "v5_plain:0", "v5_plain:1"};
  n.build = [](B& b) {
    const_scalar_i(b, "max3", 3);
    const_scalar_i(b, "max6", 6);
    const_scalar_i(b, "max10", 10);
    b.const_f("iou3", {}, {0.3f});
    b.const_f("iou5", {}, {0.5f});
    b.const_f("score0", {}, {0.f});
    b.const_f("score_neg", {}, {-0.5f});
    b.const_f("sigma0", {}, {0.f});
    B::set_float(b.node("v1", "NonMaxSuppression", {"boxes", "scores", "max6"}), "iou_threshold", 0.6f);
    b.node("v2", "NonMaxSuppressionV2", {"boxes", "scores", "max3", "iou3"});
    b.node("v3", "NonMaxSuppressionV3", {"boxes", "scores", "max10", "iou5", "score0"});
    b.node("v4", "NonMaxSuppressionV4", {"boxes", "scores", "max10", "iou3", "score_neg"});
    B::set_bool(b.node("v4_pad", "NonMaxSuppressionV4", {"boxes", "scores", "max6", "iou5", "score0"}),
                "pad_to_max_output_size", true);
    B::set_bool(b.node("v5", "NonMaxSuppressionV5", {"boxes", "scores", "max6", "iou3", "score_neg", "sigma0"}),
                "pad_to_max_output_size", true);
    b.node("v5_plain", "NonMaxSuppressionV5", {"boxes", "scores", "max10", "iou5", "score_neg", "sigma0"});
  };
  n.reference = [](const Tensors& in) {
    const at::Tensor &bx = in[0], &sc = in[1];
    at::Tensor v4 = nms(bx, sc, 10, 0.3f, -0.5f), v4p = nms(bx, sc, 6, 0.5f, 0.f), v5 = nms(bx, sc, 6, 0.3f, -0.5f),
               v5p = nms(bx, sc, 10, 0.5f, -0.5f);
    auto count = [](const at::Tensor& t) { return at::scalar_tensor(int32_t(t.size(0)), at::kInt); };
    return Tensors{nms(bx, sc, 6, 0.6f), nms(bx, sc, 3, 0.3f), nms(bx, sc, 10, 0.5f, 0.f), v4, count(v4),
                   pad_to(v4p, 6), count(v4p), pad_to(v5, 6), pad_to(sc.index_select(0, v5.to(at::kLong)), 6),
                   count(v5), v5p, sc.index_select(0, v5p.to(at::kLong))};
  };
  out.push_back(n);

  // tf.where(condition): the int64 coordinates [n, rank] of the true / non-zero elements, row-major.
  Case w;
  w.name = "where";
  w.ops = {"Where"};
  w.inputs = {{"mask", {-1, 3, 4}, tf::DT_BOOL}, {"i", {-1, 5}, tf::DT_INT32, Input::SmallInt}};
  w.outputs = {"true_at", "nonzero_at"};
  w.build = [](B& b) {
    b.node("true_at", "Where", {"mask"});
    set_type(b.node("nonzero_at", "Where", {"i"}), "T", tf::DT_INT32);
  };
  w.reference = [](const Tensors& in) { return Tensors{at::nonzero(in[0]), at::nonzero(in[1])}; };
  out.push_back(w);

  // tf.sparse.to_dense's op: default_value everywhere, sparse_values at the index tuples; a vector
  // of indices into a vector output, a scalar value written at every index.
  Case s;
  s.name = "sparse_to_dense";
  s.ops = {"SparseToDense"};
  s.inputs = {{"v", {3}}, {"d", {}}};
  s.outputs = {"grid", "line"};
  s.build = [](B& b) {
    const_matrix_i(b, "idx", 3, {0, 1, 2, 0, 1, 3});
    b.const_i("shape", {3, 4});
    b.node("grid", "SparseToDense", {"idx", "shape", "v", "d"});
    b.const_i("idx1", {4, 0, 2});
    b.const_i("shape1", {6});
    b.const_f("one", {}, {1.5f});
    b.node("line", "SparseToDense", {"idx1", "shape1", "one", "d"});
  };
  s.reference = [](const Tensors& in) {
    at::Tensor grid = at::full({3, 4}, in[1].item<float>()), line = at::full({6}, in[1].item<float>());
    grid.index_put_({0, 1}, in[0][0]);
    grid.index_put_({2, 0}, in[0][1]);
    grid.index_put_({1, 3}, in[0][2]);
    line.index_put_({at::tensor({4, 0, 2}, at::kLong)}, 1.5f);
    return Tensors{grid, line};
  };
  out.push_back(s);
}

}  // namespace modelport::test::tf_ops

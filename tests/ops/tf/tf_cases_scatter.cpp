// TF ops that write or combine values at indices: ScatterNd, TensorScatter*, the segment reductions.
#include <limits>

#include "ops/tf/tf_cases.h"

namespace modelport::test::tf_ops {
namespace {
using B = sm::GraphDefBuilder;

// TF's segment reduction: out[ids[i]] = combine(out[ids[i]], data[i]) over the ids' k leading dims of
// data (ids < 0 skipped), out [n, data.shape[k:]] starting at `init`.
template <class F>
at::Tensor segment_ref(const at::Tensor& data, const std::vector<int64_t>& ids, int64_t k, int64_t n, double init,
                       F combine) {
  std::vector<int64_t> dims{n};
  for (int64_t d = k; d < data.dim(); ++d) dims.push_back(data.size(d));
  at::Tensor rows = data.reshape({int64_t(ids.size()), -1});
  at::Tensor out = at::full({n, rows.size(1)}, init, data.options());
  for (size_t i = 0; i < ids.size(); ++i)
    if (ids[i] >= 0) out[ids[i]].copy_(combine(out[ids[i]], rows[int64_t(i)]));
  return out.reshape(dims);
}
auto sum = [](const at::Tensor& a, const at::Tensor& b) { return a + b; };

}  // namespace

void add_scatter_cases(std::vector<Case>& out) {
  // tf.scatter_nd into zeros (repeated indices add up), tf.tensor_scatter_nd_update/add/sub: index
  // pairs naming [batch] slices of a [4, 3, batch] tensor.
  Case s;
  s.name = "scatter_nd";
  s.ops = {"ScatterNd", "TensorScatterUpdate", "TensorScatterAdd", "TensorScatterSub"};
  s.min_opset = 16;  // ScatterND's reduction
  s.inputs = {{"t", {4, 3, -1}}, {"u", {3, -1}}};
  s.outputs = {"scattered", "updated", "added", "subtracted"};
  s.build = [](B& b) {
    const_matrix_i(b, "idx", 3, {1, 0, 3, 2, 1, 0});  // (1,0), (3,2), (1,0) again
    b.node("shape", "Shape", {"t"});
    b.node("scattered", "ScatterNd", {"idx", "u", "shape"});
    const_matrix_i(b, "idx_u", 3, {1, 0, 3, 2, 0, 1});
    b.node("updated", "TensorScatterUpdate", {"t", "idx_u", "u"});
    b.node("added", "TensorScatterAdd", {"t", "idx", "u"});
    b.node("subtracted", "TensorScatterSub", {"t", "idx", "u"});
  };
  s.reference = [](const Tensors& in) {
    const at::Tensor &t = in[0], &u = in[1];
    auto rows = [](std::vector<int64_t> r, std::vector<int64_t> c) {
      return std::vector<at::Tensor>{at::tensor(r, at::kLong), at::tensor(c, at::kLong)};
    };
    std::vector<at::Tensor> idx = rows({1, 3, 1}, {0, 2, 0}), idx_u = rows({1, 3, 0}, {0, 2, 1});
    auto put = [&](at::Tensor base, const std::vector<at::Tensor>& i, const at::Tensor& v, bool acc) {
      return base.index_put_({i[0], i[1]}, v, acc);
    };
    return Tensors{put(at::zeros_like(t), idx, u, true), put(t.clone(), idx_u, u, false), put(t.clone(), idx, u, true),
                   put(t.clone(), idx, -u, true)};
  };
  out.push_back(s);

  // tf.math.unsorted_segment_*: data rows combined per id into num_segments rows, negative ids
  // dropped, empty segments 0 (sum), 1 (prod), the lowest / largest float (max / min); ids of rank
  // 2 take the data's two leading dims. tf.math.segment_sum: sorted ids, max(id) + 1 rows.
  Case seg;
  seg.name = "segment_sum_prod";
  seg.ops = {"UnsortedSegmentSum", "UnsortedSegmentProd", "SegmentSum"};
  seg.min_opset = 16;  // ScatterND's reduction
  seg.inputs = {{"d", {5, -1}}, {"d2", {2, 2, -1}}};
  seg.outputs = {"usum", "uprod", "usum2", "ssum"};
  seg.build = [](B& b) {
    b.const_i("ids", {2, 0, -1, 2, 4});
    const_scalar_i(b, "six", 6);
    b.node("usum", "UnsortedSegmentSum", {"d", "ids", "six"});
    b.node("uprod", "UnsortedSegmentProd", {"d", "ids", "six"});
    const_matrix_i(b, "ids2", 2, {0, 2, 2, -1});
    const_scalar_i(b, "three", 3);
    b.node("usum2", "UnsortedSegmentSum", {"d2", "ids2", "three"});
    b.const_i("sorted", {0, 0, 1, 3, 3});
    b.node("ssum", "SegmentSum", {"d", "sorted"});
  };
  seg.reference = [](const Tensors& in) {
    auto prod = [](const at::Tensor& a, const at::Tensor& b) { return a * b; };
    return Tensors{segment_ref(in[0], {2, 0, -1, 2, 4}, 1, 6, 0, sum), segment_ref(in[0], {2, 0, -1, 2, 4}, 1, 6, 1, prod),
                   segment_ref(in[1], {0, 2, 2, -1}, 2, 3, 0, sum), segment_ref(in[0], {0, 0, 1, 3, 3}, 1, 4, 0, sum)};
  };
  out.push_back(seg);

  // Max / min reductions (ScatterND max/min: opset 18).
  Case mm;
  mm.name = "scatter_max_min";
  mm.ops = {"UnsortedSegmentMax", "UnsortedSegmentMin", "TensorScatterMax", "TensorScatterMin"};
  mm.min_opset = 18;
  mm.inputs = {{"d", {5, -1}}, {"t", {4, -1}}};
  mm.outputs = {"umax", "umin", "tmax", "tmin"};
  mm.build = [](B& b) {
    b.const_i("ids", {3, 0, 3, -1, 0});
    const_scalar_i(b, "five", 5);
    b.node("umax", "UnsortedSegmentMax", {"d", "ids", "five"});
    b.node("umin", "UnsortedSegmentMin", {"d", "ids", "five"});
    const_matrix_i(b, "rows", 5, {2, 0, 2, 1, 0});  // row 2 twice, row 0 twice
    b.node("tmax", "TensorScatterMax", {"t", "rows", "d"});
    b.node("tmin", "TensorScatterMin", {"t", "rows", "d"});
  };
  mm.reference = [](const Tensors& in) {
    auto mx = [](const at::Tensor& a, const at::Tensor& b) { return at::maximum(a, b); };
    auto mn = [](const at::Tensor& a, const at::Tensor& b) { return at::minimum(a, b); };
    float big = std::numeric_limits<float>::max();
    std::vector<int64_t> rows{2, 0, 2, 1, 0};
    at::Tensor tmax = in[1].clone(), tmin = in[1].clone();
    for (size_t i = 0; i < rows.size(); ++i) {
      tmax[rows[i]].copy_(at::maximum(tmax[rows[i]], in[0][int64_t(i)]));
      tmin[rows[i]].copy_(at::minimum(tmin[rows[i]], in[0][int64_t(i)]));
    }
    return Tensors{segment_ref(in[0], {3, 0, 3, -1, 0}, 1, 5, -big, mx), segment_ref(in[0], {3, 0, 3, -1, 0}, 1, 5, big, mn),
                   tmax, tmin};
  };
  out.push_back(mm);

  // DynamicPartition: output i holds, in row-major order, the rows whose partition is i
  // (partitions' shape a prefix of data's).
  Case dp;
  dp.name = "dynamic_partition";
  dp.ops = {"DynamicPartition"};
  dp.inputs = {{"x", {2, 3, -1}}, {"y", {4, -1}}};
  dp.outputs = {"by2d:0", "by2d:1", "by2d:2", "by1d:0", "by1d:1"};
  dp.build = [](B& b) {
    const_matrix_i(b, "p", 2, {0, 2, 1, 1, 0, 2});
    b.const_i("q", {1, 0, 1, 1});
    B::set_int(b.node("by2d", "DynamicPartition", {"x", "p"}), "num_partitions", 3);
    B::set_int(b.node("by1d", "DynamicPartition", {"y", "q"}), "num_partitions", 2);
  };
  dp.reference = [](const Tensors& in) {
    at::Tensor rows = in[0].reshape({6, -1}), p = at::tensor(std::vector<int64_t>{0, 2, 1, 1, 0, 2});
    at::Tensor q = at::tensor(std::vector<int64_t>{1, 0, 1, 1});
    return Tensors{rows.index({p == 0}), rows.index({p == 1}), rows.index({p == 2}), in[1].index({q == 0}),
                   in[1].index({q == 1})};
  };
  out.push_back(dp);

  // DynamicStitch: merged[indices[m][j...]] = data[m][j...] over max(index) + 1 rows, the later of
  // repeated indices winning; ParallelDynamicStitch (no repeats here: its order is unspecified).
  Case ds;
  ds.name = "dynamic_stitch";
  ds.ops = {"DynamicStitch", "ParallelDynamicStitch"};
  ds.inputs = {{"a", {3, -1}}, {"b", {2, 2, -1}}, {"c", {2, -1}}};
  ds.outputs = {"stitch", "stitch_repeat", "parallel"};
  ds.build = [](B& b) {
    b.const_i("ia", {0, 4, 2});
    const_matrix_i(b, "ib", 2, {1, 5, 3, 6});
    b.const_i("ic", {1, 0});
    B::set_int(b.node("stitch", "DynamicStitch", {"ia", "ib", "a", "b"}), "N", 2);
    B::set_int(b.node("stitch_repeat", "DynamicStitch", {"ia", "ib", "ic", "a", "b", "c"}), "N", 3);
    B::set_int(b.node("parallel", "ParallelDynamicStitch", {"ia", "ib", "a", "b"}), "N", 2);
  };
  ds.reference = [](const Tensors& in) {
    auto stitch = [&](std::vector<std::pair<std::vector<int64_t>, at::Tensor>> parts) {
      at::Tensor merged = at::zeros({7, in[0].size(1)});
      for (auto& [idx, rows] : parts)
        for (size_t j = 0; j < idx.size(); ++j) merged[idx[j]].copy_(rows[int64_t(j)]);
      return merged;
    };
    at::Tensor b = in[1].reshape({4, -1});
    at::Tensor plain = stitch({{{0, 4, 2}, in[0]}, {{1, 5, 3, 6}, b}});
    return Tensors{plain, stitch({{{0, 4, 2}, in[0]}, {{1, 5, 3, 6}, b}, {{1, 0}, in[2]}}), plain};
  };
  out.push_back(ds);
}

}  // namespace modelport::test::tf_ops

// Op translators on small frozen GraphDefs built in the test: NHWC convolution stacks (one
// Transpose pair left after optimize_transposes), SAME padding, slicing, the unsupported-op error.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>

#include "fixture_util.h"
#include "graphdef_builder.h"
#include "modelport/emit.h"
#include "modelport/error.h"
#include "modelport/loaders.h"
#include "support/test_support.h"
#include "verify/ort_runner.h"

using namespace modelport;
using namespace modelport::test::sm;
using B = GraphDefBuilder;

namespace {

std::vector<float> iota(size_t n) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = float(i);
  return v;
}

Model load_graphdef(GraphDefBuilder& b, std::vector<std::string> outputs, std::vector<std::string> inputs = {}) {
  LoadOptions o;
  o.outputs = std::move(outputs);
  for (auto& i : inputs) o.inputs.push_back(InputSpec{i, std::nullopt, std::nullopt});
  return load_savedmodel(b.save(), Format::GraphDef, o);
}

// x[1,8,8,3] -> conv3x3 SAME -> bias -> relu -> conv3x3 VALID /2 -> bias -> relu -> maxpool 2 SAME
void conv_stack(GraphDefBuilder& b) {
  b.placeholder("x", {1, 8, 8, 3});
  b.const_f("w1", {3, 3, 3, 4}, iota(108));
  b.const_f("b1", {4}, {1, 2, 3, 4});
  b.const_f("w2", {3, 3, 4, 4}, iota(144));
  b.const_f("b2", {4}, {5, 6, 7, 8});
  auto* c1 = b.node("conv1", "Conv2D", {"x", "w1"});
  B::set_ints(c1, "strides", {1, 1, 1, 1});
  B::set_str(c1, "padding", "SAME");
  b.node("bias1", "BiasAdd", {"conv1", "b1"});
  b.node("relu1", "Relu", {"bias1"});
  auto* c2 = b.node("conv2", "Conv2D", {"relu1", "w2"});
  B::set_ints(c2, "strides", {1, 2, 2, 1});
  B::set_str(c2, "padding", "VALID");
  b.node("bias2", "BiasAdd", {"conv2", "b2"});
  b.node("relu2", "Relu", {"bias2"});
  auto* p = b.node("pool", "MaxPool", {"relu2"});
  B::set_ints(p, "ksize", {1, 2, 2, 1});
  B::set_ints(p, "strides", {1, 2, 2, 1});
  B::set_str(p, "padding", "SAME");
}

}  // namespace

TEST(GraphDefOps, NhwcConvStackKeepsOneTransposePair) {
  GraphDefBuilder b;
  conv_stack(b);
  Model m = load_graphdef(b, {"pool:0"});
  const Graph& g = *m.graph;
  EXPECT_EQ(m.source_format, "graphdef");
  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_EQ(g.inputs[0]->name, "x");
  ASSERT_EQ(g.outputs.size(), 1u);
  EXPECT_EQ(g.outputs[0]->name, "pool");
  EXPECT_EQ(g.outputs[0]->shape.str(), "[1,2,2,4]");
  EXPECT_EQ(count_op(g, "Transpose"), 2u) << g.dump();
  EXPECT_EQ(count_op(g, "Conv"), 2u);
  EXPECT_EQ(count_op(g, "MaxPool"), 1u);
  auto convs = nodes_of(g, "Conv");
  EXPECT_EQ(convs[0]->attr_ints("pads"), (std::vector<int64_t>{1, 1, 1, 1}));
  EXPECT_EQ(convs[1]->attr_ints("pads"), (std::vector<int64_t>{0, 0, 0, 0}));
  EXPECT_EQ(convs[1]->attr_ints("strides"), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(nodes_of(g, "MaxPool")[0]->attr_ints("pads"), (std::vector<int64_t>{0, 0, 1, 1}));
  // HWIO -> OIHW: W[o][i][h][w] == F[h][w][i][o] = ((h*3 + w)*3 + i)*4 + o.
  const Tensor* w = const_input(convs[0], 1);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->dims, (std::vector<int64_t>{4, 3, 3, 3}));
  auto at = [&](int o, int i, int h, int ww) { return w->data<float>()[((o * 3 + i) * 3 + h) * 3 + ww]; };
  EXPECT_FLOAT_EQ(at(1, 2, 0, 1), float(((0 * 3 + 1) * 3 + 2) * 4 + 1));
  EXPECT_FLOAT_EQ(at(3, 0, 2, 2), float(((2 * 3 + 2) * 3 + 0) * 4 + 3));
  // The channel-last bias became a [1,4,1,1] channel-first constant.
  for (auto* add : nodes_of(g, "Add")) {
    const Tensor* bias = const_input(add, 1);
    ASSERT_TRUE(bias);
    EXPECT_EQ(bias->dims, (std::vector<int64_t>{1, 4, 1, 1}));
  }
  // Layout: the first op reads the input through NHWC->NCHW, the output is NCHW->NHWC.
  EXPECT_EQ(g.nodes().front()->op, "Transpose");
  EXPECT_EQ(g.nodes().front()->attr_ints("perm"), (std::vector<int64_t>{0, 3, 1, 2}));
  EXPECT_EQ(g.outputs[0]->producer->op, "Transpose");
  EXPECT_EQ(g.outputs[0]->producer->attr_ints("perm"), (std::vector<int64_t>{0, 2, 3, 1}));
}

TEST(GraphDefOps, DepthwiseConvAndDynamicSamePadding) {
  GraphDefBuilder b;
  b.placeholder("x", {-1, -1, -1, 2});
  b.const_f("f", {3, 3, 2, 2}, iota(36));  // [kh, kw, C=2, M=2]
  auto* c = b.node("dw", "DepthwiseConv2dNative", {"x", "f"});
  B::set_ints(c, "strides", {1, 2, 2, 1});  // strided, size unknown: only auto_pad says SAME (stride 1 gets pads)
  B::set_str(c, "padding", "SAME");
  Model m = load_graphdef(b, {"dw"});
  auto convs = nodes_of(*m.graph, "Conv");
  ASSERT_EQ(convs.size(), 1u);
  EXPECT_EQ(convs[0]->attr_int("group", 0), 2);
  EXPECT_EQ(convs[0]->attr_string("auto_pad", ""), "SAME_UPPER");
  const Tensor* w = const_input(convs[0], 1);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->dims, (std::vector<int64_t>{4, 1, 3, 3}));
  // W[c*M + m][0][h][w] == F[h][w][c][m]
  EXPECT_FLOAT_EQ(w->data<float>()[(1 * 2 + 0) * 9 + 1 * 3 + 2], float(((1 * 3 + 2) * 2 + 1) * 2 + 0));
  EXPECT_EQ(m.graph->inputs[0]->shape.str(), "[batch,x_dim1,x_dim2,2]");
}

TEST(GraphDefOps, StridedSliceMasks) {
  GraphDefBuilder b;
  b.placeholder("x", {2, 3, 4});
  // x[:, 1, ::2]
  b.const_i("b1", {0, 1, 0});
  b.const_i("e1", {0, 2, 0});
  b.const_i("s1", {1, 1, 2});
  auto* s = b.node("s", "StridedSlice", {"x", "b1", "e1", "s1"});
  B::set_int(s, "begin_mask", 5);
  B::set_int(s, "end_mask", 5);
  B::set_int(s, "shrink_axis_mask", 2);
  // x[..., None, 0]
  b.const_i("b2", {0, 0, 0});
  b.const_i("e2", {0, 0, 1});
  b.const_i("s2", {1, 1, 1});
  auto* t = b.node("t", "StridedSlice", {"x", "b2", "e2", "s2"});
  B::set_int(t, "ellipsis_mask", 1);
  B::set_int(t, "new_axis_mask", 2);
  B::set_int(t, "shrink_axis_mask", 4);
  Model m = load_graphdef(b, {"s", "t"});
  const Graph& g = *m.graph;
  EXPECT_EQ(g.outputs[0]->shape.str(), "[2,2]");
  EXPECT_EQ(g.outputs[1]->shape.str(), "[2,3,1]");
  auto slices = nodes_of(g, "Slice");
  ASSERT_EQ(slices.size(), 2u);
  EXPECT_EQ(const_input(slices[0], 3)->to_int_vector(), (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(const_input(slices[0], 4)->to_int_vector(), (std::vector<int64_t>{1, 1, 2}));
  EXPECT_EQ(const_input(slices[1], 3)->to_int_vector(), (std::vector<int64_t>{2}));
  auto unsq = nodes_of(g, "Unsqueeze");
  ASSERT_EQ(unsq.size(), 1u);
  EXPECT_EQ(const_input(unsq[0], 1)->to_int_vector(), (std::vector<int64_t>{2}));
  auto sq = nodes_of(g, "Squeeze");
  ASSERT_EQ(sq.size(), 2u);
  EXPECT_EQ(const_input(sq[0], 1)->to_int_vector(), (std::vector<int64_t>{1}));
  EXPECT_EQ(const_input(sq[1], 1)->to_int_vector(), (std::vector<int64_t>{3}));
}

TEST(GraphDefOps, UnsupportedOpsListedInOneError) {
  GraphDefBuilder b;
  b.placeholder("x", {2});
  b.node("f1", "FancyOp", {"x"});
  b.node("r", "Relu", {"f1"});
  b.node("f2", "FancyOp", {"r"});
  b.node("w", "Weird", {"f2"});
  std::string e = error_of([&] { load_graphdef(b, {"w"}); });
  EXPECT_NE(e.find("FancyOp x2 (first: f1)"), std::string::npos) << e;
  EXPECT_NE(e.find("Weird x1 (first: w)"), std::string::npos) << e;
  EXPECT_EQ(e.find("Relu"), std::string::npos) << e;
  EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  SourceReport r = inspect_savedmodel(b.save(), Format::GraphDef, [] {
    LoadOptions o;
    o.outputs = {"w"};
    return o;
  }());
  EXPECT_EQ(r.unsupported.size(), 2u);
}

TEST(GraphDefOps, GuessesInputsAndOutputs) {
  GraphDefBuilder b;
  b.placeholder("a", {-1, 3});
  b.placeholder("unused", {1});
  b.const_f("k", {3}, {1, 2, 3});
  b.node("mul", "Mul", {"a", "k"});
  b.const_i("axes", {1});
  b.node("sum", "Sum", {"mul", "axes"});
  Model m = load_graphdef(b, {});
  const Graph& g = *m.graph;
  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_EQ(g.inputs[0]->name, "a");
  ASSERT_EQ(g.outputs.size(), 1u);
  EXPECT_EQ(g.outputs[0]->name, "sum");
  EXPECT_EQ(g.outputs[0]->shape.str(), "[batch]");
  ASSERT_FALSE(m.warnings.empty());
  EXPECT_NE(m.warnings.back().find("sink"), std::string::npos);
  auto reduce = nodes_of(g, "ReduceSum");
  ASSERT_EQ(reduce.size(), 1u);
  EXPECT_EQ(reduce[0]->attr_int("keepdims", -1), 0);
  EXPECT_EQ(const_input(reduce[0], 1)->dtype, DType::Int64);
}

TEST(GraphDefOps, BatchNormPadAndSplit) {
  GraphDefBuilder b;
  b.placeholder("x", {1, 4, 4, 2});
  for (auto n : {"scale", "offset", "mean", "var"}) b.const_f(n, {2}, {1, 1});
  auto* bn = b.node("bn", "FusedBatchNormV3", {"x", "scale", "offset", "mean", "var"});
  B::set_bool(bn, "is_training", false);
  B::set_float(bn, "epsilon", 0.001f);
  b.node("relu", "Relu", {"bn:0"});
  b.const_i("paddings", {0, 0, 1, 1, 2, 2, 0, 0});
  b.g.mutable_node(b.g.node_size() - 1)->mutable_attr()->at("value").mutable_tensor()->mutable_tensor_shape()->mutable_dim(0)->set_size(4);
  b.g.mutable_node(b.g.node_size() - 1)->mutable_attr()->at("value").mutable_tensor()->mutable_tensor_shape()->add_dim()->set_size(2);
  b.node("pad", "Pad", {"relu", "paddings"});
  b.const_i("axis", {3}, true);
  auto* sp = b.node("split", "Split", {"axis", "pad"});
  B::set_int(sp, "num_split", 2);
  Model m = load_graphdef(b, {"split:0", "split:1"});
  const Graph& g = *m.graph;
  EXPECT_EQ(count_op(g, "BatchNormalization"), 1u);
  EXPECT_EQ(count_op(g, "Transpose"), 2u) << g.dump();
  auto pad = nodes_of(g, "Pad");
  ASSERT_EQ(pad.size(), 1u);
  EXPECT_EQ(const_input(pad[0], 1)->to_int_vector(), (std::vector<int64_t>{0, 1, 2, 0, 0, 1, 2, 0}));
  EXPECT_EQ(g.outputs[0]->shape.str(), "[1,6,8,1]");
  EXPECT_EQ(g.outputs[0]->name, "split");
  EXPECT_EQ(g.outputs[1]->name, "split:1");
}

TEST(GraphDefOps, InputsAsNchwCancelsInputTranspose) {
  GraphDefBuilder b;
  conv_stack(b);
  LoadOptions o;
  o.outputs = {"pool"};
  o.inputs_as_nchw = {"x"};
  Model m = load_savedmodel(b.save(), Format::GraphDef, o);
  const Graph& g = *m.graph;
  EXPECT_EQ(g.inputs[0]->shape.str(), "[1,3,8,8]");
  EXPECT_EQ(count_op(g, "Transpose"), 1u) << g.dump();  // only the NHWC output remains
  EXPECT_EQ(nodes_of(g, "Conv")[0]->input(0), g.inputs[0]);
}

TEST(GraphDefOps, CutAtIntermediateTensorAndPackConcat) {
  GraphDefBuilder b;
  b.placeholder("x", {2, 3});
  auto* pre = b.node("pre", "Relu", {"x"});  // cut here: the export starts at pre:0
  (*pre->mutable_attr())["T"].set_type(tf::DT_FLOAT);
  b.node("sq", "Square", {"pre"});
  auto* p = b.node("pack", "Pack", {"sq", "pre"});
  B::set_int(p, "axis", -1);
  b.const_i("axis", {0}, true);
  b.node("cat", "ConcatV2", {"pack", "pack", "axis"});
  LoadOptions o;
  o.inputs = {InputSpec{"pre:0", std::nullopt, Shape::of({2, 3})}};
  o.outputs = {"cat"};
  Model m = load_savedmodel(b.save(), Format::GraphDef, o);
  const Graph& g = *m.graph;
  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_EQ(g.inputs[0]->name, "pre");
  EXPECT_EQ(g.inputs[0]->dtype, DType::Float32);
  EXPECT_EQ(count_op(g, "Relu"), 0u);
  EXPECT_EQ(g.outputs[0]->shape.str(), "[4,3,2]");
  EXPECT_EQ(count_op(g, "Unsqueeze"), 2u);
}

TEST(GraphDefOps, SupportedOpListCoversTheBrief) {
  auto ops = savedmodel_supported_ops();
  EXPECT_TRUE(std::is_sorted(ops.begin(), ops.end()));
  for (auto op : {"Placeholder", "PlaceholderWithDefault", "Const", "Identity", "IdentityN", "NoOp", "MatMul",
                  "BatchMatMulV2", "BiasAdd", "Add", "AddV2", "Sub", "Mul", "RealDiv", "FloorDiv", "Maximum",
                  "Minimum", "SquaredDifference", "Relu", "Relu6", "Elu", "Selu", "Sigmoid", "Tanh", "Softplus",
                  "Softsign", "LeakyRelu", "Softmax", "LogSoftmax", "Conv2D", "DepthwiseConv2dNative", "MaxPool",
                  "AvgPool", "FusedBatchNorm", "FusedBatchNormV3", "Mean", "Sum", "Max", "Min", "Prod", "Reshape",
                  "Squeeze", "ExpandDims", "Transpose", "ConcatV2", "Pack", "Unpack", "StridedSlice", "Slice",
                  "GatherV2", "Shape", "Cast", "Fill", "ZerosLike", "OnesLike", "Pad", "PadV2", "MirrorPad", "Rsqrt",
                  "Sqrt", "Square", "Pow", "Exp", "Log", "Neg", "Abs", "Tile", "Split", "SplitV", "Range", "Select",
                  "SelectV2", "ArgMax", "ArgMin", "Erf", "VarHandleOp", "ReadVariableOp", "VariableV2", "Conv2DBackpropInput",
                  "ResizeBilinear", "ResizeNearestNeighbor", "Einsum"})
    EXPECT_TRUE(std::binary_search(ops.begin(), ops.end(), std::string(op))) << op;
}

// ---------------------------------------------------------------- numeric: ConvTranspose, Resize, Einsum
// Each graph is converted, written as ONNX and run in ONNX Runtime (tools/ort_run.js); outputs are
// compared with references computed here that follow the TF kernels.
namespace {

using test::ort_missing;

std::vector<float> pseudo_random(size_t n, uint32_t seed) {
  std::vector<float> v(n);
  for (auto& x : v) {
    seed = seed * 1664525u + 1013904223u;
    x = float(seed >> 8) / float(1 << 24) * 2.0f - 1.0f;
  }
  return v;
}

// Converts `b`, runs it in ORT on float inputs and returns the outputs as float vectors.
std::vector<std::vector<float>> run_ort(GraphDefBuilder& b, const std::vector<std::string>& outputs,
                                        const std::vector<std::pair<std::string, Tensor>>& feeds, Model* keep = nullptr) {
  Model m = load_graphdef(b, outputs);
  std::string onnx = b.save() + ".onnx";
  emit_onnx(m, onnx, EmitOptions{});
  std::vector<NamedTensor> in;
  for (auto& [n, t] : feeds) in.push_back(NamedTensor{n, t});
  auto outs = run_onnxruntime(onnx, in);
  std::remove(onnx.c_str());
  std::vector<std::vector<float>> r;
  for (auto& o : outs) {
    const float* p = o.tensor.data<float>();
    r.emplace_back(p, p + o.tensor.numel());
  }
  if (keep) *keep = std::move(m);
  return r;
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return INFINITY;
  double d = 0;
  for (size_t i = 0; i < a.size(); ++i) d = std::max(d, double(std::fabs(a[i] - b[i])));
  return d;
}

// Reference Conv2DBackpropInput in NHWC: scatter dy through the forward conv's windows.
std::vector<float> ref_conv_backprop(const std::vector<float>& dy, std::vector<int64_t> dys, const std::vector<float>& f,
                                     std::vector<int64_t> fs, std::vector<int64_t> out, int64_t s, int64_t d,
                                     int64_t pt, int64_t pl) {
  std::vector<float> r(size_t(out[0] * out[1] * out[2] * out[3]), 0.f);
  for (int64_t n = 0; n < dys[0]; ++n)
    for (int64_t oy = 0; oy < dys[1]; ++oy)
      for (int64_t ox = 0; ox < dys[2]; ++ox)
        for (int64_t co = 0; co < dys[3]; ++co)
          for (int64_t kh = 0; kh < fs[0]; ++kh)
            for (int64_t kw = 0; kw < fs[1]; ++kw) {
              int64_t iy = oy * s - pt + kh * d, ix = ox * s - pl + kw * d;
              if (iy < 0 || iy >= out[1] || ix < 0 || ix >= out[2]) continue;
              for (int64_t ci = 0; ci < fs[2]; ++ci)
                r[size_t(((n * out[1] + iy) * out[2] + ix) * out[3] + ci)] +=
                    dy[size_t(((n * dys[1] + oy) * dys[2] + ox) * dys[3] + co)] *
                    f[size_t(((kh * fs[1] + kw) * fs[2] + ci) * fs[3] + co)];
            }
  return r;
}

std::vector<int64_t> nhwc_to_nchw_dims(const std::vector<int64_t>& d) { return {d[0], d[3], d[1], d[2]}; }
std::vector<float> nhwc_to_nchw(const std::vector<float>& v, const std::vector<int64_t>& d) {
  std::vector<float> r(v.size());
  for (int64_t n = 0; n < d[0]; ++n)
    for (int64_t y = 0; y < d[1]; ++y)
      for (int64_t x = 0; x < d[2]; ++x)
        for (int64_t c = 0; c < d[3]; ++c)
          r[size_t(((n * d[3] + c) * d[1] + y) * d[2] + x)] = v[size_t(((n * d[1] + y) * d[2] + x) * d[3] + c)];
  return r;
}

// Reference TF resize (NHWC), following resize_bilinear_op.cc / resize_nearest_neighbor_op.cc.
std::vector<float> ref_resize(const std::vector<float>& x, std::vector<int64_t> xs, int64_t oh, int64_t ow, bool linear,
                              bool align, bool half) {
  auto scale = [&](int64_t in, int64_t out) {
    return align && out > 1 ? float(in - 1) / float(out - 1) : float(in) / float(out);
  };
  float sh = scale(xs[1], oh), sw = scale(xs[2], ow);
  std::vector<float> r(size_t(xs[0] * oh * ow * xs[3]));
  auto at = [&](int64_t n, int64_t y, int64_t xx, int64_t c) {
    return x[size_t(((n * xs[1] + y) * xs[2] + xx) * xs[3] + c)];
  };
  for (int64_t n = 0; n < xs[0]; ++n)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t xx = 0; xx < ow; ++xx)
        for (int64_t c = 0; c < xs[3]; ++c) {
          float v;
          if (linear) {
            auto w = [&](int64_t i, float s, int64_t in, int64_t& lo, int64_t& hi) {
              float f = half ? (float(i) + 0.5f) * s - 0.5f : float(i) * s;
              float ff = std::floor(f);
              lo = std::max<int64_t>(int64_t(ff), 0);
              hi = std::min<int64_t>(int64_t(std::ceil(f)), in - 1);
              return f - ff;
            };
            int64_t y0, y1, x0, x1;
            float ly = w(y, sh, xs[1], y0, y1), lx = w(xx, sw, xs[2], x0, x1);
            float top = at(n, y0, x0, c) + (at(n, y0, x1, c) - at(n, y0, x0, c)) * lx;
            float bot = at(n, y1, x0, c) + (at(n, y1, x1, c) - at(n, y1, x0, c)) * lx;
            v = top + (bot - top) * ly;
          } else {
            auto idx = [&](int64_t i, float s, int64_t in) {
              float f = half ? (float(i) + 0.5f) * s : float(i) * s;
              int64_t k = std::min<int64_t>(align ? int64_t(std::round(f)) : int64_t(std::floor(f)), in - 1);
              return half ? std::max<int64_t>(k, 0) : k;
            };
            v = at(n, idx(y, sh, xs[1]), idx(xx, sw, xs[2]), c);
          }
          r[size_t(((n * oh + y) * ow + xx) * xs[3] + c)] = v;
        }
  return r;
}

}  // namespace

TEST(GraphDefOps, Conv2DBackpropInputMatchesReference) {
  std::string why;
  if (ort_missing(why)) GTEST_SKIP() << why;
  struct Case {
    std::string name, padding, format;
    std::vector<int64_t> out;  // NHWC result size
    int64_t s, d, pt, pl;      // stride, dilation, top/left pad of the forward conv
    std::vector<int64_t> explicit_pads;
  };
  // [1,8,7,3] <- conv 3x3 /2 SAME (pads 0/1 rows, 1/1 cols) ; VALID /2 with output_padding ;
  // NCHW dilated EXPLICIT.
  std::vector<Case> cases = {{"same", "SAME", "NHWC", {2, 8, 7, 3}, 2, 1, 0, 1, {}},
                             {"valid", "VALID", "NHWC", {1, 8, 8, 3}, 2, 1, 0, 0, {}},
                             {"explicit_nchw", "EXPLICIT", "NCHW", {1, 9, 8, 3}, 1, 2, 1, 2, {0, 0, 0, 0, 1, 0, 2, 1}}};
  const std::vector<int64_t> fs{3, 3, 3, 4};
  auto f = pseudo_random(108, 7);
  for (auto& cs : cases) {
    SCOPED_TRACE(cs.name);
    int64_t eff = 2 * cs.d + 1;
    auto fwd = [&](int64_t in, int64_t p_total) {
      return cs.padding == "SAME" ? (in + cs.s - 1) / cs.s : (in + p_total - eff) / cs.s + 1;
    };
    int64_t ptot_h = cs.padding == "EXPLICIT" ? cs.explicit_pads[4] + cs.explicit_pads[5] : 0;
    int64_t ptot_w = cs.padding == "EXPLICIT" ? cs.explicit_pads[6] + cs.explicit_pads[7] : 0;
    std::vector<int64_t> dys{cs.out[0], fwd(cs.out[1], ptot_h), fwd(cs.out[2], ptot_w), 4};
    auto dy = pseudo_random(size_t(dys[0] * dys[1] * dys[2] * dys[3]), 11);
    bool nchw = cs.format == "NCHW";
    GraphDefBuilder b;
    b.placeholder("dy", nchw ? nhwc_to_nchw_dims(dys) : dys);
    b.const_f("f", fs, f);
    std::vector<int64_t> sizes = nchw ? nhwc_to_nchw_dims(cs.out) : cs.out;
    b.const_i("sizes", std::vector<int32_t>(sizes.begin(), sizes.end()));
    auto* n = b.node("deconv", "Conv2DBackpropInput", {"sizes", "f", "dy"});
    B::set_ints(n, "strides", nchw ? std::vector<int64_t>{1, 1, cs.s, cs.s} : std::vector<int64_t>{1, cs.s, cs.s, 1});
    B::set_ints(n, "dilations", nchw ? std::vector<int64_t>{1, 1, cs.d, cs.d} : std::vector<int64_t>{1, cs.d, cs.d, 1});
    B::set_str(n, "padding", cs.padding);
    B::set_str(n, "data_format", cs.format);
    if (!cs.explicit_pads.empty()) B::set_ints(n, "explicit_paddings", cs.explicit_pads);
    Tensor feed = Tensor::from_vector(DType::Float32, nchw ? nhwc_to_nchw(dy, dys) : dy, nchw ? nhwc_to_nchw_dims(dys) : dys);
    Model m;
    auto out = run_ort(b, {"deconv"}, {{"dy", feed}}, &m);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(count_op(*m.graph, "ConvTranspose"), 1u);
    EXPECT_EQ(m.graph->outputs[0]->shape.str(), Shape::of(sizes).str());
    auto ref = ref_conv_backprop(dy, dys, f, fs, cs.out, cs.s, cs.d, cs.pt, cs.pl);
    if (nchw) ref = nhwc_to_nchw(ref, cs.out);
    double diff = max_abs_diff(out[0], ref);
    std::printf("[ conv2d_backprop_input %s ] max abs diff %.3g\n", cs.name.c_str(), diff);
    EXPECT_LT(diff, 1e-4);
  }
}

TEST(GraphDefOps, ResizeBilinearAndNearestMatchTfKernels) {
  std::string why;
  if (ort_missing(why)) GTEST_SKIP() << why;
  const std::vector<int64_t> xs{2, 5, 4, 3};
  auto x = pseudo_random(120, 3);
  struct Case {
    bool linear, align, half;
    int64_t oh, ow;
  };
  std::vector<Case> cases;
  for (bool linear : {true, false})
    for (int mode = 0; mode < 3; ++mode)
      for (auto hw : {std::pair<int64_t, int64_t>{8, 7}, {3, 3}, {11, 9}})
        cases.push_back({linear, mode == 1, mode == 2, hw.first, hw.second});
  GraphDefBuilder b;
  b.placeholder("x", xs);
  std::vector<std::string> outs;
  for (size_t i = 0; i < cases.size(); ++i) {
    auto& cs = cases[i];
    std::string s = "size" + std::to_string(i), r = "resize" + std::to_string(i);
    b.const_i(s, {int32_t(cs.oh), int32_t(cs.ow)});
    auto* n = b.node(r, cs.linear ? "ResizeBilinear" : "ResizeNearestNeighbor", {"x", s});
    B::set_bool(n, "align_corners", cs.align);
    B::set_bool(n, "half_pixel_centers", cs.half);
    outs.push_back(r);
  }
  Model m;
  auto out = run_ort(b, outs, {{"x", Tensor::from_vector(DType::Float32, x, xs)}}, &m);
  ASSERT_EQ(out.size(), cases.size());
  EXPECT_EQ(count_op(*m.graph, "Resize"), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    auto& cs = cases[i];
    double diff = max_abs_diff(out[i], ref_resize(x, xs, cs.oh, cs.ow, cs.linear, cs.align, cs.half));
    std::printf("[ %s align=%d half=%d -> %lldx%lld ] max abs diff %.3g\n", cs.linear ? "bilinear" : "nearest", cs.align,
                cs.half, (long long)cs.oh, (long long)cs.ow, diff);
    EXPECT_LT(diff, 1e-5) << i;
    EXPECT_EQ(m.graph->outputs[i]->shape.str(),
              Shape::of({xs[0], cs.oh, cs.ow, xs[3]}).str());
  }
}

TEST(GraphDefOps, EinsumMatchesReference) {
  std::string why;
  if (ort_missing(why)) GTEST_SKIP() << why;
  auto a = pseudo_random(2 * 3 * 4, 5), c = pseudo_random(2 * 4 * 5, 9);
  GraphDefBuilder b;
  b.placeholder("a", {2, 3, 4});
  b.placeholder("c", {2, 4, 5});
  auto* n = b.node("e", "Einsum", {"a", "c"});
  B::set_str(n, "equation", "bij,bjk->bki");
  (*n->mutable_attr())["N"].set_i(2);
  Model m;
  auto out = run_ort(b, {"e"},
                     {{"a", Tensor::from_vector(DType::Float32, a, {2, 3, 4})},
                      {"c", Tensor::from_vector(DType::Float32, c, {2, 4, 5})}},
                     &m);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(count_op(*m.graph, "Einsum"), 1u);
  std::vector<float> ref(2 * 5 * 3, 0.f);
  for (int bb = 0; bb < 2; ++bb)
    for (int i = 0; i < 3; ++i)
      for (int k = 0; k < 5; ++k)
        for (int j = 0; j < 4; ++j) ref[size_t((bb * 5 + k) * 3 + i)] += a[size_t((bb * 3 + i) * 4 + j)] * c[size_t((bb * 4 + j) * 5 + k)];
  double diff = max_abs_diff(out[0], ref);
  std::printf("[ einsum bij,bjk->bki ] max abs diff %.3g\n", diff);
  EXPECT_LT(diff, 1e-5);
}

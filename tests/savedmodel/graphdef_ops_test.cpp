// Op translators on small frozen GraphDefs built in the test: NHWC convolution stacks (one
// Transpose pair left after optimize_transposes), SAME padding, slicing, the unsupported-op error.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "fixture_util.h"
#include "graphdef_builder.h"
#include "modelport/error.h"
#include "modelport/loaders.h"

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

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
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
  B::set_ints(c, "strides", {1, 1, 1, 1});
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
                  "SelectV2", "ArgMax", "ArgMin", "Erf", "VarHandleOp", "ReadVariableOp", "VariableV2"})
    EXPECT_TRUE(std::binary_search(ops.begin(), ops.end(), std::string(op))) << op;
}

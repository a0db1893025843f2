// Real SavedModels from ../shared/fixtures/savedmodel (see each fixture's README.md): the IR the
// loader builds and the variable values it reads from the bundles.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "fixture_util.h"
#include "modelport/error.h"
#include "modelport/loaders.h"

using namespace modelport;
using namespace modelport::test::sm;

namespace {

float scalar_of(const Tensor* t) {
  EXPECT_NE(t, nullptr);
  if (!t) return NAN;
  EXPECT_EQ(t->dtype, DType::Float32);
  EXPECT_EQ(t->numel(), 1);
  return float(t->as_double(0));
}

// y = Add(Mul(a, x) | Mul(x, a), b): returns {a, b}.
std::pair<float, float> affine_constants(const Graph& g) {
  auto muls = nodes_of(g, "Mul");
  auto adds = nodes_of(g, "Add");
  EXPECT_EQ(muls.size(), 1u);
  EXPECT_EQ(adds.size(), 1u);
  if (muls.size() != 1 || adds.size() != 1) return {NAN, NAN};
  const Tensor* a = const_input(muls[0], 0) ? const_input(muls[0], 0) : const_input(muls[0], 1);
  const Tensor* b = const_input(adds[0], 0) ? const_input(adds[0], 0) : const_input(adds[0], 1);
  return {scalar_of(a), scalar_of(b)};
}

Model load(const std::string& path, const std::string& signature = "serving_default") {
  LoadOptions o;
  o.signature = signature;
  return load_savedmodel(path, Format::SavedModel, o);
}

}  // namespace

TEST(SavedModelFixtures, HalfPlusTwoTf1SnappyIndex) {
  REQUIRE_SAVEDMODEL_FIXTURE(p, "tfserving_half_plus_two_cpu");
  Model m = load(p);
  const Graph& g = *m.graph;
  EXPECT_EQ(m.source_format, "savedmodel");
  EXPECT_EQ(m.producer_version, "1.14.0");
  ASSERT_EQ(g.inputs.size(), 1u);
  ASSERT_EQ(g.outputs.size(), 1u);
  EXPECT_EQ(g.inputs[0]->name, "x");
  EXPECT_EQ(g.inputs[0]->dtype, DType::Float32);
  EXPECT_EQ(g.inputs[0]->shape.str(), "[batch,1]");
  EXPECT_EQ(g.outputs[0]->name, "y");
  EXPECT_EQ(g.nodes().size(), 2u) << g.dump();  // cut at x:0: no ParseExample upstream
  auto [a, b] = affine_constants(g);
  EXPECT_FLOAT_EQ(a, 0.5f);
  EXPECT_FLOAT_EQ(b, 2.0f);
}

TEST(SavedModelFixtures, HalfPlusTwoTf1OtherSignature) {
  REQUIRE_SAVEDMODEL_FIXTURE(p, "tfserving_half_plus_two_cpu");
  Model m = load(p, "regress_x2_to_y3");  // y3 = a2*x2 + c2, x2 a PlaceholderWithDefault
  ASSERT_EQ(m.graph->inputs.size(), 1u);
  EXPECT_EQ(m.graph->inputs[0]->name, "inputs");
  EXPECT_EQ(m.graph->outputs[0]->name, "outputs");
  auto [a, c] = affine_constants(*m.graph);
  EXPECT_FLOAT_EQ(a, 0.5f);
  EXPECT_FLOAT_EQ(c, 3.0f);
}

TEST(SavedModelFixtures, TfExampleSignatureRefusedNamingConvertibleOnes) {
  REQUIRE_SAVEDMODEL_FIXTURE(p, "tfserving_half_plus_two_cpu");
  std::string e = error_of([&] { load(p, "regress_x_to_y"); });
  EXPECT_NE(e.find("regress_x_to_y"), std::string::npos) << e;
  EXPECT_NE(e.find("tf.Example"), std::string::npos) << e;
  EXPECT_NE(e.find("serving_default"), std::string::npos) << e;
  EXPECT_NE(e.find("regress_x2_to_y3"), std::string::npos) << e;
  EXPECT_EQ(e.find('\n'), std::string::npos);
}

TEST(SavedModelFixtures, UnknownSignatureListsAvailable) {
  REQUIRE_SAVEDMODEL_FIXTURE(p, "tfserving_half_plus_two_cpu");
  std::string e = error_of([&] { load(p, "nope"); });
  EXPECT_NE(e.find("no signature 'nope'"), std::string::npos) << e;
  EXPECT_NE(e.find("classify_x_to_y"), std::string::npos) << e;
  LoadOptions o;
  o.tag = "train";
  e = error_of([&] { load_savedmodel(p, Format::SavedModel, o); });
  EXPECT_NE(e.find("no meta graph tagged 'train'"), std::string::npos) << e;
}

TEST(SavedModelFixtures, HalfPlusTwoTf2ObjectGraphAndInlining) {
  REQUIRE_SAVEDMODEL_FIXTURE(p, "tfserving_half_plus_two_tf2_cpu");
  Model m = load(p);
  const Graph& g = *m.graph;
  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_EQ(g.inputs[0]->name, "x");
  EXPECT_EQ(g.inputs[0]->shape.str(), "[1]");
  EXPECT_EQ(g.outputs[0]->name, "y");
  EXPECT_EQ(g.nodes().size(), 2u) << g.dump();
  auto [a, b] = affine_constants(g);
  EXPECT_FLOAT_EQ(a, 0.5f);
  EXPECT_FLOAT_EQ(b, 2.0f);
  // Weights alias the memory-mapped data shard.
  for (auto* c : g.constants()) EXPECT_FALSE(c->constant->buffer->owns_bytes()) << c->name;

  Model m2 = load(p, "regress_x2_to_y3");
  auto [a2, c2] = affine_constants(*m2.graph);
  EXPECT_FLOAT_EQ(a2, 0.5f);
  EXPECT_FLOAT_EQ(c2, 3.0f);
  std::string e = error_of([&] { load(p, "classify_x_to_y"); });
  EXPECT_NE(e.find("tf.Example"), std::string::npos) << e;
}

TEST(SavedModelFixtures, HalfPlusThreeOldestTf1) {
  REQUIRE_SAVEDMODEL_FIXTURE(p, "tfserving_half_plus_three");
  Model m = load(p);
  EXPECT_EQ(m.graph->inputs[0]->name, "x");
  EXPECT_EQ(m.graph->outputs[0]->name, "y");  // even though the TF graph has a node named "y"
  auto [a, b] = affine_constants(*m.graph);
  EXPECT_FLOAT_EQ(a, 0.5f);
  EXPECT_FLOAT_EQ(b, 3.0f);
}

TEST(SavedModelFixtures, RegressionPrunesTrainingGraph) {
  REQUIRE_SAVEDMODEL_FIXTURE(p, "tf2onnx_regression");
  Model m = load(p);
  const Graph& g = *m.graph;
  EXPECT_EQ(g.inputs[0]->name, "X");
  EXPECT_EQ(g.outputs[0]->name, "pred");
  EXPECT_EQ(g.nodes().size(), 2u) << g.dump();
  auto [w, b] = affine_constants(g);
  EXPECT_FLOAT_EQ(w, 0.21396178f);
  EXPECT_FLOAT_EQ(b, 1.0495254f);
}

TEST(SavedModelFixtures, KerasMnistMlp) {
  REQUIRE_SAVEDMODEL_FIXTURE(p, "tfnet_keras_mnist_mlp");
  Model m = load(p);
  const Graph& g = *m.graph;
  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_EQ(g.inputs[0]->name, "input_1");
  EXPECT_EQ(g.inputs[0]->shape.str(), "[batch,28,28,1]");
  ASSERT_EQ(g.outputs.size(), 1u);
  EXPECT_EQ(g.outputs[0]->name, "softmax");
  EXPECT_EQ(g.outputs[0]->shape.str(), "[batch,10]");
  EXPECT_EQ(count_op(g, "Reshape"), 1u);
  EXPECT_EQ(count_op(g, "MatMul"), 2u);
  EXPECT_EQ(count_op(g, "Add"), 2u);
  EXPECT_EQ(count_op(g, "Relu"), 1u);
  EXPECT_EQ(count_op(g, "Softmax"), 1u);
  EXPECT_EQ(g.nodes().size(), 7u) << g.dump();

  auto matmuls = nodes_of(g, "MatMul");
  auto adds = nodes_of(g, "Add");
  const Tensor* kernel1 = const_input(matmuls[1], 1);
  const Tensor* bias0 = const_input(adds[0], 1);
  ASSERT_TRUE(kernel1 && bias0);
  EXPECT_EQ(kernel1->dims, (std::vector<int64_t>{100, 10}));
  EXPECT_EQ(bias0->dims, (std::vector<int64_t>{100}));
  std::vector<int64_t> kd;
  auto k1 = read_npy_f32(p + "/kernel1.npy", &kd);
  auto b0 = read_npy_f32(p + "/bias0.npy");
  ASSERT_EQ(k1.size(), 1000u);
  ASSERT_EQ(b0.size(), 100u);
  EXPECT_EQ(kd, kernel1->dims);
  EXPECT_EQ(std::memcmp(k1.data(), kernel1->raw(), 4000), 0);
  EXPECT_EQ(std::memcmp(b0.data(), bias0->raw(), 400), 0);
}

TEST(SavedModelFixtures, InspectListsSignaturesOpsAndParameters) {
  REQUIRE_SAVEDMODEL_FIXTURE(p, "tfnet_keras_mnist_mlp");
  SourceReport r = inspect_savedmodel(p, Format::SavedModel, LoadOptions{});
  EXPECT_EQ(r.format, "savedmodel");
  EXPECT_EQ(r.producer_version, "2.11.0");
  EXPECT_EQ(r.extra["tags"], "serve");
  EXPECT_NE(r.extra["signatures"].find("serving_default"), std::string::npos);
  ASSERT_EQ(r.inputs.size(), 1u);
  EXPECT_EQ(r.inputs[0].name, "input_1");
  EXPECT_EQ(r.inputs[0].shape, "[batch,28,28,1]");
  ASSERT_EQ(r.outputs.size(), 1u);
  EXPECT_EQ(r.outputs[0].name, "softmax");
  EXPECT_EQ(r.source_ops["MatMul"], 2);
  EXPECT_EQ(r.source_ops["Softmax"], 1);
  EXPECT_TRUE(r.unsupported.empty());
  // 784*100 + 100 + 100*10 + 10 weights, plus the 4 scalar metric variables.
  EXPECT_EQ(r.parameter_count, 784 * 100 + 100 + 100 * 10 + 10 + 4);
}

TEST(SavedModelFixtures, InspectTf1ShowsEverySignature) {
  REQUIRE_SAVEDMODEL_FIXTURE(p, "tfserving_half_plus_two_cpu");
  SourceReport r = inspect_savedmodel(p, Format::SavedModel, LoadOptions{});
  for (auto s : {"serving_default", "regress_x_to_y", "regress_x_to_y2", "classify_x_to_y", "regress_x2_to_y3"})
    EXPECT_TRUE(r.extra.count(std::string("signature ") + s)) << s;
  EXPECT_EQ(r.parameter_count, 5);
  EXPECT_EQ(r.source_ops["Mul"], 1);
}

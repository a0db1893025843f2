// Keras loader tests on the real fixtures in ../shared/fixtures (skipped when absent).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <unistd.h>

#include "modelport/error.h"
#include "modelport/loaders.h"

using namespace modelport;

namespace {

std::string fixture(const std::string& rel) { return std::string(MODELPORT_SOURCE_DIR) + "/../shared/fixtures/" + rel; }

#define REQUIRE_FIXTURE(path)                                                   \
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "fixture not found: " << path

std::map<std::string, int> op_counts(const Graph& g) {
  std::map<std::string, int> m;
  for (auto& n : g.nodes()) m[n->op]++;
  return m;
}

const Node* first(const Graph& g, const std::string& op) {
  for (auto& n : g.nodes())
    if (n->op == op) return n.get();
  return nullptr;
}

std::string error_of(const std::string& path, Format f) {
  try {
    load_keras(path, f, {});
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(KerasH5, Hls4mlActivationLayers) {
  const std::map<std::string, std::string> expect = {
      {"relu", "Relu"}, {"leaky_relu", "LeakyRelu"}, {"elu", "Elu"}, {"prelu", "PRelu"}, {"softmax", "Softmax"},
      {"sigmoid", "Sigmoid"}, {"selu", "Selu"}, {"softplus", "Softplus"}, {"softsign", "Softsign"},
      {"hard_sigmoid", "HardSigmoid"}, {"binary_tanh", "Tanh"}, {"linear", "Conv"}, {"conv1d_1layer", "Conv"}};
  for (auto& [dir, op] : expect) {
    std::string path = fixture("keras_h5/hls4ml_example_prjs/" + dir + "/" + dir + ".h5");
    REQUIRE_FIXTURE(path);
    Model m = load_keras(path, Format::KerasH5, {});
    SCOPED_TRACE(dir + "\n" + m.graph->dump());
    EXPECT_EQ(m.producer_name, "keras");
    ASSERT_EQ(m.graph->inputs.size(), 1u);
    ASSERT_EQ(m.graph->outputs.size(), 1u);
    EXPECT_EQ(op_counts(*m.graph)[op], 1) << dir;
  }
}

TEST(KerasH5, Hls4mlInputShapesAndConvLayout) {
  std::string path = fixture("keras_h5/hls4ml_example_prjs/sigmoid/sigmoid.h5");
  REQUIRE_FIXTURE(path);
  Model m = load_keras(path, Format::KerasH5, {});
  Value* in = m.graph->inputs[0];
  EXPECT_EQ(in->shape.str(), "[batch,5,5,1]");  // Keras layout is kept
  const Node* conv = first(*m.graph, "Conv");
  ASSERT_TRUE(conv);
  ASSERT_TRUE(conv->inputs[1]->is_constant());
  EXPECT_EQ(conv->inputs[1]->constant->dims, (std::vector<int64_t>{1, 1, 3, 3}));  // [cout,cin,kh,kw]
  EXPECT_EQ(op_counts(*m.graph)["Transpose"], 2);
}

TEST(KerasH5, PReluAlphaMatchesH5py) {
  std::string path = fixture("keras_h5/hls4ml_example_prjs/prelu/prelu.h5");
  REQUIRE_FIXTURE(path);
  Model m = load_keras(path, Format::KerasH5, {});
  const Node* p = first(*m.graph, "PRelu");
  ASSERT_TRUE(p && p->inputs[1]->is_constant());
  const Tensor& a = *p->inputs[1]->constant;
  ASSERT_EQ(a.numel(), 25);
  EXPECT_FLOAT_EQ(a.data<float>()[0], 0.25f);  // h5py: alpha:0[:3] = [0.25 0.25 0.25]
}

TEST(KerasH5, WeightsOnlyFileIsRejected) {
  std::string path = fixture("keras_h5/hls4ml_example_prjs/relu/relu_weights.h5");
  REQUIRE_FIXTURE(path);
  std::string err = error_of(path, Format::KerasH5);
  EXPECT_NE(err.find("model_config"), std::string::npos) << err;
  EXPECT_EQ(err.find('\n'), std::string::npos);
}

TEST(KerasH5, Keras231FixedLengthStrings) {
  std::string path = fixture("keras_h5/hls4ml_example_models_keras2_3_1/keras_3layer_batch_norm.h5");
  REQUIRE_FIXTURE(path);
  Model m = load_keras(path, Format::KerasH5, {});
  auto ops = op_counts(*m.graph);
  EXPECT_EQ(ops["BatchNormalization"], 4);
  EXPECT_EQ(ops["MatMul"], 4);
  EXPECT_EQ(ops["Softmax"], 1);
  EXPECT_EQ(m.producer_version, "2.3.1");
  const Node* bn = first(*m.graph, "BatchNormalization");
  ASSERT_TRUE(bn);
  EXPECT_FLOAT_EQ(bn->inputs[4]->constant->data<float>()[0], 0.6466775f);  // bn1/moving_variance:0[0]
}

TEST(KerasH5, Keras231ConvModels) {
  for (const char* f : {"keras_conv2d_model.h5", "keras_conv1d_small.h5", "keras_jetTagger_Conv2D_small.h5"}) {
    std::string path = fixture(std::string("keras_h5/hls4ml_example_models_keras2_3_1/") + f);
    REQUIRE_FIXTURE(path);
    Model m = load_keras(path, Format::KerasH5, {});
    SCOPED_TRACE(std::string(f) + "\n" + m.graph->dump());
    EXPECT_GE(op_counts(*m.graph)["Conv"], 1);
    EXPECT_EQ(op_counts(*m.graph)["Softmax"], 1);
  }
  // Sequential without an InputLayer: the input comes from batch_input_shape of the first layer.
  Model m = load_keras(fixture("keras_h5/hls4ml_example_models_keras2_3_1/keras_conv2d_model.h5"), Format::KerasH5, {});
  EXPECT_EQ(m.graph->inputs[0]->name, "conv2d_1_input");
  EXPECT_EQ(m.graph->inputs[0]->shape.str(), "[batch,8,8,1]");
  EXPECT_EQ(m.graph->outputs[0]->name, "dense_1");
}

TEST(KerasH5, HdfFilesNamedDotKeras) {
  std::string path = fixture("keras_h5/hls4ml_experiments_h5_named_keras/hostpipe_parallel.keras");
  REQUIRE_FIXTURE(path);
  Model m = load_keras(path, Format::KerasH5, {});
  const Node* gru = first(*m.graph, "GRU");
  ASSERT_TRUE(gru) << m.graph->dump();
  EXPECT_EQ(gru->attr_int("linear_before_reset", 0), 1);  // reset_after=True
  EXPECT_EQ(gru->attr_int("hidden_size", 0), 16);
  EXPECT_EQ(gru->inputs[1]->constant->dims, (std::vector<int64_t>{1, 48, 16}));
  for (const char* f : {"dense_streaming.keras", "mlp_streaming.keras"})
    EXPECT_NO_THROW(load_keras(fixture(std::string("keras_h5/hls4ml_experiments_h5_named_keras/") + f), Format::KerasH5, {}));
}

TEST(KerasV3, ChurnH5AndZipHaveTheSameWeights) {
  std::string h5 = fixture("keras_h5/churn_ann_keras3_10/model.h5"), zip = fixture("keras_v3/churn_ann_keras3_10/model.keras");
  REQUIRE_FIXTURE(h5);
  REQUIRE_FIXTURE(zip);
  Model a = load_keras(h5, Format::KerasH5, {});
  Model b = load_keras(zip, Format::KerasV3, {});
  EXPECT_EQ(a.producer_version, "3.10.0");
  EXPECT_EQ(b.producer_version, "3.10.0");
  EXPECT_EQ(a.graph->inputs[0]->shape.str(), "[batch,12]");
  EXPECT_EQ(b.graph->inputs[0]->shape.str(), "[batch,12]");
  EXPECT_EQ(a.graph->outputs[0]->name, "dense_8");
  std::vector<const Tensor*> ka, kb;
  for (auto& n : a.graph->nodes())
    if (n->op == "MatMul") ka.push_back(n->inputs[1]->constant.get());
  for (auto& n : b.graph->nodes())
    if (n->op == "MatMul") kb.push_back(n->inputs[1]->constant.get());
  ASSERT_EQ(ka.size(), 3u);
  ASSERT_EQ(kb.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    ASSERT_EQ(ka[i]->dims, kb[i]->dims);
    EXPECT_EQ(0, std::memcmp(ka[i]->raw(), kb[i]->raw(), ka[i]->nbytes()));
  }
  EXPECT_FLOAT_EQ(ka[0]->data<float>()[0], -0.01632815f);           // h5py kernel[0,0]
  EXPECT_FLOAT_EQ(ka[0]->data<float>()[11 * 64 + 63], 0.017513182f);  // h5py kernel[11,63]
  auto ops = op_counts(*b.graph);
  EXPECT_EQ(ops["Relu"], 2);
  EXPECT_EQ(ops["Sigmoid"], 1);
}

TEST(KerasV3, MaskingLstm) {
  std::string path = fixture("keras_v3/keras_repo_masking_lstm/model.keras");
  REQUIRE_FIXTURE(path);
  Model m = load_keras(path, Format::KerasV3, {});
  const Node* lstm = first(*m.graph, "LSTM");
  ASSERT_TRUE(lstm) << m.graph->dump();
  EXPECT_EQ(lstm->inputs[1]->constant->dims, (std::vector<int64_t>{1, 4, 2}));
  EXPECT_EQ(lstm->inputs[2]->constant->dims, (std::vector<int64_t>{1, 4, 1}));
  EXPECT_TRUE(lstm->input(4) != nullptr);  // sequence_lens from the mask
  EXPECT_EQ(m.graph->inputs[0]->shape.str(), "[2,3,2]");
}

TEST(KerasV3, NestedSubclassedModelFailsClearlyButInspects) {
  std::string path = fixture("keras_v3/keras_repo_nested_subclassed/pre_pr22362_nested_container.keras");
  REQUIRE_FIXTURE(path);
  std::string err = error_of(path, Format::KerasV3);
  EXPECT_NE(err.find("NestedDenseModel"), std::string::npos) << err;
  EXPECT_EQ(err.rfind(path, 0), 0u) << err;
  SourceReport r = inspect_keras(path, Format::KerasV3, {});
  EXPECT_EQ(r.producer_version, "3.15.0");
  EXPECT_EQ(r.parameter_count, 3 * 16 + 8 + 2);  // weights are readable
  ASSERT_EQ(r.unsupported.size(), 1u);
}

TEST(KerasV3, InspectReportsLayers) {
  std::string path = fixture("keras_v3/churn_ann_keras3_10/model.keras");
  REQUIRE_FIXTURE(path);
  SourceReport r = inspect_keras(path, Format::KerasV3, {});
  EXPECT_EQ(r.source_ops["Dense"], 3);
  EXPECT_EQ(r.parameter_count, 12 * 64 + 64 + 64 * 32 + 32 + 32 + 1);
  ASSERT_EQ(r.inputs.size(), 1u);
  EXPECT_EQ(r.inputs[0].shape, "[batch,12]");
}

TEST(KerasH5, UnsupportedLayersAreListedInOneError) {
  if (std::system("/usr/bin/python3 -c 'import torch, h5py' > /dev/null 2>&1") != 0)
    GTEST_SKIP() << "/usr/bin/python3 with torch and h5py not available";
  std::string dir = (std::filesystem::temp_directory_path() / ("modelport_keras_gen_" + std::to_string(::getpid()))).string();
  std::string cmd = "/usr/bin/python3 " + std::string(MODELPORT_SOURCE_DIR) + "/tests/fixtures/make_keras_h5.py " + dir + " > /dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::string err = error_of(dir + "/unsupported_layers.h5", Format::KerasH5);
  EXPECT_NE(err.find("Lambda x2 (lambda, lambda_1)"), std::string::npos) << err;
  EXPECT_NE(err.find("MyCustom (my_custom)"), std::string::npos) << err;
  EXPECT_EQ(err.find('\n'), std::string::npos);
  // inputs_as_nchw: the graph input becomes channel-first and is transposed back inside.
  LoadOptions opts;
  opts.inputs_as_nchw = {"input_1"};
  Model m = load_keras(dir + "/conv2d.h5", Format::KerasH5, opts);
  EXPECT_EQ(m.graph->inputs[0]->shape.str(), "[batch,3,6,6]");
  EXPECT_GE(op_counts(*m.graph)["Conv"], 1);

  // Keras 3 Functional: a shared Dense reads one kernel constant for both calls; nested Sequential.
  Model f = load_keras(dir + "/keras3_functional.keras", Format::KerasV3, {});
  ASSERT_EQ(f.graph->inputs.size(), 2u);
  EXPECT_EQ(f.graph->inputs[0]->name, "a");
  EXPECT_EQ(f.graph->inputs[1]->name, "b");
  std::vector<const Value*> kernels;
  for (auto& n : f.graph->nodes())
    if (n->op == "MatMul") kernels.push_back(n->inputs[1]);
  ASSERT_EQ(kernels.size(), 3u);
  EXPECT_EQ(kernels[0], kernels[1]);
  EXPECT_EQ(f.graph->outputs.at(0)->name, "head");
  // Renamed outputs.
  LoadOptions ro;
  ro.outputs = {"prob", "delta"};
  Model k2 = load_keras(dir + "/keras2_functional.h5", Format::KerasH5, ro);
  ASSERT_EQ(k2.graph->outputs.size(), 2u);
  EXPECT_EQ(k2.graph->outputs[0]->name, "prob");
  EXPECT_EQ(k2.graph->outputs[1]->name, "delta");
  EXPECT_EQ(k2.source_output_names, (std::vector<std::string>{"head", "diff"}));
  std::filesystem::remove_all(dir);
}

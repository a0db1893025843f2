// Exports at opsets 18 and 23 (above the onnx checker's 17) and at the oldest opsets 9 and 10 from
// each source format with --verify: TorchScript against libtorch, Keras and GraphDef against
// TensorFlow.js, the ONNX side in ONNX Runtime. The manifest and the --json result must say whether
// the onnx checker ran (at 9/10 it did, above 17 it did not). At 9 an op that needs 11 is refused
// with its one-line message.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "modelport/error.h"
#include "savedmodel/graphdef_builder.h"
#include "support/test_support.h"

using namespace modelport;
using json = nlohmann::json;

namespace {

const int kOpsets[] = {18, 23};
const int kOldOpsets[] = {9, 10};

#define REQUIRE_ORT()                                \
  do {                                               \
    std::string why;                                 \
    if (test::ort_missing(why)) GTEST_SKIP() << why; \
  } while (0)

// Exports `args` at `opset` with --verify --json; checks exit 0, a verified report against
// `reference`, the opset import and the checks recorded in the result and the manifest. With
// `reference_may_refuse`, exit 4 is accepted when the reference (not ONNX Runtime) cannot take the
// model; returns whether the model was verified. `written` receives the ONNX file's path.
bool export_verified(std::vector<std::string> args, int opset, const std::string& reference, const std::string& what,
                     bool reference_may_refuse = false, std::string* written = nullptr) {
  std::string dir = test::scratch_dir("opsets_e2e");
  std::string out = dir + "/m" + std::to_string(opset) + ".onnx";
  if (written) *written = out;
  args.insert(args.begin(), "export");
  args.insert(args.end(), {"-o", out, "--opset", std::to_string(opset), "--verify", "--json"});
  auto r = test::run_cli(args);
  json j = json::parse(r.out.substr(0, r.out.find('\n')), nullptr, false);
  if (!j.is_object()) ADD_FAILURE() << what << " @" << opset << ": " << r.err << r.out;
  if (!j.is_object()) return false;
  const json& v = j["verification"];
  if (reference_may_refuse && r.exit_code == kExitNotVerified) {
    std::string why = v.value("not_verified", std::string());
    EXPECT_TRUE(why.rfind("tfjs cannot load the model", 0) == 0 || why.rfind("TensorFlow.js cannot take", 0) == 0)
        << what << " @" << opset << ": " << why;
    std::printf("[opsets_e2e] %s @%d: not verified (%s)\n", what.c_str(), opset, why.substr(0, 80).c_str());
    return false;
  }
  EXPECT_EQ(r.exit_code, 0) << what << " @" << opset << ": " << r.err << r.out;
  if (r.exit_code != 0) return false;
  EXPECT_EQ(v.value("verified", false), true) << what << " @" << opset << ": " << v.dump();
  EXPECT_EQ(v.value("reference", std::string()), reference) << what;
  int outputs = 0;
  for (auto& run : v["runs"])
    for (auto& o : run["outputs"]) {
      ++outputs;
      EXPECT_TRUE(o["ok"].get<bool>()) << what << " @" << opset << ": " << o.dump();
    }
  EXPECT_GT(outputs, 0) << what;
  if (opset <= 17) {
    EXPECT_EQ(j["checks"]["onnx_checker"], true) << what;
  } else {
    EXPECT_EQ(j["checks"]["onnx_checker"], false) << what;
    EXPECT_NE(j["checks"].value("reason", std::string()).find("up to 17"), std::string::npos) << j["checks"].dump();
  }

  onnx::ModelProto m;
  std::ifstream in(out, std::ios::binary);
  EXPECT_TRUE(m.ParseFromIstream(&in)) << out;
  EXPECT_EQ(m.opset_import(0).version(), opset);
  // onnx/helper.py VERSION_TABLE: the IR version released with each opset.
  const std::map<int, int> ir_of = {{9, 4}, {10, 5}, {11, 6}, {13, 7}, {17, 8}, {18, 8}, {23, 11}};
  EXPECT_EQ(m.ir_version(), ir_of.at(opset)) << opset;
  std::ifstream mf(out + ".json");
  json manifest = json::parse(mf, nullptr, false);
  EXPECT_TRUE(manifest.is_object() && manifest["export"]["checks"] == j["checks"]) << manifest.dump();
  std::printf("[opsets_e2e] %s @%d: %d outputs verified against %s\n", what.c_str(), opset, outputs,
              reference.c_str());
  return true;
}

TEST(NewerOpsets, TorchScriptVerifiesAgainstLibtorch) {
  REQUIRE_ORT();
  for (int opset : kOpsets) {
    export_verified({test::test_models_dir() + "/cnn_scripted.pt", "--input", "x:float32[batch,3,16,16]"}, opset,
                    "libtorch", "cnn_scripted");
    export_verified({test::test_models_dir() + "/encoder_layer.pt", "--input", "ids:int64[batch,seq]"}, opset,
                    "libtorch", "encoder_layer");
  }
}

TEST(NewerOpsets, KerasVerifiesAgainstTfjs) {
  REQUIRE_ORT();
  std::string dir = test::scratch_dir("newer_opsets_keras");
  std::string cmd = "/usr/bin/python3 " + test::source_dir() + "/tests/fixtures/make_keras_h5.py " + dir + " > /dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "make_keras_h5.py failed";
  // Files tfjs_verify_test verifies at 17 (tfjs cannot load some of the others), covering
  // convolution, pooling, batch norm, LSTM (both directions), embedding and a Keras 1 functional RNN.
  for (int opset : kOpsets)
    for (const char* f : {"cnn_misc.h5", "conv_bn.h5", "pool_same.h5", "bidirectional_lstm.h5", "embedding.h5",
                          "keras1_functional_rnn.h5"})
      EXPECT_TRUE(export_verified({dir + "/" + f}, opset, "@tensorflow/tfjs", f, true)) << f << " @" << opset;
}

// x[batch,4,6] -> Mean over axis 1 (kept), Max over axis 1, Split in two along axis 2 and added.
std::string reduce_split_graph(test::sm::GraphDefBuilder& b) {
  b.placeholder("x", {-1, 4, 6});
  b.const_i("axis1", {1});
  b.const_i("axis2", {2}, true);
  test::sm::GraphDefBuilder::set_bool(b.node("mean", "Mean", {"x", "axis1"}), "keep_dims", true);
  test::sm::GraphDefBuilder::set_bool(b.node("max", "Max", {"x", "axis1"}), "keep_dims", false);
  test::sm::GraphDefBuilder::set_int(b.node("halves", "Split", {"axis2", "x"}), "num_split", 2);
  b.node("sum", "AddV2", {"halves", "halves:1"});
  return b.save();
}

TEST(NewerOpsets, GraphDefVerifiesAgainstTfjs) {
  REQUIRE_ORT();
  test::sm::GraphDefBuilder b;
  std::string pb = reduce_split_graph(b);
  for (int opset : kOpsets)
    export_verified({pb, "--format", "graphdef", "--output", "mean", "--output", "max", "--output", "sum"}, opset,
                    "@tensorflow/tfjs", "reduce_split graphdef");
}

}  // namespace

namespace {

TEST(OlderOpsets, TorchScriptResnetVerifiesAgainstLibtorch) {
  REQUIRE_ORT();
  for (int opset : kOldOpsets)
    export_verified({test::test_models_dir() + "/resnet18_traced.pt", "--input", "x:float32[batch,3,64,64]"}, opset,
                    "libtorch", "resnet18_traced");
}

TEST(OlderOpsets, KerasVerifiesAgainstTfjs) {
  REQUIRE_ORT();
  std::string dir = test::scratch_dir("older_opsets_keras");
  std::string cmd = "/usr/bin/python3 " + test::source_dir() + "/tests/fixtures/make_keras_h5.py " + dir + " > /dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "make_keras_h5.py failed";
  for (int opset : kOldOpsets)
    for (const char* f : {"cnn_misc.h5", "conv_bn.h5"})
      EXPECT_TRUE(export_verified({dir + "/" + f}, opset, "@tensorflow/tfjs", f, true)) << f << " @" << opset;
}

TEST(OlderOpsets, GraphDefVerifiesAgainstTfjs) {
  REQUIRE_ORT();
  test::sm::GraphDefBuilder b;
  std::string pb = reduce_split_graph(b);
  for (int opset : kOldOpsets)
    export_verified({pb, "--format", "graphdef", "--output", "mean", "--output", "max", "--output", "sum"}, opset,
                    "@tensorflow/tfjs", "reduce_split graphdef");
}

// Keras LayerNormalization as a TensorFlow graph holds it (tf.nn.moments + batch_normalization):
// one LayerNormalization node from opset 17 (fuse_ops), decomposed at 13; verified against tfjs.
TEST(NewerOpsets, GraphDefLayerNormIsOneNodeFrom17) {
  REQUIRE_ORT();
  test::sm::GraphDefBuilder b;
  b.placeholder("x", {-1, 5, 8});
  b.const_i("axes", {-1});
  std::vector<float> gamma(8), beta(8);
  for (int i = 0; i < 8; ++i) gamma[i] = 0.5f + 0.1f * i, beta[i] = 0.2f * i - 0.7f;
  b.const_f("gamma", {8}, gamma);
  b.const_f("beta", {8}, beta);
  b.const_f("eps", {}, {1e-3f});
  test::sm::GraphDefBuilder::set_bool(b.node("mean", "Mean", {"x", "axes"}), "keep_dims", true);
  b.node("mean_sg", "StopGradient", {"mean"});
  b.node("sqd", "SquaredDifference", {"x", "mean_sg"});
  test::sm::GraphDefBuilder::set_bool(b.node("var", "Mean", {"sqd", "axes"}), "keep_dims", true);
  b.node("var_eps", "AddV2", {"var", "eps"});
  b.node("rs", "Rsqrt", {"var_eps"});
  b.node("s", "Mul", {"rs", "gamma"});
  b.node("xs", "Mul", {"x", "s"});
  b.node("ms", "Mul", {"mean", "s"});
  b.node("shift", "Sub", {"beta", "ms"});
  b.node("y", "AddV2", {"xs", "shift"});
  std::string pb = b.save();
  for (int opset : {13, 17}) {
    std::string out;
    ASSERT_TRUE(export_verified({pb, "--format", "graphdef", "--output", "y"}, opset, "@tensorflow/tfjs", "tf layer norm",
                                false, &out));
    onnx::ModelProto m;
    std::ifstream in(out, std::ios::binary);
    ASSERT_TRUE(m.ParseFromIstream(&in));
    int ln = 0;
    for (auto& n : m.graph().node()) ln += n.op_type() == "LayerNormalization";
    EXPECT_EQ(ln, opset >= 17 ? 1 : 0) << opset;
    if (opset >= 17) {
      EXPECT_EQ(m.graph().node_size(), 1) << opset;
    }
  }
}

// TF LessEqual/GreaterEqual (ONNX 12) below 12: Or(Less/Greater, Equal), float Equal below 11
// through Less/Greater/IsNaN; verified against tfjs at 9 and 11.
TEST(OlderOpsets, GraphDefLessEqualGreaterEqualBelow12) {
  REQUIRE_ORT();
  test::sm::GraphDefBuilder b;
  b.placeholder("x", {-1, 6});
  b.const_f("c", {6}, {0.f, 0.5f, 1.f, 1.5f, 2.f, 2.5f});
  b.node("le", "LessEqual", {"x", "c"});
  b.node("ge", "GreaterEqual", {"x", "c"});
  std::string pb = b.save();
  for (int opset : {9, 11})
    export_verified({pb, "--format", "graphdef", "--output", "le", "--output", "ge"}, opset, "@tensorflow/tfjs",
                    "less_equal graphdef");
}

// An op that opset 9 cannot express: one line naming the file, the op, the node and opset 11.
TEST(OlderOpsets, RoundAtOpset9IsRefusedInOneLine) {
  test::sm::GraphDefBuilder b;
  b.placeholder("x", {-1, 4});
  b.node("rounded", "Round", {"x"});
  std::string pb = b.save();
  std::string out = test::scratch_dir("older_opsets_refused") + "/m.onnx";
  auto r = test::run_cli({"export", pb, "--format", "graphdef", "--output", "rounded", "-o", out, "--opset", "9"});
  EXPECT_EQ(r.exit_code, kExitConversionFailed) << r.err;
  EXPECT_EQ(r.err, "modelport: error: " + pb + ": Round needs opset >= 11 (requested 9): node 'rounded_node_1' (rounded)\n");
  EXPECT_FALSE(std::filesystem::exists(out));
}

// The shared SavedModel and Keras fixtures (models other people trained) at the oldest, a middle,
// the first post-checker and the newest opset, each verified against TensorFlow.js: a TF1 SavedModel
// with variables, a Keras MLP SavedModel, a Keras 2 conv stack with batch norm (.h5) and a Keras 3
// masked LSTM (.keras). SavedModelE2E and SharedKeras run every fixture at the default opset.
const int kFixtureOpsets[] = {9, 13, 18, 23};

TEST(FixtureOpsets, SavedModelsVerifyAt9_13_18_23) {
  MODELPORT_REQUIRE_SHARED();
  REQUIRE_ORT();
  for (const char* name : {"tfserving_half_plus_two_cpu", "tfnet_keras_mnist_mlp"})
    for (int opset : kFixtureOpsets)
      EXPECT_TRUE(export_verified({test::shared_fixtures() + "/savedmodel/" + name}, opset, "@tensorflow/tfjs", name))
          << name << " @" << opset;
}

TEST(FixtureOpsets, KerasVerifyAt9_13_18_23) {
  MODELPORT_REQUIRE_SHARED();
  REQUIRE_ORT();
  for (const char* file : {"keras_h5/hls4ml_example_models_keras2_3_1/keras_jetTagger_Conv2D_small.h5",
                           "keras_v3/keras_repo_masking_lstm/model.keras"})
    for (int opset : kFixtureOpsets)
      EXPECT_TRUE(export_verified({test::shared_fixtures() + "/" + file}, opset, "@tensorflow/tfjs", file))
          << file << " @" << opset;
}

}  // namespace

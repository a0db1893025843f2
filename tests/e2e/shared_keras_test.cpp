// Every Keras file in ../shared/fixtures converts through the CLI and runs in ONNX Runtime
// and matches TensorFlow.js (`--verify` at two batch sizes); the nested subclassed model needs its
// architecture from --keras-config and then reproduces its expected values.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "modelport/error.h"
#include "support/test_support.h"
#include "verify/ort_runner.h"

using namespace modelport;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

const char* kNested = "keras_v3/keras_repo_nested_subclassed/pre_pr22362_nested_container.keras";
// Files the fixture READMEs mark as negative cases -> the cause their refusal must name.
const std::map<std::string, std::string> kRefused = {{"relu_weights.h5", "no model_config"}};
// Files TensorFlow.js cannot run -> the reason verify gives.
const std::map<std::string, std::string> kNotVerified = {
    {"elu.h5", "Non-default alpha value (2) is not supported by the ELU layer"},
    {"hostpipe_parallel.keras", "GRUCell does not support reset_after parameter set to true"}};

TEST(SharedKeras, EveryFileConvertsAndRunsInOnnxRuntime) {
  MODELPORT_REQUIRE_SHARED();
  int converted = 0;
  for (const char* set : {"keras_h5", "keras_v3"})
    for (auto& e : fs::recursive_directory_iterator(test::shared_fixtures() + "/" + set)) {
      std::string ext = e.path().extension().string();
      if (!e.is_regular_file() || (ext != ".h5" && ext != ".keras")) continue;
      if (e.path().string().find(fs::path(kNested).filename().string()) != std::string::npos) continue;
      SCOPED_TRACE(e.path().string());
      std::string out = test::scratch_dir("shared_keras") + "/m.onnx";
      auto r = test::run_cli({"export", e.path().string(), "-o", out, "--verify"});
      if (auto it = kRefused.find(e.path().filename().string()); it != kRefused.end()) {
        EXPECT_EQ(r.exit_code, kExitConversionFailed) << r.err;
        EXPECT_NE(r.err.find(it->second), std::string::npos) << r.err;
        EXPECT_FALSE(fs::exists(out));
        continue;
      }
      // Proven against TensorFlow.js, or plainly not verified with tfjs's reason (exit 4).
      if (auto it = kNotVerified.find(e.path().filename().string()); it != kNotVerified.end()) {
        EXPECT_EQ(r.exit_code, kExitNotVerified) << r.err;
        EXPECT_NE(r.err.find("verify: NOT VERIFIED: tfjs cannot load the model: " + it->second), std::string::npos) << r.err;
        continue;
      }
      EXPECT_EQ(r.exit_code, 0) << r.err;
      EXPECT_NE(r.err.find("verify: passed against @tensorflow/tfjs"), std::string::npos) << r.err;
      converted += r.exit_code == 0;
    }
  EXPECT_GE(converted, 20);
}

TEST(SharedKeras, NestedSubclassedModelWithItsArchitectureGiven) {
  MODELPORT_REQUIRE_SHARED();
  std::string src = test::shared_fixtures() + "/" + kNested;
  std::string dir = test::scratch_dir("nested");
  auto refused = test::run_cli({"export", src, "-o", dir + "/no.onnx"});
  EXPECT_EQ(refused.exit_code, kExitConversionFailed);
  EXPECT_NE(refused.err.find("--keras-config NestedDenseModel=FILE.json"), std::string::npos) << refused.err;
  EXPECT_FALSE(fs::exists(dir + "/no.onnx"));

  std::string cfg = test::source_dir() + "/tests/fixtures/keras/nested_dense_model.json";
  auto r = test::run_cli({"export", src, "-o", dir + "/m.onnx", "--keras-config", "NestedDenseModel=" + cfg});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (auto& c : test::expected_cases((fs::path(src).parent_path() / "expected.json").string())) {
    std::vector<NamedTensor> feeds;
    for (auto& [name, spec] : c["inputs"].items()) feeds.push_back({name, test::json_tensor(spec)});
    auto outs = run_onnxruntime(dir + "/m.onnx", feeds);
    ASSERT_EQ(outs.size(), 1u);
    Tensor want = test::json_tensor(c["outputs"][0]);
    EXPECT_TRUE(test::nonzero_reference(want));
    ASSERT_EQ(outs[0].tensor.dims, want.dims);
    for (int64_t i = 0; i < want.numel(); ++i) EXPECT_NEAR(outs[0].tensor.as_double(i), want.as_double(i), 1e-5);
  }
}

TEST(SharedKeras, ConvStackWithBatchNormCarriesOneTransposeEachSide) {
  MODELPORT_REQUIRE_SHARED();
  // BatchNormalization, Conv2D, BatchNormalization, Conv2D, Flatten, Dense in NHWC (Keras 2.3.1).
  std::string src = test::shared_fixtures() + "/keras_h5/hls4ml_example_models_keras2_3_1/keras_jetTagger_Conv2D_small.h5";
  std::string out = test::scratch_dir("keras_layout") + "/m.onnx";
  auto r = test::run_cli({"export", src, "-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  onnx::ModelProto m;
  std::ifstream in(out, std::ios::binary);
  ASSERT_TRUE(m.ParseFromIstream(&in));
  std::vector<const onnx::NodeProto*> transposes;
  int convs = 0;
  for (auto& n : m.graph().node()) {
    if (n.op_type() == "Transpose") transposes.push_back(&n);
    convs += n.op_type() == "Conv";
  }
  EXPECT_EQ(convs, 2);
  ASSERT_EQ(transposes.size(), 2u) << "one Transpose into channel-first, one back before Flatten";
  EXPECT_EQ(transposes[0]->input(0), m.graph().input(0).name()) << "the first Transpose reads the NHWC input";
  // The ONNX input keeps the Keras (NHWC) layout.
  auto& dims = m.graph().input(0).type().tensor_type().shape().dim();
  ASSERT_EQ(dims.size(), 4);
  EXPECT_EQ(dims[0].dim_param(), "batch");
}

}  // namespace

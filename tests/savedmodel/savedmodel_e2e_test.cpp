// End to end: `modelport export` of the real SavedModels in ../shared/fixtures/savedmodel, run in
// ONNX Runtime, must reproduce every case of their expected.json (per signature).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "support/test_support.h"
#include "tf_saved_model.pb.h"
#include "verify/ort_runner.h"

using namespace modelport;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// Elementwise |got - want| <= tol * (1 + |want|). The expected values are float32 results written
// with 7-8 significant digits (the analytic half_plus_* ones exactly): 1e-5 leaves room for float32
// rounding of values up to ~10 while still catching any wrong weight or op. A case may state its own
// "tolerance" (tf2onnx_regression: 1e-6); it applies to that case only.
constexpr double kDefaultTol = 1e-5;

// Exports the SavedModel in `dir` once per case of `expected_json` and compares in ONNX Runtime.
void run_cases(const std::string& name, const std::string& dir, const std::string& expected_json) {
  int case_no = 0;
  for (auto& c : test::expected_cases(expected_json)) {
    std::string sig = c["signature"];
    SCOPED_TRACE(name + " signature " + sig);
    const double tol = c.contains("tolerance") ? std::stod(c["tolerance"].get<std::string>()) : kDefaultTol;
    std::string out = test::scratch_dir("savedmodel_e2e_" + name) + "/case" + std::to_string(case_no++) + ".onnx";
    std::vector<std::string> args = {"export", dir, "--signature", sig, "-o", out, "--no-manifest"};
    std::vector<NamedTensor> feeds;
    for (auto& [in, spec] : c["inputs"].items()) feeds.push_back({in, test::json_tensor(spec)});
    auto r = test::run_cli(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto outs = run_onnxruntime(out, feeds);
    ASSERT_EQ(outs.size(), c["outputs"].size());
    size_t i = 0;
    for (auto& [oname, spec] : c["outputs"].items()) {
      EXPECT_EQ(outs[i].name, oname);
      Tensor want = test::json_tensor(spec);
      EXPECT_TRUE(test::nonzero_reference(want)) << oname;
      const Tensor& got = outs[i].tensor;
      ASSERT_EQ(got.dims, want.dims) << oname;
      for (int64_t k = 0; k < want.numel(); ++k)
        EXPECT_NEAR(got.as_double(k), want.as_double(k), tol + tol * std::abs(want.as_double(k))) << oname << "[" << k << "]";
      ++i;
    }
  }
}

void run_fixture(const std::string& name) {
  std::string dir = test::shared_fixtures() + "/savedmodel/" + name;
  run_cases(name, dir, dir + "/expected.json");
}

}  // namespace

TEST(SavedModelE2E, HalfPlusTwoTf1) {
  MODELPORT_REQUIRE_SHARED();
  run_fixture("tfserving_half_plus_two_cpu");
}
// TF's oldest writers stored reference variables as "Variable", the op VariableV2 replaced with the
// same attributes and checkpoint key. The TF1 fixture with its VariableV2 nodes renamed must give
// the same outputs.
TEST(SavedModelE2E, HalfPlusTwoTf1WithReferenceVariables) {
  MODELPORT_REQUIRE_SHARED();
  std::string src = test::shared_fixtures() + "/savedmodel/tfserving_half_plus_two_cpu";
  std::string dir = test::scratch_dir("savedmodel_e2e_variable") + "/sm";
  fs::remove_all(dir);
  fs::copy(src, dir, fs::copy_options::recursive);
  tf::SavedModel sm;
  {
    std::ifstream in(dir + "/saved_model.pb", std::ios::binary);
    ASSERT_TRUE(sm.ParseFromIstream(&in));
  }
  int renamed = 0;
  for (auto& mg : *sm.mutable_meta_graphs())
    for (auto& n : *mg.mutable_graph_def()->mutable_node())
      if (n.op() == "VariableV2") n.set_op("Variable"), ++renamed;
  ASSERT_GT(renamed, 0);
  {
    std::ofstream out(dir + "/saved_model.pb", std::ios::binary | std::ios::trunc);
    ASSERT_TRUE(sm.SerializeToOstream(&out));
  }
  run_cases("half_plus_two with Variable", dir, src + "/expected.json");
}
TEST(SavedModelE2E, HalfPlusTwoTf2) {
  MODELPORT_REQUIRE_SHARED();
  run_fixture("tfserving_half_plus_two_tf2_cpu");
}
TEST(SavedModelE2E, HalfPlusThree) {
  MODELPORT_REQUIRE_SHARED();
  run_fixture("tfserving_half_plus_three");
}
TEST(SavedModelE2E, Regression) {
  MODELPORT_REQUIRE_SHARED();
  run_fixture("tf2onnx_regression");
}

TEST(SavedModelE2E, KerasMlpSoftmaxRows) {
  MODELPORT_REQUIRE_SHARED();
  std::string dir = test::shared_fixtures() + "/savedmodel/tfnet_keras_mnist_mlp";
  std::string out = test::scratch_dir("savedmodel_e2e_mlp") + "/mlp.onnx";
  auto r = test::run_cli({"export", dir, "-o", out, "--no-manifest"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<float> x(2 * 784);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(i % 17) / 17.0f;
  auto outs = run_onnxruntime(out, {{"input_1", Tensor::from_vector(DType::Float32, x, {2, 28, 28, 1})}});
  ASSERT_EQ(outs.size(), 1u);
  EXPECT_EQ(outs[0].name, "softmax");
  ASSERT_EQ(outs[0].tensor.dims, (std::vector<int64_t>{2, 10}));
  for (int row = 0; row < 2; ++row) {
    double s = 0;
    for (int k = 0; k < 10; ++k) s += outs[0].tensor.as_double(row * 10 + k);
    EXPECT_NEAR(s, 1.0, 1e-5);
  }
}

TEST(SavedModelE2E, TfExampleSignatureExitsOneWithOneLine) {
  MODELPORT_REQUIRE_SHARED();
  std::string dir = test::shared_fixtures() + "/savedmodel/tfserving_half_plus_two_cpu";
  std::string out = test::scratch_dir("savedmodel_e2e_refuse") + "/x.onnx";
  auto r = test::run_cli({"export", dir, "--signature", "regress_x_to_y", "-o", out});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("signatures that can: regress_x2_to_y3, serving_default"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));
}

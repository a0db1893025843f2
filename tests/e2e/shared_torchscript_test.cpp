// The real TorchScript archives in ../shared/fixtures/torchscript reproduce the values their
// expected.json gives, in ONNX Runtime. Every archive of a set must have a case (all of them convert
// today, foo3.pt's prim::Loop with a prim::If inside included); the unsupported-op refusal is tested
// on generated models (torchscript_loader_test.cpp, cli_errors_test.cpp).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "support/test_support.h"
#include "verify/ort_runner.h"

using namespace modelport;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr double kAtol = 1e-5, kRtol = 1e-4;

void run_set(const std::string& set) {
  std::string dir = test::shared_fixtures() + "/torchscript/" + set;
  std::set<std::string> archives;  // every .pt / .dat file of the set needs a case
  for (auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".pt" || e.path().extension() == ".dat") archives.insert(e.path().filename().string());
  for (auto& c : test::expected_cases(dir + "/expected.json")) {
    std::string file = c["file"];
    archives.erase(file);
    SCOPED_TRACE(set + "/" + file);
    std::string out = test::scratch_dir("shared_ts_" + set) + "/" + file + ".onnx";
    std::vector<std::string> args = {"export", dir + "/" + file, "-o", out, "--opset", "17"};
    std::vector<NamedTensor> feeds;
    for (auto& [name, spec] : c["inputs"].items()) {
      args.push_back("--input");
      args.push_back(test::json_input_spec(name, spec));
      feeds.push_back({name, test::json_tensor(spec)});
    }
    auto r = test::run_cli(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto outs = run_onnxruntime(out, feeds);
    ASSERT_EQ(outs.size(), c["outputs"].size());
    for (size_t i = 0; i < outs.size(); ++i) {
      Tensor want = test::json_tensor(c["outputs"][i]);
      EXPECT_TRUE(test::nonzero_reference(want)) << "output " << i;
      const Tensor& got = outs[i].tensor;
      EXPECT_EQ(got.dtype, want.dtype) << "output " << i;
      ASSERT_EQ(got.dims, want.dims) << "output " << i;
      for (int64_t k = 0; k < want.numel(); ++k)
        EXPECT_NEAR(got.as_double(k), want.as_double(k), kAtol + kRtol * std::abs(want.as_double(k)))
            << "output " << i << " element " << k;
    }
  }
  EXPECT_TRUE(archives.empty()) << set << ": archives without a case in expected.json: " << *archives.begin();
}

TEST(SharedTorchScript, TchRsToy) { MODELPORT_REQUIRE_SHARED(); run_set("tch_rs_toy"); }
TEST(SharedTorchScript, TorchSharpLinear) { MODELPORT_REQUIRE_SHARED(); run_set("torchsharp_linear"); }
TEST(SharedTorchScript, AniraSimpleGain) { MODELPORT_REQUIRE_SHARED(); run_set("anira_simple_gain"); }

}  // namespace

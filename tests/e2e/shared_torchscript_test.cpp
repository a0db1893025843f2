// The real TorchScript archives in ../shared/fixtures/torchscript reproduce the values their
// expected.json gives, in ONNX Runtime. Models that need features not built yet must be refused
// with the unsupported-op error naming exactly what is missing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "support/test_support.h"
#include "verify/ort_runner.h"

using namespace modelport;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// file -> the op the unsupported-op error must name. Empty since control flow converts: foo3.pt
// (a prim::Loop with a prim::If inside, the product of x over dim 0) is checked like the others.
const std::map<std::string, std::string> kRefused = {};

constexpr double kAtol = 1e-5, kRtol = 1e-4;

void run_set(const std::string& set) {
  std::string dir = test::shared_fixtures() + "/torchscript/" + set;
  json expected = json::parse(std::ifstream(dir + "/expected.json"));
  for (auto& c : expected["cases"]) {
    std::string file = c["file"];
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
    if (auto it = kRefused.find(file); it != kRefused.end()) {
      EXPECT_EQ(r.exit_code, 1) << "expected a refusal; if it converts now, drop it from kRefused\n" << r.err;
      EXPECT_NE(r.err.find("unsupported TorchScript ops: "), std::string::npos) << r.err;
      EXPECT_NE(r.err.find(it->second), std::string::npos) << r.err;
      EXPECT_FALSE(fs::exists(out));
      continue;
    }
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto outs = run_onnxruntime(out, feeds);
    ASSERT_EQ(outs.size(), c["outputs"].size());
    for (size_t i = 0; i < outs.size(); ++i) {
      Tensor want = test::json_tensor(c["outputs"][i]);
      const Tensor& got = outs[i].tensor;
      EXPECT_EQ(got.dtype, want.dtype) << "output " << i;
      ASSERT_EQ(got.dims, want.dims) << "output " << i;
      for (int64_t k = 0; k < want.numel(); ++k)
        EXPECT_NEAR(got.as_double(k), want.as_double(k), kAtol + kRtol * std::abs(want.as_double(k)))
            << "output " << i << " element " << k;
    }
  }
}

TEST(SharedTorchScript, TchRsToy) { MODELPORT_REQUIRE_SHARED(); run_set("tch_rs_toy"); }
TEST(SharedTorchScript, TorchSharpLinear) { MODELPORT_REQUIRE_SHARED(); run_set("torchsharp_linear"); }
TEST(SharedTorchScript, AniraSimpleGain) { MODELPORT_REQUIRE_SHARED(); run_set("anira_simple_gain"); }

}  // namespace

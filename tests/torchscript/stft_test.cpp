// torch.stft (issue 15): aten::stft becomes ONNX STFT (opset 17), its complex result a float
// tensor with a last axis of 2 (view_as_real's layout), of which abs, view_as_real, real and imag
// are lowered. Each fixture (tests/fixtures/make_torch_stft.py) is exported with a dynamic batch
// and a dynamic signal length, and verified against libtorch running the same archive at two
// lengths (400 and 257 samples), so the frame count is computed at run time.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

using namespace modelport;
using json = nlohmann::json;

namespace {

// Float rounding of an FFT against torch's (pocketfft): outputs are up to ~15 in magnitude.
constexpr double kAtol = 1e-4;

std::string model(const std::string& stem) { return test::test_models_dir() + "/" + stem + ".pt"; }

bool has_op(const std::string& path, const std::string& op) {
  onnx::ModelProto m;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(m.ParseFromIstream(&in)) << path;
  for (auto& n : m.graph().node())
    if (n.op_type() == op) return true;
  return false;
}

struct Case {
  std::string stem;
  size_t outputs;
};

}  // namespace

TEST(TorchScriptStft, MatchesLibtorchAtTwoSignalLengths) {
  // stft_mag_s: scripted log-magnitude front-end (center=True reflect padding, hann window);
  // stft_parts_t: traced, win_length < n_fft, normalized, view_as_real/real/imag outputs;
  // stft_real_t: traced, no window, center=False, onesided=False, return_complex=False.
  for (const Case& k : {Case{"stft_mag_s", 1}, Case{"stft_parts_t", 3}, Case{"stft_real_t", 1}}) {
    SCOPED_TRACE(k.stem);
    std::string out = test::scratch_dir("stft_" + k.stem) + "/m.onnx";
    auto r = test::run_cli({"export", model(k.stem), "-o", out, "--input", "x:float32[batch,samples]", "--sizes",
                            "samples=400,257", "--verify", "--atol", "1e-4", "--rtol", "0", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_TRUE(has_op(out, "STFT"));
    auto v = json::parse(r.out)["verification"];
    EXPECT_EQ(v["reference"], "libtorch") << v.dump();
    ASSERT_EQ(v["runs"].size(), 2u) << v.dump();
    std::vector<std::string> shapes;
    for (auto& run : v["runs"]) {
      ASSERT_EQ(run["outputs"].size(), k.outputs) << run.dump();
      for (auto& o : run["outputs"]) {
        EXPECT_TRUE(o["ok"].get<bool>()) << o.dump();
        EXPECT_LE(o["max_abs_diff"].get<double>(), kAtol) << o.dump();
        EXPECT_GT(o["ref_max_abs"].get<double>(), 0.5) << "a near-zero reference proves nothing: " << o.dump();
      }
      shapes.push_back(run["outputs"][0]["shape"].get<std::string>());
    }
    EXPECT_NE(shapes[0], shapes[1]) << "the frame count must follow the signal length";
  }
}

TEST(TorchScriptStft, BelowOpset17IsRefusedNamingTheOp) {
  std::string dir = test::scratch_dir("stft_opset16");
  auto r = test::run_cli({"export", model("stft_mag_s"), "-o", dir + "/m.onnx", "--input", "x:float32[batch,samples]",
                          "--opset", "16"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("STFT needs opset >= 17 (requested 16)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("aten::stft"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir + "/m.onnx"));
}

// The common TorchScript op surface (make_torch_ops.py): each group of ops, scripted and traced,
// exported with symbolic batch/h/w at opsets 11, 13 and 17, then `modelport verify` against
// libtorch at two sizes of every symbolic axis (ONNX Runtime through node).
// Tolerance: max_abs_diff <= 1e-4 * max(1, max|reference|) per output (bicubic included: measured
// 5e-6; the products/norms/einsum sums reach |ref| in the tens).
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <tuple>

#include "support/test_support.h"

using namespace modelport;
using json = nlohmann::json;

namespace {

const char* kInput = "x:float32[batch,8,h,w]";

std::string model(const std::string& stem) { return test::test_models_dir() + "/ops_" + stem + ".pt"; }

struct Case {
  const char* stem;   // ops_<stem>.pt
  size_t outputs;     // number of outputs
  double tol;         // relative to max(1, max|ref|)
};

// Scripted F.interpolate builds its size/scale lists in a `for` loop over the input's spatial dims
// (unrolled at load time); traced models record aten::upsample_* directly.
const Case kCases[] = {
    {"interp_scale_s", 10, 1e-4}, {"interp_scale_t", 10, 1e-4}, {"interp_size_s", 6, 1e-4},
    {"interp_size_t", 6, 1e-4},   {"interp_cubic_s", 4, 1e-4},  {"interp_cubic_t", 4, 1e-4},
    {"pad_s", 9, 1e-4},           {"pad_t", 9, 1e-4},           {"conv_transpose_s", 5, 1e-4},
    {"conv_transpose_t", 5, 1e-4}, {"norm_s", 9, 1e-4},         {"norm_t", 9, 1e-4},
    {"index_s", 28, 1e-4},        {"index_t", 28, 1e-4},        {"math_s", 20, 1e-4},
    {"math_t", 20, 1e-4},         {"act_s", 10, 1e-4},          {"act_t", 10, 1e-4},
    {"einsum_s", 3, 1e-4},        {"einsum_t", 3, 1e-4},
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.stem; }

using Param = std::tuple<Case, int>;

class OpSurface : public ::testing::TestWithParam<Param> {};

TEST_P(OpSurface, MatchesLibtorch) {
  auto [cs, opset] = GetParam();
  std::string stem = cs.stem;
  std::string dir = test::scratch_dir("op_surface_" + stem + "_" + std::to_string(opset));
  std::string out = dir + "/m.onnx";
  auto e = test::run_cli({"export", model(stem), "-o", out, "--input", kInput, "--opset", std::to_string(opset)});
  if (stem.rfind("einsum", 0) == 0 && opset < 12) {  // Einsum is an opset-12 op: a clear error
    EXPECT_NE(e.exit_code, 0);
    EXPECT_NE(e.err.find("Einsum needs opset >= 12"), std::string::npos) << e.err;
    return;
  }
  ASSERT_EQ(e.exit_code, 0) << e.err;

  onnx::ModelProto m;
  {
    std::ifstream in(out, std::ios::binary);
    ASSERT_TRUE(m.ParseFromIstream(&in));
  }
  EXPECT_EQ(m.opset_import(0).version(), opset);
  const auto& s = m.graph().input(0).type().tensor_type().shape();
  EXPECT_EQ(s.dim(2).dim_param(), "h");
  EXPECT_EQ(s.dim(3).dim_param(), "w");

  // h, w even (pixel_unshuffle) and >= 6 (index buffers along w).
  auto r = test::run_cli({"verify", model(stem), out, "--json", "--sizes", "h=6,8", "--sizes", "w=8,10"});
  json j = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out << r.err;
  const json& v = j.contains("verification") ? j["verification"] : j;
  EXPECT_EQ(r.exit_code, 0) << r.err << v.dump();
  EXPECT_TRUE(v["ok"].get<bool>()) << v.dump();
  EXPECT_EQ(v["reference"], "libtorch");
  EXPECT_TRUE(v["fixed_axes"].empty()) << v.dump();
  ASSERT_EQ(v["runs"].size(), 2u) << v.dump();
  double worst = 0;
  for (auto& run : v["runs"]) {
    EXPECT_EQ(run["outputs"].size(), cs.outputs) << v.dump();
    for (auto& o : run["outputs"]) {
      EXPECT_TRUE(o["ok"].get<bool>()) << stem << " opset " << opset << ": " << o.dump();
      double d = o["max_abs_diff"].get<double>();
      EXPECT_GT(o.value("ref_max_abs", 0.0), 0.0) << stem << ": an all-zero reference proves nothing: " << o.dump();
      double scale = std::max(1.0, o.value("ref_max_abs", 1.0));
      EXPECT_LE(d, cs.tol * scale) << stem << " opset " << opset << ": " << o.dump();
      worst = std::max(worst, d);
    }
  }
  RecordProperty("max_abs_diff", std::to_string(worst));
  std::cout << "[op_surface] " << stem << " opset " << opset << " max_abs_diff " << worst << "\n";
}

INSTANTIATE_TEST_SUITE_P(OpSurface, OpSurface, ::testing::Combine(::testing::ValuesIn(kCases), ::testing::Values(11, 13, 17)),
                         [](const ::testing::TestParamInfo<Param>& i) {
                           return std::string(std::get<0>(i.param).stem) + "_opset" + std::to_string(std::get<1>(i.param));
                         });

}  // namespace

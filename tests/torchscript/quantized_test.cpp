// Quantized TorchScript modules (torch.ao.quantization, issue 15), exported in both --quantized
// forms and verified against libtorch running the same archive (its quantized kernels: onednn in
// Debian's 1.13). Fixtures: tests/fixtures/make_torch_quantized.py.
// (The static fixture uses 7-bit activations, fbgemm's qconfig: with full 8-bit ones, onednn on a CPU
// without VNNI saturates u8 x s8 pair sums in int16 and computes something else than the quantized
// formula, by up to 50 output steps, which the ONNX model does not reproduce.)
//   integer: the ONNX model does the quantized module's integer arithmetic (MatMulInteger on the
//     int8 weights, the input quantized per call as the kernel does), so it must match libtorch to
//     float rounding: kIntegerAtol, far below one step of the input quantization (about 0.04 for
//     these N(0, 1) inputs, times a weight of about 0.2: 0.008 at the output).
//   float: dequantized weights in float ops, warned about; it differs from libtorch by the input
//     quantization error, which must show (above kIntegerAtol) and stay within kFloatAtol.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "support/test_support.h"

using namespace modelport;
using json = nlohmann::json;

namespace {

constexpr double kIntegerAtol = 1e-4;
constexpr double kFloatAtol = 0.1;

std::string model(const std::string& stem) { return test::test_models_dir() + "/" + stem + ".pt"; }

struct Case {
  std::string stem, input;
  std::vector<std::string> integer_ops;  // ops the integer form must contain
};

std::vector<Case> dynamic_linear_cases() {
  return {{"qdyn_linear_s", "x:float32[batch,16]", {"MatMulInteger", "QuantizeLinear"}},
          {"qdyn_linear_t", "x:float32[batch,16]", {"MatMulInteger", "QuantizeLinear"}},
          {"qdyn_linear_pc_t", "x:float32[batch,t,16]", {"MatMulInteger", "QuantizeLinear"}}};
}

std::set<std::string> op_types(const std::string& path) {
  onnx::ModelProto m;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(m.ParseFromIstream(&in)) << path;
  std::set<std::string> ops;
  for (auto& n : m.graph().node()) ops.insert(n.op_type());
  return ops;
}

struct Measured {
  double max_abs_diff = 0, ref_max_abs = 0;
  json warnings;
};

// export `stem` in `mode` with --verify at `atol` (rtol 0) and `extra` arguments (inputs, sizes); every
// run's every output must pass. Prints what it measured.
Measured export_verified(const std::string& stem, const std::vector<std::string>& extra, const std::string& mode,
                         double atol, const std::string& out) {
  char tol[32];
  std::snprintf(tol, sizeof tol, "%g", atol);
  std::vector<std::string> args = {"export", model(stem), "-o", out, "--quantized", mode, "--verify",
                                   "--atol", tol, "--rtol", "0", "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = test::run_cli(args);
  Measured m;
  EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
  if (r.exit_code != 0) return m;
  auto j = json::parse(r.out);
  m.warnings = j["warnings"];
  auto& v = j["verification"];
  EXPECT_EQ(v["reference"], "libtorch") << v.dump();
  EXPECT_GE(v["runs"].size(), 1u) << v.dump();
  for (auto& run : v["runs"])
    for (auto& o : run["outputs"]) {
      EXPECT_TRUE(o["ok"].get<bool>()) << o.dump();
      m.max_abs_diff = std::max(m.max_abs_diff, o["max_abs_diff"].get<double>());
      m.ref_max_abs = std::max(m.ref_max_abs, o["ref_max_abs"].get<double>());
    }
  std::printf("[quantized] %s %s: max |onnx - libtorch| %.3g (outputs up to %.3g)\n", stem.c_str(), mode.c_str(),
              m.max_abs_diff, m.ref_max_abs);
  return m;
}

Measured export_verified(const Case& k, const std::string& mode, double atol, const std::string& out) {
  return export_verified(k.stem, {"--input", k.input}, mode, atol, out);
}

bool warns_about_float(const json& warnings) {
  for (auto& w : warnings)
    if (w.get<std::string>().find("--quantized float") != std::string::npos) return true;
  return false;
}

}  // namespace

TEST(TorchScriptQuantized, DynamicLinearIntegerMatchesLibtorch) {
  for (auto& k : dynamic_linear_cases()) {
    SCOPED_TRACE(k.stem);
    std::string out = test::scratch_dir("quant_int_" + k.stem) + "/m.onnx";
    Measured m = export_verified(k, "integer", kIntegerAtol, out);
    EXPECT_GT(m.ref_max_abs, 0.1) << "a near-zero reference proves nothing";
    auto ops = op_types(out);
    for (auto& op : k.integer_ops) EXPECT_TRUE(ops.count(op)) << op << " missing";
    EXPECT_FALSE(warns_about_float(m.warnings)) << m.warnings.dump();
  }
}

TEST(TorchScriptQuantized, DynamicLinearFloatWarnsAndDiffersByTheQuantizationError) {
  for (auto& k : dynamic_linear_cases()) {
    SCOPED_TRACE(k.stem);
    std::string out = test::scratch_dir("quant_float_" + k.stem) + "/m.onnx";
    Measured m = export_verified(k, "float", kFloatAtol, out);
    EXPECT_GT(m.max_abs_diff, kIntegerAtol) << "the float form should not reproduce the quantized arithmetic";
    EXPECT_TRUE(warns_about_float(m.warnings)) << m.warnings.dump();
    auto ops = op_types(out);
    EXPECT_FALSE(ops.count("MatMulInteger"));
    EXPECT_FALSE(ops.count("QuantizeLinear"));
  }
}

// A dynamically quantized nn.LSTM (aten::quantized_lstm). The integer form is an ONNX Loop per layer
// and direction whose body quantizes h per step and runs MatMulInteger, as libtorch's kernel does:
// it must match libtorch to float rounding at two sequence lengths (9 and 16 steps), also with a
// given initial state. The float form is ONNX LSTM on the dequantized weights, with the warning.
struct LstmCase {
  std::string stem;
  std::vector<std::string> inputs;
};

std::vector<LstmCase> lstm_cases() {
  return {{"qdyn_lstm_s", {"x:float32[batch,t,8]"}},  // 2 layers, bidirectional, batch_first
          {"qdyn_lstm_t", {"x:float32[t,batch,8]"}},
          {"qdyn_lstm_state_s", {"x:float32[t,batch,8]", "h0:float32[2,batch,10]", "c0:float32[2,batch,10]"}}};
}

// Two runs, at 9 and 16 steps.
Measured export_lstm(const LstmCase& k, const std::string& mode, double atol, const std::string& out) {
  std::vector<std::string> extra = {"--sizes", "t=9,16"};
  for (auto& in : k.inputs) extra.insert(extra.end(), {"--input", in});
  return export_verified(k.stem, extra, mode, atol, out);
}

TEST(TorchScriptQuantized, DynamicLstmIntegerMatchesLibtorch) {
  for (auto& k : lstm_cases()) {
    SCOPED_TRACE(k.stem);
    std::string out = test::scratch_dir("quant_lstm_int_" + k.stem) + "/m.onnx";
    Measured m = export_lstm(k, "integer", kIntegerAtol, out);
    EXPECT_GT(m.ref_max_abs, 0.1) << "a near-zero reference proves nothing";
    EXPECT_FALSE(warns_about_float(m.warnings)) << m.warnings.dump();
    auto ops = op_types(out);
    for (const char* op : {"Loop", "MatMulInteger", "QuantizeLinear"}) EXPECT_TRUE(ops.count(op)) << op << " missing";
    EXPECT_FALSE(ops.count("LSTM"));
  }
}

TEST(TorchScriptQuantized, DynamicLstmFloatWarnsAndDiffersByTheQuantizationError) {
  for (auto& k : lstm_cases()) {
    SCOPED_TRACE(k.stem);
    std::string out = test::scratch_dir("quant_lstm_float_" + k.stem) + "/m.onnx";
    Measured m = export_lstm(k, "float", kFloatAtol, out);
    EXPECT_GT(m.max_abs_diff, kIntegerAtol) << "the float form should not reproduce the quantized arithmetic";
    EXPECT_TRUE(warns_about_float(m.warnings)) << m.warnings.dump();
    auto ops = op_types(out);
    EXPECT_TRUE(ops.count("LSTM"));
    EXPECT_FALSE(ops.count("MatMulInteger"));
  }
}

// A statically quantized CNN: the integer (QDQ) form rounds every quantized result as the kernels
// do, so it must match libtorch to float rounding; the float form must warn and differ.
TEST(TorchScriptQuantized, StaticCnnBothForms) {
  for (std::string stem : {"qstatic_cnn_t", "qstatic_cnn_s"}) {
    SCOPED_TRACE(stem);
    Case k{stem, "x:float32[batch,3,16,16]", {"QuantizeLinear", "DequantizeLinear", "Conv"}};
    std::string dir = test::scratch_dir("quant_static_" + stem);
    Measured m = export_verified(k, "integer", kIntegerAtol, dir + "/int.onnx");
    EXPECT_GT(m.ref_max_abs, 0.1);
    auto ops = op_types(dir + "/int.onnx");
    for (auto& op : k.integer_ops) EXPECT_TRUE(ops.count(op)) << op << " missing";
    Measured f = export_verified(k, "float", kFloatAtol, dir + "/float.onnx");
    EXPECT_GT(f.max_abs_diff, kIntegerAtol);
    EXPECT_TRUE(warns_about_float(f.warnings)) << f.warnings.dump();
    EXPECT_FALSE(op_types(dir + "/float.onnx").count("QuantizeLinear"));
  }
}

// The integer form needs opset 11 (Round, for the input's zero point); the float form does not.
TEST(TorchScriptQuantized, IntegerFormNeedsOpset11) {
  std::string out = test::scratch_dir("quant_opset10") + "/m.onnx";
  auto r = test::run_cli({"export", model("qdyn_linear_t"), "-o", out, "--input", "x:float32[2,16]", "--opset", "10"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("needs opset >= 11"), std::string::npos) << r.err;
  auto f = test::run_cli({"export", model("qdyn_linear_t"), "-o", out, "--input", "x:float32[2,16]", "--opset", "10",
                          "--quantized", "float"});
  EXPECT_EQ(f.exit_code, 0) << f.err;
}

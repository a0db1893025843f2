// Recurrent layers (aten::lstm / gru / rnn_tanh / rnn_relu) through the CLI: export at opsets 13
// and 17, then `modelport verify` (libtorch vs ONNX Runtime at two sizes of every symbolic axis).
// Fixtures: tests/fixtures/make_torch_rnn.py.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

using namespace modelport;
using json = nlohmann::json;

namespace {

std::string model(const std::string& stem) { return test::test_models_dir() + "/" + stem + ".pt"; }

struct Case {
  std::string stem;
  std::vector<std::string> inputs;  // --input specs
  std::string op;                   // ONNX op expected
  int nodes;                        // how many of them (one per layer)
  size_t outputs;
};

std::vector<Case> cases() {
  return {
      {"rnn_lstm_bi2", {"x:float32[batch,seq,8]"}, "LSTM", 2, 3},
      {"rnn_gru_bi2", {"x:float32[batch,seq,8]"}, "GRU", 2, 2},
      {"rnn_lstm_traced",
       {"x:float32[seq,batch,8]", "h0:float32[2,batch,16]", "c0:float32[2,batch,16]"},
       "LSTM", 2, 3},
      {"rnn_gru_h0", {"x:float32[batch,seq,8]", "h0:float32[1,batch,12]"}, "GRU", 1, 2},
      {"rnn_rnn_tanh", {"x:float32[batch,seq,8]"}, "RNN", 1, 2},
      {"rnn_rnn_relu", {"x:float32[seq,batch,8]"}, "RNN", 3, 2},
  };
}

onnx::ModelProto load_proto(const std::string& p) {
  onnx::ModelProto m;
  std::ifstream in(p, std::ios::binary);
  EXPECT_TRUE(m.ParseFromIstream(&in)) << p;
  return m;
}

void export_and_verify(const Case& k, int opset) {
  SCOPED_TRACE(k.stem + " at opset " + std::to_string(opset));
  std::string dir = test::scratch_dir("recurrent_" + k.stem + "_" + std::to_string(opset));
  std::string out = dir + "/m.onnx";
  std::vector<std::string> args = {"export", model(k.stem), "-o", out, "--opset", std::to_string(opset)};
  for (auto& s : k.inputs) args.insert(args.end(), {"--input", s});
  auto r = test::run_cli(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;

  // One ONNX recurrent node per layer; the symbolic axes stay symbolic on the outputs.
  onnx::ModelProto m = load_proto(out);
  int n = 0;
  for (auto& node : m.graph().node()) n += node.op_type() == k.op;
  EXPECT_EQ(n, k.nodes);
  ASSERT_EQ(size_t(m.graph().output_size()), k.outputs);
  for (auto& o : m.graph().output()) {
    bool symbolic = false;
    for (auto& d : o.type().tensor_type().shape().dim()) symbolic |= d.dim_param() == "batch";
    EXPECT_TRUE(symbolic) << o.name() << " lost the symbolic batch axis";
  }

  // verify: exit 0 means every output matches; the JSON has the measured differences.
  auto vj = test::run_cli({"verify", model(k.stem), out, "--json"});
  ASSERT_EQ(vj.exit_code, 0) << vj.err;
  auto j = json::parse(vj.out);
  ASSERT_EQ(j["runs"].size(), 2u) << vj.out;
  for (auto& run : j["runs"]) {
    ASSERT_EQ(run["outputs"].size(), k.outputs) << vj.out;
    for (auto& o : run["outputs"]) {
      EXPECT_TRUE(o["ok"].get<bool>()) << o.dump();
      EXPECT_LE(o["max_abs_diff"].get<double>(), 1e-4) << o.dump();
    }
  }
}

}  // namespace

TEST(Recurrent, ExportsAndVerifiesAtOpset17) {
  for (auto& k : cases()) export_and_verify(k, 17);
}

TEST(Recurrent, ExportsAndVerifiesAtOpset13) {
  for (auto& k : cases()) export_and_verify(k, 13);
}

TEST(Recurrent, ProjSizeIsAClearError) {
  std::string dir = test::scratch_dir("recurrent_proj");
  auto r = test::run_cli({"export", model("rnn_lstm_proj"), "-o", dir + "/m.onnx", "--input", "x:float32[batch,seq,8]"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("proj_size > 0 is not supported"), std::string::npos) << r.err;
}

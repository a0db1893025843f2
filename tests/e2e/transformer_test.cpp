// Hand-written attention / small transformer TorchScript models (make_torch_transformer.py):
// export with symbolic batch and seq, then `modelport verify` against libtorch at two sizes of
// every symbolic axis, at opset 13 (LayerNormalization/Gelu decomposed), 17, and 18 and 23 (above
// the onnx checker: ONNX Runtime is the only check). At 23 the attention of every model but the
// building blocks is one Attention node (fuse_ops), and nothing is left of the Softmax.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

using namespace modelport;
using json = nlohmann::json;

namespace {

const char* kIds = "ids:int64[batch,seq]";

std::string model(const std::string& stem) { return test::test_models_dir() + "/" + stem + ".pt"; }

onnx::ModelProto load_proto(const std::string& p) {
  onnx::ModelProto m;
  std::ifstream in(p, std::ios::binary);
  EXPECT_TRUE(m.ParseFromIstream(&in)) << p;
  return m;
}

// Exports `stem` at `opset`, checks that seq stays a symbol, and verifies it; returns the
// largest max_abs_diff over every run and output. With `fused_attention`, at opset 23 the
// attention must be Attention nodes.
double export_and_verify(const std::string& stem, int opset, size_t num_outputs, bool fused_attention = true) {
  std::string dir = test::scratch_dir("transformer_" + stem + "_" + std::to_string(opset));
  std::string out = dir + "/m.onnx";
  auto e = test::run_cli({"export", model(stem), "-o", out, "--input", kIds, "--opset", std::to_string(opset)});
  EXPECT_EQ(e.exit_code, 0) << e.err;
  if (e.exit_code != 0) return 1e9;

  // The symbolic axes are symbols in the ONNX signature, not the example sizes.
  onnx::ModelProto m = load_proto(out);
  EXPECT_EQ(m.opset_import(0).version(), opset);
  const auto& in_shape = m.graph().input(0).type().tensor_type().shape();
  EXPECT_EQ(in_shape.dim(0).dim_param(), "batch");
  EXPECT_EQ(in_shape.dim(1).dim_param(), "seq");
  std::map<std::string, int> ops;
  for (auto& n : m.graph().node()) ++ops[n.op_type()];
  std::printf("[transformer] %s @%d: %d nodes, %d Attention, %d LayerNormalization, %d Gelu\n", stem.c_str(), opset,
              m.graph().node_size(), ops["Attention"], ops["LayerNormalization"], ops["Gelu"]);
  if (opset >= 23 && fused_attention) {
    EXPECT_GE(ops["Attention"], 1) << stem;
    EXPECT_EQ(ops["Softmax"], 0) << stem;
  }

  auto r = test::run_cli({"verify", model(stem), out, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
  json j = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.out;
  if (j.is_discarded()) return 1e9;
  const json& v = j.contains("verification") ? j["verification"] : j;
  EXPECT_EQ(v["reference"], "libtorch") << r.out;
  EXPECT_EQ(v["runs"].size(), 2u) << r.out;
  double worst = 0;
  std::set<int> seq_sizes;
  for (auto& run : v["runs"]) {
    seq_sizes.insert(run["symbol_sizes"]["seq"].get<int>());
    EXPECT_EQ(run["outputs"].size(), num_outputs) << r.out;
    for (auto& o : run["outputs"]) {
      EXPECT_TRUE(o["ok"].get<bool>()) << o.dump();
      double d = o["max_abs_diff"].get<double>();
      EXPECT_LE(d, 1e-4) << stem << " opset " << opset << ": " << o.dump();
      worst = std::max(worst, d);
    }
  }
  EXPECT_EQ(seq_sizes, (std::set<int>{2, 3})) << r.out;
  return worst;
}

class Transformer : public ::testing::TestWithParam<int> {};

TEST_P(Transformer, CausalSelfAttentionMatchesLibtorch) {
  double d = export_and_verify("causal_attention", GetParam(), 1);
  RecordProperty("max_abs_diff", std::to_string(d));
}

TEST_P(Transformer, AttentionBuildingBlocksMatchLibtorch) {
  double d = export_and_verify("attention_ops", GetParam(), 2, false);
  RecordProperty("max_abs_diff", std::to_string(d));
}

TEST_P(Transformer, FusedEncoderLayerIsDecomposed) {
  double d = export_and_verify("encoder_layer", GetParam(), 1);
  RecordProperty("max_abs_diff", std::to_string(d));
}

TEST_P(Transformer, FusedMultiheadAttentionIsDecomposed) {
  double d = export_and_verify("multihead_attention", GetParam(), 1);
  RecordProperty("max_abs_diff", std::to_string(d));
}

INSTANTIATE_TEST_SUITE_P(Transformer, Transformer, ::testing::Values(13, 17, 18, 23),
                         [](const ::testing::TestParamInfo<int>& i) { return "opset" + std::to_string(i.param); });

}  // namespace

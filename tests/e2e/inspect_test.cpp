// `modelport inspect` on source models and on ONNX files.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

using namespace modelport;
using json = nlohmann::json;

TEST(Inspect, OnnxFileReportsNodeCountAndSignature) {
  std::string out = test::scratch_dir("inspect_onnx") + "/m.onnx";
  auto e = test::run_cli({"export", test::test_models_dir() + "/cnn_scripted.pt", "-o", out, "--input",
                          "x:float32[batch,3,16,16]", "--opset", "13"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  json manifest = json::parse(std::ifstream(out + ".json"));

  auto r = test::run_cli({"inspect", out, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["format"], "onnx");
  EXPECT_EQ(j["opsets"]["ai.onnx"], 13);
  EXPECT_EQ(j["producer"]["name"], "modelport");
  EXPECT_EQ(j["node_count"], manifest["node_count"]);
  EXPECT_EQ(j["ops"], manifest["ops"]);
  ASSERT_EQ(j["inputs"].size(), 1u);
  EXPECT_EQ(j["inputs"][0]["shape"], "[batch,3,16,16]");
  EXPECT_EQ(j["inputs"][0]["elem_type"], "FLOAT");

  auto text = test::run_cli({"inspect", out});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("nodes:      " + std::to_string(j["node_count"].get<int>())), std::string::npos) << text.out;
}

TEST(Inspect, TorchScriptSourceListsOpsAndParameters) {
  auto r = test::run_cli({"inspect", test::test_models_dir() + "/cnn_scripted.pt", "--json", "--input",
                          "x:float32[batch,3,16,16]"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["format"], "torchscript");
  EXPECT_EQ(j["ops"].value("aten::conv2d", 0) + j["ops"].value("aten::_convolution", 0), 2) << j["ops"].dump();
  EXPECT_GT(j["parameter_count"].get<int64_t>(), 0);
  EXPECT_TRUE(j["unsupported"].empty());
}

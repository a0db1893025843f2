// Dict and NamedTuple outputs become named ONNX outputs (keys / field names, in order), and
// in-place writes through views (mask[a:b, c:d] = k, x[:, 0] += 1, zero_, copy_) are lowered
// functionally. Models from tests/fixtures/make_torch_outputs.py; every export is checked
// against libtorch in ONNX Runtime at two sizes of each symbolic axis.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

using namespace modelport;
using json = nlohmann::json;

namespace {

struct Case {
  std::string stem;
  std::string input;
  std::vector<std::string> outputs;
  std::vector<std::string> sizes;  // --sizes arguments
};

std::vector<std::string> onnx_output_names(const std::string& path) {
  onnx::ModelProto m;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(m.ParseFromIstream(&in)) << path;
  std::vector<std::string> names;
  for (auto& o : m.graph().output()) names.push_back(o.name());
  return names;
}

void export_and_verify(const Case& k, int opset) {
  std::string dir = test::scratch_dir("structured_" + k.stem + "_" + std::to_string(opset));
  std::string model = test::test_models_dir() + "/" + k.stem + ".pt", out = dir + "/m.onnx";
  auto e = test::run_cli({"export", model, "-o", out, "--input", k.input, "--opset", std::to_string(opset)});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_EQ(onnx_output_names(out), k.outputs);
  std::vector<std::string> args = {"verify", model, out, "--json"};
  for (auto& s : k.sizes) args.insert(args.end(), {"--sizes", s});
  auto r = test::run_cli(args);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  json j = json::parse(r.out);
  ASSERT_EQ(j["runs"].size(), 2u) << r.out;
  for (auto& run : j["runs"]) {
    ASSERT_EQ(run["outputs"].size(), k.outputs.size()) << r.out;
    for (size_t i = 0; i < k.outputs.size(); ++i) {
      auto& o = run["outputs"][i];
      EXPECT_EQ(o["name"], k.outputs[i]);
      EXPECT_TRUE(o["ok"].get<bool>()) << o.dump();
      EXPECT_LE(o["max_abs_diff"].get<double>(), 1e-5) << k.stem << ": " << o.dump();
    }
  }
}

class StructuredOutputs : public ::testing::TestWithParam<int> {};

TEST_P(StructuredOutputs, ScriptedDictKeysBecomeOutputNames) {
  export_and_verify({"dict_out_scripted", "x:float32[batch,4,h,w]", {"logits", "features"}, {"h=6,9", "w=6,5"}},
                    GetParam());
}

TEST_P(StructuredOutputs, TracedDictKeysBecomeOutputNames) {
  export_and_verify({"dict_out_traced", "x:float32[batch,4,h,w]", {"mask", "score"}, {"h=6,9", "w=6,5"}},
                    GetParam());
}

TEST_P(StructuredOutputs, NamedTupleFieldsBecomeOutputNames) {
  export_and_verify({"namedtuple_out", "x:float32[batch,4,6,6]", {"boxes", "scores"}, {}}, GetParam());
}

TEST_P(StructuredOutputs, ScriptedWritesThroughViewsWithSymbolicSizes) {
  export_and_verify({"view_writes_scripted", "x:float32[batch,4,h,w]", {"output_0", "output_1"}, {"h=6,9", "w=7,5"}},
                    GetParam());
}

TEST_P(StructuredOutputs, TracedWritesThroughViewsWithSymbolicSizes) {
  export_and_verify({"view_writes_traced", "x:float32[batch,4,h,w]", {"output_0", "output_1"}, {"h=6,9", "w=7,5"}},
                    GetParam());
}

INSTANTIATE_TEST_SUITE_P(StructuredOutputs, StructuredOutputs, ::testing::Values(11, 13, 17),
                         [](const ::testing::TestParamInfo<int>& i) { return "opset" + std::to_string(i.param); });

TEST(StructuredOutputsCli, OutputFlagStillRenamesDictOutputs) {
  std::string dir = test::scratch_dir("structured_rename");
  std::string out = dir + "/m.onnx";
  auto e = test::run_cli({"export", test::test_models_dir() + "/dict_out_scripted.pt", "-o", out, "--input",
                          "x:float32[batch,4,6,6]", "--output", "a", "--output", "b"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_EQ(onnx_output_names(out), (std::vector<std::string>{"a", "b"}));
}

// A symbolic axis that the traced graph fixes (pytorch#99516) is reported at export, naming the node
// and its source line; a graph that keeps it symbolic gets no such warning.
TEST(FixedAxisWarning, ExportNamesTheNodeThatFixesASymbolicAxis) {
  std::string dir = test::scratch_dir("fixed_axis_warning");
  auto fixed = test::run_cli({"export", test::test_models_dir() + "/reshape_fixed_traced.pt", "-o", dir + "/f.onnx",
                              "--input", "x:float32[batch,3,4]"});
  ASSERT_EQ(fixed.exit_code, 0) << fixed.err;
  EXPECT_NE(fixed.err.find("symbolic axis batch becomes fixed in Reshape node"), std::string::npos) << fixed.err;
  EXPECT_NE(fixed.err.find("make_torch_outputs.py:"), std::string::npos) << fixed.err;
  auto dynamic = test::run_cli({"export", test::test_models_dir() + "/reshape_dynamic_traced.pt", "-o",
                                dir + "/d.onnx", "--input", "x:float32[batch,3,4]"});
  ASSERT_EQ(dynamic.exit_code, 0) << dynamic.err;
  EXPECT_EQ(dynamic.err.find("becomes fixed"), std::string::npos) << dynamic.err;
  // And verify catches the fixed one at run time.
  auto v = test::run_cli({"verify", test::test_models_dir() + "/reshape_fixed_traced.pt", dir + "/f.onnx"});
  EXPECT_NE(v.exit_code, 0) << v.out << v.err;
}

}  // namespace

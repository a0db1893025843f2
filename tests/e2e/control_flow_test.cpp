// Data-dependent prim::If / prim::Loop (make_torch_control_flow.py) become ONNX If / Loop: exported
// with symbolic axes at opsets 11, 13 and 17, then `modelport verify` against libtorch at two sizes
// of every symbolic axis, and on inputs chosen to take each branch / run the loop 0 or N times.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/test_support.h"
#include "util/npy.h"
#include "verify/ort_runner.h"

using namespace modelport;
using json = nlohmann::json;

namespace {

std::string model(const std::string& stem) { return test::test_models_dir() + "/" + stem + ".pt"; }

// Op type counts of the graph and every subgraph, and the ops found inside subgraphs only.
void count_ops(const onnx::GraphProto& g, std::map<std::string, int>& all, std::map<std::string, int>& nested,
               bool inside) {
  for (auto& n : g.node()) {
    ++all[n.op_type()];
    if (inside) ++nested[n.op_type()];
    for (auto& a : n.attribute())
      if (a.has_g()) count_ops(a.g(), all, nested, true);
  }
}

struct Exported {
  std::string path;
  std::map<std::string, int> ops, nested_ops;
};

Exported export_model(const std::string& stem, const std::string& input, int opset) {
  Exported e;
  std::string dir = test::scratch_dir("control_flow_" + stem + "_" + std::to_string(opset));
  e.path = dir + "/m.onnx";
  auto r = test::run_cli({"export", model(stem), "-o", e.path, "--input", input, "--opset", std::to_string(opset)});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  onnx::ModelProto m;
  std::ifstream in(e.path, std::ios::binary);
  EXPECT_TRUE(m.ParseFromIstream(&in)) << e.path;
  EXPECT_EQ(m.opset_import(0).version(), opset);
  count_ops(m.graph(), e.ops, e.nested_ops, false);
  return e;
}

// `modelport verify --json` with extra arguments; returns the largest max_abs_diff, 1e9 on failure.
double verify(const std::string& stem, const std::string& onnx, std::vector<std::string> extra, size_t runs,
              size_t num_outputs) {
  std::vector<std::string> args = {"verify", model(stem), onnx, "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = test::run_cli(args);
  EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
  json j = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.out;
  if (j.is_discarded()) return 1e9;
  const json& v = j.contains("verification") ? j["verification"] : j;
  EXPECT_TRUE(v["ok"].get<bool>()) << r.out;
  EXPECT_EQ(v["reference"], "libtorch") << r.out;
  EXPECT_EQ(v["runs"].size(), runs) << r.out;
  double worst = 0;
  for (auto& run : v["runs"]) {
    EXPECT_EQ(run["outputs"].size(), num_outputs) << r.out;
    for (auto& o : run["outputs"]) {
      EXPECT_TRUE(o["ok"].get<bool>()) << o.dump();
      double d = o["max_abs_diff"].get<double>();
      EXPECT_LE(d, 1e-4) << stem << ": " << o.dump();
      worst = std::max(worst, d);
    }
  }
  return worst;
}

Tensor filled(const std::vector<int64_t>& dims, const std::vector<float>& row) {
  int64_t n = 1;
  for (auto d : dims) n *= d;
  std::vector<float> v(static_cast<size_t>(n));
  for (size_t i = 0; i < v.size(); ++i) v[i] = row[i % row.size()];
  return Tensor::from_vector(DType::Float32, v, dims);
}

std::string write_input(const std::string& dir, const std::string& name, const Tensor& t) {
  std::string p = dir + "/" + name + ".npy";
  write_npy(p, t);
  return p;
}

// Verifies on the given input (one run) and returns the ONNX Runtime outputs for it.
std::vector<NamedTensor> verify_on(const std::string& stem, const Exported& e, const std::string& input_name,
                                   const std::string& tag, const Tensor& x, size_t num_outputs, double& diff) {
  std::string dir = test::scratch_dir("control_flow_" + stem + "_" + tag);
  std::string f = write_input(dir, input_name, x);
  diff = verify(stem, e.path, {"--input-data", input_name + "=" + f}, 1, num_outputs);
  return run_onnxruntime(e.path, {{input_name, x}});
}

class ControlFlow : public ::testing::TestWithParam<int> {};

TEST_P(ControlFlow, DataDependentIfTakesEachBranch) {
  Exported e = export_model("cf_if", "x:float32[batch,4]", GetParam());
  EXPECT_EQ(e.ops["If"], 1);
  EXPECT_EQ(e.ops["Loop"], 0);
  double d = verify("cf_if", e.path, {"--seed", "3"}, 2, 1);
  // sum > 0: relu(2x) + 1; otherwise relu(x - 1) + 1.
  double dpos = 0, dneg = 0;
  auto pos = verify_on("cf_if", e, "x", "pos" + std::to_string(GetParam()), filled({3, 4}, {1.5f, -0.5f}), 1, dpos);
  auto neg = verify_on("cf_if", e, "x", "neg" + std::to_string(GetParam()), filled({2, 4}, {-1.f, 3.f, -4.f, 0.5f}), 1, dneg);
  ASSERT_EQ(pos.size(), 1u);
  ASSERT_EQ(neg.size(), 1u);
  EXPECT_EQ(pos[0].tensor.dims, (std::vector<int64_t>{3, 4}));
  EXPECT_FLOAT_EQ(pos[0].tensor.as_double(0), 4.f);   // relu(3) + 1
  EXPECT_FLOAT_EQ(pos[0].tensor.as_double(1), 1.f);   // relu(-1) + 1
  EXPECT_FLOAT_EQ(neg[0].tensor.as_double(1), 3.f);   // relu(3 - 1) + 1
  EXPECT_FLOAT_EQ(neg[0].tensor.as_double(0), 1.f);   // relu(-2) + 1
  RecordProperty("max_abs_diff", std::to_string(std::max({d, dpos, dneg})));
}

TEST_P(ControlFlow, RnnLoopOverSymbolicSeqAxis) {
  Exported e = export_model("cf_rnn", "x:float32[seq,batch,8]", GetParam());
  EXPECT_EQ(e.ops["Loop"], 1);
  EXPECT_GE(e.nested_ops["Tanh"], 1);  // the step is inside the body
  EXPECT_EQ(e.ops["If"], 0);           // `if x.size(2) == 8` folded
  double d1 = verify("cf_rnn", e.path, {}, 2, 1);
  double d2 = verify("cf_rnn", e.path, {"--sizes", "seq=1,7", "--seed", "5"}, 2, 1);
  RecordProperty("max_abs_diff", std::to_string(std::max(d1, d2)));
}

TEST_P(ControlFlow, WhileLoopWithTensorConditionAndGrowingState) {
  Exported e = export_model("cf_while", "x:float32[batch,4]", GetParam());
  EXPECT_EQ(e.ops["Loop"], 1);
  double d = verify("cf_while", e.path, {"--seed", "1"}, 2, 3);
  // max |x| = 8: halved 4 times (8 -> 0.5); hist gains 4 rows. max |x| = 0.25: never runs.
  double d4 = 0, d0 = 0;
  auto four = verify_on("cf_while", e, "x", "four" + std::to_string(GetParam()), filled({2, 4}, {8.f, -2.f, 1.f, 0.f}), 3, d4);
  auto none = verify_on("cf_while", e, "x", "zero" + std::to_string(GetParam()), filled({3, 4}, {0.25f, -0.1f}), 3, d0);
  ASSERT_EQ(four.size(), 3u);
  ASSERT_EQ(none.size(), 3u);
  EXPECT_FLOAT_EQ(four[0].tensor.as_double(0), 0.5f);
  EXPECT_FLOAT_EQ(four[1].tensor.as_double(0), 4.f);           // steps
  EXPECT_FLOAT_EQ(four[2].tensor.as_double(0), 4 + 2 + 1 + 0.5f);  // hist rows: 0, 4, 2, 1, 0.5
  EXPECT_FLOAT_EQ(none[0].tensor.as_double(0), 0.25f);
  EXPECT_FLOAT_EQ(none[1].tensor.as_double(0), 0.f);
  EXPECT_FLOAT_EQ(none[2].tensor.as_double(0), 0.f);
  RecordProperty("max_abs_diff", std::to_string(std::max({d, d4, d0})));
}

TEST_P(ControlFlow, LoopWithIfInsideCarriesIntCounter) {
  Exported e = export_model("cf_both", "x:float32[seq,4]", GetParam());
  EXPECT_EQ(e.ops["Loop"], 1);
  EXPECT_EQ(e.nested_ops["If"], 1);  // the If is inside the loop body
  double d1 = verify("cf_both", e.path, {"--seed", "2"}, 2, 2);
  double d2 = verify("cf_both", e.path, {"--sizes", "seq=1,6", "--seed", "9"}, 2, 2);
  // Rows: [1,1,1,1] (sum 4 > 0: added, counted), [-2,-2,-2,-2] (subtracted at half), [1,1,1,1].
  Tensor x = Tensor::from_vector(DType::Float32, std::vector<float>{1, 1, 1, 1, -2, -2, -2, -2, 1, 1, 1, 1}, {3, 4});
  double d3 = 0;
  auto out = verify_on("cf_both", e, "x", "rows" + std::to_string(GetParam()), x, 2, d3);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_FLOAT_EQ(out[0].tensor.as_double(0), 3.f);        // 1 + 1 + 1
  EXPECT_FLOAT_EQ(out[1].tensor.as_double(0), 3.f / 3.f);  // total / (count + 1), count = 2
  RecordProperty("max_abs_diff", std::to_string(std::max({d1, d2, d3})));
}

TEST_P(ControlFlow, WhileWithIntCounterAndShortCircuitCondition) {
  Exported e = export_model("cf_counter", "x:float32[seq,4]", GetParam());
  EXPECT_EQ(e.ops["Loop"], 1);
  EXPECT_GE(e.ops["If"], 1);  // `and` short-circuits through a prim::If returning a bool
  double d1 = verify("cf_counter", e.path, {}, 2, 1);
  double d2 = verify("cf_counter", e.path, {"--sizes", "seq=1,6", "--seed", "4"}, 2, 1);
  // Rows 0, 2, 4 are summed; row 2 sums past 100 here, so the loop stops before it.
  Tensor x = Tensor::from_vector(DType::Float32, std::vector<float>{1, 2, 3, 4, 9, 9, 9, 9, 50, 50, 1, 1, 7, 7, 7, 7, 5, 5, 5, 5}, {5, 4});
  double d3 = 0;
  auto out = verify_on("cf_counter", e, "x", "stop" + std::to_string(GetParam()), x, 1, d3);
  ASSERT_EQ(out.size(), 1u);
  for (int64_t j = 0; j < 4; ++j) EXPECT_FLOAT_EQ(out[0].tensor.as_double(j), float(j + 1)) << j;
  RecordProperty("max_abs_diff", std::to_string(std::max({d1, d2, d3})));
}

INSTANTIATE_TEST_SUITE_P(ControlFlow, ControlFlow, ::testing::Values(11, 13, 17),
                         [](const ::testing::TestParamInfo<int>& i) { return "opset" + std::to_string(i.param); });

TEST(ControlFlow, FixedShapesKeepTheLoopAndFoldConstantIfs) {
  // With every dim fixed the trip count is a constant: still one Loop (no unrolling); the body's
  // `if x.size(2) == 8` is a load-time constant and folds inside the body (no If anywhere).
  Exported r = export_model("cf_rnn", "x:float32[3,2,8]", 17);
  EXPECT_EQ(r.ops["Loop"], 1);
  EXPECT_EQ(r.ops["If"], 0);
  double d = verify("cf_rnn", r.path, {}, 1, 1);
  RecordProperty("max_abs_diff", std::to_string(d));
}

TEST(ControlFlow, ListAppendInLoopIsRefusedInOneLine) {
  std::string out = test::scratch_dir("control_flow_append") + "/m.onnx";
  auto r = test::run_cli({"export", model("cf_append"), "-o", out, "--input", "x:float32[seq,4]"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("cf_append.pt: prim::Loop"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("aten::append"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not supported"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;  // one line
}

TEST(ControlFlow, ListAppendInLoopWithLoadTimeTripCountIsUnrolled) {
  Exported e = export_model("cf_append", "x:float32[3,4]", 17);
  EXPECT_EQ(e.ops["Loop"], 0);
  double d = verify("cf_append", e.path, {}, 1, 1);
  RecordProperty("max_abs_diff", std::to_string(d));
}

}  // namespace

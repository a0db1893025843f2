// The TF op cases whose ops TensorFlow.js implements, verified against tfjs through `export
// --verify` (TF's semantics as another implementation computes them, next to the ATen references of
// tf_ops_test.cpp). Listed: the case and the outputs tfjs runs; ops tfjs has no kernel for (Roll,
// SpaceToDepth, Erfc, Rint, TopK v1, AccumulateNV2) or computes differently from TF (Mod of floats:
// tfjs floors, TF truncates; OneHot's axis: tfjs ignores it) are left to the ATen references.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "modelport/error.h"
#include "ops/tf/tf_cases.h"
#include "support/test_support.h"

using namespace modelport;
using namespace modelport::test;

namespace {

struct TfjsCase {
  const char* name;
  std::vector<std::string> outputs;
};

const std::vector<TfjsCase> kTfjsCases = {
    {"top_k", {"top3:0", "top3:1", "top_batch:0", "top_batch:1", "ties:1"}},
    {"gather_nd", {"rows", "elements"}},
    {"one_hot", {"last"}},
    {"reverse_roll_broadcast", {"rev02", "rev1", "rev_flags", "bcast", "bcast_like"}},
    {"depth_space", {"to_space"}},
    {"unary_unit", {"y_Asin", "y_Acos", "y_Atanh", "y_Tan"}},
    {"unary_hyperbolic", {"y_Atan", "y_Sinh", "y_Cosh", "y_Asinh", "y_Expm1"}},
    {"unary_acosh", {"y_Acosh"}},
    {"float_classes", {"nan", "inf", "finite"}},
    {"atan2", {"angle", "angle_axis"}},
    {"div_no_nan", {"z_DivNoNan"}},
    {"all_any", {"all2", "any2", "all0"}},
    {"cumsum", {"plain", "exclusive", "reverse", "both", "batch"}},
    {"shape_queries", {"rank_size", "bargs"}},  // tfjs's ShapeN gives float32 shapes (TF: out_type)
};

TEST(TensorFlowOpsTfjs, NewOpsMatchTfjs) {
  std::string why;
  if (ort_missing(why)) GTEST_SKIP() << why;
  std::string dir = scratch_dir("tf_ops_tfjs");
  for (const TfjsCase& t : kTfjsCases) {
    SCOPED_TRACE(t.name);
    const tf_ops::Case* c = nullptr;
    for (auto& k : tf_ops::cases())
      if (k.name == t.name) c = &k;
    ASSERT_NE(c, nullptr) << "no TF op case " << t.name;
    sm::GraphDefBuilder b;
    tf_ops::build_graph(*c, b);
    std::string pb = dir + "/" + t.name + ".pb";
    std::ofstream(pb, std::ios::binary) << b.g.SerializeAsString();
    std::vector<std::string> args = {"export", pb, "--format", "graphdef", "-o", dir + "/" + t.name + ".onnx", "--verify", "--json"};
    for (auto& o : t.outputs) args.insert(args.end(), {"--output", o});
    auto r = run_cli(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("verify: passed against @tensorflow/tfjs"), std::string::npos) << r.err;
    auto j = nlohmann::json::parse(r.out.substr(0, r.out.find('\n')), nullptr, false);
    ASSERT_TRUE(j.is_object()) << r.out;
    auto& v = j.contains("verification") ? j["verification"] : j;
    size_t compared = 0;
    for (auto& run : v["runs"]) compared += run["outputs"].size();
    EXPECT_EQ(compared, 2 * t.outputs.size()) << v.dump();  // every output at both sizes of the batch
  }
}

}  // namespace

// One case per registered TensorFlow op (tests/ops/tf/tf_cases_*.cpp): each GraphDef is converted
// in this process at opsets 11 and 17 with its symbolic axes, run in ONNX Runtime at two sizes of
// every symbolic axis (all runs in one node process) and compared with the case's reference, TF's
// documented semantics computed with ATen: same outputs, dtypes and shapes, |onnx - ref| <=
// atol + rtol * |ref| (default 1e-5 / 1e-4; larger ones are justified in the case), and no
// reference may be constant. op_coverage_test.cpp checks the cases cover every registered op.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "modelport/emit.h"
#include "modelport/error.h"
#include "ops/op_case_support.h"
#include "ops/tf/tf_cases.h"
#include "support/test_support.h"
#include "support/torch_support.h"

using namespace modelport;
using namespace modelport::test;

namespace {

TEST(TensorFlowOps, MatchReference) {
  std::string scratch = scratch_dir("tf_ops");
  std::vector<CheckedRun> runs;
  ASSERT_FALSE(tf_ops::cases().empty());
  for (const tf_ops::Case& c : tf_ops::cases()) {
    SCOPED_TRACE(c.name);
    LoadOptions opts;
    std::string pb = tf_ops::write_graph(c, scratch, opts);
    std::vector<tf_ops::Tensors> inputs = {tf_ops::make_inputs(c, 0), tf_ops::make_inputs(c, 1)};
    std::vector<std::vector<Tensor>> refs(2);
    for (int which = 0; which < 2; ++which)
      for (auto& t : c.reference(inputs[size_t(which)])) refs[size_t(which)].push_back(from_torch(t));
    for (int opset : std::set<int>{std::max(kLoaderCaseMinOpset, c.min_opset), c.max_opset ? c.max_opset : kMaxOpset}) {
      std::string onnx = scratch + "/" + c.name + "_opset" + std::to_string(opset) + ".onnx";
      try {
        std::vector<std::string> fixed;
        convert_in_process(pb, Format::GraphDef, opts, opset, onnx, &fixed);
        EXPECT_TRUE(fixed.empty()) << "a symbolic axis became fixed: " << fixed[0];
      } catch (const Error& e) {
        ADD_FAILURE() << c.name << " opset " << opset << ": " << e.what();
        continue;
      }
      for (int which = 0; which < 2; ++which) {
        OrtJob job{onnx, {}};
        for (size_t i = 0; i < c.inputs.size(); ++i) job.feeds.push_back({c.inputs[i].name, from_torch(inputs[size_t(which)][i])});
        runs.push_back({job, c.name + " opset " + std::to_string(opset) + " size " + std::to_string(which),
                        refs[size_t(which)], {c.atol, c.rtol}});
      }
    }
  }
  run_and_compare(runs, scratch + "/ort", "tf_ops");
}

}  // namespace

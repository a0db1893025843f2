// One case per registered Keras layer class (tests/ops/keras/cases_*.py, made by
// make_keras_op_cases.py at the ctest fixture step): each file is converted in this process at
// opsets 11 and 17 (batch symbolic), run in ONNX Runtime (one node process per group) with the batch
// as written and with the inputs repeated twice along it, and compared with torch's outputs of the
// same layers and weights: same outputs and shapes, |onnx - torch| <= atol + rtol * |torch| (default
// 1e-5 / 1e-4), and no reference may be constant. op_coverage_test.cpp checks the coverage.
#include <gtest/gtest.h>
#include <torch/script.h>

#include <algorithm>
#include <set>

#include "modelport/emit.h"
#include "modelport/error.h"
#include "ops/keras/keras_cases.h"
#include "ops/op_case_support.h"
#include "support/test_support.h"
#include "support/torch_support.h"
#include "util/npy.h"

using namespace modelport;
using namespace modelport::test;

namespace {

// The batch axis twice over: `t` stacked on itself along axis 0.
Tensor doubled(const Tensor& t) {
  at::Tensor a = to_torch(t);
  return from_torch(at::cat({a, a}, 0));
}

class KerasOps : public ::testing::TestWithParam<std::string> {};

TEST_P(KerasOps, MatchTorch) {
  std::string group = GetParam();
  std::string scratch = scratch_dir("keras_ops_" + group);
  std::vector<CheckedRun> runs;
  int cases = 0;
  for (const keras_ops::Case& c : keras_ops::read_table()) {
    if (c.group != group) continue;
    ++cases;
    SCOPED_TRACE(c.name);
    std::vector<Tensor> ins, refs;
    for (auto& f : c.inputs) ins.push_back(read_npy(f));
    for (auto& f : c.outputs) refs.push_back(read_npy(f));
    for (int opset : std::set<int>{std::max(kLoaderCaseMinOpset, c.min_opset), kMaxOpset}) {
      std::string onnx = scratch + "/" + c.name + "_opset" + std::to_string(opset) + ".onnx";
      Model m;
      try {
        std::vector<std::string> fixed;
        m = convert_in_process(c.file, detect_format(c.file), {}, opset, onnx, &fixed);
        EXPECT_TRUE(fixed.empty()) << "a symbolic axis became fixed: " << fixed[0];
      } catch (const Error& e) {
        ADD_FAILURE() << c.name << " opset " << opset << ": " << e.what();
        continue;
      }
      ASSERT_EQ(m.graph->inputs.size(), ins.size()) << c.name;
      for (int which = 0; which < 2; ++which) {
        OrtJob job{onnx, {}};
        std::vector<Tensor> want;
        for (size_t i = 0; i < ins.size(); ++i)
          job.feeds.push_back({m.graph->inputs[i]->name, which ? doubled(ins[i]) : ins[i]});
        for (auto& r : refs) want.push_back(which ? doubled(r) : r);
        runs.push_back({job, c.name + " opset " + std::to_string(opset) + (which ? " batch x2" : " batch x1"), want,
                        {c.atol, c.rtol}});
      }
    }
  }
  EXPECT_GT(cases, 0) << "no case in group " << group;
  run_and_compare(runs, scratch + "/ort", "keras_ops");
}

INSTANTIATE_TEST_SUITE_P(Cases, KerasOps, ::testing::ValuesIn(keras_ops::kGroups));

}  // namespace

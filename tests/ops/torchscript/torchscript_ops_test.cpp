// One case per registered TorchScript op (tests/ops/torchscript/cases_*.py, made by
// make_ts_op_cases.py at the ctest fixture step): each case file, scripted and/or traced, is
// converted in this process with its symbolic axes at the lowest opset its ops allow (>= 11) and
// at 17, run in ONNX Runtime (all runs of a group in one node process) at two sizes of every
// symbolic axis, and compared with libtorch on the same inputs: same outputs, dtypes and shapes,
// |onnx - libtorch| <= atol + rtol * |libtorch| with the case's tolerances (default 1e-5 / 1e-4;
// a larger one is justified in the case), and no reference may be constant. A case in PyTorch 2.x
// form (cases_pytorch2.py) is compared with its 1.13 equivalent, which libtorch can run. Cases marked
// `refused` must fail to convert with their message. op_coverage_test.cpp checks that the cases
// cover every registered op.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "modelport/emit.h"
#include "modelport/error.h"
#include "ops/op_case_support.h"
#include "ops/torchscript/ts_cases.h"
#include "support/test_support.h"
#include "support/torch_support.h"

using namespace modelport;
using namespace modelport::test;

namespace {

class TorchScriptOps : public ::testing::TestWithParam<std::string> {};

TEST_P(TorchScriptOps, MatchLibtorch) {
  std::string group = GetParam();
  std::string scratch = scratch_dir("ts_ops_" + group);
  std::vector<CheckedRun> runs;
  int cases = 0;
  for (const ts_ops::Case& c : ts_ops::read_table().cases) {
    if (c.group != group) continue;
    ++cases;
    for (const std::string& file : c.files) {
      std::string stem = std::filesystem::path(file).stem().string();
      SCOPED_TRACE(stem);
      LoadOptions opts = ts_ops::load_options(c);
      if (c.refused) {
        std::string err;
        try {
          convert_in_process(file, Format::TorchScript, opts, kMaxOpset, scratch + "/" + stem + ".onnx");
        } catch (const Error& e) {
          err = e.what();
        }
        EXPECT_NE(err.find(*c.refused), std::string::npos) << "expected a refusal naming '" << *c.refused << "', got: " << err;
        continue;
      }
      std::vector<std::vector<Tensor>> inputs = {ts_ops::make_inputs(c, 0), ts_ops::make_inputs(c, 1)};
      std::vector<std::vector<Tensor>> refs;
      for (auto& in : inputs) refs.push_back(run_libtorch(c.reference.empty() ? file : c.reference, in));
      for (int opset : std::set<int>{std::max(kLoaderCaseMinOpset, c.min_opset), kMaxOpset}) {
        std::string onnx = scratch + "/" + stem + "_opset" + std::to_string(opset) + ".onnx";
        try {
          std::vector<std::string> fixed;
          convert_in_process(file, Format::TorchScript, opts, opset, onnx, &fixed);
          EXPECT_TRUE(fixed.empty()) << "a symbolic axis became fixed: " << fixed[0];
        } catch (const Error& e) {
          ADD_FAILURE() << stem << " opset " << opset << ": " << e.what();
          continue;
        }
        for (int which = 0; which < 2; ++which) {
          OrtJob job{onnx, {}};
          for (size_t i = 0; i < c.inputs.size(); ++i) job.feeds.push_back({c.inputs[i].name, inputs[which][i]});
          runs.push_back({job, stem + " opset " + std::to_string(opset) + " size " + std::to_string(which),
                          refs[size_t(which)], {c.atol, c.rtol}});
        }
      }
    }
  }
  EXPECT_GT(cases, 0) << "no case in group " << group;
  run_and_compare(runs, scratch + "/ort", "ts_ops");
}

INSTANTIATE_TEST_SUITE_P(Cases, TorchScriptOps, ::testing::ValuesIn(ts_ops::kGroups));

}  // namespace

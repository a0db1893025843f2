// A layers model saved by tfjs-layers itself (a functional model with a nested Sequential built on
// its own input: tfjs numbers that model's first call node 1) exported from its model.json and run
// in ONNX Runtime, against tfjs's predict() on the same seeded input (tests/tfjs/make_layers_model.js).
#include <gtest/gtest.h>

#include "support/test_support.h"
#include "util/npy.h"

using namespace modelport;

TEST(TfjsLayers, NestedModelSavedByTfjsMatchesTfjs) {
  std::string why;
  if (test::ort_missing(why)) GTEST_SKIP() << why;
  auto dir = test::scratch_dir("tfjs_layers_nested");
  auto made = run_process({"node", test::source_dir() + "/tests/tfjs/make_layers_model.js", dir});
  if (made.exit_code == 77) GTEST_SKIP() << made.err;
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_TRUE(test::informative_reference(read_npy(dir + "/output.npy")));

  auto exp = test::run_cli({"export", dir + "/model.json", "-o", dir + "/m.onnx", "--quiet"});
  ASSERT_EQ(exp.exit_code, 0) << exp.err;
  // Softmax scores: float32 convolutions and batch norm in two runtimes agree to ~1e-7.
  auto v = test::run_cli({"verify", dir + "/model.json", dir + "/m.onnx", "--input-data", "image=" + dir + "/input.npy",
                          "--expected", "head=" + dir + "/output.npy", "--atol", "1e-6", "--rtol", "1e-5"});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_NE((v.out + v.err).find("passed against expected"), std::string::npos) << v.out << v.err;
}

// End to end: torchvision CNNs (scripted and traced) exported with a dynamic batch axis, run in
// ONNX Runtime at batch 1 and 3, compared with libtorch.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <fstream>

#include "support/test_support.h"
#include "support/torch_support.h"
#include "verify/ort_runner.h"

using namespace modelport;
namespace fs = std::filesystem;

namespace {

// Max |onnx - torch| relative to the torch output's largest magnitude.
constexpr double kTolerance = 1e-4;

struct Case {
  std::string model;  // file stem in the test models dir
  int opset;
  friend void PrintTo(const Case& c, std::ostream* os) { *os << c.model << " opset " << c.opset; }
};

std::string case_name(const testing::TestParamInfo<Case>& info) {
  return info.param.model + "_opset" + std::to_string(info.param.opset);
}

class TorchvisionE2E : public testing::TestWithParam<Case> {};

TEST_P(TorchvisionE2E, DynamicBatchMatchesLibtorch) {
  const Case& c = GetParam();
  std::string src = test::test_models_dir() + "/" + c.model + ".pt";
  ASSERT_TRUE(fs::exists(src)) << src << " missing: run tests/fixtures/make_test_models.py";
  std::string out = test::scratch_dir("tv_" + c.model + "_" + std::to_string(c.opset)) + "/model.onnx";
  auto r = test::run_cli({"export", src, "-o", out, "--opset", std::to_string(c.opset), "--input",
                          "x:float32[batch,3,224,224]"});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  onnx::ModelProto proto;
  {
    std::ifstream f(out, std::ios::binary);
    ASSERT_TRUE(proto.ParseFromIstream(&f));
  }
  ASSERT_EQ(proto.graph().input_size(), 1);
  EXPECT_EQ(proto.graph().input(0).name(), "x");
  EXPECT_EQ(proto.graph().input(0).type().tensor_type().shape().dim(0).dim_param(), "batch");
  EXPECT_EQ(proto.opset_import(0).version(), c.opset);
  for (auto& n : proto.graph().node())
    EXPECT_NE(n.op_type(), "BatchNormalization") << "batch norm should be folded into the convolution";

  torch::jit::Module m = torch::jit::load(src);
  m.eval();
  torch::NoGradGuard no_grad;
  for (int batch : {1, 3}) {
    torch::manual_seed(batch);
    at::Tensor x = torch::randn({batch, 3, 224, 224});
    at::Tensor expected = m.forward({x}).toTensor();
    auto outs = run_onnxruntime(out, {{"x", test::from_torch(x)}});
    ASSERT_EQ(outs.size(), 1u);
    double diff = test::max_relative_diff(outs[0].tensor, test::from_torch(expected));
    EXPECT_LE(diff, kTolerance) << c.model << " opset " << c.opset << " batch " << batch;
  }
}

INSTANTIATE_TEST_SUITE_P(Zoo, TorchvisionE2E,
                         testing::Values(Case{"resnet18_scripted", 13}, Case{"resnet18_scripted", 17},
                                         Case{"resnet18_traced", 13}, Case{"resnet18_traced", 17},
                                         Case{"mobilenet_v2_scripted", 13}, Case{"mobilenet_v2_scripted", 17},
                                         Case{"mobilenet_v2_traced", 13}, Case{"mobilenet_v2_traced", 17}),
                         case_name);

}  // namespace

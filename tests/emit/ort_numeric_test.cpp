// Decomposed forms must compute what the native op computes: run both in ONNX Runtime
// (tools/ort_run.js). Skipped when ONNX Runtime is not installed.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "emit_test_util.h"
#include "modelport/error.h"
#include "verify/ort_runner.h"

namespace modelport {
namespace {
using namespace modelport::emit_testing;

// Runs the model emitted at `opset` on `x`; skips the test when ONNX Runtime is unavailable.
std::vector<float> run(const Model& m, int opset, const Tensor& x, const TmpDir& dir) {
  EmitOptions o;
  o.opset = opset;
  std::string path = dir.file("m" + std::to_string(opset) + ".onnx");
  emit_onnx(m, path, o);
  std::vector<NamedTensor> out = run_onnxruntime(path, {{"x", x}});
  const Tensor& t = out.at(0).tensor;
  return std::vector<float>(t.data<float>(), t.data<float>() + t.numel());
}

float max_diff(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  float d = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) d = std::max(d, std::fabs(a[i] - b[i]));
  return d;
}

TEST(OrtNumeric, LayerNormalizationDecomposedMatchesNative) {
  if (!ort_available()) GTEST_SKIP() << "ONNX Runtime not available";
  for (int64_t axis : {int64_t{-1}, int64_t{1}, int64_t{-2}}) {
    Model m;
    Value* x = m.graph->add_input("x", DType::Float32, Shape::of({2, 5, 8}));
    std::vector<int64_t> norm_dims = axis == -1 ? std::vector<int64_t>{8} : std::vector<int64_t>{5, 8};
    Value* scale = m.graph->add_constant("scale", random_f32(norm_dims, 1));
    Value* bias = m.graph->add_constant("bias", random_f32(norm_dims, 2));
    m.graph->outputs.push_back(
        m.graph->op("LayerNormalization", {x, scale, bias}, {{"axis", axis}, {"epsilon", 1e-4f}}));
    Tensor in = random_f32({2, 5, 8}, 3);
    TmpDir dir;
    auto native = run(m, 17, in, dir);
    for (int opset : {11, 13, 16}) EXPECT_LT(max_diff(run(m, opset, in, dir), native), 1e-4f) << axis << " @" << opset;
  }
}

TEST(OrtNumeric, SoftmaxAxisWrapMatchesOpset13) {
  if (!ort_available()) GTEST_SKIP() << "ONNX Runtime not available";
  for (const char* op : {"Softmax", "LogSoftmax"}) {
    Model m;
    Value* x = m.graph->add_input("x", DType::Float32, Shape::of({2, 3, 4}));
    m.graph->outputs.push_back(m.graph->op(op, {x}, {{"axis", int64_t{1}}}));
    Tensor in = random_f32({2, 3, 4}, 4);
    TmpDir dir;
    EXPECT_LT(max_diff(run(m, 11, in, dir), run(m, 13, in, dir)), 1e-5f) << op;
  }
}

TEST(OrtNumeric, GeluHardSwishMishDecompositions) {
  if (!ort_available()) GTEST_SKIP() << "ONNX Runtime not available";
  Tensor in = random_f32({64}, 5);
  const float* xs = in.data<float>();
  auto check = [&](const char* op, std::map<std::string, Attribute> attrs, int opset, float (*ref)(float)) {
    Model m;
    Value* x = m.graph->add_input("x", DType::Float32, Shape::of({64}));
    m.graph->outputs.push_back(m.graph->op(op, {x}, attrs));
    TmpDir dir;
    auto got = run(m, opset, in, dir);
    std::vector<float> want(64);
    for (int i = 0; i < 64; ++i) want[i] = ref(xs[i]);
    EXPECT_LT(max_diff(got, want), 1e-5f) << op;
  };
  check("Gelu", {}, 17, [](float v) { return 0.5f * v * (1.f + std::erf(v / std::sqrt(2.f))); });
  check("Gelu", {{"approximate", std::string("tanh")}}, 17, [](float v) {
    return 0.5f * v * (1.f + std::tanh(std::sqrt(2.f / float(M_PI)) * (v + 0.044715f * v * v * v)));
  });
  check("HardSwish", {}, 13, [](float v) { return v * std::max(0.f, std::min(1.f, v / 6.f + 0.5f)); });
  check("Mish", {}, 17, [](float v) { return v * std::tanh(std::log1p(std::exp(v))); });
}

TEST(OrtNumeric, StreamedWeightsInlineAndExternalLoad) {
  if (!ort_available()) GTEST_SKIP() << "ONNX Runtime not available";
  Model m;
  Value* x = m.graph->add_input("x", DType::Float32, Shape({Dim::sym("batch"), Dim::fixed(64)}));
  Value* w = m.graph->add_constant("w", random_f32({32, 64}, 6));  // 8 KiB: streamed
  Value* b = m.graph->add_constant("b", random_f32({32}, 7));
  m.graph->outputs.push_back(m.graph->op("Relu", {m.graph->op("Gemm", {x, w, b}, {{"transB", int64_t{1}}})}));
  Tensor in = random_f32({3, 64}, 8);
  TmpDir dir;
  auto inl = run(m, 17, in, dir);
  EmitOptions o;
  o.external_data = true;
  emit_onnx(m, dir.file("ext.onnx"), o);
  auto out = run_onnxruntime(dir.file("ext.onnx"), {{"x", in}});
  const Tensor& t = out.at(0).tensor;
  std::vector<float> ext(t.data<float>(), t.data<float>() + t.numel());
  ASSERT_EQ(inl.size(), 96u);
  EXPECT_EQ(inl, ext);
  // Reference: relu(x W^T + b).
  const float *xs = in.data<float>(), *ws = w->constant->data<float>(), *bs = b->constant->data<float>();
  float d = 0;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 32; ++j) {
      float acc = bs[j];
      for (int k = 0; k < 64; ++k) acc += xs[i * 64 + k] * ws[j * 64 + k];
      d = std::max(d, std::fabs(std::max(acc, 0.f) - inl[i * 32 + j]));
    }
  EXPECT_LT(d, 1e-3f);
}

}  // namespace
}  // namespace modelport

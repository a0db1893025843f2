// fold_affine for every format: node counts before and after the fold, and the ONNX outputs of the
// unfolded and the folded export, run in ONNX Runtime, against each other and against torch.
//   TF GraphDef: Conv2D + BiasAdd + FusedBatchNormV3, Conv2D + FusedBatchNorm (make_tf_graphdefs.py)
//   Keras: Conv2D + BatchNormalization twice (make_keras_h5.py conv_bn), the shared hls4ml models.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "modelport/emit.h"
#include "modelport/loaders.h"
#include "passes/cleanup.h"
#include "passes/constant_fold.h"
#include "passes/fold_affine.h"
#include "support/test_support.h"
#include "util/npy.h"
#include "verify/ort_runner.h"

using namespace modelport;
namespace fs = std::filesystem;

namespace {

size_t count(const Graph& g, const std::string& op = "") {
  size_t n = 0;
  for (auto& node : g.nodes()) n += op.empty() || node->op == op;
  return n;
}

Tensor run(const Model& m, const std::string& dir, const std::string& name, const Tensor& x) {
  std::string path = dir + "/" + name + ".onnx";
  emit_onnx(m, path, EmitOptions{});
  auto outs = run_onnxruntime(path, {{m.graph->inputs.at(0)->name, x}});
  EXPECT_EQ(outs.size(), 1u);
  return outs.at(0).tensor;
}

// Loads the model twice: one graph gets the clean-up without the fold, the other the whole clean-up.
// Checks that the fold leaves `bn_after` of `bn_before` BatchNormalization nodes and `removed` nodes
// fewer in all, and that both exports agree within 1e-5 (relative). Returns the folded output.
Tensor check_fold(const std::function<Model()>& load, const Tensor& x, size_t bn_before, size_t bn_after,
                  size_t removed, const std::string& what) {
  SCOPED_TRACE(what);
  Model plain = load();
  fold_constants(*plain.graph);
  remove_identities(*plain.graph);
  plain.graph->remove_dead();
  Model full = load();
  cleanup_graph(*full.graph);
  EXPECT_EQ(count(*plain.graph, "BatchNormalization"), bn_before) << plain.graph->dump();
  EXPECT_EQ(count(*full.graph, "BatchNormalization"), bn_after) << full.graph->dump();
  EXPECT_EQ(count(*full.graph), count(*plain.graph) - removed);
  std::string dir = test::scratch_dir("fold_affine_" + what);
  Tensor a = run(plain, dir, "plain", x), b = run(full, dir, "folded", x);
  EXPECT_TRUE(test::informative_reference(a));
  EXPECT_EQ(a.dims, b.dims);
  EXPECT_LE(test::max_relative_diff(b, a), 1e-5);
  return b;
}

// check_fold on a generated fixture with two BatchNormalizations that fold (BASE.input0.npy,
// BASE.output0.npy: torch on the same weights), the folded export also compared with torch. Returns
// the ops left.
std::vector<std::string> check_generated(const std::function<Model()>& load, const std::string& base,
                                         size_t removed, const std::string& what) {
  Tensor x = read_npy(base + ".input0.npy"), want = read_npy(base + ".output0.npy");
  Tensor got = check_fold(load, x, 2, 0, removed, what);
  EXPECT_TRUE(test::informative_reference(want));
  EXPECT_EQ(got.dims, want.dims);
  EXPECT_LE(test::max_relative_diff(got, want), 1e-5) << what;
  Model m = load();
  cleanup_graph(*m.graph);
  std::vector<std::string> ops;
  for (auto& n : m.graph->nodes()) ops.push_back(n->op);
  return ops;
}

Tensor random_input(std::vector<int64_t> dims) {
  int64_t n = 1;
  for (auto d : dims) n *= d;
  std::vector<float> v(static_cast<size_t>(n));
  for (size_t i = 0; i < v.size(); ++i) v[i] = float(std::sin(0.7 * double(i) + 0.3) * 1.5);
  return Tensor::from_vector(DType::Float32, v, dims);
}

}  // namespace

TEST(FoldAffine, TensorFlowConvFusedBatchNormFolds) {
  std::string base = test::test_models_dir() + "/conv_bn_nhwc";
  auto ops = check_generated(
      [&] {
        LoadOptions o;
        o.outputs = {"y:0"};
        return load_savedmodel(base + ".pb", Format::GraphDef, o);
      },
      base, 3, "tf_conv_bn");
  // NHWC -> NCHW, Conv (BiasAdd and FusedBatchNormV3 in it), Relu, Conv (FusedBatchNorm in it), back:
  // the two BatchNormalizations and the bias Add are gone.
  EXPECT_EQ(ops, (std::vector<std::string>{"Transpose", "Conv", "Relu", "Conv", "Transpose"}));
}

TEST(FoldAffine, KerasConvBatchNormalizationFolds) {
  std::string base = test::test_models_dir() + "/conv_bn";
  auto ops = check_generated([&] { return load_keras(base + ".h5", Format::KerasH5, {}); }, base, 2, "keras_conv_bn");
  EXPECT_EQ(ops, (std::vector<std::string>{"Transpose", "Conv", "Relu", "Conv", "Transpose"}));
}

TEST(FoldAffine, SharedHls4mlKerasModels) {
  MODELPORT_REQUIRE_SHARED();
  std::string dir = test::shared_fixtures() + "/keras_h5/hls4ml_example_models_keras2_3_1/";
  // Dense -> BatchNormalization -> Activation, four times: each folds into its Dense (MatMul + Add).
  check_fold([&] { return load_keras(dir + "keras_3layer_batch_norm.h5", Format::KerasH5, {}); },
             random_input({3, 16}), 4, 0, 4, "hls4ml_dense_bn");
  // The conv model's BatchNormalizations cannot fold: the first reads the input and feeds a Conv
  // with SAME padding (its zero padding is not the normalized zero), the second follows a ReLU.
  check_fold([&] { return load_keras(dir + "keras_jetTagger_Conv2D_small.h5", Format::KerasH5, {}); },
             random_input({2, 25, 25, 1}), 2, 2, 0, "hls4ml_conv_bn");
}

TEST(FoldAffine, GemmAndBiasFreeMatMul) {
  // Built by hand: Gemm(transB) -> BN and MatMul -> BN (the BN becomes the bias Add).
  for (bool gemm : {true, false}) {
    SCOPED_TRACE(gemm ? "Gemm" : "MatMul");
    auto build = [&] {
      Model m;
      Graph& g = *m.graph;
      Value* x = g.add_input("x", DType::Float32, Shape({Dim::sym("batch"), Dim::fixed(4)}));
      std::vector<float> w(12);
      for (size_t i = 0; i < w.size(); ++i) w[i] = float(i % 5) * 0.3f - 0.5f;
      Value* y;
      if (gemm) {
        y = g.op("Gemm", {x, g.add_constant("w", Tensor::from_vector(DType::Float32, w, {3, 4})),
                          g.add_constant("c", Tensor::f32({0.1f, -0.2f, 0.3f}))},
                 {{"transB", int64_t(1)}, {"beta", 0.5f}});
      } else {
        y = g.op("MatMul", {x, g.add_constant("w", Tensor::from_vector(DType::Float32, w, {4, 3}))});
      }
      y->dtype = DType::Float32;
      y->shape = Shape({Dim::sym("batch"), Dim::fixed(3)});
      Value* z = g.op("BatchNormalization", {y, g.add_constant("g", Tensor::f32({1.5f, 0.5f, 2.f})),
                                             g.add_constant("b", Tensor::f32({0.2f, -1.f, 0.f})),
                                             g.add_constant("m", Tensor::f32({0.3f, 0.1f, -0.4f})),
                                             g.add_constant("v", Tensor::f32({0.9f, 1.7f, 0.6f}))},
                      {{"epsilon", 1e-3f}});
      z->dtype = DType::Float32;
      z->shape = y->shape;
      g.outputs = {g.op("Relu", {z})};
      g.outputs[0]->dtype = DType::Float32;
      g.outputs[0]->shape = y->shape;
      return m;
    };
    // The Gemm's BatchNormalization goes; the MatMul's becomes its bias Add.
    check_fold(build, random_input({5, 4}), 1, 0, gemm ? 1 : 0, gemm ? "gemm" : "matmul");
  }
}

TEST(FoldAffine, LargeWeightsFoldAsTheyAreWritten) {
  // A folded weight of kLazyPermuteBytes or more is made piece by piece while it is written
  // (Buffer::lazy), in pieces of 4 MiB: a Conv's [160,128,8,8] (scale per run of 128*8*8 along
  // axis 0) and a MatMul's [1100,1100] (scale per column, runs of one), both over 4 MiB so that a
  // piece starts mid-tensor. The exports must agree with the unfolded graph.
  for (bool conv : {true, false}) {
    SCOPED_TRACE(conv ? "Conv" : "MatMul");
    const int64_t c = conv ? 160 : 1100, cin = conv ? 128 : c;
    auto build = [&] {
      Model m;
      Graph& g = *m.graph;
      std::vector<int64_t> wdims = conv ? std::vector<int64_t>{c, cin, 8, 8} : std::vector<int64_t>{c, c};
      Shape xs = conv ? Shape({Dim::sym("batch"), Dim::fixed(cin), Dim::fixed(10), Dim::fixed(10)})
                      : Shape({Dim::sym("batch"), Dim::fixed(cin)});
      Shape ys = conv ? Shape({Dim::sym("batch"), Dim::fixed(c), Dim::fixed(3), Dim::fixed(3)}) : xs;
      Value* x = g.add_input("x", DType::Float32, xs);
      Tensor w = random_input(wdims);
      EXPECT_GT(w.nbytes(), size_t(4) << 20);
      Value* y = g.op(conv ? "Conv" : "MatMul", {x, g.add_constant("w", w)});
      y->dtype = DType::Float32;
      y->shape = ys;
      const size_t n = size_t(c);
      std::vector<float> gamma(n), beta(n), mean(n), var(n);
      for (size_t i = 0; i < size_t(c); ++i) {
        gamma[i] = 0.5f + float(i % 7) * 0.25f;
        beta[i] = float(i % 5) * 0.1f - 0.2f;
        mean[i] = float(i % 3) * 0.05f;
        var[i] = 0.5f + float(i % 11) * 0.1f;
      }
      Value* z = g.op("BatchNormalization", {y, g.add_constant("g", Tensor::f32(gamma)), g.add_constant("b", Tensor::f32(beta)),
                                             g.add_constant("m", Tensor::f32(mean)), g.add_constant("v", Tensor::f32(var))});
      z->dtype = DType::Float32;
      z->shape = ys;
      g.outputs = {g.op("Relu", {z})};  // a graph output keeps its producer
      g.outputs[0]->dtype = DType::Float32;
      g.outputs[0]->shape = ys;
      return m;
    };
    check_fold(build, random_input(conv ? std::vector<int64_t>{2, cin, 10, 10} : std::vector<int64_t>{3, cin}), 1, 0,
               conv ? 1 : 0, conv ? "large_conv" : "large_matmul");
  }
}

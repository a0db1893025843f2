// fuse_ops: decomposed Gelu (erf and tanh forms, several groupings) and scaled-dot-product
// attention become single Gelu / Attention nodes only where the emitter writes those as one node;
// the fused model run in ONNX Runtime matches the unfused one written at the same opset.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "emit_test_util.h"
#include "passes/fuse_ops.h"

namespace modelport {
namespace {
using namespace modelport::emit_testing;

Value* scalar(Graph& g, double v) { return g.add_constant("c", Tensor::f32_scalar(float(v))); }

// Gelu patterns as loaders and hand-written models produce them, one output each.
void build_gelus(Model& m) {
  Graph& g = *m.graph;
  Value* x = g.add_input("x", DType::Float32, Shape::of({2, 3, 8}));
  auto erf_part = [&](bool by_mul) {
    Value* u = by_mul ? g.op("Mul", {x, scalar(g, std::sqrt(0.5))}) : g.op("Div", {x, scalar(g, std::sqrt(2.0))});
    return g.op("Add", {g.op("Erf", {u}), scalar(g, 1.0)});
  };
  // 0.5 * x * (1 + erf(x / sqrt 2))  as  (x * 0.5) * a,  (x * a) * 0.5,  x * (a * 0.5)
  g.outputs.push_back(g.op("Mul", {g.op("Mul", {x, scalar(g, 0.5)}), erf_part(false)}));
  g.outputs.push_back(g.op("Mul", {g.op("Mul", {x, erf_part(true)}), scalar(g, 0.5)}));
  g.outputs.push_back(g.op("Mul", {x, g.op("Mul", {erf_part(false), scalar(g, 0.5)})}));
  // tanh approximation with x^3 as Pow and as x * x * x
  for (bool pow : {true, false}) {
    Value* cube = pow ? g.op("Pow", {x, scalar(g, 3.0)}) : g.op("Mul", {g.op("Mul", {x, x}), x});
    Value* inner = g.op("Add", {x, g.op("Mul", {scalar(g, 0.044715), cube})});
    Value* t = g.op("Tanh", {g.op("Mul", {inner, scalar(g, std::sqrt(2.0 / M_PI))})});
    g.outputs.push_back(g.op("Mul", {g.op("Mul", {scalar(g, 0.5), x}), g.op("Add", {scalar(g, 1.0), t})}));
  }
  // Not a Gelu: 0.4 instead of 0.5.
  g.outputs.push_back(g.op("Mul", {g.op("Mul", {x, scalar(g, 0.4)}), erf_part(false)}));
}

enum class Mask { None, Float, Bool, MaskedFill, Causal };
const char* mask_name(Mask k) {
  const char* names[] = {"no mask", "float mask", "bool mask", "masked_fill", "causal"};
  return names[int(k)];
}
constexpr int64_t kKeys = 5;
int64_t queries(Mask k) { return k == Mask::Causal ? kKeys : 4; }

// softmax(Q K^T * scale + mask) V with K^T a Transpose of K (B 2, H 3, S 4 or 5, L 5, D 8, Dv 6);
// a bool or causal mask as Where(keep, scores, -inf) (the causal one a constant, as folded from
// the scaled_dot_product_attention lowering).
void build_attention(Model& m, bool scale_on_q, Mask mask) {
  Graph& g = *m.graph;
  const int64_t S = queries(mask);
  Value* q = g.add_input("q", DType::Float32, Shape::of({2, 3, S, 8}));
  Value* k = g.add_input("k", DType::Float32, Shape::of({2, 3, 5, 8}));
  Value* v = g.add_input("v", DType::Float32, Shape::of({2, 3, 5, 6}));
  double scale = 1.0 / std::sqrt(8.0);
  if (scale_on_q) q = mask == Mask::Float ? g.op("Div", {q, scalar(g, 1 / scale)}) : g.op("Mul", {q, scalar(g, scale)});
  Value* kt = g.op("Transpose", {k}, {{"perm", std::vector<int64_t>{0, 1, 3, 2}}});
  kt->shape = Shape::of({2, 3, 8, 5});
  Value* s = g.op("MatMul", {q, kt});
  if (!scale_on_q) s = g.op("Div", {s, scalar(g, std::sqrt(8.0))});
  if (mask == Mask::Float) s = g.op("Add", {s, g.add_input("mask", DType::Float32, Shape::of({S, kKeys}))});
  if (mask == Mask::MaskedFill)  // PyTorch's masked_fill(masked, -inf)
    s = g.op("Where", {g.add_input("mask", DType::Bool, Shape::of({S, kKeys})),
                       scalar(g, -std::numeric_limits<double>::infinity()), s});
  if (mask == Mask::Bool || mask == Mask::Causal) {
    Value* keep = nullptr;
    if (mask == Mask::Bool) {
      keep = g.add_input("mask", DType::Bool, Shape::of({S, kKeys}));
    } else {
      std::vector<uint8_t> tril;
      for (int64_t i = 0; i < S; ++i)
        for (int64_t j = 0; j < kKeys; ++j) tril.push_back(j <= i);
      keep = g.add_constant("causal", Tensor::from_vector(DType::Bool, tril, {S, kKeys}));
    }
    s = g.op("Where", {keep, s, scalar(g, -std::numeric_limits<double>::infinity())});
  }
  Value* p = g.op("Softmax", {s}, {{"axis", int64_t{-1}}});
  p->shape = Shape::of({2, 3, S, kKeys});
  Value* o = g.op("MatMul", {p, v});
  o->shape = Shape::of({2, 3, S, 6});
  g.outputs.push_back(o);
}

// Emits `fused` and `plain` at `opset` and compares their outputs in ONNX Runtime on `feeds`.
double max_diff_fused_vs_plain(const Model& fused, const Model& plain, int opset, const std::vector<NamedTensor>& feeds) {
  TmpDir dir;
  EmitOptions o;
  o.opset = opset;
  EmitResult rf = emit_onnx(fused, dir.file("fused.onnx"), o);
  EmitResult rp = emit_onnx(plain, dir.file("plain.onnx"), o);
  EXPECT_LT(rf.node_count, rp.node_count);  // the written files differ
  auto a = run_onnxruntime(dir.file("fused.onnx"), feeds);
  auto b = run_onnxruntime(dir.file("plain.onnx"), feeds);
  EXPECT_EQ(a.size(), b.size());
  double d = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    EXPECT_EQ(a[i].tensor.dims, b[i].tensor.dims) << i;
    double ref_range = 0;
    for (int64_t j = 0; j < b[i].tensor.numel(); ++j) {
      d = std::max(d, std::fabs(a[i].tensor.as_double(j) - b[i].tensor.as_double(j)));
      ref_range = std::max(ref_range, std::fabs(b[i].tensor.as_double(j)));
    }
    EXPECT_GT(ref_range, 0.1) << "output " << i << " is not informative";
  }
  return d;
}

size_t count(const Graph& g, const std::string& op) {
  size_t n = 0;
  for (auto& node : g.nodes()) n += node->op == op;
  return n;
}

TEST(FuseOps, GeluPatternsBecomeGeluFromOpset20) {
  Model before;
  build_gelus(before);
  size_t nodes_before = before.graph->nodes().size();
  for (int opset : {17, 19}) {
    Model m;
    build_gelus(m);
    EXPECT_EQ(fuse_ops(*m.graph, opset).gelu, 0u) << opset;
    EXPECT_EQ(m.graph->nodes().size(), nodes_before) << opset;
  }
  Model m;
  build_gelus(m);
  EXPECT_EQ(fuse_ops(*m.graph, 20).gelu, 5u);
  EXPECT_EQ(count(*m.graph, "Gelu"), 5u);
  EXPECT_EQ(count(*m.graph, "Erf"), 1u);  // the 0.4 product stays
  std::printf("[fuse_ops] gelu patterns: %zu nodes -> %zu\n", nodes_before, m.graph->nodes().size());
  if (!ort_available()) GTEST_SKIP() << "ONNX Runtime not available";
  for (int opset : {20, 23}) {
    double d = max_diff_fused_vs_plain(m, before, opset, {{"x", random_f32({2, 3, 8}, 5)}});
    EXPECT_LT(d, 1e-5) << opset;
    std::printf("[fuse_ops] Gelu @%d: max abs diff fused vs unfused %.3g\n", opset, d);
  }
}

TEST(FuseOps, ScaledDotProductAttentionBecomesAttentionAt23) {
  for (bool scale_on_q : {false, true})
    for (Mask mask : {Mask::None, Mask::Float, Mask::Bool, Mask::MaskedFill, Mask::Causal}) {
      SCOPED_TRACE(std::string(scale_on_q ? "scale on Q, " : "scale on QK^T, ") + mask_name(mask));
      Model before, m22, m;
      build_attention(before, scale_on_q, mask);
      build_attention(m22, scale_on_q, mask);
      build_attention(m, scale_on_q, mask);
      EXPECT_EQ(fuse_ops(*m22.graph, 22).attention, 0u);
      EXPECT_EQ(m22.graph->nodes().size(), before.graph->nodes().size());
      EXPECT_EQ(fuse_ops(*m.graph, 23).attention, 1u);
      EXPECT_EQ(count(*m.graph, "Softmax"), 0u);
      // Attention plus the Transpose (turned around to give K from K^T) and, for masked_fill, a Not.
      EXPECT_EQ(m.graph->nodes().size(), mask == Mask::MaskedFill ? 3u : 2u) << m.graph->dump();
      for (auto& n : m.graph->nodes())
        if (n->op == "Attention") {
          EXPECT_EQ(n->attr_int("is_causal", 0), mask == Mask::Causal ? 1 : 0);
        }
      std::printf("[fuse_ops] attention%s, %s: %zu nodes -> %zu\n", scale_on_q ? " (scale on Q)" : "",
                  mask_name(mask), before.graph->nodes().size(), m.graph->nodes().size());
      if (!ort_available()) GTEST_SKIP() << "ONNX Runtime not available";
      std::vector<NamedTensor> feeds = {{"q", random_f32({2, 3, queries(mask), 8}, 1)},
                                        {"k", random_f32({2, 3, 5, 8}, 2)},
                                        {"v", random_f32({2, 3, 5, 6}, 3)}};
      if (mask == Mask::Float) feeds.push_back({"mask", random_f32({4, kKeys}, 4, 0.f, 3.f)});
      if (mask == Mask::Bool || mask == Mask::MaskedFill) {  // every query keeps key 0 (else NaN rows)
        Tensor r = random_f32({4, kKeys}, 4);
        std::vector<uint8_t> keep(size_t(r.numel()));
        for (int64_t i = 0; i < r.numel(); ++i)
          keep[size_t(i)] = (i % kKeys == 0 || r.data<float>()[i] > 0.5f) != (mask == Mask::MaskedFill);
        feeds.push_back({"mask", Tensor::from_vector(DType::Bool, keep, {4, kKeys})});
      }
      double d = max_diff_fused_vs_plain(m, before, 23, feeds);
      EXPECT_LT(d, 1e-5);
      std::printf("[fuse_ops] Attention @23: max abs diff fused vs unfused %.3g\n", d);
    }
}

// (x - mean) / sqrt(var + eps) over `axes` of x, as the loaders' decompositions write it.
Value* normalized(Graph& g, Value* x, std::vector<int64_t> axes, bool pow) {
  Value* ax = g.add_constant("axes", Tensor::i64(axes));
  Value* d = g.op("Sub", {x, g.op("ReduceMean", {x, ax})});
  Value* sq = pow ? g.op("Pow", {d, scalar(g, 2.0)}) : g.op("Mul", {d, d});
  Value* var = g.op("ReduceMean", {sq, ax});
  return g.op("Div", {d, g.op("Sqrt", {g.op("Add", {var, scalar(g, 1e-5)})})});
}

void build_norms(Model& m) {
  Graph& g = *m.graph;
  Value* x = g.add_input("x", DType::Float32, Shape::of({2, 3, 8}));
  Tensor gamma = random_f32({8}, 21, 1.f, 0.5f), beta = random_f32({8}, 22, 0.f, 0.5f);
  // layer norm with affine, over the last axis; without, over the last two (Pow form)
  Value* ln = g.op("Mul", {normalized(g, x, {-1}, false), g.add_constant("gamma", gamma)});
  g.outputs.push_back(g.op("Add", {ln, g.add_constant("beta", beta)}));
  g.outputs.push_back(normalized(g, x, {1, 2}, true));
  // layer norm as TensorFlow graphs write it: x * s + (beta - mean * s), s = gamma * rsqrt(var + eps)
  Value* ax = g.add_constant("axes", Tensor::i64({-1}));
  Value* mean = g.op("ReduceMean", {x, ax});
  Value* d = g.op("Sub", {x, mean});
  Value* var = g.op("ReduceMean", {g.op("Mul", {d, d}), ax});
  Value* rs = g.op("Reciprocal", {g.op("Sqrt", {g.op("Add", {var, scalar(g, 1e-3)})})});
  Value* sc = g.op("Mul", {rs, g.add_constant("tf_gamma", gamma)});
  g.outputs.push_back(g.op("Add", {g.op("Mul", {x, sc}), g.op("Sub", {g.add_constant("tf_beta", beta), g.op("Mul", {mean, sc})})}));
  // group norm as PyTorch's group_norm lowering writes it: 6 channels in 3 groups
  Value* y = g.add_input("y", DType::Float32, Shape::of({2, 6, 4, 4}));
  Value* grouped = g.op("Reshape", {y, g.add_constant("g", Tensor::i64({0, 3, -1}))});
  grouped->shape = Shape({Dim::fixed(2), Dim::fixed(3), Dim::unknown()});
  Value* back = g.op("Reshape", {normalized(g, grouped, {2}, false), g.op("Shape", {y})});
  Tensor w = random_f32({6, 1, 1}, 23, 1.f, 0.5f), b = random_f32({6, 1, 1}, 24, 0.f, 0.5f);
  g.outputs.push_back(g.op("Add", {g.op("Mul", {back, g.add_constant("w", w)}), g.add_constant("b", b)}));
  // RMS norm as the rms_norm lowering writes it
  Value* ms = g.op("ReduceMean", {g.op("Mul", {x, x}), g.add_constant("axes", Tensor::i64({2}))});
  Value* inv = g.op("Reciprocal", {g.op("Sqrt", {g.op("Add", {ms, scalar(g, 1e-6)})})});
  g.outputs.push_back(g.op("Mul", {g.op("Mul", {x, inv}), g.add_constant("rms_w", gamma)}));
}

TEST(FuseOps, NormalizationPatternsBecomeSingleNodes) {
  Model before;
  build_norms(before);
  struct Want {
    int opset;
    size_t ln, gn, rms;
  };
  for (Want w : {Want{16, 0, 0, 0}, Want{17, 3, 0, 0}, Want{18, 3, 1, 0}, Want{21, 3, 1, 0}, Want{23, 3, 1, 1}}) {
    Model m;
    build_norms(m);
    FusedOps f = fuse_ops(*m.graph, w.opset);
    EXPECT_EQ(f.layer_norm, w.ln) << w.opset;
    EXPECT_EQ(f.group_norm, w.gn) << w.opset;
    EXPECT_EQ(f.rms_norm, w.rms) << w.opset;
    std::printf("[fuse_ops] norms @%d: %zu nodes -> %zu (%zu LayerNormalization, %zu GroupNormalization, %zu "
                "RMSNormalization)\n", w.opset, before.graph->nodes().size(), m.graph->nodes().size(), f.layer_norm,
                f.group_norm, f.rms_norm);
    if (w.opset == 16 || !ort_available()) continue;
    double d = max_diff_fused_vs_plain(m, before, w.opset, {{"x", random_f32({2, 3, 8}, 7)}, {"y", random_f32({2, 6, 4, 4}, 8)}});
    EXPECT_LT(d, 1e-5) << w.opset;
    std::printf("[fuse_ops] norms @%d: max abs diff fused vs unfused %.3g\n", w.opset, d);
  }
}

// Rank 3 (heads folded into the batch, as PyTorch's multi_head_attention_forward does with bmm):
// Attention with one head.
TEST(FuseOps, Rank3AttentionHasOneHead) {
  auto build = [](Model& m) {
    Graph& g = *m.graph;
    Value* q = g.add_input("q", DType::Float32, Shape::of({6, 4, 8}));
    Value* k = g.add_input("k", DType::Float32, Shape::of({6, 5, 8}));
    Value* v = g.add_input("v", DType::Float32, Shape::of({6, 5, 3}));
    Value* kt = g.op("Transpose", {k}, {{"perm", std::vector<int64_t>{0, 2, 1}}});
    kt->shape = Shape::of({6, 8, 5});
    Value* p = g.op("Softmax", {g.op("MatMul", {g.op("Div", {q, scalar(g, std::sqrt(8.0))}), kt})}, {{"axis", int64_t{-1}}});
    p->shape = Shape::of({6, 4, 5});
    Value* o = g.op("MatMul", {p, v});
    o->shape = Shape::of({6, 4, 3});
    g.outputs.push_back(o);
  };
  Model before, m;
  build(before);
  build(m);
  EXPECT_EQ(fuse_ops(*m.graph, 23).attention, 1u);
  for (auto& n : m.graph->nodes())
    if (n->op == "Attention") {
      EXPECT_EQ(n->attr_int("q_num_heads", 0), 1);
    }
  if (!ort_available()) GTEST_SKIP() << "ONNX Runtime not available";
  double d = max_diff_fused_vs_plain(m, before, 23, {{"q", random_f32({6, 4, 8}, 1)}, {"k", random_f32({6, 5, 8}, 2)},
                                                      {"v", random_f32({6, 5, 3}, 3)}});
  EXPECT_LT(d, 1e-5);
  std::printf("[fuse_ops] rank-3 Attention @23: max abs diff fused vs unfused %.3g\n", d);
}

// A Transpose of K read elsewhere too cannot be turned around: nothing is fused.
TEST(FuseOps, AttentionNeedsSingleUseIntermediates) {
  Model m;
  build_attention(m, false, Mask::None);
  Graph& g = *m.graph;
  Value* kt = nullptr;
  for (auto& n : g.nodes())
    if (n->op == "Transpose") kt = n->outputs[0];
  g.outputs.push_back(kt);
  EXPECT_EQ(fuse_ops(g, 23).attention, 0u);
}

}  // namespace
}  // namespace modelport

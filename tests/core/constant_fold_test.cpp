// Constant folding must compute what ONNX Runtime computes: each graph is built twice, one copy
// emitted as is and one after cleanup_graph (which folds), and both run in ONNX Runtime.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <random>

#include "emit/emit_test_util.h"
#include "modelport/error.h"
#include "ops/op_case_support.h"
#include "passes/cleanup.h"
#include "passes/constant_fold.h"
#include "verify/ort_runner.h"

using namespace modelport;
using namespace modelport::emit_testing;

namespace {

using Build = std::function<void(Graph&)>;

std::vector<NamedTensor> run(const Model& m, const std::vector<NamedTensor>& inputs, const TmpDir& dir,
                             const std::string& name) {
  EmitOptions o;
  o.opset = 17;
  emit_onnx(m, dir.file(name), o);
  return run_onnxruntime(dir.file(name), inputs);
}

size_t count_ops(const Graph& g, const std::string& op) {
  size_t n = 0;
  for (auto& node : g.nodes()) n += node->op == op;
  return n;
}

// Outputs equal in dtype and dims; integers exactly, floats within `tol` relative.
void expect_same(const std::vector<NamedTensor>& a, const std::vector<NamedTensor>& b, const std::string& what,
                 double tol = 1e-6) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t i = 0; i < a.size(); ++i) {
    const Tensor& x = a[i].tensor;
    const Tensor& y = b[i].tensor;
    ASSERT_EQ(x.dtype, y.dtype) << what << " output " << i;
    ASSERT_EQ(x.dims, y.dims) << what << " output " << i;
    for (int64_t k = 0; k < x.numel(); ++k) {
      if (dtype_is_float(x.dtype)) {
        double u = x.as_double(k), v = y.as_double(k);
        if (std::isnan(u) && std::isnan(v)) continue;
        EXPECT_LE(std::fabs(u - v), tol * std::max(1.0, std::fabs(v))) << what << " element " << k;
      } else {
        EXPECT_EQ(x.as_int(k), y.as_int(k)) << what << " element " << k;
      }
    }
  }
}

Tensor ramp(std::vector<int64_t> dims, unsigned seed) { return random_f32(std::move(dims), seed, 0.f, 3.f); }

Value* i64(Graph& g, std::vector<int64_t> v) { return g.add_constant("c", Tensor::i64(v)); }
Value* i64s(Graph& g, int64_t v) { return g.add_constant("c", Tensor::i64_scalar(v)); }

// One op on constant inputs, behind an Identity (graph outputs themselves are never folded).
struct OpCase {
  std::string name;
  Build build;
};

std::vector<OpCase> op_cases() {
  auto out = [](Graph& g, Value* v) { g.outputs.push_back(g.op("Identity", {v})); };
  auto ints = [](Graph& g) { return g.add_constant("a", Tensor::i64({7, -7, 9, -9, 0, 5})); };
  auto divisors = [](Graph& g) { return g.add_constant("b", Tensor::i64({2, 2, -4, -4, 3, -5})); };
  auto floats = [](Graph& g) { return g.add_constant("f", ramp({2, 3}, 1)); };
  std::vector<OpCase> cases;
  for (const char* op : {"Add", "Sub", "Mul", "Div", "Mod", "Min", "Max", "Equal", "Less", "Greater",
                         "LessOrEqual", "GreaterOrEqual"})
    cases.push_back({std::string("int64 ") + op, [=](Graph& g) { out(g, g.op(op, {ints(g), divisors(g)})); }});
  cases.push_back({"int64 Mod fmod=1", [=](Graph& g) {
                     out(g, g.op("Mod", {ints(g), divisors(g)}, {{"fmod", int64_t{1}}}));
                   }});
  for (const char* op : {"Add", "Sub", "Mul", "Div", "Pow", "Max"})
    cases.push_back({std::string("float broadcast ") + op, [=](Graph& g) {
                       Value* row = g.add_constant("r", Tensor::f32({0.5f, 2.f, 3.f}));
                       out(g, g.op(op, {floats(g), row}));
                     }});
  for (const char* op : {"Neg", "Abs", "Floor", "Ceil", "Sqrt", "Exp", "Reciprocal", "Relu", "Sign"})
    cases.push_back({std::string("unary ") + op, [=](Graph& g) {
                       Value* f = floats(g);
                       out(g, g.op(op, {std::string(op) == "Sqrt" ? g.op("Abs", {f}) : f}));
                     }});
  cases.push_back({"Not/And/Or/Xor", [=](Graph& g) {
                     Value* a = g.op("Less", {ints(g), divisors(g)});
                     Value* b = g.op("Greater", {ints(g), i64s(g, 0)});
                     out(g, g.op("Xor", {g.op("Or", {g.op("Not", {a}), b}), g.op("And", {a, b})}));
                   }});
  cases.push_back({"Where broadcast", [=](Graph& g) {
                     Value* c = g.op("Greater", {floats(g), g.add_constant("z", Tensor::f32_scalar(0.f))});
                     out(g, g.op("Where", {c, floats(g), g.add_constant("k", Tensor::f32({-1.f, -2.f, -3.f}))}));
                   }});
  cases.push_back({"Cast float->int64->float16", [=](Graph& g) {
                     Value* c = g.op("Cast", {floats(g)}, {{"to", onnx_type_code(DType::Int64)}});
                     out(g, g.op("Cast", {c}, {{"to", onnx_type_code(DType::Float16)}}));
                   }});
  cases.push_back({"Gather negative indices", [=](Graph& g) {
                     Value* idx = g.add_constant("i", Tensor::from_vector<int64_t>(DType::Int64, {-1, 0, 1, -2}, {2, 2}));
                     out(g, g.op("Gather", {floats(g), idx}, {{"axis", int64_t{1}}}));
                   }});
  cases.push_back({"Slice negative step and clamped ends", [=](Graph& g) {
                     Value* f = g.add_constant("f", ramp({4, 6}, 2));
                     out(g, g.op("Slice", {f, i64(g, {-1, 1}), i64(g, {-100, 1000}), i64(g, {1, 0}),
                                          i64(g, {-2, 2})}));
                   }});
  cases.push_back({"Concat Unsqueeze Squeeze Reshape Flatten Transpose", [=](Graph& g) {
                     Value* a = g.op("Unsqueeze", {floats(g), i64(g, {0, -1})});         // [1,2,3,1]
                     Value* b = g.op("Squeeze", {a, i64(g, {0})});                      // [2,3,1]
                     Value* c = g.op("Concat", {b, b}, {{"axis", int64_t{-1}}});          // [2,3,2]
                     Value* r = g.op("Reshape", {c, i64(g, {0, -1})});                  // [2,6]
                     Value* t = g.op("Transpose", {r}, {{"perm", std::vector<int64_t>{1, 0}}});
                     out(g, g.op("Flatten", {t}, {{"axis", int64_t{1}}}));
                   }});
  cases.push_back({"Range Expand ConstantOfShape Shape Size", [=](Graph& g) {
                     Value* r = g.op("Range", {g.add_constant("s", Tensor::f32_scalar(0.5f)),
                                               g.add_constant("l", Tensor::f32_scalar(3.9f)),
                                               g.add_constant("d", Tensor::f32_scalar(0.7f))});
                     Value* e = g.op("Expand", {r, i64(g, {3, 1})});
                     Tensor seven = Tensor::i64_scalar(7);
                     seven.dims = {1};
                     Value* k = g.op("ConstantOfShape", {g.op("Shape", {e})}, {{"value", seven}});
                     out(g, g.op("Add", {k, g.op("Size", {e})}));
                     out(g, e);
                   }});
  for (const char* op : {"ReduceSum", "ReduceProd", "ReduceMin", "ReduceMax", "ReduceMean"})
    cases.push_back({std::string(op) + " over axes, keepdims both ways", [=](Graph& g) {
                       Value* f = g.add_constant("f", ramp({2, 3, 4}, 3));
                       out(g, g.op(op, {f, i64(g, {0, -1})}));
                       out(g, g.op(op, {f, i64(g, {1})}, {{"keepdims", int64_t{0}}}));
                       out(g, g.op(op, {ints(g)}, {{"keepdims", int64_t{0}}}));  // no axes: all of them
                     }});
  return cases;
}

// If(ReduceSum(k) > 0) { Neg(x) } else { Relu(x) } where k is a constant: the condition folds and
// the If is replaced by the branch it takes.
void constant_if(Graph& g, std::vector<int64_t> k) {
  Value* x = g.add_input("x", DType::Float32, Shape({Dim::sym("batch"), Dim::fixed(4)}));
  Value* cond = g.op("Greater", {g.op("ReduceSum", {i64(g, k)}, {{"keepdims", int64_t{0}}}), i64s(g, 0)});
  auto then_g = std::make_shared<Graph>("then", &g);
  then_g->outputs = {then_g->op("Neg", {x})};
  auto else_g = std::make_shared<Graph>("else", &g);
  else_g->outputs = {else_g->op("Relu", {x})};
  for (Value* v : {then_g->outputs[0], else_g->outputs[0]}) v->dtype = DType::Float32, v->shape = x->shape;
  Node* n = g.add_node("If", {cond}, 1, {{"then_branch", GraphPtr(then_g)}, {"else_branch", GraphPtr(else_g)}});
  n->outputs[0]->dtype = DType::Float32;
  n->outputs[0]->shape = x->shape;
  // Named after the branches were built, so the same names as theirs ("Neg:out", "Relu:out"): the
  // inlined branch's values must be renamed.
  Value* after = g.op(k[0] ? "Neg" : "Relu", {n->outputs[0]});
  g.outputs = {g.op("Mul", {after, g.add_constant("two", Tensor::f32_scalar(2.f))})};
}

// The shape arithmetic of a windowed-attention block (swin's padding to a multiple of the window)
// around an input with a symbolic batch and fixed spatial dims.
void window_block(Graph& g) {
  Value* x = g.add_input("x", DType::Float32, Shape({Dim::sym("batch"), Dim::fixed(6), Dim::fixed(10)}));
  Value* shape = g.op("Shape", {x});
  shape->dtype = DType::Int64;
  auto dim = [&](int64_t i) {
    Value* d = g.op("Gather", {shape, i64s(g, i)}, {{"axis", int64_t{0}}});
    d->dtype = DType::Int64;
    return d;
  };
  auto typed = [](Value* v) { v->dtype = DType::Int64; return v; };
  Value* seven = i64s(g, 7);
  // pad = (7 - dim % 7) % 7 for dims 1 and 2
  auto pad_of = [&](Value* d) { return typed(g.op("Mod", {typed(g.op("Sub", {seven, typed(g.op("Mod", {d, seven}))})), seven})); };
  Value* ph = g.op("Unsqueeze", {pad_of(dim(1)), i64(g, {0})});
  Value* pw = g.op("Unsqueeze", {pad_of(dim(2)), i64(g, {0})});
  Value* pads = typed(g.op("Concat", {i64(g, {0, 0, 0, 0}), ph, pw}, {{"axis", int64_t{0}}}));
  Value* padded = g.op("Pad", {x, pads});
  padded->dtype = DType::Float32;
  // windows: reshape to [batch, Hp/7, 7, Wp/7, 7] with Hp, Wp read back from the padded tensor
  Value* pshape = typed(g.op("Shape", {padded}));
  auto pdim = [&](int64_t i) { return typed(g.op("Gather", {pshape, i64s(g, i)}, {{"axis", int64_t{0}}})); };
  auto u = [&](Value* s) { return typed(g.op("Unsqueeze", {s, i64(g, {0})})); };
  Value* target = typed(g.op("Concat", {u(dim(0)), u(typed(g.op("Div", {pdim(1), seven}))), u(seven),
                                        u(typed(g.op("Div", {pdim(2), seven}))), u(seven)},
                             {{"axis", int64_t{0}}}));
  Value* win = g.op("Reshape", {padded, target});
  win->dtype = DType::Float32;
  // a mask over the padded area: positions >= the original width
  Value* cols = typed(g.op("Range", {i64s(g, 0), pdim(2), i64s(g, 1)}));
  Value* mask = g.op("Cast", {g.op("GreaterOrEqual", {cols, dim(2)})}, {{"to", onnx_type_code(DType::Float32)}});
  Value* masked = g.op("Mul", {g.op("Reshape", {win, g.op("Concat", {u(dim(0)), i64(g, {-1, 14})}, {{"axis", int64_t{0}}})}), mask});
  g.outputs = {masked, g.op("Identity", {win})};
}

}  // namespace

TEST(ConstantFold, EachFoldedOpMatchesOnnxRuntime) {
  if (!ort_available()) GTEST_SKIP() << "ONNX Runtime not available";
  // Every case's folded and plain model run in one ONNX Runtime process (one per model would
  // spend most of the test starting node).
  TmpDir dir;
  std::vector<test::OrtJob> jobs;
  std::vector<std::string> names;
  EmitOptions o;
  o.opset = 17;
  for (auto& c : op_cases()) {
    Model plain, folded;
    c.build(*plain.graph);
    c.build(*folded.graph);
    size_t n = fold_constants(*folded.graph);
    folded.graph->remove_dead();
    EXPECT_GE(n, 1u) << c.name << ": nothing folded\n" << folded.graph->dump();
    for (auto& node : folded.graph->nodes()) EXPECT_EQ(node->op, "Identity") << c.name << "\n" << folded.graph->dump();
    std::string stem = dir.file(std::to_string(names.size()));
    emit_onnx(folded, stem + "_folded.onnx", o);
    emit_onnx(plain, stem + "_plain.onnx", o);
    jobs.push_back({stem + "_folded.onnx", {}});
    jobs.push_back({stem + "_plain.onnx", {}});
    names.push_back(c.name);
  }
  auto results = test::run_onnxruntime_batch(jobs, dir.file("ort"));
  ASSERT_EQ(results.size(), jobs.size());
  for (size_t i = 0; i < names.size(); ++i) {
    const auto &f = results[2 * i], &p = results[2 * i + 1];
    ASSERT_TRUE(f.error.empty() && p.error.empty()) << names[i] << ": " << f.error << p.error;
    expect_same(f.outputs, p.outputs, names[i]);
  }
}

TEST(ConstantFold, FixedShapeArithmeticFoldsAndSymbolicBatchStays) {
  if (!ort_available()) GTEST_SKIP() << "ONNX Runtime not available";
  Model plain, folded;
  window_block(*plain.graph);
  window_block(*folded.graph);
  size_t before = folded.graph->nodes().size();
  cleanup_graph(*folded.graph);
  const Graph& g = *folded.graph;
  // What is left: the Pad (pads now constant), the two Reshapes, reading the batch from Shape
  // once per target, the mask multiply and the output Identity.
  for (const char* op : {"Mod", "Sub", "Div", "Range", "GreaterOrEqual", "Cast"})
    EXPECT_EQ(count_ops(g, op), 0u) << op << "\n" << g.dump();
  EXPECT_EQ(count_ops(g, "Pad"), 1u) << g.dump();
  EXPECT_LT(g.nodes().size(), before / 2) << g.dump();
  // The Pad's output shape is now known, the window Reshape's too, batch still symbolic.
  Value* win = g.outputs[1];
  EXPECT_EQ(win->shape.str(), "[batch,1,7,2,7]") << g.dump();
  for (int64_t batch : {1, 3}) {
    Tensor x = ramp({batch, 6, 10}, unsigned(batch));
    TmpDir dir;
    expect_same(run(folded, {{"x", x}}, dir, "folded.onnx"), run(plain, {{"x", x}}, dir, "plain.onnx"),
                "batch " + std::to_string(batch), 0);
  }
}

TEST(ConstantFold, CastToOwnTypeAndReshapeChainsAreBypassed) {
  Graph g;
  Value* x = g.add_input("x", DType::Float32, Shape({Dim::sym("batch"), Dim::fixed(4), Dim::fixed(6)}));
  Value* c = g.op("Cast", {x}, {{"to", onnx_type_code(DType::Float32)}});
  c->dtype = DType::Float32;
  Value* r1 = g.op("Reshape", {c, i64(g, {-1, 24})});
  Value* r2 = g.op("Reshape", {r1, i64(g, {-1, 4, 6})});  // back to x's shape: an identity
  Value* r3 = g.op("Reshape", {g.op("Relu", {r2}), i64(g, {-1, 2, 12})});
  Value* r4 = g.op("Reshape", {r3, i64(g, {-1, 8, 3})});  // chain: reads the Relu directly
  g.outputs = {r4};
  cleanup_graph(g);
  ASSERT_EQ(g.nodes().size(), 2u) << g.dump();
  EXPECT_EQ(g.nodes()[0]->op, "Relu");
  EXPECT_EQ(g.nodes()[0]->inputs[0], x) << g.dump();
  EXPECT_EQ(g.nodes()[1]->inputs[0], g.nodes()[0]->outputs[0]) << g.dump();
  EXPECT_EQ(r4->shape.str(), "[batch,8,3]") << g.dump();
}

TEST(ConstantFold, ReshapeCopyingDimsIsNotChained) {
  Graph g;
  Value* x = g.add_input("x", DType::Float32, Shape({Dim::sym("batch"), Dim::fixed(4), Dim::fixed(6)}));
  Value* r1 = g.op("Reshape", {x, i64(g, {0, 2, 12})});
  Value* r2 = g.op("Reshape", {r1, i64(g, {0, 0, -1, 3})});  // 0 copies r1's dims, not x's
  g.outputs = {r2};
  cleanup_graph(g);
  ASSERT_EQ(g.nodes().size(), 2u) << g.dump();
  EXPECT_EQ(g.nodes()[1]->inputs[0], g.nodes()[0]->outputs[0]);
  EXPECT_EQ(r2->shape.str(), "[batch,2,4,3]") << g.dump();
}

TEST(ConstantFold, IfWithFoldedConditionIsReplacedByItsBranch) {
  if (!ort_available()) GTEST_SKIP() << "ONNX Runtime not available";
  for (auto k : {std::vector<int64_t>{0, 0}, std::vector<int64_t>{1, 2}}) {
    Model plain, folded;
    constant_if(*plain.graph, k);
    constant_if(*folded.graph, k);
    cleanup_graph(*folded.graph);
    const Graph& g = *folded.graph;
    ASSERT_EQ(g.nodes().size(), 3u) << g.dump();
    EXPECT_EQ(g.nodes()[0]->op, k[0] ? "Neg" : "Relu") << g.dump();
    EXPECT_NE(g.nodes()[0]->outputs[0]->name, g.nodes()[1]->outputs[0]->name) << g.dump();
    EXPECT_NE(g.nodes()[0]->name, g.nodes()[1]->name) << g.dump();
    Tensor x = ramp({3, 4}, 9);
    TmpDir dir;
    expect_same(run(folded, {{"x", x}}, dir, "folded.onnx"), run(plain, {{"x", x}}, dir, "plain.onnx"),
                "k[0]=" + std::to_string(k[0]), 0);
  }
}

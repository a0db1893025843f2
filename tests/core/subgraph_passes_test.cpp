// Graphs with If/Loop subgraphs through the passes and the emitter: reads of outer values from
// subgraphs (at any depth) count as uses, and names stay unique over the whole ONNX model.
#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "emit/emit_test_util.h"
#include "emit/op_forms.h"
#include "modelport/emit.h"
#include "modelport/ir.h"
#include "modelport/passes.h"
#include "passes/cleanup.h"

using namespace modelport;
using namespace modelport::emit_testing;

namespace {

Shape scalar() { return Shape(std::vector<Dim>{}); }

// main: If(cond) { then: Loop body reading `read` from two levels up } else { Identity(read), or
// zeros when !else_reads }. `read` has a fixed float32 shape.
Node* nested_reader(Graph& g, Value* cond, Value* read, bool else_reads = true) {
  auto then_g = std::make_shared<Graph>("then", &g);
  auto body = std::make_shared<Graph>("body", then_g.get());
  body->add_input("iter", DType::Int64, scalar());
  body->add_input("cond_in", DType::Bool, scalar());
  Value* acc = body->add_input("acc", read->dtype, read->shape);
  Value* keep = body->add_constant("keep", Tensor::scalar(DType::Bool, 1));
  body->op("Neg", {acc});  // dead inside the body
  Value* sum = body->op("Add", {acc, read});
  body->outputs = {keep, sum};
  Value* m = then_g->add_constant("m", Tensor::i64_scalar(3));
  Node* loop = then_g->add_node("Loop", {m, nullptr, read}, 1, {{"body", GraphPtr(body)}});
  then_g->outputs = {loop->outputs[0]};
  auto else_g = std::make_shared<Graph>("else", &g);
  if (else_reads) {
    else_g->outputs = {else_g->op("Identity", {read})};
  } else {
    std::vector<int64_t> dims;
    for (auto& d : read->shape.dims) dims.push_back(d.value);
    std::vector<float> zeros(size_t(read->shape.numel().value()), 0.f);
    else_g->outputs = {else_g->add_constant("zeros", Tensor::from_vector(DType::Float32, zeros, dims))};
  }
  for (Value* v : {sum, loop->outputs[0], else_g->outputs[0]}) v->dtype = read->dtype, v->shape = read->shape;
  Node* n = g.add_node("If", {cond}, 1, {{"then_branch", GraphPtr(then_g)}, {"else_branch", GraphPtr(else_g)}});
  for (auto* o : n->outputs) o->dtype = read->dtype, o->shape = read->shape;
  return n;
}

TEST(SubgraphPasses, DeadCodeCountsReadsInNestedSubgraphs) {
  Graph g;
  Value* x = g.add_input("x", DType::Float32, Shape::of({2}));
  Value* cond = g.add_input("cond", DType::Bool, scalar());
  Value* k = g.add_constant("k", Tensor::f32({1.f, 2.f}));   // read only two levels down
  Value* s = g.op("Sigmoid", {g.op("Mul", {x, k})});          // read only two levels down
  g.op("Exp", {x});                                            // dead
  Node* n = nested_reader(g, cond, s);
  g.outputs = {n->outputs[0]};
  cleanup_graph(g);
  std::set<std::string> ops;
  for (auto& node : g.nodes()) ops.insert(node->op);
  EXPECT_EQ(ops, (std::set<std::string>{"Mul", "Sigmoid", "If"})) << g.dump();
  EXPECT_EQ(g.constants().size(), 1u) << g.dump();
  EXPECT_EQ(g.use_count(s), 3u);  // the Loop (initial value), its body's Add, the else branch's Identity
  // The dead Neg inside the Loop body is gone, the body's own Add stays.
  Graph& then_g = *std::get<GraphPtr>(n->attrs.at("then_branch"));
  Graph& body = *std::get<GraphPtr>(then_g.nodes()[0]->attrs.at("body"));
  ASSERT_EQ(body.nodes().size(), 1u) << g.dump();
  EXPECT_EQ(body.nodes()[0]->op, "Add");
}

TEST(SubgraphPasses, IdentityBypassRedirectsSubgraphReads) {
  Graph g;
  Value* x = g.add_input("x", DType::Float32, Shape::of({2}));
  Value* cond = g.add_input("cond", DType::Bool, scalar());
  Value* id = g.op("Identity", {x});
  Node* n = nested_reader(g, cond, id);
  g.outputs = {n->outputs[0]};
  cleanup_graph(g);
  ASSERT_EQ(g.nodes().size(), 1u) << g.dump();
  Graph& then_g = *std::get<GraphPtr>(n->attrs.at("then_branch"));
  Graph& body = *std::get<GraphPtr>(then_g.nodes()[0]->attrs.at("body"));
  EXPECT_EQ(body.nodes()[0]->inputs[1], x) << g.dump();
  EXPECT_EQ(then_g.nodes()[0]->inputs[2], x) << g.dump();
}

TEST(SubgraphPasses, TransposeReadInNestedSubgraphIsNotSunk) {
  Graph g;
  Value* x = g.add_input("x", DType::Float32, Shape::of({2, 3}));
  Value* cond = g.add_input("cond", DType::Bool, scalar());
  Value* t = g.op("Transpose", {x}, {{"perm", std::vector<int64_t>{1, 0}}});
  t->dtype = DType::Float32;
  t->shape = Shape::of({3, 2});
  Value* r = g.op("Relu", {t});  // would sink below the Transpose if t had no other reader
  r->dtype = DType::Float32;
  r->shape = t->shape;
  Node* n = nested_reader(g, cond, t, /*else_reads=*/false);  // read only two levels down
  g.outputs = {r, n->outputs[0]};
  optimize_transposes(g);
  EXPECT_EQ(t->producer->op, "Transpose") << g.dump();
  EXPECT_EQ(t->producer->inputs[0], x) << g.dump();
}

TEST(SubgraphPasses, EmittedNamesAreUniqueAcrossTheModel) {
  Model m;
  Graph& g = *m.graph;
  Value* x = g.add_input("x", DType::Float32, Shape::of({2}));
  Value* cond = g.add_input("cond", DType::Bool, scalar());
  Node* n = nested_reader(g, cond, x);
  // Named after the subgraphs were built: these clash with names inside them.
  Value* a = g.op("Relu", {n->outputs[0]}, {}, "Add");
  Value* keep = g.add_constant("keep", Tensor::f32({1.f, 1.f}));
  Value* out = g.op("Mul", {a, keep});
  out->dtype = DType::Float32;
  g.outputs = {out};
  for (int opset : {11, 13, 17}) {
    auto p = emit_and_load(m, opset);  // the ONNX checker and shape inference run in emit_onnx
    std::multiset<std::string> names;
    std::function<void(const onnx::GraphProto&)> collect = [&](const onnx::GraphProto& gp) {
      for (auto& i : gp.input()) names.insert(i.name());
      for (auto& i : gp.initializer()) names.insert(i.name());
      for (auto& node : gp.node()) {
        for (auto& o : node.output()) names.insert(o);
        for (auto& at : node.attribute())
          if (at.has_g()) collect(at.g());
      }
    };
    collect(p.graph());
    for (auto& name : names) EXPECT_EQ(names.count(name), 1u) << name << " at opset " << opset;
  }
}

TEST(SubgraphPasses, OpTableHasIfAndLoopAtEverySupportedOpset) {
  int found = 0;
  for (auto& o : emitter_op_table())
    if (o.op == "If" || o.op == "Loop") {
      EXPECT_LE(o.min_opset, kMinOpset) << o.op;  // If-1/Loop-1: writable at every supported opset
      EXPECT_TRUE(o.notes.empty()) << o.op;
      ++found;
    }
  EXPECT_EQ(found, 2);
}

}  // namespace

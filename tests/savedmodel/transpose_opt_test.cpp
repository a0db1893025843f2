// optimize_transposes on hand-built IR graphs.
#include <gtest/gtest.h>

#include "fixture_util.h"
#include "modelport/passes.h"

using namespace modelport;
using namespace modelport::test::sm;

namespace {
const std::vector<int64_t> kToFirst{0, 3, 1, 2}, kToLast{0, 2, 3, 1};

Value* transpose(Graph& g, Value* v, const std::vector<int64_t>& perm) {
  Value* o = g.op("Transpose", {v}, {{"perm", perm}});
  o->dtype = v->dtype;
  return o;
}
}  // namespace

TEST(TransposeOpt, CancelsPairAroundUnaryChain) {
  Graph g;
  Value* x = g.add_input("x", DType::Float32, Shape::of({1, 2, 3, 4}));
  Value* t = transpose(g, x, kToLast);
  Value* r = g.op("Relu", {t});
  Value* s = g.op("Sigmoid", {r});
  Value* y = transpose(g, s, kToFirst);
  g.outputs = {y};
  g.rename(y, "y");
  optimize_transposes(g);
  EXPECT_EQ(count_op(g, "Transpose"), 0u) << g.dump();
  ASSERT_EQ(g.outputs.size(), 1u);
  EXPECT_EQ(g.outputs[0]->name, "y");  // the output keeps its name
  EXPECT_EQ(g.outputs[0]->producer->op, "Identity");
  const Node* sig = g.outputs[0]->producer->input(0)->producer;
  EXPECT_EQ(sig->op, "Sigmoid");
  EXPECT_EQ(sig->input(0)->producer->op, "Relu");
  EXPECT_EQ(sig->input(0)->producer->input(0), x);
}

TEST(TransposeOpt, PermutesPerChannelConstant) {
  Graph g;
  Value* x = g.add_input("x", DType::Float32, Shape::of({1, 3, 2, 2}));  // NCHW
  Value* t = transpose(g, x, kToLast);                                    // NHWC
  Value* bias = g.add_constant("bias", Tensor::f32({10, 20, 30}));
  Value* a = g.op("Add", {t, bias});
  Value* r = g.op("Relu", {a});
  Value* back = transpose(g, r, kToFirst);
  Value* out = g.op("Sigmoid", {back});
  g.outputs = {out};
  optimize_transposes(g);
  EXPECT_EQ(count_op(g, "Transpose"), 0u) << g.dump();
  auto adds = nodes_of(g, "Add");
  ASSERT_EQ(adds.size(), 1u);
  EXPECT_EQ(adds[0]->input(0), x);
  const Tensor* c = adds[0]->input(1)->constant.get();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->dims, (std::vector<int64_t>{1, 3, 1, 1}));
  EXPECT_FLOAT_EQ(c->data<float>()[2], 30.0f);
}

TEST(TransposeOpt, KeepsTransposeWithOtherUsersAndMergesChains) {
  Graph g;
  Value* x = g.add_input("x", DType::Float32, Shape::of({1, 2, 3, 4}));
  Value* t = transpose(g, x, kToLast);
  Value* r = g.op("Relu", {t});
  Value* other = g.op("Neg", {t});  // a second user: t cannot sink below Relu
  Value* t2 = transpose(g, r, {0, 2, 1, 3});
  g.outputs = {t2, other};
  optimize_transposes(g);
  auto ts = nodes_of(g, "Transpose");
  ASSERT_EQ(ts.size(), 2u) << g.dump();
  EXPECT_EQ(nodes_of(g, "Relu")[0]->input(0), t);
}

TEST(TransposeOpt, MergesConsecutiveTransposes) {
  Graph g;
  Value* x = g.add_input("x", DType::Float32, Shape::of({1, 2, 3, 4}));
  Value* t1 = transpose(g, x, kToLast);        // [1,3,4,2]
  Value* t2 = transpose(g, t1, {0, 2, 1, 3});  // [1,4,3,2]
  g.outputs = {g.op("Relu", {t2})};
  optimize_transposes(g);
  auto ts = nodes_of(g, "Transpose");
  ASSERT_EQ(ts.size(), 1u) << g.dump();
  EXPECT_EQ(ts[0]->attr_ints("perm"), (std::vector<int64_t>{0, 3, 2, 1}));
  // ... and sunk below the Relu.
  ASSERT_EQ(ts[0]->input(0)->producer->op, "Relu");
  EXPECT_EQ(ts[0]->input(0)->producer->input(0), x);
}

TEST(TransposeOpt, SinksThroughBinaryOfTwoTransposes) {
  Graph g;
  Value* x = g.add_input("x", DType::Float32, Shape::of({1, 2, 3, 4}));
  Value* y = g.add_input("y", DType::Float32, Shape::of({1, 2, 3, 4}));
  Value* a = g.op("Add", {transpose(g, x, kToLast), transpose(g, y, kToLast)});
  g.outputs = {g.op("Relu", {transpose(g, a, kToFirst)})};
  optimize_transposes(g);
  EXPECT_EQ(count_op(g, "Transpose"), 0u) << g.dump();
  auto adds = nodes_of(g, "Add");
  ASSERT_EQ(adds.size(), 1u);
  EXPECT_EQ(adds[0]->input(0), x);
  EXPECT_EQ(adds[0]->input(1), y);
}

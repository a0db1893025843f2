// The op layer's shape and type rules against ONNX Runtime: for every entry with a shape rule, at
// least one small model of that op with fixed input sizes, its outputs' shapes and dtypes inferred
// by ops::infer_node, then run in ONNX Runtime (all models in one process) and the inferred dims
// and dtypes compared with the outputs ONNX Runtime produces. A rule must give every dim here
// (the inputs are all fixed), except where a case says a dim is data-dependent (NonZero).
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>

#include "emit/emit_test_util.h"
#include "modelport/emit.h"
#include "ops/infer.h"
#include "ops/op_case_support.h"
#include "ops/op_def.h"
#include "support/test_support.h"

namespace modelport {
namespace {
using namespace modelport::emit_testing;
using Attrs = std::map<std::string, Attribute>;
using Ints = std::vector<int64_t>;

// One case: a graph whose outputs are the outputs of the nodes of op `op` it builds.
class Builder {
 public:
  explicit Builder(unsigned seed) : seed_(seed) {}
  Model model;
  std::vector<NamedTensor> feeds;
  bool partial = false;  // a dim the op computes from the data (NonZero's count)

  Graph& g() { return *model.graph; }
  Value* f32(Ints dims) {
    std::string name = "in" + std::to_string(feeds.size());
    Tensor t = random_f32(dims, seed_ + unsigned(feeds.size()));
    Value* v = g().add_input(name, DType::Float32, Shape::of(dims));
    feeds.push_back({name, std::move(t)});
    return v;
  }
  Value* feed(const std::string& name, Tensor t) {
    Value* v = g().add_input(name, t.dtype, Shape::of(t.dims));
    feeds.push_back({name, std::move(t)});
    return v;
  }
  Value* c_i64(Ints v) { return g().add_constant("c", Tensor::i64(v)); }
  Value* c(Tensor t) { return g().add_constant("c", std::move(t)); }
  Value* w(Ints dims) { return g().add_constant("w", random_f32(dims, seed_ * 7 + unsigned(g().nodes().size()))); }
  Value* bools(Ints dims) { return g().op("Greater", {f32(dims), g().add_constant("zero", Tensor::f32_scalar(0.5f))}); }
  Value* ints(Ints dims) {  // int32 values in [-4, 5)
    return g().op("Cast", {g().op("Floor", {g().op("Mul", {f32(dims), g().add_constant("k", Tensor::f32_scalar(2.f))})})},
                  {{"to", int64_t{onnx_type_code(DType::Int32)}}});
  }
  Node* node(const std::string& op, std::vector<Value*> ins, size_t outs = 1, Attrs a = {}) {
    Node* n = g().add_node(op, std::move(ins), outs, std::move(a));
    for (Value* o : n->outputs) g().outputs.push_back(o);
    return n;
  }
  void op(const std::string& op, std::vector<Value*> ins, Attrs a = {}) { node(op, std::move(ins), 1, std::move(a)); }

 private:
  unsigned seed_;
};

struct OpCase {
  std::string op;
  std::function<void(Builder&)> build;
};

// A one-output-per-node subgraph of `parent`: op(x) with x from the outer scope.
GraphPtr branch(Graph& parent, const char* name, const char* op, Value* x) {
  auto sg = std::make_shared<Graph>(name, &parent);
  sg->outputs = {sg->op(op, {x})};
  return sg;
}

std::vector<OpCase> cases() {
  std::vector<OpCase> c;
  const std::set<std::string> special = {"Not", "BitwiseNot", "IsNaN", "IsInf", "Cast"};
  for (const ops::OpDef& d : ops::all())
    if (d.layout == ops::Layout::Elementwise && !special.count(d.name))
      c.push_back({d.name, [op = d.name](Builder& b) { b.op(op, {b.f32({2, 3, 4})}); }});
  c.push_back({"Not", [](Builder& b) { b.op("Not", {b.bools({2, 5})}); }});
  c.push_back({"BitwiseNot", [](Builder& b) { b.op("BitwiseNot", {b.ints({2, 5})}); }});
  c.push_back({"IsNaN", [](Builder& b) { b.op("IsNaN", {b.f32({4, 1})}); }});
  c.push_back({"IsInf", [](Builder& b) { b.op("IsInf", {b.f32({4, 1})}); }});
  c.push_back({"Cast", [](Builder& b) { b.op("Cast", {b.f32({2, 3})}, {{"to", int64_t{onnx_type_code(DType::Int64)}}}); }});
  for (const char* op : {"Add", "Sub", "Mul", "Div", "Pow", "Min", "Max", "Sum", "Mean", "PRelu", "Equal", "Less",
                         "Greater", "LessOrEqual", "GreaterOrEqual"})
    c.push_back({op, [op](Builder& b) { b.op(op, {b.f32({2, 3, 4}), b.f32({3, 4})}); }});
  c.push_back({"Mod", [](Builder& b) { b.op("Mod", {b.f32({2, 1, 4}), b.f32({3, 1})}, {{"fmod", int64_t{1}}}); }});
  for (const char* op : {"And", "Or", "Xor"}) c.push_back({op, [op](Builder& b) { b.op(op, {b.bools({2, 1, 3}), b.bools({4, 1})}); }});
  for (const char* op : {"BitwiseAnd", "BitwiseOr", "BitwiseXor"})
    c.push_back({op, [op](Builder& b) { b.op(op, {b.ints({2, 3}), b.ints({3})}); }});
  c.push_back({"Where", [](Builder& b) { b.op("Where", {b.bools({3, 1}), b.f32({2, 1, 4}), b.f32({4})}); }});
  for (const char* op : {"ReduceSum", "ReduceMean", "ReduceProd", "ReduceMin", "ReduceMax", "ReduceL1", "ReduceL2",
                         "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"})
    c.push_back({op, [op](Builder& b) {
                   Value* x = b.f32({2, 3, 4});
                   b.op(op, {x, b.c_i64({1})}, {{"keepdims", int64_t{0}}});
                   b.op(op, {x, b.c_i64({0, -1})});
                   b.op(op, {x}, {{"keepdims", int64_t{0}}});
                 }});
  for (const char* op : {"ArgMax", "ArgMin"})
    c.push_back({op, [op](Builder& b) {
                   b.op(op, {b.f32({2, 3, 4})}, {{"axis", int64_t{1}}, {"keepdims", int64_t{0}}});
                   b.op(op, {b.f32({2, 3, 4})}, {{"axis", int64_t{-1}}});
                 }});
  // Convolution and pooling, with explicit pads, auto_pad and ceil_mode.
  c.push_back({"Conv", [](Builder& b) {
                 b.op("Conv", {b.f32({1, 2, 7, 6}), b.w({3, 2, 3, 3})}, {{"pads", Ints{1, 0, 1, 0}}, {"strides", Ints{2, 1}}});
                 b.op("Conv", {b.f32({1, 2, 7, 6}), b.w({4, 1, 3, 2})},
                      {{"auto_pad", std::string("SAME_UPPER")}, {"strides", Ints{2, 2}}, {"group", int64_t{2}}});
               }});
  c.push_back({"ConvTranspose", [](Builder& b) {
                 b.op("ConvTranspose", {b.f32({1, 2, 4, 5}), b.w({2, 3, 3, 3})},
                      {{"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}, {"output_padding", Ints{1, 0}}});
               }});
  for (const char* op : {"MaxPool", "AveragePool", "LpPool"})
    c.push_back({op, [op](Builder& b) {
                   b.op(op, {b.f32({1, 2, 7, 8})}, {{"kernel_shape", Ints{3, 2}}, {"strides", Ints{2, 2}}, {"pads", Ints{1, 0, 1, 0}}});
                   if (std::string(op) != "LpPool")
                     b.op(op, {b.f32({1, 2, 8, 7})},
                          {{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}, {"ceil_mode", int64_t{1}}});
                 }});
  for (const char* op : {"GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"})
    c.push_back({op, [op](Builder& b) { b.op(op, {b.f32({2, 3, 4, 5})}); }});
  c.push_back({"Gemm", [](Builder& b) { b.op("Gemm", {b.f32({4, 3}), b.w({5, 4})}, {{"transA", int64_t{1}}, {"transB", int64_t{1}}}); }});
  for (const char* op : {"RNN", "GRU", "LSTM"})
    c.push_back({op, [op](Builder& b) {
                   int64_t gates = std::string(op) == "LSTM" ? 4 : std::string(op) == "GRU" ? 3 : 1;
                   b.node(op, {b.f32({5, 2, 3}), b.w({2, gates * 4, 3}), b.w({2, gates * 4, 4})}, gates == 4 ? 3 : 2,
                          {{"hidden_size", int64_t{4}}, {"direction", std::string("bidirectional")}});
                 }});
  c.push_back({"Resize", [](Builder& b) {
                 b.op("Resize", {b.f32({1, 2, 3, 5}), nullptr, b.c(Tensor::f32({1.f, 1.f, 2.f, 1.5f}))}, {{"mode", std::string("nearest")}});
                 b.op("Resize", {b.f32({1, 2, 3, 5}), nullptr, nullptr, b.c_i64({1, 2, 4, 7})}, {{"mode", std::string("linear")}});
               }});
  c.push_back({"Tile", [](Builder& b) { b.op("Tile", {b.f32({2, 3}), b.c_i64({3, 1})}); }});
  // Quantization: per-tensor uint8 and int8, per-axis int8; MatMulInteger on uint8 x int8 with zero points.
  c.push_back({"QuantizeLinear", [](Builder& b) {
                 Value* s = b.c(Tensor::f32_scalar(0.05f));
                 b.op("QuantizeLinear", {b.f32({2, 3, 4}), s, b.c(Tensor::scalar(DType::UInt8, 128))});
                 b.op("QuantizeLinear", {b.f32({2, 3}), s, b.c(Tensor::scalar(DType::Int8, -3))});
                 b.op("QuantizeLinear", {b.f32({2, 3}), s});
                 b.op("QuantizeLinear", {b.f32({2, 3}), b.c(Tensor::f32({0.1f, 0.2f, 0.3f})),
                                         b.c(Tensor::from_vector<int8_t>(DType::Int8, {0, 1, -1}, {3}))},
                      {{"axis", int64_t{1}}});
               }});
  c.push_back({"DequantizeLinear", [](Builder& b) {
                 Value* s = b.c(Tensor::f32_scalar(0.05f));
                 Value* q = b.g().op("QuantizeLinear", {b.f32({2, 3, 4}), s, b.c(Tensor::scalar(DType::Int8, 2))});
                 b.op("DequantizeLinear", {q, s, b.c(Tensor::scalar(DType::Int8, 2))});
                 b.op("DequantizeLinear", {b.c(Tensor::from_vector<uint8_t>(DType::UInt8, {1, 2, 3, 250}, {2, 2})),
                                           b.c(Tensor::f32({0.5f, 0.25f})), b.c(Tensor::from_vector<uint8_t>(DType::UInt8, {3, 4}, {2}))},
                      {{"axis", int64_t{0}}});
               }});
  c.push_back({"MatMulInteger", [](Builder& b) {
                 Value* zp = b.c(Tensor::scalar(DType::UInt8, 7));
                 Value* q = b.g().op("QuantizeLinear", {b.f32({2, 3, 4}), b.c(Tensor::f32_scalar(0.05f)), zp});
                 Value* w = b.c(Tensor::from_vector<int8_t>(DType::Int8, {1, -2, 3, -4, 5, -6, 7, -8, 9, -10}, {2, 5}));
                 b.op("MatMulInteger", {b.g().op("Reshape", {q, b.c_i64({2, 6, 2})}), w, zp});
                 b.op("MatMulInteger", {q, b.c(Tensor::from_vector<int8_t>(DType::Int8, std::vector<int8_t>(8, 3), {4, 2}))});
               }});
  c.push_back({"Einsum", [](Builder& b) { b.op("Einsum", {b.f32({2, 3, 4}), b.f32({4, 5})}, {{"equation", std::string("bij,jk->bki")}}); }});
  for (const char* op : {"Softmax", "LogSoftmax", "Hardmax", "LpNormalization", "MeanVarianceNormalization"})
    c.push_back({op, [op](Builder& b) { b.op(op, {b.f32({2, 3, 4})}); }});
  c.push_back({"LRN", [](Builder& b) { b.op("LRN", {b.f32({1, 4, 3, 3})}, {{"size", int64_t{3}}}); }});
  c.push_back({"CumSum", [](Builder& b) { b.op("CumSum", {b.f32({2, 3}), b.c(Tensor::i64_scalar(1))}); }});
  c.push_back({"LayerNormalization", [](Builder& b) { b.op("LayerNormalization", {b.f32({2, 3, 4}), b.w({4})}, {{"axis", int64_t{-1}}}); }});
  c.push_back({"BatchNormalization", [](Builder& b) {
                 Value* var = b.c(Tensor::f32({1.f, 2.f, 3.f}));
                 b.op("BatchNormalization", {b.f32({2, 3, 4}), b.w({3}), b.w({3}), b.w({3}), var});
               }});
  c.push_back({"InstanceNormalization", [](Builder& b) { b.op("InstanceNormalization", {b.f32({2, 3, 4}), b.w({3}), b.w({3})}); }});
  c.push_back({"GroupNormalization", [](Builder& b) {
                 b.op("GroupNormalization", {b.f32({2, 4, 3}), b.w({4}), b.w({4})}, {{"num_groups", int64_t{2}}});
               }});
  // Data movement.
  c.push_back({"Reshape", [](Builder& b) {
                 b.op("Reshape", {b.f32({2, 3, 4}), b.c_i64({4, -1})});
                 b.op("Reshape", {b.f32({2, 3, 4}), b.c_i64({0, -1, 2})});
               }});
  c.push_back({"Expand", [](Builder& b) { b.op("Expand", {b.f32({3, 1}), b.c_i64({2, 1, 4})}); }});
  c.push_back({"ConstantOfShape", [](Builder& b) {
                 b.op("ConstantOfShape", {b.g().op("Shape", {b.f32({2, 3})})}, {{"value", Tensor::from_vector<int32_t>(DType::Int32, {7}, {1})}});
               }});
  c.push_back({"Pad", [](Builder& b) { b.op("Pad", {b.f32({2, 3}), b.c_i64({1, 0, 2, 3})}); }});
  c.push_back({"Slice", [](Builder& b) {
                 Value* x = b.f32({5, 6});
                 b.op("Slice", {x, b.c_i64({1, -1}), b.c_i64({4, -6}), b.c_i64({0, 1}), b.c_i64({2, -2})});
                 b.op("Slice", {x, b.c_i64({2}), b.c_i64({INT64_MAX})});
               }});
  c.push_back({"Concat", [](Builder& b) { b.op("Concat", {b.f32({2, 3}), b.f32({2, 1})}, {{"axis", int64_t{-1}}}); }});
  c.push_back({"Unsqueeze", [](Builder& b) { b.op("Unsqueeze", {b.f32({2, 3}), b.c_i64({0, -1})}); }});
  c.push_back({"Squeeze", [](Builder& b) {
                 b.op("Squeeze", {b.f32({2, 1, 3, 1}), b.c_i64({-1})});
                 b.op("Squeeze", {b.f32({1, 3, 1})});
               }});
  c.push_back({"MatMul", [](Builder& b) {
                 b.op("MatMul", {b.f32({2, 1, 3, 4}), b.f32({5, 4, 2})});
                 b.op("MatMul", {b.f32({4}), b.f32({2, 4, 3})});
                 b.op("MatMul", {b.f32({2, 3, 4}), b.f32({4})});
               }});
  c.push_back({"Transpose", [](Builder& b) {
                 b.op("Transpose", {b.f32({2, 3, 4})}, {{"perm", Ints{1, 2, 0}}});
                 b.op("Transpose", {b.f32({2, 3, 4})});
               }});
  c.push_back({"Gather", [](Builder& b) {
                 b.op("Gather", {b.f32({2, 3, 4}), b.c(Tensor::from_vector<int64_t>(DType::Int64, {0, 2, 1, 1}, {2, 2}))}, {{"axis", int64_t{1}}});
                 b.op("Gather", {b.f32({2, 3, 4}), b.c(Tensor::i64_scalar(-1))}, {{"axis", int64_t{-1}}});
               }});
  c.push_back({"Flatten", [](Builder& b) { b.op("Flatten", {b.f32({2, 3, 4})}, {{"axis", int64_t{2}}}); }});
  c.push_back({"Shape", [](Builder& b) {
                 b.op("Shape", {b.f32({2, 3, 4})});
                 b.op("Shape", {b.f32({2, 3, 4})}, {{"start", int64_t{1}}, {"end", int64_t{-1}}});
               }});
  c.push_back({"Size", [](Builder& b) { b.op("Size", {b.f32({2, 3})}); }});
  c.push_back({"Range", [](Builder& b) {
                 b.op("Range", {b.c(Tensor::i64_scalar(1)), b.c(Tensor::i64_scalar(11)), b.c(Tensor::i64_scalar(3))});
                 b.op("Range", {b.c(Tensor::i64_scalar(0)), b.g().op("Gather", {b.g().op("Shape", {b.f32({2, 5})}), b.c(Tensor::i64_scalar(1))}),
                                b.c(Tensor::i64_scalar(1))});
               }});
  // Selection.
  c.push_back({"GatherElements", [](Builder& b) {
                 b.op("GatherElements", {b.f32({3, 4}), b.c(Tensor::from_vector<int64_t>(DType::Int64, {0, 2, 1, 0, 2, 2, 0, 1}, {2, 4}))},
                      {{"axis", int64_t{0}}});
               }});
  c.push_back({"GatherND", [](Builder& b) {
                 b.op("GatherND", {b.f32({2, 3, 4}), b.c(Tensor::from_vector<int64_t>(DType::Int64, {0, 1, 1, 2, 1, 0}, {3, 2}))});
               }});
  c.push_back({"ScatterElements", [](Builder& b) {
                 b.op("ScatterElements", {b.f32({3, 4}), b.c(Tensor::from_vector<int64_t>(DType::Int64, {0, 2, 1, 0}, {1, 4})), b.f32({1, 4})});
               }});
  c.push_back({"ScatterND", [](Builder& b) {
                 b.op("ScatterND", {b.f32({4, 3}), b.c(Tensor::from_vector<int64_t>(DType::Int64, {1, 3}, {2, 1})), b.f32({2, 3})});
               }});
  c.push_back({"Trilu", [](Builder& b) { b.op("Trilu", {b.f32({2, 3, 4}), b.c(Tensor::i64_scalar(1))}); }});
  c.push_back({"OneHot", [](Builder& b) {
                 b.op("OneHot", {b.c(Tensor::from_vector<int64_t>(DType::Int64, {0, 3, 1, 2, 2, 0}, {2, 3})), b.c(Tensor::i64_scalar(4)),
                                 b.c(Tensor::f32({0.f, 1.f}))},
                      {{"axis", int64_t{1}}});
               }});
  c.push_back({"NonZero", [](Builder& b) {
                 b.partial = true;
                 b.op("NonZero", {b.f32({3, 4})});
               }});
  c.push_back({"TopK", [](Builder& b) { b.node("TopK", {b.f32({3, 5}), b.c_i64({2})}, 2, {{"axis", int64_t{-1}}}); }});
  c.push_back({"Split", [](Builder& b) {
                 b.node("Split", {b.f32({6, 4}), b.c_i64({2, 4})}, 2, {{"axis", int64_t{0}}});
                 b.node("Split", {b.f32({4, 5})}, 3, {{"axis", int64_t{1}}, {"num_outputs", int64_t{3}}});
               }});
  c.push_back({"NonMaxSuppression", [](Builder& b) {
                 b.op("NonMaxSuppression", {b.f32({1, 6, 4}), b.f32({1, 2, 6}), b.c_i64({3}),
                                            b.c(Tensor::f32({0.5f})), b.c(Tensor::f32({0.1f}))});
                 b.partial = true;  // the number of selected boxes depends on the data
               }});
  c.push_back({"ReverseSequence", [](Builder& b) {
                 b.op("ReverseSequence", {b.f32({4, 3, 2}), b.c_i64({4, 1, 2})}, {{"batch_axis", int64_t{1}}, {"time_axis", int64_t{0}}});
               }});
  c.push_back({"DepthToSpace", [](Builder& b) { b.op("DepthToSpace", {b.f32({1, 8, 2, 3})}, {{"blocksize", int64_t{2}}}); }});
  c.push_back({"SpaceToDepth", [](Builder& b) { b.op("SpaceToDepth", {b.f32({1, 2, 4, 6})}, {{"blocksize", int64_t{2}}}); }});
  // Control flow.
  c.push_back({"If", [](Builder& b) {
                 Value* x = b.f32({2, 3});
                 Value* cond = b.feed("cond", Tensor::from_vector<uint8_t>(DType::Bool, {1}, {}));
                 b.op("If", {cond}, {{"then_branch", branch(b.g(), "then", "Relu", x)}, {"else_branch", branch(b.g(), "else", "Neg", x)}});
               }});
  c.push_back({"Loop", [](Builder& b) {
                 Value* x = b.f32({2, 3});
                 auto body = std::make_shared<Graph>("body", b.model.graph.get());
                 body->add_input("i", DType::Int64, Shape(std::vector<Dim>{}));
                 Value* cond_in = body->add_input("cond_in", DType::Bool, Shape(std::vector<Dim>{}));
                 Value* v = body->add_input("v", DType::Float32, Shape::of({2, 3}));
                 body->outputs = {body->op("Identity", {cond_in}), body->op("Add", {v, v})};
                 b.op("Loop", {b.c(Tensor::i64_scalar(3)), b.c(Tensor::from_vector<uint8_t>(DType::Bool, {1}, {})), x}, {{"body", body}});
               }});
  c.push_back({"Compress", [](Builder& b) {
                 b.op("Compress", {b.f32({4, 3}), b.bools({4})}, {{"axis", int64_t{0}}});
                 b.partial = true;  // the kept rows depend on the condition
               }});
  c.push_back({"RandomUniformLike", [](Builder& b) { b.op("RandomUniformLike", {b.f32({2, 3})}, {{"seed", 1.0f}}); }});
  c.push_back({"STFT", [](Builder& b) {
                 b.op("STFT", {b.f32({2, 64, 1}), b.c(Tensor::i64_scalar(8)), b.c(Tensor::f32(std::vector<float>(16, 1.0f))),
                               b.c(Tensor::i64_scalar(16))});
               }});
  return c;
}

void infer_all(Graph& g) {
  ShapeValues sv;
  for (auto& n : g.nodes()) {
    for_each_subgraph_of(*n, [](Graph& sg) { infer_all(sg); });
    ops::infer_node(*n, sv);
  }
}

TEST(OpLayerOrt, ShapeAndTypeRulesMatchOnnxRuntime) {
  std::vector<OpCase> all = cases();
  std::set<std::string> covered;
  for (auto& k : all) covered.insert(k.op);
  for (const ops::OpDef& d : ops::all())
    if (d.shape) EXPECT_TRUE(covered.count(d.name)) << d.name << " has a shape rule and no case here";

  std::string scratch = test::scratch_dir("op_layer_ort");
  std::vector<test::OrtJob> jobs;
  std::vector<std::pair<const OpCase*, std::unique_ptr<Builder>>> built;
  for (size_t i = 0; i < all.size(); ++i) {
    auto b = std::make_unique<Builder>(unsigned(100 + i));
    all[i].build(*b);
    infer_all(b->g());
    std::string path = scratch + "/" + all[i].op + std::to_string(i) + ".onnx";
    EmitOptions o;
    o.opset = 18;
    try {
      emit_onnx(b->model, path, o);
    } catch (const Error& e) {
      ADD_FAILURE() << all[i].op << ": " << e.what();
      continue;
    }
    jobs.push_back({path, b->feeds});
    built.emplace_back(&all[i], std::move(b));
  }
  std::vector<test::OrtResult> results = test::run_onnxruntime_batch(jobs, scratch + "/ort");
  ASSERT_EQ(results.size(), built.size());
  int outputs = 0;
  for (size_t i = 0; i < built.size(); ++i) {
    const OpCase& k = *built[i].first;
    const Builder& b = *built[i].second;
    const test::OrtResult& r = results[i];
    if (!r.error.empty()) {
      ADD_FAILURE() << k.op << ": " << r.error;
      continue;
    }
    ASSERT_EQ(r.outputs.size(), b.model.graph->outputs.size()) << k.op;
    for (size_t j = 0; j < r.outputs.size(); ++j) {
      const Value* v = b.model.graph->outputs[j];
      const Tensor& got = r.outputs[j].tensor;
      std::string what = k.op + " output " + std::to_string(j) + ": inferred " + v->shape.str() + " " +
                         dtype_name(v->dtype) + ", ONNX Runtime " + Shape::of(got.dims).str() + " " + dtype_name(got.dtype);
      ++outputs;
      EXPECT_EQ(v->dtype, got.dtype) << what;
      if (!v->shape.rank_known) {
        ADD_FAILURE() << what;
        continue;
      }
      ASSERT_EQ(v->shape.rank(), got.dims.size()) << what;
      for (size_t d = 0; d < got.dims.size(); ++d) {
        const Dim& dim = v->shape.dims[d];
        if (dim.is_fixed()) EXPECT_EQ(dim.value, got.dims[d]) << what;
        else EXPECT_TRUE(b.partial) << what;
      }
    }
  }
  std::printf("[op_layer] %zu cases, %d outputs checked against ONNX Runtime\n", built.size(), outputs);
}

}  // namespace
}  // namespace modelport

// One-op table over the opsets: every ONNX op the loaders write (and the forms the emitter adds) in a
// one-node model, emitted at every opset from 9 to 23 and run in ONNX Runtime against the same model
// emitted at 17 (checked by the onnx checker there and at every opset up to 17). All cases share one
// model per opset, so ONNX Runtime loads few models; outputs are compared case by case. Below 17 and
// at 19/20/22 each case is also emitted alone: the ones an opset cannot express must give their
// one-line refusal (kRefusals). Skipped without ONNX Runtime.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <set>

#include "emit_test_util.h"
#include "modelport/error.h"
#include "verify/ort_runner.h"

namespace modelport {
namespace {
using namespace modelport::emit_testing;

constexpr int kReferenceOpset = 17;
const int kNewOpsets[] = {18, 21, 23};

// Builds the nodes of one case into the shared graph: inputs are fed (so ONNX Runtime cannot fold
// them), small parameters are constants.
class CaseBuilder {
 public:
  CaseBuilder(Graph& g, std::vector<NamedTensor>& feeds, const std::string& prefix, unsigned seed)
      : g_(g), feeds_(feeds), prefix_(prefix), seed_(seed) {}

  Value* feed(Tensor t) {
    std::string name = prefix_ + "_in" + std::to_string(n_in_++);
    Value* v = g_.add_input(name, t.dtype, Shape::of(t.dims));
    feeds_.push_back({name, std::move(t)});
    return v;
  }
  // A float input whose first axis is symbolic (fed with `dims`).
  Value* f32_dynamic(std::vector<int64_t> dims) {
    Value* v = f32(dims);
    v->shape.dims[0] = Dim::sym(prefix_ + "_n");
    return v;
  }
  Value* f32(std::vector<int64_t> dims, float mean = 0.5f, float stddev = 2.f) {
    return feed(random_f32(std::move(dims), seed_ + n_in_, mean, stddev));
  }
  Value* positive(std::vector<int64_t> dims) {  // uniform in [0.5, 2.5)
    Tensor t = random_f32(dims, seed_ + n_in_, 0.f, 1.f);
    std::vector<float> v(t.data<float>(), t.data<float>() + t.numel());
    for (auto& x : v) x = 0.5f + 2.f * std::fabs(std::fmod(x, 1.f));
    return feed(Tensor::from_vector(DType::Float32, v, std::move(dims)));
  }
  Value* vals(std::vector<float> v, std::vector<int64_t> dims) {
    return feed(Tensor::from_vector(DType::Float32, v, std::move(dims)));
  }
  Value* i64(std::vector<int64_t> v, std::vector<int64_t> dims) {
    return feed(Tensor::from_vector(DType::Int64, v, std::move(dims)));
  }
  Value* boolean(std::vector<int64_t> dims) {
    Tensor t = random_f32(dims, seed_ + n_in_);
    std::vector<uint8_t> v(t.numel());
    for (int64_t i = 0; i < t.numel(); ++i) v[i] = t.data<float>()[i] > 0.5f;
    return feed(Tensor::from_vector(DType::Bool, v, std::move(dims)));
  }
  Value* c_i64(std::vector<int64_t> v) { return g_.add_constant(prefix_ + "_c", Tensor::i64(v)); }
  Value* c_f32(std::vector<int64_t> dims, unsigned salt = 0, float mean = 0.f, float stddev = 1.f) {
    return g_.add_constant(prefix_ + "_w", random_f32(std::move(dims), seed_ * 31 + salt, mean, stddev));
  }
  Value* c(Tensor t) { return g_.add_constant(prefix_ + "_c", std::move(t)); }
  Value* op(const std::string& op, std::vector<Value*> ins, std::map<std::string, Attribute> attrs = {}) {
    return g_.op(op, std::move(ins), std::move(attrs));
  }
  Node* node(const std::string& op, std::vector<Value*> ins, size_t outs, std::map<std::string, Attribute> attrs = {}) {
    return g_.add_node(op, std::move(ins), outs, std::move(attrs));
  }
  void out(Value* v) {
    outputs_.push_back(static_cast<int>(g_.outputs.size()));
    g_.outputs.push_back(v);
  }
  void outs(Node* n) {
    for (auto* o : n->outputs) out(o);
  }
  Graph& graph() { return g_; }
  const std::vector<int>& outputs() const { return outputs_; }

 private:
  Graph& g_;
  std::vector<NamedTensor>& feeds_;
  std::string prefix_;
  unsigned seed_;
  int n_in_ = 0;
  std::vector<int> outputs_;
};

struct OpCase {
  std::string op;  // the ONNX op the case writes
  std::function<void(CaseBuilder&)> build;
};

using Attrs = std::map<std::string, Attribute>;
using Ints = std::vector<int64_t>;

OpCase unary(const std::string& op, Attrs a = {}, bool positive = false) {
  return {op, [=](CaseBuilder& b) { b.out(b.op(op, {positive ? b.positive({2, 3, 4}) : b.f32({2, 3, 4})}, a)); }};
}
OpCase binary(const std::string& op, bool positive_base = false) {
  return {op, [=](CaseBuilder& b) {
            Value* x = positive_base ? b.positive({2, 3, 4}) : b.f32({2, 3, 4});
            b.out(b.op(op, {x, b.f32({3, 4})}));
          }};
}
OpCase logical(const std::string& op) {
  return {op, [=](CaseBuilder& b) { b.out(b.op(op, {b.boolean({2, 5}), b.boolean({2, 5})})); }};
}
OpCase reduce(const std::string& op, bool positive = false) {
  return {op, [=](CaseBuilder& b) {
            Value* x = positive ? b.positive({2, 3, 4}) : b.f32({2, 3, 4});
            b.out(b.op(op, {x, b.c_i64({1})}, {{"keepdims", int64_t{0}}}));
            b.out(b.op(op, {x, b.c_i64({0, -1})}));  // keepdims 1
            b.out(b.op(op, {x}, {{"keepdims", int64_t{0}}}));  // every axis
          }};
}

// Builds a subgraph of `parent` reading `x` from the outer scope: op(x).
GraphPtr branch(Graph& parent, const char* name, const char* op, Value* x) {
  auto g = std::make_shared<Graph>(name, &parent);
  Value* y = g->op(op, {x});
  y->dtype = x->dtype;
  y->shape = x->shape;
  g->outputs = {y};
  return g;
}

std::vector<OpCase> op_cases() {
  std::vector<OpCase> c;
  for (const char* op : {"Abs", "Ceil", "Cos", "Erf", "Exp", "Floor", "Neg", "Relu", "Round", "Sigmoid", "Sign",
                         "Sin", "Tanh", "Softplus", "Softsign", "Selu", "Identity", "Mish", "HardSwish"})
    c.push_back(unary(op));
  for (const char* op : {"Log", "Sqrt", "Reciprocal"}) c.push_back(unary(op, {}, true));
  c.push_back(unary("Elu", {{"alpha", 0.7f}}));
  c.push_back(unary("Celu", {{"alpha", 1.5f}}));
  c.push_back(unary("LeakyRelu", {{"alpha", 0.1f}}));
  c.push_back(unary("ThresholdedRelu", {{"alpha", 0.5f}}));
  c.push_back(unary("HardSigmoid", {{"alpha", 0.3f}, {"beta", 0.4f}}));
  c.push_back(unary("Shrink", {{"bias", 0.1f}, {"lambd", 0.5f}}));
  c.push_back(unary("Gelu", {{"approximate", std::string("none")}}));
  c.push_back(unary("Gelu", {{"approximate", std::string("tanh")}}));
  c.push_back(unary("Softmax", {{"axis", int64_t{1}}}));
  c.push_back(unary("LogSoftmax", {{"axis", int64_t{-1}}}));
  c.push_back(unary("Flatten", {{"axis", int64_t{2}}}));
  c.push_back(unary("Transpose", {{"perm", Ints{2, 0, 1}}}));
  c.push_back(unary("ArgMax", {{"axis", int64_t{1}}, {"keepdims", int64_t{0}}}));
  c.push_back(unary("ArgMin", {{"axis", int64_t{-1}}, {"select_last_index", int64_t{1}}}));
  c.push_back(unary("Dropout"));
  c.push_back(unary("Shape", {{"start", int64_t{1}}}));
  c.push_back(unary("Size"));
  c.push_back(unary("Cast", {{"to", int64_t{onnx::TensorProto::INT32}}}));
  c.push_back({"DepthToSpace", [](CaseBuilder& b) {
                 b.out(b.op("DepthToSpace", {b.f32({1, 8, 2, 3})}, {{"blocksize", int64_t{2}}, {"mode", std::string("CRD")}}));
               }});
  for (const char* op : {"Add", "Sub", "Mul", "Div", "Max", "Min", "Mean", "Sum", "Greater", "Less",
                         "GreaterOrEqual", "LessOrEqual"})
    c.push_back(binary(op));
  c.push_back(binary("Pow", true));
  for (const char* op : {"And", "Or", "Xor"}) c.push_back(logical(op));
  for (const char* op : {"ReduceMax", "ReduceMean", "ReduceMin", "ReduceProd", "ReduceSum", "ReduceL1", "ReduceL2",
                         "ReduceSumSquare", "ReduceLogSumExp"})
    c.push_back(reduce(op));
  c.push_back(reduce("ReduceLogSum", true));
  c.push_back({"Not", [](CaseBuilder& b) { b.out(b.op("Not", {b.boolean({7})})); }});
  c.push_back({"IsInf", [](CaseBuilder& b) {
                 float inf = std::numeric_limits<float>::infinity();
                 Value* x = b.vals({1.f, inf, -inf, std::nanf(""), 0.f, -2.f}, {6});
                 b.out(b.op("IsInf", {x}));
                 b.out(b.op("IsInf", {x}, {{"detect_negative", int64_t{0}}}));
                 b.out(b.op("IsNaN", {x}));
               }});
  c.push_back({"Mod", [](CaseBuilder& b) {
                 b.out(b.op("Mod", {b.f32({2, 5}), b.positive({5})}, {{"fmod", int64_t{1}}}));
                 b.out(b.op("Mod", {b.i64({7, -7, 9, -9, 4, 5}, {6}), b.i64({3, 3, -4, -4, 2, 7}, {6})}));
               }});
  c.push_back({"Equal", [](CaseBuilder& b) {
                 b.out(b.op("Equal", {b.i64({1, 2, 3, 4}, {4}), b.i64({1, 0, 3, 0}, {4})}));
               }});
  c.push_back({"PRelu", [](CaseBuilder& b) { b.out(b.op("PRelu", {b.f32({2, 3, 4}), b.c_f32({3, 1})})); }});
  c.push_back({"Clip", [](CaseBuilder& b) {
                 b.out(b.op("Clip", {b.f32({2, 6}), b.c(Tensor::f32_scalar(-0.5f)), b.c(Tensor::f32_scalar(1.f))}));
               }});
  c.push_back({"Where", [](CaseBuilder& b) {
                 b.out(b.op("Where", {b.boolean({2, 4}), b.f32({2, 4}), b.f32({4})}));
               }});
  c.push_back({"MatMul", [](CaseBuilder& b) { b.out(b.op("MatMul", {b.f32({2, 3, 4}), b.f32({4, 5})})); }});
  c.push_back({"Gemm", [](CaseBuilder& b) {
                 b.out(b.op("Gemm", {b.f32({3, 4}), b.c_f32({5, 4}), b.c_f32({5}, 1)},
                            {{"transB", int64_t{1}}, {"alpha", 0.5f}}));
               }});
  c.push_back({"Einsum", [](CaseBuilder& b) {
                 b.out(b.op("Einsum", {b.f32({2, 3, 4}), b.f32({2, 4, 5})}, {{"equation", std::string("bij,bjk->bik")}}));
               }});
  c.push_back({"Conv", [](CaseBuilder& b) {
                 b.out(b.op("Conv", {b.f32({1, 2, 5, 5}), b.c_f32({3, 2, 3, 3}), b.c_f32({3}, 1)},
                            {{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}, {"strides", Ints{2, 1}}}));
               }});
  c.push_back({"ConvTranspose", [](CaseBuilder& b) {
                 b.out(b.op("ConvTranspose", {b.f32({1, 2, 4, 4}), b.c_f32({2, 3, 3, 3}), b.c_f32({3}, 1)},
                            {{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}}));
               }});
  c.push_back({"MaxPool", [](CaseBuilder& b) {
                 b.out(b.op("MaxPool", {b.f32({1, 2, 6, 6})}, {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}}));
               }});
  c.push_back({"AveragePool", [](CaseBuilder& b) {
                 b.out(b.op("AveragePool", {b.f32({1, 2, 6, 6})},
                            {{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}, {"count_include_pad", int64_t{0}}}));
               }});
  c.push_back({"GlobalAveragePool", [](CaseBuilder& b) { b.out(b.op("GlobalAveragePool", {b.f32({2, 3, 4, 4})})); }});
  c.push_back({"GlobalMaxPool", [](CaseBuilder& b) { b.out(b.op("GlobalMaxPool", {b.f32({2, 3, 4, 4})})); }});
  c.push_back({"BatchNormalization", [](CaseBuilder& b) {
                 b.out(b.op("BatchNormalization", {b.f32({2, 3, 4, 4}), b.c_f32({3}, 1), b.c_f32({3}, 2),
                                                   b.c_f32({3}, 3), b.c_f32({3}, 4, 2.f, 0.5f)},
                            {{"epsilon", 1e-3f}}));
               }});
  c.push_back({"InstanceNormalization", [](CaseBuilder& b) {
                 b.out(b.op("InstanceNormalization", {b.f32({2, 3, 4, 4}), b.c_f32({3}, 1), b.c_f32({3}, 2)}));
               }});
  c.push_back({"LayerNormalization", [](CaseBuilder& b) {
                 b.out(b.op("LayerNormalization", {b.f32({2, 3, 8}), b.c_f32({8}, 1), b.c_f32({8}, 2)},
                            {{"axis", int64_t{-1}}, {"epsilon", 1e-4f}}));
               }});
  c.push_back({"TopK", [](CaseBuilder& b) { b.outs(b.node("TopK", {b.f32({3, 6}), b.c_i64({2})}, 2)); }});
  c.push_back({"CumSum", [](CaseBuilder& b) {
                 b.out(b.op("CumSum", {b.f32({3, 4}), b.c(Tensor::i64_scalar(1))}, {{"reverse", int64_t{1}}}));
               }});
  c.push_back({"Reshape", [](CaseBuilder& b) { b.out(b.op("Reshape", {b.f32({2, 3, 4}), b.c_i64({4, -1})})); }});
  c.push_back({"Squeeze", [](CaseBuilder& b) { b.out(b.op("Squeeze", {b.f32({2, 1, 3}), b.c_i64({1})})); }});
  c.push_back({"Unsqueeze", [](CaseBuilder& b) { b.out(b.op("Unsqueeze", {b.f32({2, 3}), b.c_i64({0, 3})})); }});
  c.push_back({"Concat", [](CaseBuilder& b) {
                 b.out(b.op("Concat", {b.f32({2, 3}), b.f32({2, 2})}, {{"axis", int64_t{1}}}));
               }});
  c.push_back({"Split", [](CaseBuilder& b) {
                 b.outs(b.node("Split", {b.f32({6, 4}), b.c_i64({2, 4})}, 2, {{"axis", int64_t{0}}}));
                 b.outs(b.node("Split", {b.f32({7, 2})}, 3, {{"axis", int64_t{0}}, {"num_outputs", int64_t{3}}}));
                 b.outs(b.node("Split", {b.f32({2, 6})}, 2, {{"axis", int64_t{1}}, {"num_outputs", int64_t{2}}}));
               }});
  c.push_back({"Slice", [](CaseBuilder& b) {
                 b.out(b.op("Slice", {b.f32({5, 6}), b.c_i64({1, -1}), b.c_i64({4, 0}), b.c_i64({0, 1}),
                                      b.c_i64({2, -2})}));
               }});
  c.push_back({"Gather", [](CaseBuilder& b) {
                 b.out(b.op("Gather", {b.f32({3, 4}), b.c_i64({3, 0, -1})}, {{"axis", int64_t{1}}}));
               }});
  c.push_back({"GatherElements", [](CaseBuilder& b) {
                 b.out(b.op("GatherElements", {b.f32({2, 3}), b.i64({2, 0, 1, 1, 0, 2}, {2, 3})},
                            {{"axis", int64_t{1}}}));
               }});
  c.push_back({"GatherND", [](CaseBuilder& b) {
                 b.out(b.op("GatherND", {b.f32({3, 4}), b.i64({0, 1, 2, 3}, {2, 2})}));
               }});
  c.push_back({"Expand", [](CaseBuilder& b) { b.out(b.op("Expand", {b.f32({3, 1}), b.c_i64({2, 3, 4})})); }});
  c.push_back({"Tile", [](CaseBuilder& b) { b.out(b.op("Tile", {b.f32({2, 3}), b.c_i64({2, 1})})); }});
  c.push_back({"Pad", [](CaseBuilder& b) {
                 b.out(b.op("Pad", {b.f32({2, 3}), b.c_i64({0, 1, 1, 2}), b.c(Tensor::f32_scalar(0.25f))}));
                 b.out(b.op("Pad", {b.f32({2, 4}), b.c_i64({0, 2, 0, 1})}, {{"mode", std::string("reflect")}}));
                 b.out(b.op("Pad", {b.f32({2, 3}), b.c_i64({1, 2}), nullptr, b.c_i64({-1})},
                            {{"mode", std::string("edge")}}));
               }});
  c.push_back({"Resize", [](CaseBuilder& b) {
                 b.out(b.op("Resize", {b.f32({1, 2, 3, 3}), nullptr, b.c(Tensor::f32({1, 1, 2, 2}))},
                            {{"mode", std::string("linear")}}));
                 b.out(b.op("Resize", {b.f32({1, 2, 3, 3}), nullptr, nullptr, b.c_i64({1, 2, 5, 4})},
                            {{"mode", std::string("nearest")}, {"coordinate_transformation_mode", std::string("asymmetric")},
                             {"nearest_mode", std::string("floor")}}));
               }});
  c.push_back({"Range", [](CaseBuilder& b) {
                 b.out(b.op("Range", {b.vals({1.f}, {}), b.vals({4.f}, {}), b.vals({0.5f}, {})}));
               }});
  c.push_back({"ConstantOfShape", [](CaseBuilder& b) {
                 b.out(b.op("ConstantOfShape", {b.i64({2, 3}, {2})}, {{"value", Tensor::f32({1.5f})}}));
               }});
  c.push_back({"NonZero", [](CaseBuilder& b) {
                 b.out(b.op("NonZero", {b.vals({0.f, 1.f, 0.f, -2.f, 3.f, 0.f}, {2, 3})}));
               }});
  c.push_back({"Unique", [](CaseBuilder& b) {
                 b.outs(b.node("Unique", {b.vals({2.f, 1.f, 2.f, 3.f, 1.f, 5.f}, {6})}, 4, {{"sorted", int64_t{1}}}));
               }});
  c.push_back({"Constant", [](CaseBuilder& b) {
                 b.out(b.op("Add", {b.f32({3}), b.op("Constant", {}, {{"value", Tensor::f32({1.f, 2.f, 3.f})}})}));
               }});
  c.push_back({"Trilu", [](CaseBuilder& b) {
                 b.out(b.op("Trilu", {b.f32({4, 4}), b.c(Tensor::i64_scalar(1))}, {{"upper", int64_t{0}}}));
               }});
  c.push_back({"TriluDynamic", [](CaseBuilder& b) {
                 b.out(b.op("Trilu", {b.f32_dynamic({4, 5}), b.c(Tensor::i64_scalar(-1))}));
               }});
  c.push_back({"LSTM", [](CaseBuilder& b) {
                 const int64_t h = 5;
                 b.outs(b.node("LSTM", {b.f32({3, 2, 4}), b.c_f32({1, 4 * h, 4}, 1), b.c_f32({1, 4 * h, h}, 2),
                                        b.c_f32({1, 8 * h}, 3)},
                               3, {{"hidden_size", h}}));
               }});
  c.push_back({"GRU", [](CaseBuilder& b) {
                 const int64_t h = 5;
                 b.outs(b.node("GRU", {b.f32({3, 2, 4}), b.c_f32({1, 3 * h, 4}, 1), b.c_f32({1, 3 * h, h}, 2),
                                       b.c_f32({1, 6 * h}, 3)},
                               2, {{"hidden_size", h}, {"linear_before_reset", int64_t{1}}}));
               }});
  c.push_back({"RNN", [](CaseBuilder& b) {
                 const int64_t h = 5;
                 b.outs(b.node("RNN", {b.f32({3, 2, 4}), b.c_f32({1, h, 4}, 1), b.c_f32({1, h, h}, 2),
                                       b.c_f32({1, 2 * h}, 3)},
                               2, {{"hidden_size", h}}));
               }});
  c.push_back({"If", [](CaseBuilder& b) {
                 Value* x = b.f32({2, 3});
                 Graph& g = b.graph();
                 for (bool cond : {true, false}) {
                   Value* cv = b.feed(Tensor::scalar(DType::Bool, cond ? 1 : 0));
                   Node* n = g.add_node("If", {cv}, 1, {{"then_branch", branch(g, "then", "Relu", x)},
                                                        {"else_branch", branch(g, "else", "Neg", x)}});
                   n->outputs[0]->dtype = x->dtype;
                   n->outputs[0]->shape = x->shape;
                   b.out(n->outputs[0]);
                 }
               }});
  c.push_back({"Loop", [](CaseBuilder& b) {
                 Value* x = b.f32({2, 3});
                 Graph& g = b.graph();
                 auto body = std::make_shared<Graph>("body", &g);
                 body->add_input("iter", DType::Int64, Shape(std::vector<Dim>{}));
                 body->add_input("cond_in", DType::Bool, Shape(std::vector<Dim>{}));
                 Value* acc = body->add_input("acc", DType::Float32, x->shape);
                 Value* keep = body->add_constant("keep", Tensor::scalar(DType::Bool, 1));
                 Value* sum = body->op("Add", {body->op("Mul", {acc, x}), x});  // reads x from outside
                 sum->dtype = DType::Float32;
                 sum->shape = x->shape;
                 body->outputs = {keep, sum};
                 Node* n = g.add_node("Loop", {b.c(Tensor::i64_scalar(3)), nullptr, x}, 1, {{"body", GraphPtr(body)}});
                 n->outputs[0]->dtype = DType::Float32;
                 n->outputs[0]->shape = x->shape;
                 b.out(n->outputs[0]);
               }});
  // Forms of opsets 9 and 10: negative axes and indices, attributes that became inputs, decompositions.
  c.push_back({"Resize", [](CaseBuilder& b) {
                 Attrs asym = {{"coordinate_transformation_mode", std::string("asymmetric")}};
                 Attrs lin = asym, near = asym;
                 lin["mode"] = std::string("linear");
                 near["mode"] = std::string("nearest");
                 near["nearest_mode"] = std::string("floor");
                 b.out(b.op("Resize", {b.f32({1, 2, 3, 3}), nullptr, b.c(Tensor::f32({1, 1, 2, 2}))}, lin));
                 b.out(b.op("Resize", {b.f32({1, 2, 3, 3}), nullptr, b.c(Tensor::f32({1, 1, 3, 2}))}, near));
                 b.out(b.op("Resize", {b.f32({1, 2, 3, 3}), nullptr, nullptr, b.c_i64({1, 2, 5, 4})}, near));
                 b.out(b.op("Resize", {b.f32({1, 2, 3, 7}), nullptr, nullptr, b.c_i64({1, 2, 7, 17})}, lin));
               }});
  c.push_back({"Slice", [](CaseBuilder& b) {
                 b.out(b.op("Slice", {b.f32({5, 6}), b.c_i64({1, -3}), b.c_i64({4, INT64_MAX}), b.c_i64({0, -1})}));
                 b.out(b.op("Slice", {b.f32({5, 6}), b.c_i64({-2}), b.c_i64({100})}));
               }});
  c.push_back({"Gather", [](CaseBuilder& b) {
                 b.out(b.op("Gather", {b.f32({3, 4}), b.i64({2, -1, 0, -3}, {2, 2})}, {{"axis", int64_t{-1}}}));
                 b.out(b.op("Gather", {b.f32_dynamic({3, 4}), b.i64({-1, 0, 2}, {3})}));
                 b.out(b.op("Gather", {b.f32({5}), b.c_i64({-1, 1})}));
               }});
  c.push_back({"Equal", [](CaseBuilder& b) {
                 float nan = std::nanf("");
                 b.out(b.op("Equal", {b.vals({1.f, 2.f, nan, 4.f, -0.f, 3.f}, {6}), b.vals({1.f, 0.f, nan, nan, 0.f, 3.f}, {6})}));
                 b.out(b.op("LessOrEqual", {b.vals({1.f, 2.f, nan, 4.f}, {4}), b.vals({1.f, 3.f, 1.f, 3.f}, {4})}));
                 b.out(b.op("GreaterOrEqual", {b.i64({1, 2, 3}, {3}), b.i64({1, 3, 2}, {3})}));
               }});
  c.push_back({"Concat", [](CaseBuilder& b) {
                 b.out(b.op("Concat", {b.f32({2, 3}), b.f32({2, 2})}, {{"axis", int64_t{-1}}}));
                 b.out(b.op("Flatten", {b.f32({2, 3, 4})}, {{"axis", int64_t{-1}}}));
                 b.out(b.op("ArgMax", {b.f32({2, 3, 4})}, {{"axis", int64_t{-2}}}));
                 b.out(b.op("Softmax", {b.f32({2, 3, 4})}, {{"axis", int64_t{-1}}}));
                 b.out(b.op("ReduceMean", {b.f32({2, 3, 4}), b.c_i64({-1})}));
                 b.outs(b.node("Split", {b.f32({2, 6})}, 2, {{"axis", int64_t{-1}}, {"num_outputs", int64_t{2}}}));
               }});
  c.push_back({"Squeeze", [](CaseBuilder& b) {
                 b.out(b.op("Squeeze", {b.f32({2, 1, 3}), b.c_i64({-2})}));
                 b.out(b.op("Unsqueeze", {b.f32({2, 3}), b.c_i64({-1, 0})}));
               }});
  c.push_back({"Gemm", [](CaseBuilder& b) { b.out(b.op("Gemm", {b.f32({3, 4}), b.c_f32({4, 5})})); }});
  c.push_back({"MaxPool", [](CaseBuilder& b) {  // ceil_mode: extra end padding at 9
                 Attrs a = {{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}, {"ceil_mode", int64_t{1}}};
                 b.out(b.op("MaxPool", {b.f32({1, 2, 8, 8})}, a));
                 b.out(b.op("MaxPool", {b.f32({1, 2, 7, 10})}, a));
                 a["pads"] = Ints{1, 1, 1, 1};
                 b.out(b.op("MaxPool", {b.f32({1, 2, 6, 9})}, a));
               }});
  c.push_back({"Clip", [](CaseBuilder& b) { b.out(b.op("Clip", {b.f32({2, 6}), b.c(Tensor::f32_scalar(0.2f))})); }});
  c.push_back({"Mod", [](CaseBuilder& b) {  // integers: decomposed at 9
                 Value* a = b.i64({7, -7, 7, -7, 6, -6, 0, 5}, {8});
                 Value* d = b.i64({3, 3, -3, -3, 3, -3, 4, 1}, {8});
                 b.out(b.op("Mod", {a, d}));
                 b.out(b.op("Mod", {a, d}, {{"fmod", int64_t{1}}}));
               }});
  c.push_back({"IsInf", [](CaseBuilder& b) {
                 float inf = std::numeric_limits<float>::infinity();
                 Value* x = b.vals({1.f, inf, -inf, std::nanf(""), 3e38f, -3e38f}, {6});
                 b.out(b.op("IsInf", {x}, {{"detect_positive", int64_t{0}}}));
               }});
  c.push_back({"LayerNormalization", [](CaseBuilder& b) {
                 b.out(b.op("LayerNormalization", {b.f32({2, 3, 4}), b.c_f32({3, 4}, 1)}, {{"axis", int64_t{-2}}}));
               }});
  return c;
}

// Max relative difference |a - b| / (1 + |b|) over the elements; exact for integer and bool outputs
// (then 0 or 1). NaN must match NaN.
double max_rel_diff(const Tensor& got, const Tensor& want) {
  double d = 0;
  bool exact = got.dtype != DType::Float32 && got.dtype != DType::Float64 && got.dtype != DType::Float16;
  for (int64_t i = 0; i < want.numel(); ++i) {
    double a = got.as_double(i), b = want.as_double(i);
    if (std::isnan(a) || std::isnan(b)) {
      if (std::isnan(a) != std::isnan(b)) d = std::max(d, 1.0);
      continue;
    }
    d = std::max(d, exact ? (a == b ? 0.0 : 1.0) : std::fabs(a - b) / (1.0 + std::fabs(b)));
  }
  return d;
}

struct Table {
  Model model;
  std::vector<NamedTensor> feeds;
  std::vector<std::pair<std::string, std::vector<int>>> cases;  // op, its output indices
};

// The cases whose prefix `keep` accepts (all without `keep`).
Table build_table(const std::function<bool(const std::string&)>& keep = nullptr) {
  Table t;
  unsigned seed = 100;
  std::map<std::string, int> seen;
  for (auto& oc : op_cases()) {
    std::string prefix = oc.op + (seen[oc.op]++ ? std::to_string(seen[oc.op]) : "");
    seed += 7;
    if (keep && !keep(prefix)) continue;
    CaseBuilder b(*t.model.graph, t.feeds, prefix, seed);
    oc.build(b);
    t.cases.push_back({prefix, b.outputs()});
  }
  return t;
}

// Emits the table at `opset` into `dir` and runs it in ONNX Runtime.
std::vector<NamedTensor> emit_and_run(const Table& t, const TmpDir& dir, int opset, EmitResult* r) {
  EmitOptions o;
  o.opset = opset;
  std::string path = dir.file("table" + std::to_string(opset) + ".onnx");
  *r = emit_onnx(t.model, path, o);
  EXPECT_EQ(load_model(path).opset_import(0).version(), opset);
  return run_onnxruntime(path, t.feeds);
}

// Compares every case's outputs at `opset` with the reference; prints and returns the largest
// relative difference.
double compare_cases(const Table& t, const std::vector<NamedTensor>& got, const std::vector<NamedTensor>& ref, int opset) {
  EXPECT_EQ(got.size(), ref.size()) << opset;
  if (got.size() != ref.size()) return 1;
  double worst = 0;
  for (auto& [name, outs] : t.cases) {
    for (int i : outs) {
      const Tensor &a = got[i].tensor, &b = ref[i].tensor;
      EXPECT_EQ(a.dtype, b.dtype) << name << " output " << i << " @" << opset;
      EXPECT_EQ(a.dims, b.dims) << name << " output " << i << " @" << opset;
      if (a.dtype != b.dtype || a.dims != b.dims) continue;
      double d = max_rel_diff(a, b);
      worst = std::max(worst, d);
      EXPECT_LT(d, 1e-4) << name << " output " << i << " @" << opset;
    }
  }
  std::printf("[opset_table] opset %d: %zu cases, %zu outputs, max relative diff vs opset %d %.3g\n", opset,
              t.cases.size(), ref.size(), kReferenceOpset, worst);
  return worst;
}

TEST(OpsetTableOrt, EveryOpAtNewerOpsetsMatchesOpset17) {
  if (!ort_available()) GTEST_SKIP() << "ONNX Runtime not available";
  Table t = build_table();
  TmpDir dir;
  EmitResult r17;
  std::vector<NamedTensor> ref = emit_and_run(t, dir, kReferenceOpset, &r17);
  EXPECT_TRUE(r17.checks.onnx_checker);
  ASSERT_EQ(ref.size(), t.model.graph->outputs.size());
  for (int opset : kNewOpsets) {
    EmitResult r;
    std::vector<NamedTensor> got = emit_and_run(t, dir, opset, &r);
    EXPECT_FALSE(r.checks.onnx_checker) << opset;
    EXPECT_NE(r.checks.reason.find("up to 17"), std::string::npos) << r.checks.reason;
    compare_cases(t, got, ref, opset);
    // The newest forms are single nodes of the op itself from their first opset on.
    for (const char* op : {"Mish", "ReduceMean", "ReduceMax", "Split", "Pad", "Resize"})
      EXPECT_GT(r.op_histogram[op], 0) << op << " @" << opset;
    EXPECT_EQ(r.op_histogram["Gelu"], opset >= 20 ? 2 : 0) << opset;
    EXPECT_EQ(r17.op_histogram["Mish"], 0);
  }
}

// The cases that some opset cannot write: case prefix, the first opset that can, and the start of
// the refusal (which goes on " needs opset >= N (requested M): node '...").
struct Refusal {
  const char* prefix;
  int min_opset;
  const char* what;
};
const Refusal kRefusals[] = {
    {"Mod", 10, "Mod on float32"},  // the float case; integers are decomposed (Mod2)
    {"Slice", 10, "Slice with steps"},
    {"Round", 11, "Round"},
    {"CumSum", 11, "CumSum"},
    {"GatherElements", 11, "GatherElements"},
    {"GatherND", 11, "GatherND"},
    {"Range", 11, "Range"},
    {"Unique", 11, "Unique"},
    {"TriluDynamic", 11, "Trilu with symbolic rows/columns or a run-time diagonal"},
    {"Resize", 11, "Resize coordinate_transformation_mode 'half_pixel'"},
    {"ArgMin", 12, "ArgMin attribute select_last_index"},
    {"Einsum", 12, "Einsum"},
};

std::map<std::string, std::string> expected_refusals(int opset) {
  std::map<std::string, std::string> r;
  for (const Refusal& x : kRefusals)
    if (opset < x.min_opset)
      r[x.prefix] = std::string(x.what) + " needs opset >= " + std::to_string(x.min_opset) + " (requested " +
                    std::to_string(opset) + "): node '";
  return r;
}

// Each case alone is written at `opset` or refused with its message; the written ones together run
// in ONNX Runtime and match opset 17. Returns the op histogram of the table at `opset`.
std::map<std::string, int64_t> check_opset(int opset) {
  TmpDir dir;
  std::vector<std::string> names;
  for (auto& c : build_table().cases) names.push_back(c.first);
  std::map<std::string, std::string> want = expected_refusals(opset);
  std::set<std::string> refused;
  for (auto& name : names) {
    Table one = build_table([&](const std::string& p) { return p == name; });
    EmitOptions o;
    o.opset = opset;
    try {
      emit_onnx(one.model, dir.file(name + ".onnx"), o);
    } catch (const Error& e) {
      refused.insert(name);
      auto it = want.find(name);
      if (it == want.end()) ADD_FAILURE() << name << " @" << opset << " refused: " << e.what();
      else EXPECT_EQ(std::string(e.what()).rfind(it->second, 0), 0u) << e.what();
    }
  }
  for (auto& [name, msg] : want) EXPECT_TRUE(refused.count(name)) << name << " written @" << opset;
  Table t = build_table([&](const std::string& p) { return !refused.count(p); });
  EmitResult r17, r;
  std::vector<NamedTensor> ref = emit_and_run(t, dir, kReferenceOpset, &r17);
  std::vector<NamedTensor> got = emit_and_run(t, dir, opset, &r);
  EXPECT_EQ(r.checks.onnx_checker, opset <= 17) << opset;
  compare_cases(t, got, ref, opset);
  std::printf("[opset_table] opset %d: %zu of %zu cases refused\n", opset, refused.size(), names.size());
  return r.op_histogram;
}

// Opsets 9 and 10: the oldest forms (Upsample at 9).
TEST(OpsetTableOrt, EveryOpAtOpsets9And10MatchesOpset17OrIsRefused) {
  if (!ort_available()) GTEST_SKIP() << "ONNX Runtime not available";
  for (int opset : {9, 10}) EXPECT_EQ(check_opset(opset)[opset < 10 ? "Upsample" : "Resize"], 4) << opset;
}

// Every other opset from 11 to 22 (17 is the reference; 18, 21 and 23 above): all cases written
// from 12 on, and each matches opset 17.
TEST(OpsetTableOrt, EveryOpAtOpsets11To22MatchesOpset17OrIsRefused) {
  if (!ort_available()) GTEST_SKIP() << "ONNX Runtime not available";
  for (int opset : {11, 12, 13, 14, 15, 16, 19, 20, 22}) check_opset(opset);
}

// GroupNormalization exists from 18 only, with per-group scale/bias at 18-20 and per-channel at 21:
// the IR's per-channel form at 18, 20, 21 and 23 against a direct computation.
TEST(OpsetTableOrt, GroupNormalizationPerChannelAt18To23) {
  if (!ort_available()) GTEST_SKIP() << "ONNX Runtime not available";
  const int64_t n = 2, ch = 4, hw = 9, groups = 2;
  Model m;
  Value* x = m.graph->add_input("x", DType::Float32, Shape::of({n, ch, 3, 3}));
  Tensor scale = random_f32({ch}, 11), bias = random_f32({ch}, 12);
  m.graph->outputs.push_back(m.graph->op("GroupNormalization",
                                         {x, m.graph->add_constant("s", scale), m.graph->add_constant("b", bias)},
                                         {{"num_groups", groups}, {"epsilon", 1e-3f}}));
  Tensor in = random_f32({n, ch, 3, 3}, 13);
  const float* xs = in.data<float>();
  std::vector<double> want(in.numel());
  const int64_t per_group = ch / groups * hw;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t g = 0; g < groups; ++g) {
      const float* p = xs + (b * groups + g) * per_group;
      double mean = 0, var = 0;
      for (int64_t i = 0; i < per_group; ++i) mean += p[i];
      mean /= per_group;
      for (int64_t i = 0; i < per_group; ++i) var += (p[i] - mean) * (p[i] - mean);
      var /= per_group;
      for (int64_t i = 0; i < per_group; ++i) {
        int64_t c = g * (ch / groups) + i / hw;
        want[(b * groups + g) * per_group + i] =
            (p[i] - mean) / std::sqrt(var + 1e-3) * scale.data<float>()[c] + bias.data<float>()[c];
      }
    }
  TmpDir dir;
  for (int opset : {18, 20, 21, 23}) {
    EmitOptions o;
    o.opset = opset;
    std::string path = dir.file("gn" + std::to_string(opset) + ".onnx");
    EmitResult r = emit_onnx(m, path, o);
    EXPECT_EQ(r.op_histogram["GroupNormalization"], 1) << opset;
    EXPECT_EQ(r.node_count, opset >= 21 ? 1 : 5) << opset;  // 18-20: + Unsqueeze x2, Mul, Add
    Tensor got = run_onnxruntime(path, {{"x", in}}).at(0).tensor;
    ASSERT_EQ(got.numel(), in.numel());
    double d = 0;
    for (int64_t i = 0; i < got.numel(); ++i) d = std::max(d, std::fabs(got.as_double(i) - want[i]) / (1 + std::fabs(want[i])));
    EXPECT_LT(d, 1e-4) << opset;
    std::printf("[opset_table] GroupNormalization @%d: max relative diff vs direct computation %.3g\n", opset, d);
  }
  EmitOptions o;
  TmpDir none;
  try {
    emit_onnx(m, none.file("m.onnx"), o);
    FAIL() << "no error at 17";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("GroupNormalization needs opset >= 18 (requested 17)", 0), 0u) << e.what();
  }
}

// Attribute values newer than the attribute: ScatterElements/ScatterND reduction 'max'/'min' (18).
TEST(OpsetTableOrt, ScatterReductionMaxMinFrom18) {
  if (!ort_available()) GTEST_SKIP() << "ONNX Runtime not available";
  Model m;
  Value* data = m.graph->add_input("x", DType::Float32, Shape::of({2, 3}));
  Value* idx = m.graph->add_constant("idx", Tensor::from_vector<int64_t>(DType::Int64, {0, 0, 2, 1}, {2, 2}));
  Value* upd = m.graph->add_constant("upd", Tensor::from_vector<float>(DType::Float32, {5, -5, 1, 9}, {2, 2}));
  m.graph->outputs.push_back(m.graph->op("ScatterElements", {data, idx, upd},
                                         {{"axis", int64_t{1}}, {"reduction", std::string("max")}}));
  m.graph->outputs.push_back(m.graph->op("ScatterElements", {data, idx, upd},
                                         {{"axis", int64_t{1}}, {"reduction", std::string("min")}}));
  Tensor in = Tensor::from_vector<float>(DType::Float32, {1, 2, 3, 4, 5, 6}, {2, 3});
  // Row 0 gets 5 and -5 at column 0; row 1 gets 1 at column 2 and 9 at column 1.
  const std::vector<float> want_max = {5, 2, 3, 4, 9, 6}, want_min = {-5, 2, 3, 4, 5, 1};
  TmpDir dir;
  for (int opset : {18, 23}) {
    EmitOptions o;
    o.opset = opset;
    std::string path = dir.file("scatter" + std::to_string(opset) + ".onnx");
    emit_onnx(m, path, o);
    auto out = run_onnxruntime(path, {{"x", in}});
    ASSERT_EQ(out.size(), 2u);
    for (int i = 0; i < 6; ++i) {
      EXPECT_EQ(out[0].tensor.data<float>()[i], want_max[i]) << i << " @" << opset;
      EXPECT_EQ(out[1].tensor.data<float>()[i], want_min[i]) << i << " @" << opset;
    }
  }
  EmitOptions o;
  try {
    emit_onnx(m, dir.file("m17.onnx"), o);
    FAIL() << "no error at 17";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("ScatterElements reduction 'max' needs opset >= 18 (requested 17)", 0), 0u)
        << e.what();
  }
}

}  // namespace
}  // namespace modelport

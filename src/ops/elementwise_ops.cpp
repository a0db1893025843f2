// Elementwise ops: unary math and activations (Layout::Elementwise, output shaped as input 0) and
// the numpy-broadcasting ops (Layout::Broadcast). Constant evaluation where folding pays: the ops
// that appear in shape and index arithmetic.
#include <cmath>

#include "ops/eval_support.h"
#include "ops/op_def.h"
#include "ops/shape_support.h"

namespace modelport {
namespace ops {
namespace {

using Fn1 = Num (*)(Num);
using Fn2 = Num (*)(Num, Num);

EvalRule unary(Fn1 f) {
  return [f](const Node&, const In& in) -> std::optional<Tensor> {
    if (!numeric_inputs(in)) return std::nullopt;
    Arr a = load(*in[0]);
    for (auto& v : a.v) v = round_to(a.dt, f(v));
    return store(a);
  };
}

std::optional<Tensor> store_checked(const std::optional<Arr>& r) {
  if (!r) return std::nullopt;
  for (Num v : r->v)
    if (is_int(r->dt) && std::isnan(v)) return std::nullopt;  // integer division by zero
  return store(*r);
}

std::optional<std::vector<Arr>> load_all(const In& in) {
  if (!numeric_inputs(in)) return std::nullopt;
  std::vector<Arr> arrs;
  for (auto* t : in) {
    if (!t) return std::nullopt;
    arrs.push_back(load(*t));
  }
  return arrs;
}

std::vector<const Arr*> ptrs(const std::vector<Arr>& arrs) {
  std::vector<const Arr*> p;
  for (auto& a : arrs) p.push_back(&a);
  return p;
}

// Comparisons and logic: two inputs, a bool output.
EvalRule compare(Fn2 f) {
  return [f](const Node&, const In& in) -> std::optional<Tensor> {
    auto arrs = load_all(in);
    if (!arrs || arrs->size() != 2) return std::nullopt;
    return store_checked(broadcast(ptrs(*arrs), DType::Bool, [f](const std::vector<Num>& v) { return f(v[0], v[1]); }));
  };
}

// Arithmetic in input 0's dtype; `variadic` ops (Min, Max) take any number of inputs. `pick` chooses
// the function from the node and dtype (integer Div truncates, Mod follows fmod).
using Pick = Fn2 (*)(const Node&, DType);
EvalRule arith(Pick pick, bool variadic = false) {
  return [pick, variadic](const Node& n, const In& in) -> std::optional<Tensor> {
    auto arrs = load_all(in);
    if (!arrs || arrs->empty() || (!variadic && arrs->size() != 2)) return std::nullopt;
    DType dt = (*arrs)[0].dt;
    Fn2 g = pick(n, dt);
    return store_checked(broadcast(ptrs(*arrs), dt, [g, dt](const std::vector<Num>& v) {
      Num acc = v[0];
      for (size_t i = 1; i < v.size(); ++i) acc = round_to(dt, g(acc, v[i]));
      return acc;
    }));
  };
}

Num int_div(Num a, Num b) { return b == 0 ? NAN : std::trunc(a / b); }
Num py_mod(Num a, Num b) {
  if (b == 0) return NAN;
  Num r = std::fmod(a, b);
  return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}

std::optional<Tensor> where(const Node&, const In& in) {
  auto arrs = load_all(in);
  if (!arrs || arrs->size() != 3) return std::nullopt;
  DType dt = (*arrs)[1].dt;
  return store_checked(broadcast(ptrs(*arrs), dt, [](const std::vector<Num>& v) { return v[0] != 0 ? v[1] : v[2]; }));
}

std::optional<Tensor> cast(const Node& n, const In& in) {
  auto to = dtype_of_code(n.attr_int("to", 0));
  if (!to || !numeric_inputs(in)) return std::nullopt;
  Arr a = load(*in[0]);
  a.dt = *to;
  if (is_int(*to))
    for (auto& v : a.v) v = std::trunc(v);
  return store(a);
}

// Identity, and Cast to int64, keep what is known about a shape value.
std::optional<DimValues> pass_values(const Node& n, const ShapeValues& sv) {
  if (n.op == "Cast" && n.attr_int("to", 0) != onnx_type_code(DType::Int64)) return std::nullopt;
  return sv.get(n.input(0));
}

OpDef unary_def(const char* name, EvalRule eval = nullptr, TypeRule type = nullptr) {
  return OpDef{name, Layout::Elementwise, same_shape, std::move(eval), nullptr, std::move(type)};
}
OpDef broadcast_def(const char* name, EvalRule eval = nullptr, TypeRule type = nullptr) {
  return OpDef{name, Layout::Broadcast, broadcast_shape, std::move(eval), nullptr, std::move(type)};
}
// Comparisons and logic: bool outputs.
OpDef compare_def(const char* name, Fn2 f) { return broadcast_def(name, compare(f), bool_type); }

}  // namespace

void add_elementwise_ops(Table& t) {
  t.push_back(unary_def("Neg", unary([](Num x) { return -x; })));
  t.push_back(unary_def("Abs", unary([](Num x) { return std::fabs(x); })));
  t.push_back(unary_def("Not", unary([](Num x) -> Num { return x == 0; })));
  t.push_back(unary_def("Floor", unary([](Num x) { return std::floor(x); })));
  t.push_back(unary_def("Ceil", unary([](Num x) { return std::ceil(x); })));
  t.push_back(unary_def("Sqrt", unary([](Num x) { return std::sqrt(x); })));
  t.push_back(unary_def("Reciprocal", unary([](Num x) { return 1 / x; })));
  t.push_back(unary_def("Exp", unary([](Num x) { return std::exp(x); })));
  t.push_back(unary_def("Log", unary([](Num x) { return std::log(x); })));
  t.push_back(unary_def("Relu", unary([](Num x) { return x > 0 ? x : 0; })));
  t.push_back(unary_def("Sign", unary([](Num x) -> Num { return (x > 0) - (x < 0); })));
  for (const char* op : {"Sigmoid", "Tanh", "LeakyRelu", "Elu", "Selu", "Celu", "Softplus", "Softsign", "Erf",
                         "Round", "Clip", "HardSigmoid", "HardSwish", "Mish", "Gelu", "ThresholdedRelu", "Shrink",
                         "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh",
                         "BitwiseNot", "Dropout"})
    t.push_back(unary_def(op));
  t.push_back(unary_def("IsNaN", nullptr, bool_type));
  t.push_back(unary_def("IsInf", nullptr, bool_type));
  OpDef c = unary_def("Cast", cast, [](const Node& n, size_t) {
    return dtype_of_code(n.attr_int("to", 0)).value_or(DType::Undefined);
  });
  c.values = pass_values;
  t.push_back(c);
  // RandomUniformLike(input) {dtype, low, high, seed}: input's shape, values drawn (never folded).
  OpDef rnd = unary_def("RandomUniformLike", nullptr, [](const Node& n, size_t) {
    if (n.has_attr("dtype")) return dtype_of_code(n.attr_int("dtype", 0)).value_or(DType::Undefined);
    return n.input(0) ? n.input(0)->dtype : DType::Undefined;
  });
  rnd.layout = Layout::Opaque;
  t.push_back(rnd);
  OpDef id = unary_def("Identity", [](const Node&, const In& in) -> std::optional<Tensor> { return *in[0]; });
  id.values = pass_values;
  t.push_back(id);

  t.push_back(compare_def("Equal", [](Num a, Num b) -> Num { return a == b; }));
  t.push_back(compare_def("Less", [](Num a, Num b) -> Num { return a < b; }));
  t.push_back(compare_def("Greater", [](Num a, Num b) -> Num { return a > b; }));
  t.push_back(compare_def("LessOrEqual", [](Num a, Num b) -> Num { return a <= b; }));
  t.push_back(compare_def("GreaterOrEqual", [](Num a, Num b) -> Num { return a >= b; }));
  t.push_back(compare_def("And", [](Num a, Num b) -> Num { return a != 0 && b != 0; }));
  t.push_back(compare_def("Or", [](Num a, Num b) -> Num { return a != 0 || b != 0; }));
  t.push_back(compare_def("Xor", [](Num a, Num b) -> Num { return (a != 0) != (b != 0); }));
  t.push_back(broadcast_def("Add", arith([](const Node&, DType) -> Fn2 { return [](Num a, Num b) { return a + b; }; })));
  t.push_back(broadcast_def("Sub", arith([](const Node&, DType) -> Fn2 { return [](Num a, Num b) { return a - b; }; })));
  t.push_back(broadcast_def("Mul", arith([](const Node&, DType) -> Fn2 { return [](Num a, Num b) { return a * b; }; })));
  t.push_back(broadcast_def("Div", arith([](const Node&, DType dt) -> Fn2 {
                              return is_int(dt) ? Fn2(int_div) : Fn2([](Num a, Num b) { return a / b; });
                            })));
  t.push_back(broadcast_def("Pow", arith([](const Node&, DType) -> Fn2 { return [](Num a, Num b) { return std::pow(a, b); }; })));
  t.push_back(broadcast_def("Mod", arith([](const Node& n, DType dt) -> Fn2 {
                              if (n.attr_int("fmod", 0) == 0 && is_int(dt)) return py_mod;
                              return [](Num a, Num b) { return std::fmod(a, b); };
                            })));
  t.push_back(broadcast_def(
      "Min", arith([](const Node&, DType) -> Fn2 { return [](Num a, Num b) { return std::min(a, b); }; }, true)));
  t.push_back(broadcast_def(
      "Max", arith([](const Node&, DType) -> Fn2 { return [](Num a, Num b) { return std::max(a, b); }; }, true)));
  t.push_back(broadcast_def("Where", where, [](const Node& n, size_t) {
    return n.input(1) ? n.input(1)->dtype : DType::Undefined;
  }));
  for (const char* op : {"Sum", "Mean", "PRelu", "BitwiseAnd", "BitwiseOr", "BitwiseXor"}) t.push_back(broadcast_def(op));
}

}  // namespace ops
}  // namespace modelport

// TF elementwise math, activations, comparisons, reductions and identities.
#include <cmath>

#include "ops/tf/tf_cases.h"

namespace modelport::test::tf_ops {
namespace {
using B = sm::GraphDefBuilder;
using Fn = std::function<at::Tensor(const at::Tensor&)>;
using Fn2 = std::function<at::Tensor(const at::Tensor&, const at::Tensor&)>;

struct Unary {
  const char* op;
  Fn ref;
  std::function<void(tf::NodeDef*)> attrs = nullptr;
};

// One node per op on s = x * scale, x[-1, 3, 4]; output i is ops[i](s).
Case unary_case(const std::string& name, std::vector<Unary> ops, Input::Domain domain, float scale = 1.0f) {
  Case c;
  c.name = name;
  c.inputs = {{"x", {-1, 3, 4}, tf::DT_FLOAT, domain}};
  for (auto& u : ops) {
    c.ops.push_back(u.op);
    c.outputs.push_back(std::string("y_") + u.op);
  }
  c.build = [ops, scale](B& b) {
    b.const_f("scale", {}, {scale});
    b.node("s", "Mul", {"x", "scale"});
    for (auto& u : ops) {
      tf::NodeDef* n = b.node(std::string("y_") + u.op, u.op, {"s"});
      set_type(n, "T", tf::DT_FLOAT);
      if (u.attrs) u.attrs(n);
    }
  };
  c.reference = [ops, scale](const Tensors& in) {
    Tensors out;
    for (auto& u : ops) out.push_back(u.ref(in[0] * scale));
    return out;
  };
  return c;
}

struct Binary {
  const char* op;
  Fn2 ref;
};

// One node per op on (x, y) of `dims` each (or y broadcast from `ydims`).
Case binary_case(const std::string& name, std::vector<Binary> ops, tf::DataType dt, Input::Domain dx, Input::Domain dy,
                 std::vector<int64_t> ydims = {-1, 3, 4}) {
  Case c;
  c.name = name;
  c.inputs = {{"x", {-1, 3, 4}, dt, dx}, {"y", ydims, dt, dy}};
  for (auto& u : ops) {
    c.ops.push_back(u.op);
    c.outputs.push_back(std::string("z_") + u.op);
  }
  c.build = [ops, dt](B& b) {
    for (auto& u : ops) set_type(b.node(std::string("z_") + u.op, u.op, {"x", "y"}), "T", dt);
  };
  c.reference = [ops](const Tensors& in) {
    Tensors out;
    for (auto& u : ops) out.push_back(u.ref(in[0], in[1]));
    return out;
  };
  return c;
}

const std::vector<const char*>& cmp_ops() {
  static const std::vector<const char*> v = {"Equal", "NotEqual", "Greater", "GreaterEqual", "Less", "LessEqual"};
  return v;
}

at::Tensor floor_div(const at::Tensor& a, const at::Tensor& b) { return at::div(a, b, "floor"); }
// TF FloorMod: the result has the divisor's sign (Python's %), for ints and floats.
at::Tensor floor_mod(const at::Tensor& a, const at::Tensor& b) { return at::remainder(a, b); }

}  // namespace

void add_math_cases(std::vector<Case>& out) {
  out.push_back(unary_case("unary", {
      {"Abs", [](auto& x) { return x.abs(); }},
      {"Ceil", [](auto& x) { return x.ceil(); }},
      {"Floor", [](auto& x) { return x.floor(); }},
      {"Round", [](auto& x) { return x.round(); }},  // both round half to even
      {"Cos", [](auto& x) { return x.cos(); }},
      {"Sin", [](auto& x) { return x.sin(); }},
      {"Exp", [](auto& x) { return x.exp(); }},
      {"Erf", [](auto& x) { return x.erf(); }},
      {"Neg", [](auto& x) { return -x; }},
      {"Sign", [](auto& x) { return x.sign(); }},
      {"Square", [](auto& x) { return x * x; }},
      {"Tanh", [](auto& x) { return x.tanh(); }},
      {"Sigmoid", [](auto& x) { return x.sigmoid(); }},
  }, Input::Normal, 2.5f));
  out.push_back(unary_case("unary_positive", {
      {"Log", [](auto& x) { return x.log(); }},
      {"Log1p", [](auto& x) { return x.log1p(); }},
      {"Sqrt", [](auto& x) { return x.sqrt(); }},
      {"Rsqrt", [](auto& x) { return x.rsqrt(); }},
      {"Reciprocal", [](auto& x) { return x.reciprocal(); }},
      {"Inv", [](auto& x) { return x.reciprocal(); }},
  }, Input::Positive));
  // TF activation kernels: relu6 = min(max(x, 0), 6); elu alpha 1; selu with its fixed constants;
  // softplus = log(exp(x) + 1); softsign = x / (|x| + 1); LeakyRelu uses its "alpha" attribute.
  out.push_back(unary_case("activations", {
      {"Relu", [](auto& x) { return x.relu(); }},
      {"Relu6", [](auto& x) { return x.clamp(0.0, 6.0); }},
      {"Elu", [](auto& x) { return at::elu(x); }},
      {"Selu", [](auto& x) { return at::selu(x); }},
      {"Softplus", [](auto& x) { return at::log1p(x.exp()); }},
      {"Softsign", [](auto& x) { return x / (x.abs() + 1.0); }},
      {"LeakyRelu", [](auto& x) { return at::leaky_relu(x, 0.3); },
       [](tf::NodeDef* n) { B::set_float(n, "alpha", 0.3f); }},
  }, Input::Normal, 4.0f));
  // Identities: the value passes through unchanged.
  out.push_back(unary_case("identities", {
      {"Identity", [](auto& x) { return x; }},
      {"Snapshot", [](auto& x) { return x; }},
      {"StopGradient", [](auto& x) { return x; }},
      {"PreventGradient", [](auto& x) { return x; }},
      {"CheckNumerics", [](auto& x) { return x; }, [](tf::NodeDef* n) { B::set_str(n, "message", "bad"); }},
      {"EnsureShape", [](auto& x) { return x; }, [](tf::NodeDef* n) {
         auto* s = (*n->mutable_attr())["shape"].mutable_shape();
         for (int64_t d : {-1, 3, 4}) s->add_dim()->set_size(d);
       }},
  }, Input::Normal));

  out.push_back(binary_case("binary", {
      {"Add", [](auto& x, auto& y) { return x + y; }},
      {"AddV2", [](auto& x, auto& y) { return x + y; }},
      {"Sub", [](auto& x, auto& y) { return x - y; }},
      {"Mul", [](auto& x, auto& y) { return x * y; }},
      {"RealDiv", [](auto& x, auto& y) { return x / y; }},
      {"Div", [](auto& x, auto& y) { return x / y; }},
      {"FloorDiv", floor_div},
      {"FloorMod", floor_mod},
      {"Maximum", [](auto& x, auto& y) { return at::maximum(x, y); }},
      {"Minimum", [](auto& x, auto& y) { return at::minimum(x, y); }},
      {"SquaredDifference", [](auto& x, auto& y) { return (x - y) * (x - y); }},
  }, tf::DT_FLOAT, Input::Normal, Input::Positive));
  out.push_back(binary_case("binary_broadcast", {
      {"Pow", [](auto& x, auto& y) { return at::pow(x, y); }},
      {"AddV2", [](auto& x, auto& y) { return x + y; }},
  }, tf::DT_FLOAT, Input::Positive, Input::Normal, {4}));
  // Integer division rounds toward -inf in TF's Div and FloorDiv (tf.math.floordiv: "the same as
  // tf.compat.v1.div(x, y) for integers"); FloorMod takes the divisor's sign.
  out.push_back(binary_case("binary_int", {
      {"Div", floor_div},
      {"FloorDiv", floor_div},
      {"FloorMod", floor_mod},
  }, tf::DT_INT32, Input::SmallInt, Input::NonZeroInt));

  Case cmp;  // comparisons of small ints (so that equality happens), logical ops on their results
  cmp.name = "compare_logical";
  cmp.min_opset = 12;
  cmp.why = "GreaterOrEqual / LessOrEqual have no opset-11 form yet (issue 11)";
  cmp.ops = {"Equal", "NotEqual", "Greater", "GreaterEqual", "Less", "LessEqual", "LogicalAnd", "LogicalOr", "LogicalNot"};
  cmp.inputs = {{"x", {-1, 3, 4}, tf::DT_INT32, Input::SmallInt}, {"y", {-1, 3, 4}, tf::DT_INT32, Input::SmallInt}};
  cmp.outputs = {"eq", "ne", "gt", "ge", "lt", "le", "and", "or", "not"};
  cmp.build = [](B& b) {
    const char* names[] = {"eq", "ne", "gt", "ge", "lt", "le"};
    for (size_t i = 0; i < 6; ++i) set_type(b.node(names[i], cmp_ops()[i], {"x", "y"}), "T", tf::DT_INT32);
    b.node("and", "LogicalAnd", {"gt", "ne"});
    b.node("or", "LogicalOr", {"lt", "eq"});
    b.node("not", "LogicalNot", {"ge"});
  };
  cmp.reference = [](const Tensors& in) {
    auto &x = in[0], &y = in[1];
    return Tensors{x == y, x != y, x > y, x >= y, x < y, x <= y, (x > y) & (x != y), (x < y) | (x == y), ~(x >= y)};
  };
  out.push_back(cmp);

  Case red;  // reductions over constant axes (int32 reduction_indices), keep_dims both ways
  red.name = "reductions";
  red.ops = {"Sum", "Mean", "Max", "Min", "Prod", "ArgMax", "ArgMin", "AddN"};
  red.inputs = {{"x", {-1, 3, 4}}, {"y", {-1, 3, 4}}};
  red.outputs = {"sum", "mean", "max", "min", "prod", "argmax", "argmin", "addn"};
  red.build = [](B& b) {
    auto reduce = [&](const char* name, const char* op, std::vector<int32_t> axes, bool keep) {
      b.const_i(std::string(name) + "_axes", axes);
      B::set_bool(b.node(name, op, {"x", std::string(name) + "_axes"}), "keep_dims", keep);
    };
    reduce("sum", "Sum", {1}, false);
    reduce("mean", "Mean", {1, 2}, true);
    reduce("max", "Max", {-1}, false);
    reduce("min", "Min", {0}, true);
    reduce("prod", "Prod", {2}, false);
    const_scalar_i(b, "d2", 2);
    const_scalar_i(b, "d1", 1);
    b.node("argmax", "ArgMax", {"x", "d2"});
    set_type(b.node("argmin", "ArgMin", {"x", "d1"}), "output_type", tf::DT_INT32);
    B::set_int(b.node("addn", "AddN", {"x", "y", "x"}), "N", 3);
  };
  red.reference = [](const Tensors& in) {
    auto& x = in[0];
    return Tensors{x.sum({1}), x.mean({1, 2}, true), std::get<0>(x.max(-1)), std::get<0>(x.min(0, true)), x.prod(2),
                   x.argmax(2), x.argmin(1).to(at::kInt), x + in[1] + x};
  };
  out.push_back(red);

  Case cast;  // float -> int32 truncates toward zero, -> bool is "!= 0"; int -> float
  cast.name = "cast";
  cast.ops = {"Cast"};
  cast.inputs = {{"x", {-1, 3, 4}}, {"i", {-1, 3, 4}, tf::DT_INT32, Input::SmallInt}};
  cast.outputs = {"to_int", "to_float", "to_bool"};
  cast.build = [](B& b) {
    b.const_f("three", {}, {3.0f});
    b.node("x3", "Mul", {"x", "three"});
    set_type(b.node("to_int", "Cast", {"x3"}), "DstT", tf::DT_INT32);
    set_type(b.node("to_float", "Cast", {"i"}), "DstT", tf::DT_FLOAT);
    set_type(b.node("to_bool", "Cast", {"i"}), "DstT", tf::DT_BOOL);
  };
  cast.reference = [](const Tensors& in) {
    return Tensors{(in[0] * 3.0f).to(at::kInt), in[1].to(at::kFloat), in[1] != 0};
  };
  out.push_back(cast);

  // Inverse and hyperbolic trig inside their domains; erfc = 1 - erf, expm1 = exp - 1 (absolute
  // error as ATen's fused kernels); Rint on exact halves rounds half to even (tf.math.rint).
  out.push_back(unary_case("unary_unit", {
      {"Asin", [](auto& x) { return x.asin(); }},
      {"Acos", [](auto& x) { return x.acos(); }},
      {"Atanh", [](auto& x) { return x.atanh(); }},
      {"Tan", [](auto& x) { return x.tan(); }},
  }, Input::Unit));
  out.push_back(unary_case("unary_hyperbolic", {
      {"Atan", [](auto& x) { return x.atan(); }},
      {"Sinh", [](auto& x) { return x.sinh(); }},
      {"Cosh", [](auto& x) { return x.cosh(); }},
      {"Asinh", [](auto& x) { return x.asinh(); }},
      {"Erfc", [](auto& x) { return x.erfc(); }},
      {"Expm1", [](auto& x) { return x.expm1(); }},
  }, Input::Normal, 2.0f));
  out.push_back(unary_case("unary_acosh", {{"Acosh", [](auto& x) { return x.acosh(); }}}, Input::Positive, 2.0f));
  out.push_back(unary_case("unary_rint", {{"Rint", [](auto& x) { return x.round(); }}}, Input::SmallInt, 0.5f));

  // Division of small integers as floats by floor(y / 4) (often 0) makes inf, -inf and nan (0 / 0)
  // for IsInf/IsNan/IsFinite; q - q is nan wherever q is not finite.
  Case cls;
  cls.name = "float_classes";
  cls.ops = {"IsNan", "IsInf", "IsFinite"};
  cls.inputs = {{"x", {-1, 3, 4}, tf::DT_FLOAT, Input::SmallInt}, {"y", {-1, 3, 4}, tf::DT_FLOAT, Input::SmallInt}};
  cls.outputs = {"nan", "inf", "finite"};
  cls.build = [](B& b) {
    b.const_f("quarter", {}, {0.25f});
    b.node("y4", "Mul", {"y", "quarter"});
    b.node("yf", "Floor", {"y4"});
    b.node("q", "RealDiv", {"x", "yf"});
    b.node("d", "Sub", {"q", "q"});
    b.node("nan", "IsNan", {"d"});
    b.node("inf", "IsInf", {"q"});
    b.node("finite", "IsFinite", {"q"});
  };
  cls.reference = [](const Tensors& in) {
    at::Tensor q = in[0] / (in[1] * 0.25).floor();
    return Tensors{(q - q).isnan(), q.isinf(), q.isfinite()};
  };
  out.push_back(cls);

  // tf.math.atan2(y, x) in all four quadrants, and on x = 0 (column 0 of xm): sign(y) * pi/2.
  Case at2;
  at2.name = "atan2";
  at2.ops = {"Atan2"};
  at2.inputs = {{"y", {-1, 3, 4}}, {"x", {-1, 3, 4}}};
  at2.outputs = {"angle", "angle_axis"};
  at2.build = [](B& b) {
    b.node("angle", "Atan2", {"y", "x"});
    b.const_f("mask", {4}, {0.f, 1.f, -1.f, 1.f});
    b.node("xm", "Mul", {"x", "mask"});
    b.node("angle_axis", "Atan2", {"y", "xm"});
  };
  at2.reference = [](const Tensors& in) {
    return Tensors{at::atan2(in[0], in[1]), at::atan2(in[0], in[1] * at::tensor({0.f, 1.f, -1.f, 1.f}))};
  };
  out.push_back(at2);

  // Truncating division and its remainder (C's / and %: tf.truncatediv, tf.truncatemod; Mod is
  // the same op, "consistent with a truncating divide"); Mod of floats is fmod.
  out.push_back(binary_case("binary_int_truncating", {
      {"Mod", [](auto& x, auto& y) { return at::fmod(x, y); }},
      {"TruncateMod", [](auto& x, auto& y) { return at::fmod(x, y); }},
      {"TruncateDiv", [](auto& x, auto& y) { return at::div(x, y, "trunc"); }},
  }, tf::DT_INT32, Input::SmallInt, Input::NonZeroInt));
  out.push_back(binary_case("binary_float_mod", {
      {"Mod", [](auto& x, auto& y) { return at::fmod(x, y); }},
  }, tf::DT_FLOAT, Input::Normal, Input::Positive));
  // tf.math.divide_no_nan: 0 where the divisor is 0 (small integers as floats: zeros happen).
  out.push_back(binary_case("div_no_nan", {
      {"DivNoNan", [](auto& x, auto& y) { return at::where(y == 0, at::zeros_like(x), x / y); }},
  }, tf::DT_FLOAT, Input::Normal, Input::SmallInt));

  // tf.reduce_all / reduce_any over constant axes, keep_dims both ways, a scalar axis (short axes
  // of fair coin flips, so that both results happen).
  Case logic;
  logic.name = "all_any";
  logic.ops = {"All", "Any"};
  logic.inputs = {{"p", {-1, 3, 2}, tf::DT_BOOL, Input::Normal}};
  logic.outputs = {"all2", "any2", "all0"};
  logic.build = [](B& b) {
    b.const_i("a2", {2});
    b.node("all2", "All", {"p", "a2"});
    B::set_bool(b.node("any2", "Any", {"p", "a2"}), "keep_dims", true);
    const_scalar_i(b, "a0", 0);
    b.node("all0", "All", {"p", "a0"});
  };
  logic.reference = [](const Tensors& in) {
    auto& p = in[0];
    return Tensors{p.all(2), p.any(2, true), p.all(0)};
  };
  out.push_back(logic);

  // tf.math.cumsum along an axis, exclusive (the sum before each element) and reverse (from the end).
  Case cs;
  cs.name = "cumsum";
  cs.ops = {"Cumsum"};
  cs.inputs = {{"x", {-1, 3, 4}}};
  cs.outputs = {"plain", "exclusive", "reverse", "both", "batch"};
  cs.build = [](B& b) {
    const_scalar_i(b, "one", 1);
    const_scalar_i(b, "zero", 0);
    b.node("plain", "Cumsum", {"x", "one"});
    B::set_bool(b.node("exclusive", "Cumsum", {"x", "one"}), "exclusive", true);
    B::set_bool(b.node("reverse", "Cumsum", {"x", "one"}), "reverse", true);
    tf::NodeDef* both = b.node("both", "Cumsum", {"x", "one"});
    B::set_bool(both, "exclusive", true);
    B::set_bool(both, "reverse", true);
    b.node("batch", "Cumsum", {"x", "zero"});
  };
  cs.reference = [](const Tensors& in) {
    auto& x = in[0];
    at::Tensor fwd = x.cumsum(1), bwd = x.flip(1).cumsum(1).flip(1);
    return Tensors{fwd, fwd - x, bwd, bwd - x, x.cumsum(0)};
  };
  out.push_back(cs);

  // tf.math.cumprod along a constant axis, exclusive (the product before each element, 1 first)
  // and reverse (from the end); the axis length must be known.
  Case cp;
  cp.name = "cumprod";
  cp.ops = {"Cumprod"};
  cp.inputs = {{"x", {-1, 3, 4}}};
  cp.outputs = {"plain", "exclusive", "reverse", "both", "neg_axis"};
  cp.build = [](B& b) {
    const_scalar_i(b, "one", 1);
    const_scalar_i(b, "minus1", -1);
    b.node("plain", "Cumprod", {"x", "one"});
    B::set_bool(b.node("exclusive", "Cumprod", {"x", "one"}), "exclusive", true);
    B::set_bool(b.node("reverse", "Cumprod", {"x", "minus1"}), "reverse", true);
    tf::NodeDef* both = b.node("both", "Cumprod", {"x", "one"});
    B::set_bool(both, "exclusive", true);
    B::set_bool(both, "reverse", true);
    b.node("neg_axis", "Cumprod", {"x", "minus1"});
  };
  cp.reference = [](const Tensors& in) {
    auto& x = in[0];
    at::Tensor ones = at::ones_like(x.narrow(1, 0, 1));
    at::Tensor fwd = x.cumprod(1), bwd = x.flip(2).cumprod(2).flip(2);
    at::Tensor excl = at::cat({ones, fwd.narrow(1, 0, 2)}, 1);
    at::Tensor bwd1 = x.flip(1).cumprod(1).flip(1);
    at::Tensor excl_rev = at::cat({bwd1.narrow(1, 1, 2), ones}, 1);
    return Tensors{fwd, excl, bwd, excl_rev, x.cumprod(2)};
  };
  out.push_back(cp);

  // FakeQuantWithMinMaxArgs/Vars: min/max nudged so that zero is a step (quant range
  // [narrow_range ? 1 : 0, 2^num_bits - 1], zero point rounded half away from zero), the input
  // clamped to the nudged range and snapped to floor(v + 0.5) steps (fake_quant_ops_functor.h;
  // Args multiplies by the inverse scale, Vars divides by the scale); Vars with min = max = 0 is 0.
  Case fq;
  fq.name = "fake_quant";
  fq.ops = {"FakeQuantWithMinMaxArgs", "FakeQuantWithMinMaxVars"};
  fq.inputs = {{"x", {-1, 3, 4}}};
  fq.outputs = {"args_default", "args_4bit_narrow", "vars", "vars_7bit_narrow", "vars_zero_plus_s"};
  fq.build = [](B& b) {
    b.const_f("scale", {}, {4.f});
    b.node("s", "Mul", {"x", "scale"});
    b.node("args_default", "FakeQuantWithMinMaxArgs", {"s"});
    tf::NodeDef* a = b.node("args_4bit_narrow", "FakeQuantWithMinMaxArgs", {"s"});
    B::set_float(a, "min", -1.f);
    B::set_float(a, "max", 3.f);
    B::set_int(a, "num_bits", 4);
    B::set_bool(a, "narrow_range", true);
    b.const_f("lo", {}, {-2.5f});
    b.const_f("hi", {}, {1.7f});
    b.const_f("zero", {}, {0.f});
    b.node("vars", "FakeQuantWithMinMaxVars", {"s", "lo", "hi"});
    tf::NodeDef* v = b.node("vars_7bit_narrow", "FakeQuantWithMinMaxVars", {"s", "lo", "hi"});
    B::set_int(v, "num_bits", 7);
    B::set_bool(v, "narrow_range", true);
    b.node("vars_zero", "FakeQuantWithMinMaxVars", {"s", "zero", "zero"});
    b.node("vars_zero_plus_s", "Add", {"vars_zero", "s"});  // zeros themselves would prove nothing
  };
  fq.reference = [](const Tensors& in) {
    at::Tensor x = in[0] * 4.f;
    auto fake_quant = [&](float lo, float hi, int bits, bool narrow, bool divide) {
      const float qmin = narrow ? 1.f : 0.f, qmax = float((1 << bits) - 1);
      const float scale = (hi - lo) / (qmax - qmin), inv = (qmax - qmin) / (hi - lo);
      const float from_min = qmin - lo / scale;
      const float zero = from_min < qmin ? qmin : from_min > qmax ? qmax : std::round(from_min);
      const float nmin = (qmin - zero) * scale, nmax = (qmax - zero) * scale;
      const float quant_zero = std::floor(-nmin * inv + 0.5f);
      at::Tensor shifted = x.clamp(nmin, nmax) - nmin;
      at::Tensor steps = divide ? shifted / scale : shifted * inv;
      return (steps - quant_zero + 0.5f).floor() * scale;
    };
    return Tensors{fake_quant(-6.f, 6.f, 8, false, false), fake_quant(-1.f, 3.f, 4, true, false),
                   fake_quant(-2.5f, 1.7f, 8, false, true), fake_quant(-2.5f, 1.7f, 7, true, true), x};
  };
  out.push_back(fq);

  // RandomUniform draws from ONNX Runtime's stream, not TF's, so the case checks what holds for
  // any stream: the shape (fed), the dtype and [0, 1) range (floor(r) + x is x, in float32 and
  // float64), every value in [0, 1), two ops with the same (seed, seed2) drawing the same values
  // (as in TF), two unseeded ops drawing different ones.
  Case ru;
  ru.name = "random_uniform";
  ru.ops = {"RandomUniform"};
  ru.inputs = {{"x", {-1, 4}}};
  ru.outputs = {"shape", "floor_plus_x", "floor_f64_plus_x", "in_range", "same_seed_equal", "unseeded_differ"};
  ru.build = [](B& b) {
    auto uniform = [&](const std::string& name, const std::string& shape, tf::DataType dt, int64_t seed, int64_t seed2) {
      tf::NodeDef* n = b.node(name, "RandomUniform", {shape});
      set_type(n, "dtype", dt);
      set_type(n, "T", tf::DT_INT32);
      B::set_int(n, "seed", seed);
      B::set_int(n, "seed2", seed2);
    };
    b.node("x_shape", "Shape", {"x"});
    b.const_i("shape64", {64});
    b.const_f("zero", {}, {0.f});
    b.const_f("one", {}, {1.f});
    b.const_i("axis0", {0});
    b.const_i("axes01", {0, 1});
    uniform("fed", "x_shape", tf::DT_FLOAT, 0, 0);
    uniform("fed64", "x_shape", tf::DT_DOUBLE, 5, 0);
    uniform("seeded_a", "shape64", tf::DT_FLOAT, 7, 3);
    uniform("seeded_b", "shape64", tf::DT_FLOAT, 7, 3);
    uniform("free_a", "shape64", tf::DT_FLOAT, 0, 0);
    uniform("free_b", "shape64", tf::DT_FLOAT, 0, 0);
    b.node("shape", "Shape", {"fed"});
    b.node("floor", "Floor", {"fed"});
    b.node("floor_plus_x", "Add", {"floor", "x"});
    set_type(b.node("x64", "Cast", {"x"}), "DstT", tf::DT_DOUBLE);
    b.node("floor64", "Floor", {"fed64"});
    b.node("floor_f64_plus_x", "Add", {"floor64", "x64"});
    b.node("ge0", "GreaterEqual", {"fed", "zero"});
    b.node("lt1", "Less", {"fed", "one"});
    b.node("inside", "LogicalAnd", {"ge0", "lt1"});
    b.node("in_range", "All", {"inside", "axes01"});
    b.node("same", "Equal", {"seeded_a", "seeded_b"});
    b.node("same_seed_equal", "All", {"same", "axis0"});
    b.node("differ", "NotEqual", {"free_a", "free_b"});
    b.node("unseeded_differ", "Any", {"differ", "axis0"});
  };
  ru.reference = [](const Tensors& in) {
    const at::Tensor& x = in[0];
    at::Tensor yes = at::ones({}, at::kBool);
    at::Tensor shape = at::tensor(std::vector<int32_t>{int32_t(x.size(0)), 4}, at::kInt);
    return Tensors{shape, x, x.to(at::kDouble), yes, yes, yes};
  };
  ru.max_opset = 21;
  ru.why = "ONNX Runtime 1.30 has no kernel for RandomUniformLike-22 (the opset-22 form)";
  out.push_back(ru);
}

}  // namespace modelport::test::tf_ops

// More elementwise math and reductions: rsqrt, log2/log10/log1p, expm1, square, trunc, round,
// clamp_min/clamp_max, floor_divide (floor rounding, as torch >= 1.13, exact for integers),
// logical_*/bitwise_not on bool, prod, var/std (unbiased or correction), norm / linalg_vector_norm.
#include <cmath>
#include <limits>

#include "loaders/torchscript/ops/graph_build.h"
#include "loaders/torchscript/registry.h"

namespace modelport::ts {
namespace {

using gb::bin;
using gb::un;

Value* float_input(Ctx& c, size_t i) {
  Value* x = c.tensor(i);
  return dtype_is_float(x->dtype) ? x : c.cast(x, DType::Float32);
}

void lower_rsqrt(Ctx& c) {
  Value* x = float_input(c, 0);
  c.out(un(c, "Reciprocal", un(c, "Sqrt", x)));
}
void lower_log_base(Ctx& c) {
  Value* x = float_input(c, 0);
  double base = std::string(c.node->kind().toUnqualString()) == "log2" ? 2.0 : 10.0;
  c.out(bin(c, "Div", un(c, "Log", x), c.c_scalar(x->dtype, std::log(base))));
}
void lower_log1p(Ctx& c) {
  Value* x = float_input(c, 0);
  c.out(un(c, "Log", bin(c, "Add", x, c.c_scalar(x->dtype, 1.0))));
}
void lower_expm1(Ctx& c) {
  Value* x = float_input(c, 0);
  c.out(bin(c, "Sub", un(c, "Exp", x), c.c_scalar(x->dtype, 1.0)));
}
void lower_square(Ctx& c) {
  Value* x = c.tensor(0);
  c.out(bin(c, "Mul", x, x));
}
// trunc(x) = sign(x) * floor(|x|); integers pass through.
void lower_trunc(Ctx& c) {
  Value* x = c.tensor(0);
  if (!dtype_is_float(x->dtype)) return c.out(x);
  c.out(bin(c, "Mul", un(c, "Sign", x), un(c, "Floor", un(c, "Abs", x))));
}
// round(x) | round(x, decimals): half to even, as ONNX Round.
void lower_round(Ctx& c) {
  Value* x = c.tensor(0);
  if (!dtype_is_float(x->dtype)) return c.out(x);
  int64_t decimals = 0;
  if (auto d = c.arg_index("decimals")) decimals = c.int_arg(*d);
  if (decimals == 0) return c.out(un(c, "Round", x));
  Value* s = c.c_scalar(x->dtype, std::pow(10.0, double(decimals)));
  c.out(bin(c, "Div", un(c, "Round", bin(c, "Mul", x, s)), s));
}

// clamp_min/clamp_max(self, bound): bound a number or a tensor.
void lower_clamp_bound(Ctx& c) {
  Value* x = c.tensor(0);
  bool is_min = std::string(c.node->kind().toUnqualString()) == "clamp_min";
  Value* b = c.in(1).is_tensor() ? c.cast(c.tensor(1), x->dtype) : c.c_scalar(x->dtype, c.double_arg(1));
  c.out(bin(c, is_min ? "Max" : "Min", x, b));
}

// floor_divide(self, other): floor(a / b); integers: (a - mod(a, b)) / b with floor mod, exact.
void lower_floor_divide(Ctx& c) {
  Value* a = c.tensor(0);
  DType dt = a->dtype;
  if (c.in(1).is_tensor() && dtype_is_float(c.in(1).v->dtype) && !dtype_is_float(dt)) dt = c.in(1).v->dtype;
  if (!c.in(1).is_tensor() && c.in(1).kind == LVal::Kind::Double && !dtype_is_float(dt)) dt = DType::Float32;
  a = c.cast(a, dt);
  Value* b = c.in(1).is_tensor() ? c.cast(c.tensor(1), dt) : c.c_scalar(dt, c.double_arg(1));
  if (dtype_is_float(dt)) return c.out(un(c, "Floor", bin(c, "Div", a, b)));
  Value* m = bin(c, "Mod", a, b);  // fmod=0: the sign of the divisor, i.e. floor mod
  c.out(bin(c, "Div", bin(c, "Sub", a, m), b));
}

Value* as_bool(Ctx& c, size_t i) { return c.cast(c.tensor(i), DType::Bool); }
template <const char* Op>
void lower_logical(Ctx& c) {
  c.out(gb::cmp(c, Op, as_bool(c, 0), as_bool(c, 1)));
}
// logical_not: Not of the value as bool; bitwise_not: Not on bools, BitwiseNot on integers.
void lower_not(Ctx& c) {
  Value* x = c.tensor(0);
  if (std::string(c.node->kind().toUnqualString()) == "bitwise_not" && x->dtype != DType::Bool) {
    if (dtype_is_float(x->dtype)) c.fail("bitwise_not needs an integer or bool tensor");
    return c.out(c.op("BitwiseNot", {x}));
  }
  c.out(c.op("Not", {c.cast(x, DType::Bool)}));
}

// The reduction axes of an optional `dim` argument (empty = all), normalized.
std::vector<int64_t> dims_arg(Ctx& c, Value* x, const char* name = "dim") {
  std::vector<int64_t> axes;
  if (auto d = c.arg_index(name); d && !c.in(*d).is_none()) axes = c.ints_arg(*d, 1);
  if (auto r = c.rank(x))
    for (auto& a : axes) a = c.norm_dim(a, *r);
  return axes;
}
bool keepdim_arg(Ctx& c) {
  auto k = c.arg_index("keepdim");
  return k && c.bool_arg(*k);
}

// prod(self, dtype=None) | prod(self, dim, keepdim=False, dtype=None)
void lower_prod(Ctx& c) {
  Value* x = c.tensor(0);
  if (auto t = c.arg_index("dtype"))
    if (auto dt = c.opt_dtype_arg(*t)) x = c.cast(x, *dt);
  if (!dtype_is_float(x->dtype) && x->dtype != DType::Int64) x = c.cast(x, DType::Int64);
  c.out(gb::reduce(c, "ReduceProd", x, dims_arg(c, x), keepdim_arg(c)));
}

// var/std(self, unbiased) | (self, dim, unbiased, keepdim) | (self, dim, *, correction, keepdim)
void lower_var_std(Ctx& c) {
  Value* x = float_input(c, 0);
  bool is_std = std::string(c.node->kind().toUnqualString()) == "std";
  auto axes = dims_arg(c, x);
  bool keep = keepdim_arg(c);
  double correction = 1.0;
  if (auto u = c.arg_index("unbiased"); u && !c.in(*u).is_none()) correction = c.bool_arg(*u) ? 1.0 : 0.0;
  if (auto k = c.arg_index("correction"); k && !c.in(*k).is_none()) correction = c.double_arg(*k);
  Value* mean = gb::reduce(c, "ReduceMean", x, axes, true);
  Value* d = bin(c, "Sub", x, mean);
  Value* ss = gb::reduce(c, "ReduceSum", bin(c, "Mul", d, d), axes, keep);
  // Count of reduced elements: constant when those dims are fixed, else from Shape.
  Value* n;
  std::optional<int64_t> fixed = 1;
  size_t r = c.need_rank(x, "var/std");
  std::vector<int64_t> all = axes;
  if (all.empty())
    for (int64_t i = 0; i < int64_t(r); ++i) all.push_back(i);
  for (auto a : all)
    if (fixed && x->shape.dims[size_t(a)].is_fixed()) *fixed *= x->shape.dims[size_t(a)].value;
    else fixed.reset();
  if (fixed) {
    n = c.c_scalar(x->dtype, double(*fixed) - correction);
  } else {
    Value* dims = c.op("Gather", {gb::shape_of(c, x), c.c_i64(all)}, {{"axis", int64_t(0)}});
    Value* cnt = gb::reduce(c, "ReduceProd", dims, {0}, false);
    n = bin(c, "Sub", c.cast(cnt, x->dtype), c.c_scalar(x->dtype, correction));
  }
  Value* v = bin(c, "Div", ss, n);
  c.out(is_std ? c.op("Sqrt", {v}) : v);
}

// norm(self, p=2) | norm(self, p, dim, keepdim=False) | linalg_vector_norm(self, ord=2, dim, keepdim, dtype)
void lower_norm(Ctx& c) {
  Value* x = float_input(c, 0);
  double p = 2.0;
  for (const char* name : {"p", "ord"})
    if (auto i = c.arg_index(name); i && !c.in(*i).is_none()) p = c.double_arg(*i);
  if (auto t = c.arg_index("dtype"))
    if (auto dt = c.opt_dtype_arg(*t)) x = c.cast(x, *dt);
  auto axes = dims_arg(c, x);
  bool keep = keepdim_arg(c);
  if (p == 2.0) return c.out(gb::reduce(c, "ReduceL2", x, axes, keep));
  if (p == 1.0) return c.out(gb::reduce(c, "ReduceL1", x, axes, keep));
  if (std::isinf(p)) return c.out(gb::reduce(c, p > 0 ? "ReduceMax" : "ReduceMin", un(c, "Abs", x), axes, keep));
  if (p == 0.0) c.fail("norm with p=0 is not supported");
  // (sum |x|^p)^(1/p)
  Value* s = gb::reduce(c, "ReduceSum", bin(c, "Pow", un(c, "Abs", x), c.c_scalar(x->dtype, p)), axes, keep);
  c.out(bin(c, "Pow", s, c.c_scalar(x->dtype, 1.0 / p)));
}

constexpr char kAnd[] = "And", kOr[] = "Or", kXor[] = "Xor";

}  // namespace

void register_math_ops(Registry& r) {
  r["aten::rsqrt"] = lower_rsqrt;
  r["aten::log2"] = r["aten::log10"] = lower_log_base;
  r["aten::log1p"] = lower_log1p;
  r["aten::expm1"] = lower_expm1;
  r["aten::square"] = lower_square;
  r["aten::trunc"] = r["aten::fix"] = lower_trunc;
  r["aten::round"] = lower_round;
  r["aten::clamp_min"] = r["aten::clamp_max"] = lower_clamp_bound;
  r["aten::floor_divide"] = lower_floor_divide;
  r["aten::logical_and"] = lower_logical<kAnd>;
  r["aten::logical_or"] = lower_logical<kOr>;
  r["aten::logical_xor"] = lower_logical<kXor>;
  r["aten::logical_not"] = r["aten::bitwise_not"] = lower_not;
  r["aten::prod"] = lower_prod;
  r["aten::var"] = r["aten::std"] = lower_var_std;
  r["aten::norm"] = r["aten::linalg_vector_norm"] = r["aten::frobenius_norm"] = lower_norm;
}

}  // namespace modelport::ts

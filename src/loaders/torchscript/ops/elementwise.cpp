// Elementwise arithmetic (tensor-tensor and tensor-scalar, with torch's type promotion for
// python scalars) and simple unary math.
#include <cmath>

#include "loaders/torchscript/ops/spectral.h"
#include "loaders/torchscript/ops/scalar_math.h"
#include "loaders/torchscript/registry.h"

namespace modelport::ts {
namespace {

using K = LVal::Kind;

// The dtype an operation on `a` (tensor or number) and `b` produces, torch-style: tensors win
// over python scalars except that a float scalar makes an integer tensor float32.
DType result_dtype(const LVal& a, const LVal& b, Ctx& c) {
  auto tdt = [&](const LVal& l) { return l.is_tensor() ? l.v->dtype : DType::Undefined; };
  DType da = tdt(a), db = tdt(b);
  if (a.is_tensor() && b.is_tensor()) {
    if (da == db || db == DType::Undefined) return da;
    if (da == DType::Undefined) return db;
    bool fa = dtype_is_float(da), fb = dtype_is_float(db);
    if (fa != fb) return fa ? da : db;
    // Same category: a rank-0 tensor does not promote a ranked one.
    bool a0 = a.v->shape.rank_known && a.v->shape.rank() == 0, b0 = b.v->shape.rank_known && b.v->shape.rank() == 0;
    if (a0 && !b0) return db;
    if (b0 && !a0) return da;
    return dtype_size(da) >= dtype_size(db) ? da : db;
  }
  const LVal& t = a.is_tensor() ? a : b;
  const LVal& s = a.is_tensor() ? b : a;
  DType dt = t.v->dtype;
  if (s.kind == K::Double && !dtype_is_float(dt)) return DType::Float32;
  if (s.kind == K::Int && dt == DType::Bool) return DType::Int64;
  return dt;
}

Value* as_operand(Ctx& c, const LVal& l, DType dt) {
  if (l.is_tensor()) return dt == DType::Undefined ? l.v : c.cast(l.v, dt);
  if (!l.is_number()) c.fail("unsupported operand " + l.describe());
  return c.c_scalar(dt == DType::Undefined ? DType::Float32 : dt, l.number());
}

Value* binary(Ctx& c, const std::string& op, const LVal& a, const LVal& b) {
  DType dt = result_dtype(a, b, c);
  Value* x = as_operand(c, a, dt);
  Value* y = as_operand(c, b, dt);
  return c.op(op, {x, y});
}

// b * alpha for add/sub/rsub's `alpha` argument (input 2), or b when alpha is 1 / absent.
LVal scaled(Ctx& c, const LVal& b, size_t alpha_index) {
  if (alpha_index >= c.num_inputs() || c.in(alpha_index).is_none()) return b;
  double alpha = c.double_arg(alpha_index);
  if (alpha == 1.0) return b;
  if (b.is_number()) return LVal::of_double(b.number() * alpha);
  LVal al = c.in(alpha_index);
  return LVal::tensor(binary(c, "Mul", b, al));
}

void lower_add(Ctx& c) {
  if (c.in(0).kind == K::List && c.in(1).kind == K::List) {  // list concatenation
    std::vector<LVal> items = c.in(0).items;
    items.insert(items.end(), c.in(1).items.begin(), c.in(1).items.end());
    return c.out(LVal::list(std::move(items)));
  }
  if (lower_scalar_op(c, "add")) return;
  c.out(binary(c, "Add", c.in(0), scaled(c, c.in(1), 2)));
}

void lower_sub(Ctx& c) {
  if (lower_scalar_op(c, "sub")) return;
  c.out(binary(c, "Sub", c.in(0), scaled(c, c.in(1), 2)));
}

void lower_rsub(Ctx& c) {  // rsub(a, b, alpha) = b - alpha * a
  c.out(binary(c, "Sub", c.in(1), scaled(c, c.in(0), 2)));
}

void lower_mul(Ctx& c) {
  if (lower_scalar_op(c, "mul")) return;
  c.out(binary(c, "Mul", c.in(0), c.in(1)));
}

void lower_div(Ctx& c) {
  if (lower_scalar_op(c, "div")) return;
  std::optional<std::string> mode;
  if (auto i = c.arg_index("rounding_mode"); i && !c.in(*i).is_none()) mode = c.string_arg(*i);
  LVal a = c.in(0), b = c.in(1);
  DType dt = result_dtype(a, b, c);
  if (!dtype_is_float(dt) && dt != DType::Undefined) {
    if (mode == "trunc") return c.out(binary(c, "Div", a, b));  // ONNX integer Div truncates
    // True division (or floor) of integers: compute in float32.
    Value* q = binary(c, "Div", LVal::tensor(as_operand(c, a, DType::Float32)), LVal::tensor(as_operand(c, b, DType::Float32)));
    if (!mode) return c.out(q);
    Value* f = c.op("Floor", {q});
    return c.out(c.cast(f, dt));
  }
  Value* q = binary(c, "Div", a, b);
  if (!mode) return c.out(q);
  Value* r;
  if (*mode == "floor") {
    r = c.op("Floor", {q});
  } else if (*mode == "trunc") {  // trunc(x) = sign(x) * floor(|x|)
    Value* fl = c.op("Floor", {c.op("Abs", {q})});
    r = c.op("Mul", {c.op("Sign", {q}), fl});
  } else {
    c.fail("unknown rounding_mode '" + *mode + "'");
  }
  c.out(r);
}

void lower_neg(Ctx& c) {
  if (lower_scalar_op(c, "neg")) return;
  Value* x = c.tensor(0);
  c.out(c.op("Neg", {x}));
}

template <const char* Op>
void lower_unary(Ctx& c) {
  Value* x = c.tensor(0);
  c.out(c.op(Op, {x}));
}

template <const char* Op>
void lower_binary_tensor(Ctx& c) {
  c.out(binary(c, Op, c.in(0), c.in(1)));
}

// pow with torch's promotion: an integer tensor to a float power is float32 (e.g. the
// attention scale `(C // heads) ** -0.5` computed from a traced shape).
void lower_pow(Ctx& c) {
  const LVal &a = c.in(0), &b = c.in(1);
  if (a.is_number() && b.is_number()) {  // python number ** number
    double r = std::pow(a.number(), b.number());
    if (a.kind == K::Int && b.kind == K::Int && b.i >= 0) return c.out(LVal::of_int(int64_t(r)));
    return c.out(LVal::of_double(r));
  }
  DType dt = result_dtype(c.in(0), c.in(1), c);
  Value* x = as_operand(c, c.in(0), dt);
  Value* e = as_operand(c, c.in(1), dt);
  c.out(c.op("Pow", {x, e}));
}

// torch.remainder: the result takes the divisor's sign (Python's %); numbers fold, tensors
// follow the same type promotion as the other binary ops.
void lower_remainder(Ctx& c) {
  if (lower_scalar_op(c, "remainder")) return;
  DType dt = result_dtype(c.in(0), c.in(1), c);
  Value* a = as_operand(c, c.in(0), dt);
  Value* b = as_operand(c, c.in(1), dt);
  Value* r;
  if (!dtype_is_float(dt)) {
    r = c.op("Mod", {a, b}, {{"fmod", int64_t(0)}});
  } else {
    Value* m = c.op("Mod", {a, b}, {{"fmod", int64_t(1)}});
    Value* zero = c.c_scalar(dt, 0);
    Value* nonzero = c.op("Not", {c.op("Equal", {m, zero})});
    Value* sign_differs = c.op("Xor", {c.op("Less", {m, zero}), c.op("Less", {b, zero})});
    Value* fix = c.op("And", {nonzero, sign_differs});
    r = c.op("Where", {fix, c.op("Add", {m, b}), m});
  }
  c.out(r);
}

constexpr char kAbs[] = "Abs", kExp[] = "Exp", kLog[] = "Log", kSqrt[] = "Sqrt", kReciprocal[] = "Reciprocal",
               kFloor[] = "Floor", kCeil[] = "Ceil", kSign[] = "Sign", kMax[] = "Max", kMin[] = "Min",
               kErf[] = "Erf", kCos[] = "Cos", kSin[] = "Sin";

}  // namespace

void register_elementwise_ops(Registry& r) {
  r["aten::add"] = lower_add;
  r["aten::sub"] = lower_sub;
  r["aten::rsub"] = lower_rsub;
  r["aten::mul"] = lower_mul;
  r["aten::div"] = lower_div;
  r["aten::neg"] = lower_neg;
  r["aten::pow"] = lower_pow;
  r["aten::remainder"] = lower_remainder;
  r["aten::abs"] = [](Ctx& c) { is_complex(c.node->input(0)) ? lower_complex_abs(c) : lower_unary<kAbs>(c); };
  r["aten::exp"] = lower_unary<kExp>;
  r["aten::log"] = lower_unary<kLog>;
  r["aten::sqrt"] = lower_unary<kSqrt>;
  r["aten::reciprocal"] = lower_unary<kReciprocal>;
  r["aten::floor"] = lower_unary<kFloor>;
  r["aten::ceil"] = lower_unary<kCeil>;
  r["aten::sign"] = lower_unary<kSign>;
  r["aten::erf"] = lower_unary<kErf>;
  r["aten::cos"] = lower_unary<kCos>;
  r["aten::sin"] = lower_unary<kSin>;
  r["aten::maximum"] = lower_binary_tensor<kMax>;
  r["aten::minimum"] = lower_binary_tensor<kMin>;
}

}  // namespace modelport::ts

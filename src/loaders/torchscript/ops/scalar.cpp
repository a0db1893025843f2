// Scalar (int/float/bool) ops: casts between tensors and numbers, comparisons, int arithmetic.
#include <cmath>

#include "loaders/torchscript/ops/scalar_math.h"
#include "loaders/torchscript/registry.h"

namespace modelport::ts {
namespace {

using K = LVal::Kind;

std::optional<LVal> fold(const std::string& k, const LVal& a, const LVal& b) {
  if (a.kind == K::String && b.kind == K::String) {
    if (k == "eq") return LVal::of_bool(a.s == b.s);
    if (k == "ne") return LVal::of_bool(a.s != b.s);
    return std::nullopt;
  }
  if (!a.is_number() || !b.is_number()) return std::nullopt;
  bool ints = a.kind != K::Double && b.kind != K::Double;
  double x = a.number(), y = b.number();
  if (k == "eq") return LVal::of_bool(x == y);
  if (k == "ne") return LVal::of_bool(x != y);
  if (k == "lt") return LVal::of_bool(x < y);
  if (k == "gt") return LVal::of_bool(x > y);
  if (k == "le") return LVal::of_bool(x <= y);
  if (k == "ge") return LVal::of_bool(x >= y);
  if (k == "__and__" && a.kind == K::Bool) return LVal::of_bool(a.b && b.b);
  if (k == "__or__" && a.kind == K::Bool) return LVal::of_bool(a.b || b.b);
  if (ints) {
    int64_t p = int64_t(x), q = int64_t(y);
    if (k == "add") return LVal::of_int(p + q);
    if (k == "sub") return LVal::of_int(p - q);
    if (k == "mul") return LVal::of_int(p * q);
    if (k == "floordiv" && q != 0) return LVal::of_int(int64_t(std::floor(double(p) / double(q))));
    if (k == "remainder" && q != 0) return LVal::of_int(((p % q) + q) % q);
    if (k == "div" && q != 0) return LVal::of_double(double(p) / double(q));
    return std::nullopt;
  }
  if (k == "add") return LVal::of_double(x + y);
  if (k == "sub") return LVal::of_double(x - y);
  if (k == "mul") return LVal::of_double(x * y);
  if (k == "div") return LVal::of_double(x / y);
  if (k == "floordiv") return LVal::of_double(std::floor(x / y));
  return std::nullopt;
}

}  // namespace

bool lower_scalar_op(Ctx& c, const std::string& k) {
  if (c.output_is_tensor()) return false;
  if (c.num_inputs() == 1) {
    const LVal& a = c.in(0);
    if (k == "neg") {
      if (a.kind == K::Int) return c.out(LVal::of_int(-a.i)), true;
      if (a.kind == K::Double) return c.out(LVal::of_double(-a.d)), true;
      if (a.is_tensor()) return c.out(c.op("Neg", {a.v})), true;
    }
    if (k == "__not__" && a.kind == K::Bool) return c.out(LVal::of_bool(!a.b)), true;
    c.fail("unsupported scalar operand " + a.describe());
  }
  const LVal& a = c.in(0);
  const LVal& b = c.in(1);
  if (auto r = fold(k, a, b)) return c.out(*r), true;
  // Dynamic int scalars (sizes): int64 IR arithmetic.
  static const std::map<std::string, std::string> ops = {
      {"add", "Add"}, {"sub", "Sub"}, {"mul", "Mul"}, {"floordiv", "Div"}};
  auto it = ops.find(k);
  bool int_operands = (a.kind == K::Int || (a.is_tensor() && a.v->dtype == DType::Int64)) &&
                      (b.kind == K::Int || (b.is_tensor() && b.v->dtype == DType::Int64));
  if (it != ops.end() && int_operands) {
    Value* o = c.op(it->second, {c.tensor_of(a), c.tensor_of(b)});
    o->dtype = DType::Int64;
    o->shape = Shape(std::vector<Dim>{});
    return c.out(o), true;
  }
  c.fail("scalar " + k + " on " + a.describe() + " and " + b.describe() +
         " needs values only known at run time (data-dependent control flow is not supported)");
}

namespace {

void lower_to_int(Ctx& c) {
  const LVal& l = c.in(0);
  if (l.kind == K::Int) return c.out(l);
  if (l.kind == K::Double) return c.out(LVal::of_int(int64_t(l.d)));
  if (l.kind == K::Bool) return c.out(LVal::of_int(l.b));
  Value* x = c.tensor_of(l);
  if (x->is_constant() && x->constant->numel() == 1) return c.out(LVal::of_int(x->constant->as_int(0)));
  Value* o = c.cast(x, DType::Int64);
  c.out(o);
}

void lower_to_float(Ctx& c) {
  const LVal& l = c.in(0);
  if (l.is_number()) return c.out(LVal::of_double(l.number()));
  Value* x = c.tensor_of(l);
  if (x->is_constant() && x->constant->numel() == 1) return c.out(LVal::of_double(x->constant->as_double(0)));
  c.out(c.cast(x, DType::Float64));
}

void lower_to_bool(Ctx& c) {
  const LVal& l = c.in(0);
  if (l.is_number()) return c.out(LVal::of_bool(l.number() != 0));
  Value* x = c.tensor_of(l);
  if (x->is_constant() && x->constant->numel() == 1) return c.out(LVal::of_bool(x->constant->as_double(0) != 0));
  c.out(c.cast(x, DType::Bool));
}

void lower_scalar_implicit(Ctx& c) {
  const LVal& l = c.in(0);
  if (l.is_number()) return c.out(l);
  Value* x = c.tensor_of(l);
  if (x->is_constant() && x->constant->numel() == 1) {
    if (dtype_is_float(x->dtype)) return c.out(LVal::of_double(x->constant->as_double(0)));
    return c.out(LVal::of_int(x->constant->as_int(0)));
  }
  c.out(x);
}

void lower_compare(Ctx& c) {
  std::string k = c.node->kind().toUnqualString();
  if (lower_scalar_op(c, k)) return;
  Value* a = c.tensor(0);
  Value* b = c.in(1).is_tensor() ? c.in(1).v : c.c_scalar(a->dtype, c.double_arg(1));
  if (a->dtype != b->dtype && a->dtype != DType::Undefined && b->dtype != DType::Undefined) {
    if (dtype_is_float(a->dtype)) b = c.cast(b, a->dtype); else a = c.cast(a, b->dtype);
  }
  static const std::map<std::string, std::pair<std::string, bool>> ops = {
      {"eq", {"Equal", false}}, {"ne", {"Equal", true}}, {"lt", {"Less", false}}, {"gt", {"Greater", false}},
      {"le", {"LessOrEqual", false}}, {"ge", {"GreaterOrEqual", false}}};
  auto& [op, negate] = ops.at(k);
  Value* o = c.op(op, {a, b});
  o->dtype = DType::Bool;
  o->shape = broadcast_shapes(a->shape, b->shape);
  if (negate) {
    Value* n = c.op("Not", {o});
    n->shape = o->shape;
    o = n;
  }
  c.out(o);
}

void lower_scalar_only(Ctx& c) {
  std::string k = c.node->kind().toUnqualString();
  if (!lower_scalar_op(c, k)) c.fail("tensor operands are not supported");
}

}  // namespace

void register_scalar_ops(Registry& r) {
  r["aten::Int"] = lower_to_int;
  r["aten::IntImplicit"] = lower_to_int;
  r["aten::Float"] = lower_to_float;
  r["aten::FloatImplicit"] = lower_to_float;
  r["aten::ScalarImplicit"] = lower_scalar_implicit;
  r["aten::Bool"] = lower_to_bool;
  for (const char* k : {"aten::eq", "aten::ne", "aten::lt", "aten::gt", "aten::le", "aten::ge"}) r[k] = lower_compare;
  for (const char* k : {"aten::floordiv", "aten::__not__", "aten::__and__", "aten::__or__", "aten::remainder"})
    r[k] = lower_scalar_only;
}

}  // namespace modelport::ts

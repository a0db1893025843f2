// Scalar (int/float/bool) ops: casts between tensors and numbers, comparisons, int arithmetic.
#include <cmath>

#include "loaders/torchscript/ops/scalar_math.h"
#include "loaders/torchscript/registry.h"

namespace modelport::ts {
namespace {

using K = LVal::Kind;

std::optional<LVal> fold(const std::string& k, const LVal& a, const LVal& b) {
  // aten::mul.left_t / right_t: a list repeated n times (Python's [1] * n; n <= 0 gives []).
  if (k == "mul" && (a.kind == K::List) != (b.kind == K::List) && (a.kind == K::Int || b.kind == K::Int)) {
    const LVal& l = a.kind == K::List ? a : b;
    int64_t n = a.kind == K::Int ? a.i : b.i;
    if (n > 0 && l.items.size() > 0 && uint64_t(n) > (uint64_t(1) << 20) / l.items.size()) return std::nullopt;
    std::vector<LVal> items;
    for (int64_t r = 0; r < n; ++r) items.insert(items.end(), l.items.begin(), l.items.end());
    return LVal::list(std::move(items));
  }
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

// Comparisons of run-time int/float scalars (rank-0 tensors, e.g. a loop counter) and and/or of
// run-time bools: rank-0 bool IR ops. nullptr when `k` or the operands do not fit.
Value* dynamic_compare_or_logic(Ctx& c, const std::string& k, const LVal& a, const LVal& b) {
  if (!a.is_tensor() && !b.is_tensor()) return nullptr;
  if (k == "__and__" || k == "__or__") {
    Value* x = c.cast(c.tensor_of(a), DType::Bool);
    Value* y = c.cast(c.tensor_of(b), DType::Bool);
    return c.op(k == "__and__" ? "And" : "Or", {x, y});
  }
  static const std::map<std::string, std::pair<const char*, bool>> cmp = {
      {"eq", {"Equal", false}}, {"ne", {"Equal", true}},  {"lt", {"Less", false}},
      {"gt", {"Greater", false}}, {"le", {"LessOrEqual", false}}, {"ge", {"GreaterOrEqual", false}}};
  auto it = cmp.find(k);
  if (it == cmp.end()) return nullptr;
  bool floats = a.kind == K::Double || b.kind == K::Double || (a.is_tensor() && dtype_is_float(a.v->dtype)) ||
                (b.is_tensor() && dtype_is_float(b.v->dtype));
  DType dt = floats ? DType::Float64 : DType::Int64;
  auto operand = [&](const LVal& l) {
    if (l.is_number()) return c.c_scalar(dt, l.number());
    return c.cast(l.v, dt);
  };
  Value* o = c.op(it->second.first, {operand(a), operand(b)});
  return it->second.second ? c.op("Not", {o}) : o;
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
    if (k == "__not__" && a.is_tensor() && a.v->dtype == DType::Bool) {  // a run-time bool (If/Loop)
      return c.out(c.op("Not", {a.v})), true;
    }
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
    return c.out(c.op(it->second, {c.tensor_of(a), c.tensor_of(b)})), true;
  }
  if (auto o = dynamic_compare_or_logic(c, k, a, b)) return c.out(o), true;
  c.fail("scalar " + k + " on " + a.describe() + " and " + b.describe() + " is not supported for run-time values");
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

// Whether two lowered ints are known to be equal (same constant, same value, same symbolic axis).
std::optional<bool> same_int(const Ctx& c, const LVal& a, const LVal& b) {
  if (a.kind == LVal::Kind::Int && b.kind == LVal::Kind::Int) return a.i == b.i;
  if (a.is_tensor() && b.is_tensor()) {
    if (a.v == b.v) return true;
    auto da = c.scalar_dims.find(a.v), db = c.scalar_dims.find(b.v);
    if (da != c.scalar_dims.end() && db != c.scalar_dims.end() && da->second.is_symbol() && da->second == db->second)
      return true;
  }
  return std::nullopt;
}

// eq/ne on two int lists (e.g. the hidden-size checks of nn.RNNBase): folded when decidable.
// Returns false when the operands are not two lists.
bool lower_list_compare(Ctx& c, bool ne) {
  if (c.num_inputs() == 2 && c.in(0).is_seq() && c.in(1).is_seq()) {
    const auto& a = c.in(0).items;
    const auto& b = c.in(1).items;
    std::optional<bool> eq = a.size() == b.size() ? std::optional<bool>(true) : std::optional<bool>(false);
    for (size_t i = 0; i < a.size() && i < b.size() && eq; ++i) {
      auto s = same_int(c, a[i], b[i]);
      if (!s) eq = std::nullopt;
      else if (!*s) eq = false;
    }
    if (eq) {
      c.out(LVal::of_bool(ne ? !*eq : *eq));
      return true;
    }
    // Not decidable at load time: a dynamic check (only ever feeds a run-time assertion).
    Value* x = c.ints_tensor(c.in(0));
    Value* y = c.ints_tensor(c.in(1));
    Value* e = c.op("Equal", {x, y});
    Value* r = c.op("ReduceMin", {c.cast(e, DType::Int32), c.c_i64({0})}, {{"keepdims", int64_t(0)}});
    Value* o = c.cast(r, DType::Bool);
    if (ne) o = c.op("Not", {o});
    c.out(o);
    return true;
  }
  return false;
}

void lower_compare(Ctx& c) {
  std::string k = c.node->kind().toUnqualString();
  if ((k == "eq" || k == "ne") && lower_list_compare(c, k == "ne")) return;
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
  if (negate) o = c.op("Not", {o});
  c.out(o);
}

void lower_scalar_only(Ctx& c) {
  std::string k = c.node->kind().toUnqualString();
  // `a & b`, `a | b` on tensors: ONNX And / Or on bools, BitwiseAnd / BitwiseOr on integers (the
  // emitter says which opset those need).
  if ((k == "__and__" || k == "__or__") && c.output_is_tensor()) {
    Value *a = c.tensor(0), *b = c.tensor(1);
    bool logical = a->dtype == DType::Bool && b->dtype == DType::Bool;
    if (!logical && (dtype_is_float(a->dtype) || dtype_is_float(b->dtype)))
      c.fail("bitwise operators need integer or bool tensors");
    if (logical) return c.out(c.op(k == "__and__" ? "And" : "Or", {a, b}));
    return c.out(c.op(k == "__and__" ? "BitwiseAnd" : "BitwiseOr", {a, c.cast(b, a->dtype)}));
  }
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
  for (const char* k : {"aten::floordiv", "aten::__not__", "aten::__and__", "aten::__or__"}) r[k] = lower_scalar_only;
}

}  // namespace modelport::ts

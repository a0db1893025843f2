// Math beyond the basic elementwise ops: inverse and hyperbolic trig, Tan, Atan2, Erfc, Expm1,
// Rint, IsNan/IsInf/IsFinite, the truncating Mod/TruncateMod/TruncateDiv, DivNoNan, AccumulateNV2.
#include <cmath>

#include "translators.h"

namespace modelport::tf {
namespace {

// TF ops that are one ONNX op of the same meaning, by TF name.
const std::map<std::string, std::string>& same_unary() {
  static const std::map<std::string, std::string> m = {
      {"Asin", "Asin"},   {"Acos", "Acos"},   {"Atan", "Atan"},   {"Sinh", "Sinh"},   {"Cosh", "Cosh"},
      {"Asinh", "Asinh"}, {"Acosh", "Acosh"}, {"Atanh", "Atanh"}, {"Tan", "Tan"},
      {"Rint", "Round"},  // both round half to even
      {"IsNan", "IsNaN"}, {"IsInf", "IsInf"},  // IsInf: both signs (its defaults)
  };
  return m;
}
std::vector<Value*> unary(OpCtx& c) { return {c.op(same_unary().at(c.node.op), {c.input(0)})}; }

std::vector<Value*> is_finite(OpCtx& c) {
  Value* x = c.input(0);
  return {c.op("Not", {c.op("Or", {c.op("IsNaN", {x}), c.op("IsInf", {x})})})};
}

Value* one_like(OpCtx& c, Value* x) { return c.c_scalar(x->dtype, 1.0); }
std::vector<Value*> erfc(OpCtx& c) { return {c.op("Sub", {one_like(c, c.input(0)), c.op("Erf", {c.input(0)})})}; }
std::vector<Value*> expm1(OpCtx& c) { return {c.op("Sub", {c.op("Exp", {c.input(0)}), one_like(c, c.input(0))})}; }

// Atan2(y, x): atan(y / x), moved by +-pi into the left half plane (by y's sign); x == 0 gives
// sign(y) * pi/2 (0 for y == 0, as TF).
std::vector<Value*> atan2(OpCtx& c) {
  Value *y = c.input(0), *x = c.input(1);
  DType dt = y->dtype;
  Value* zero = c.c_scalar(dt, 0.0);
  Value* base = c.op("Atan", {c.op("Div", {y, x})});
  Value* half_turn = c.op("Where", {c.op("Less", {y, zero}), c.c_scalar(dt, -M_PI), c.c_scalar(dt, M_PI)});
  Value* shift = c.op("Where", {c.op("Less", {x, zero}), half_turn, zero});
  Value* on_axis = c.op("Mul", {c.op("Sign", {y}), c.c_scalar(dt, M_PI / 2)});
  return {c.op("Where", {c.op("Equal", {x, zero}), on_axis, c.op("Add", {base, shift})})};
}

// Mod / TruncateMod: the remainder of the truncating division (C's %, fmod): ONNX Mod fmod=1.
std::vector<Value*> truncate_mod(OpCtx& c) { return {c.op("Mod", {c.input(0), c.input(1)}, {{"fmod", int64_t(1)}})}; }

// TruncateDiv: integer division toward zero, as ONNX integer Div (TF has no float kernel for it).
std::vector<Value*> truncate_div(OpCtx& c) {
  if (dtype_is_float(c.input(0)->dtype)) c.fail("TruncateDiv is an integer op (TF has no float kernel)");
  return {c.op("Div", {c.input(0), c.input(1)})};
}

// DivNoNan(x, y): 0 where y == 0, else x / y.
std::vector<Value*> div_no_nan(OpCtx& c) {
  Value *x = c.input(0), *y = c.input(1);
  Value* zero = c.c_scalar(x->dtype, 0.0);
  return {c.op("Where", {c.op("Equal", {y, zero}), zero, c.op("Div", {x, y})})};
}

// AccumulateNV2(inputs...) {shape}: the sum of its inputs, as AddN.
std::vector<Value*> accumulate_n(OpCtx& c) {
  std::vector<Value*> ins;
  for (size_t i = 0; i < c.in.size(); ++i) ins.push_back(c.input(i));
  return {ins.size() == 1 ? ins[0] : c.op("Sum", ins)};
}

}  // namespace

void register_special_math_ops(OpTable& t) {
  for (auto& [tf_op, onnx_op] : same_unary()) t[tf_op] = unary;
  t["IsFinite"] = is_finite;
  t["Erfc"] = erfc;
  t["Expm1"] = expm1;
  t["Atan2"] = atan2;
  t["Mod"] = t["TruncateMod"] = truncate_mod;
  t["TruncateDiv"] = truncate_div;
  t["DivNoNan"] = div_no_nan;
  t["AccumulateNV2"] = accumulate_n;
}

}  // namespace modelport::tf

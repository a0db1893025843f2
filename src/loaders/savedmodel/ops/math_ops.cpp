// Elementwise arithmetic, unary math, comparisons, reductions, MatMul, Cast, Range, ArgMax.
#include "translators.h"

namespace modelport::tf {
namespace {

Value* binary(OpCtx& c, const std::string& op, Value* a, Value* b) { return c.op(op, {a, b}); }
Value* unary(OpCtx& c, const std::string& op, Value* x) { return c.op(op, {x}); }

template <const char* Op>
std::vector<Value*> simple_binary(OpCtx& c) { return {binary(c, Op, c.input(0), c.input(1))}; }
template <const char* Op>
std::vector<Value*> simple_unary(OpCtx& c) { return {unary(c, Op, c.input(0))}; }
template <const char* Op>
std::vector<Value*> compare(OpCtx& c) { return {binary(c, Op, c.input(0), c.input(1))}; }

constexpr char kAdd[] = "Add", kSub[] = "Sub", kMul[] = "Mul", kDiv[] = "Div", kMax[] = "Max", kMin[] = "Min",
               kPow[] = "Pow", kSqrt[] = "Sqrt", kExp[] = "Exp", kLog[] = "Log", kNeg[] = "Neg", kAbs[] = "Abs",
               kErf[] = "Erf", kFloor[] = "Floor", kCeil[] = "Ceil", kRound[] = "Round", kSin[] = "Sin",
               kCos[] = "Cos", kSign[] = "Sign", kReciprocal[] = "Reciprocal", kGreater[] = "Greater",
               kGreaterEq[] = "GreaterOrEqual", kLess[] = "Less", kLessEq[] = "LessOrEqual", kEqual[] = "Equal",
               kAnd[] = "And", kOr[] = "Or", kNot[] = "Not";

// TF FloorDiv (and integer Div) rounds toward -inf; ONNX integer Div truncates.
std::vector<Value*> floor_div(OpCtx& c) {
  Value *a = c.input(0), *b = c.input(1);
  if (dtype_is_float(a->dtype)) return {unary(c, "Floor", binary(c, "Div", a, b))};
  Value* m = c.op("Mod", {a, b}, {{"fmod", int64_t(0)}});
  return {binary(c, "Div", binary(c, "Sub", a, m), b)};
}
std::vector<Value*> div(OpCtx& c) {
  if (dtype_is_float(c.input(0)->dtype)) return {binary(c, "Div", c.input(0), c.input(1))};
  return floor_div(c);
}
std::vector<Value*> floor_mod(OpCtx& c) {
  Value *a = c.input(0), *b = c.input(1);
  if (!dtype_is_float(a->dtype)) {
    return {c.op("Mod", {a, b}, {{"fmod", int64_t(0)}})};
  }
  // a - floor(a / b) * b
  return {binary(c, "Sub", a, binary(c, "Mul", unary(c, "Floor", binary(c, "Div", a, b)), b))};
}
std::vector<Value*> squared_difference(OpCtx& c) {
  Value* d = binary(c, "Sub", c.input(0), c.input(1));
  return {binary(c, "Mul", d, d)};
}
std::vector<Value*> not_equal(OpCtx& c) {
  return {unary(c, "Not", binary(c, "Equal", c.input(0), c.input(1)))};
}
std::vector<Value*> rsqrt(OpCtx& c) { return {unary(c, "Reciprocal", unary(c, "Sqrt", c.input(0)))}; }
std::vector<Value*> square(OpCtx& c) { return {binary(c, "Mul", c.input(0), c.input(0))}; }
std::vector<Value*> log1p(OpCtx& c) {
  return {unary(c, "Log", binary(c, "Add", c.input(0), c.c_scalar(c.input(0)->dtype, 1.0)))};
}
std::vector<Value*> add_n(OpCtx& c) {
  return {c.op("Sum", c.in)};
}

// Mean/Sum/Max/Min/Prod(input, reduction_indices) {keep_dims}
template <const char* Op>
std::vector<Value*> reduce(OpCtx& c) {
  Value* x = c.input(0);
  Value* axes = c.to_i64(c.input(1));
  if (axes->constant && axes->constant->dims.empty())
    axes = c.c_i64({axes->constant->as_int(0)});
  if (!axes->constant) {  // a run-time axis may be a scalar (e.g. from ArgMax); ONNX wants 1-D axes
    axes = c.op("Reshape", {axes, c.c_i64({-1})});
  }
  bool keep = c.attr_bool("keep_dims", false);
  if (axes->constant && axes->constant->numel() == 0) return {x};  // TF: reduce over no axes
  return {c.op(Op, {x, axes}, {{"keepdims", int64_t(keep)}})};
}
constexpr char kRMean[] = "ReduceMean", kRSum[] = "ReduceSum", kRMax[] = "ReduceMax", kRMin[] = "ReduceMin",
               kRProd[] = "ReduceProd";

Value* swap_last_two(OpCtx& c, Value* v) {
  if (!v->shape.rank_known) c.fail("transposed operand needs a known rank");
  std::vector<int64_t> perm;
  for (size_t i = 0; i < v->shape.rank(); ++i) perm.push_back(int64_t(i));
  std::swap(perm[perm.size() - 1], perm[perm.size() - 2]);
  return c.transpose(v, perm);
}
std::vector<Value*> matmul(OpCtx& c) {
  Value *a = c.input(0), *b = c.input(1);
  bool ta = c.attr_bool("transpose_a", false) || c.attr_bool("adj_x", false);
  bool tb = c.attr_bool("transpose_b", false) || c.attr_bool("adj_y", false);
  if (ta) a = swap_last_two(c, a);
  if (tb) b = b->constant && b->constant->dims.size() == 2
                  ? c.g.add_constant(b->name + "_T", permute_tensor(*b->constant, {1, 0}))
                  : swap_last_two(c, b);
  return {c.op("MatMul", {a, b})};
}

std::vector<Value*> cast(OpCtx& c) {
  DType to = c.attr_type("DstT");
  if (to == DType::Undefined) c.fail("unsupported destination type");
  Value* x = c.input(0);
  if (x->dtype == to) return {x};
  return {c.op("Cast", {x}, {{"to", onnx_type_code(to)}})};
}

std::vector<Value*> range(OpCtx& c) {
  DType dt = c.attr_type("Tidx");
  if (dt == DType::Undefined) dt = c.input(0)->dtype;
  return {c.op("Range", {c.cast(c.input(0), dt), c.cast(c.input(1), dt), c.cast(c.input(2), dt)})};
}

template <const char* Op>
std::vector<Value*> arg_reduce(OpCtx& c) {
  auto axis = c.const_ints(1, "dimension");
  if (axis.size() != 1) c.fail("dimension must be a scalar");
  Value* o = c.op(Op, {c.input(0)}, {{"axis", axis[0]}, {"keepdims", int64_t(0)}});
  DType out = c.attr_type("output_type");
  return {out == DType::Undefined || out == DType::Int64 ? o : c.cast(o, out)};
}
constexpr char kArgMax[] = "ArgMax", kArgMin[] = "ArgMin";


std::vector<Value*> einsum(OpCtx& c) {
  std::string eq = c.attr_str("equation", "");
  if (eq.empty()) c.fail("missing equation");
  std::vector<Value*> ins;
  for (size_t i = 0; i < c.in.size(); ++i) ins.push_back(c.input(i));
  if (ins.empty()) c.fail("no inputs");
  return {c.op("Einsum", ins, {{"equation", eq}})};
}
}  // namespace

void register_math_ops(OpTable& t) {
  t["Add"] = t["AddV2"] = simple_binary<kAdd>;
  t["Sub"] = simple_binary<kSub>;
  t["Mul"] = simple_binary<kMul>;
  t["RealDiv"] = simple_binary<kDiv>;
  t["Div"] = div;
  t["FloorDiv"] = floor_div;
  t["FloorMod"] = floor_mod;
  t["Maximum"] = simple_binary<kMax>;
  t["Minimum"] = simple_binary<kMin>;
  t["Pow"] = simple_binary<kPow>;
  t["SquaredDifference"] = squared_difference;
  t["AddN"] = add_n;
  t["Einsum"] = einsum;
  t["Greater"] = compare<kGreater>;
  t["GreaterEqual"] = compare<kGreaterEq>;
  t["Less"] = compare<kLess>;
  t["LessEqual"] = compare<kLessEq>;
  t["Equal"] = compare<kEqual>;
  t["NotEqual"] = not_equal;
  t["LogicalAnd"] = simple_binary<kAnd>;
  t["LogicalOr"] = simple_binary<kOr>;
  t["LogicalNot"] = simple_unary<kNot>;
  t["Sqrt"] = simple_unary<kSqrt>;
  t["Rsqrt"] = rsqrt;
  t["Square"] = square;
  t["Exp"] = simple_unary<kExp>;
  t["Log"] = simple_unary<kLog>;
  t["Log1p"] = log1p;
  t["Neg"] = simple_unary<kNeg>;
  t["Abs"] = simple_unary<kAbs>;
  t["Erf"] = simple_unary<kErf>;
  t["Floor"] = simple_unary<kFloor>;
  t["Ceil"] = simple_unary<kCeil>;
  t["Round"] = simple_unary<kRound>;
  t["Sin"] = simple_unary<kSin>;
  t["Cos"] = simple_unary<kCos>;
  t["Sign"] = simple_unary<kSign>;
  t["Reciprocal"] = t["Inv"] = simple_unary<kReciprocal>;
  t["Mean"] = reduce<kRMean>;
  t["Sum"] = reduce<kRSum>;
  t["Max"] = reduce<kRMax>;
  t["Min"] = reduce<kRMin>;
  t["Prod"] = reduce<kRProd>;
  t["MatMul"] = t["BatchMatMul"] = t["BatchMatMulV2"] = t["BatchMatMulV3"] = matmul;
  t["Cast"] = cast;
  t["Range"] = range;
  t["ArgMax"] = arg_reduce<kArgMax>;
  t["ArgMin"] = arg_reduce<kArgMin>;
}

}  // namespace modelport::tf

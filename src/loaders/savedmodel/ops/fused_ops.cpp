// Grappler's and tfjs-converter's fused ops (_FusedConv2D, _FusedDepthwiseConv2dNative (grappler's
// name) / FusedDepthwiseConv2dNative (tfjs's), _FusedMatMul, _FusedBatchNormEx) and tfjs's Prelu,
// lowered through the plain ops' translators.
// A fused op is its base op, then fused_ops[0] on the result (BiasAdd: + args[0]; FusedBatchNorm:
// args = scale, offset, mean, variance with attr epsilon), then the activation fused_ops[1] (Relu,
// Relu6, Elu, Sigmoid, Tanh, LeakyRelu with attr leakyrelu_alpha, Prelu with the next argument as
// alpha). Semantics as tfjs-converter's executors and tfjs-core's fused_util (applyActivation).
#include <cctype>

#include "translators.h"

namespace modelport::tf {
namespace {

Value* prelu(OpCtx& c, Value* x, Value* alpha) { return c.op("PRelu", {x, alpha}); }

std::string lower(std::string s) {
  for (auto& ch : s) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

Value* activation(OpCtx& c, const std::string& act, Value* x, Value* alpha) {
  if (act.empty() || act == "linear") return x;
  if (act == "relu") return c.op("Relu", {x});
  if (act == "relu6") return c.op("Clip", {x, c.c_scalar(x->dtype, 0), c.c_scalar(x->dtype, 6)});
  if (act == "elu") return c.op("Elu", {x}, {{"alpha", 1.0f}});
  if (act == "sigmoid") return c.op("Sigmoid", {x});
  if (act == "tanh") return c.op("Tanh", {x});
  if (act == "leakyrelu") return c.op("LeakyRelu", {x}, {{"alpha", c.attr_float("leakyrelu_alpha", 0.2f)}});
  if (act == "prelu") {
    if (!alpha) c.fail("fused Prelu has no alpha argument (num_args too small)");
    return prelu(c, x, alpha);
  }
  c.fail("unsupported fused activation '" + act + "'");
}

// y = (x - mean) * scale / sqrt(variance + epsilon) + offset, over the last (channel) axis.
Value* batch_norm(OpCtx& c, Value* x, size_t first_arg) {
  Value *scale = c.input(first_arg), *offset = c.input(first_arg + 1), *mean = c.input(first_arg + 2),
        *var = c.input(first_arg + 3);
  Value* eps = c.c_scalar(var->dtype, c.attr_float("epsilon", 0.0001f));
  Value* inv = c.op("Div", {scale, c.op("Sqrt", {c.op("Add", {var, eps})})});
  Value* y = c.op("Add", {c.op("Mul", {c.op("Sub", {x, mean}), inv}), offset});
  return y;
}

// The base op's output `y`, then the fused ops; the op's extra arguments start at input 2.
std::vector<Value*> fuse(OpCtx& c, Value* y) {
  std::vector<std::string> ops;
  if (const AttrValue* a = c.attr("fused_ops"))
    for (auto& s : a->list().s()) ops.push_back(lower(s));
  if (ops.size() > 2) c.fail("more than two fused ops");
  int64_t num_args = c.attr_int("num_args", int64_t(c.in.size()) - 2);
  if (num_args < 0 || size_t(num_args) + 2 > c.in.size()) c.fail("num_args does not match the inputs");
  std::string extra = ops.empty() ? "" : ops[0], act = ops.size() > 1 ? ops[1] : "";
  if (!extra.empty() && c.attr_str("data_format", "NHWC").rfind("NC", 0) == 0)
    c.fail("fused ops on channel-first (NCHW) data are not supported");
  size_t next = 2;  // first argument not used yet
  if (extra == "biasadd") {
    y = c.op("Add", {y, c.input(next++)});
  } else if (extra == "fusedbatchnorm") {
    if (num_args < 4) c.fail("fused FusedBatchNorm needs 4 arguments (scale, offset, mean, variance)");
    y = batch_norm(c, y, next);
    next += 4;
  } else if (!extra.empty()) {
    act = extra;  // an activation alone (tfjs-converter's Prelu fusion without a bias)
    if (ops.size() > 1) c.fail("unsupported fused op '" + extra + "'");
  }
  Value* alpha = next < 2 + size_t(num_args) ? c.input(next) : nullptr;
  return {activation(c, act, y, alpha)};
}

template <const char* Base>
std::vector<Value*> fused(OpCtx& c) {
  auto base = op_table().find(Base);
  return fuse(c, base->second(c).at(0));
}
constexpr char kConv2D[] = "Conv2D", kDepthwise[] = "DepthwiseConv2dNative", kMatMul[] = "MatMul";

// _FusedBatchNormEx(x, scale, offset, mean, variance, side_inputs...) {epsilon, activation_mode,
// num_side_inputs}: inference batch norm (channel last), plus the side input, then Identity or Relu.
std::vector<Value*> fused_batch_norm_ex(OpCtx& c) {
  if (c.attr_bool("is_training", true)) c.fail("is_training=true (training-mode batch norm) is not supported");
  if (c.attr_str("data_format", "NHWC").rfind("NC", 0) == 0) c.fail("channel-first (NCHW) data is not supported");
  Value* y = batch_norm(c, c.input(0), 1);
  int64_t sides = c.attr_int("num_side_inputs", 0);
  if (sides > 1) c.fail("more than one side input");
  if (sides == 1) y = c.op("Add", {y, c.input(5)});
  std::string act = lower(c.attr_str("activation_mode", "Identity"));
  y = activation(c, act == "identity" ? "" : act, y, nullptr);
  return {y, c.input(3), c.input(4), c.input(3), c.input(4), nullptr};
}

std::vector<Value*> prelu_op(OpCtx& c) { return {prelu(c, c.input(0), c.input(1))}; }

}  // namespace

void register_fused_ops(OpTable& t) {
  t["_FusedConv2D"] = fused<kConv2D>;
  t["FusedDepthwiseConv2dNative"] = t["_FusedDepthwiseConv2dNative"] = fused<kDepthwise>;
  t["_FusedMatMul"] = fused<kMatMul>;
  t["_FusedBatchNormEx"] = fused_batch_norm_ex;
  t["Prelu"] = prelu_op;
}

}  // namespace modelport::tf

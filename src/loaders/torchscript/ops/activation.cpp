// Activations. In-place variants (relu_, ...) normally disappear in RemoveMutation; they are
// registered too in case a mutation could not be removed (the result is then the same value).
#include "loaders/torchscript/registry.h"

namespace modelport::ts {
namespace {


Value* clip(Ctx& c, Value* x, std::optional<double> lo, std::optional<double> hi) {
  Value* mn = lo ? c.c_scalar(x->dtype, *lo) : nullptr;
  Value* mx = hi ? c.c_scalar(x->dtype, *hi) : nullptr;
  std::vector<Value*> ins = {x, mn, mx};
  while (!ins.back()) ins.pop_back();
  return c.op("Clip", ins);
}

void lower_relu(Ctx& c) {
  Value* x = c.tensor(0);
  c.out(c.op("Relu", {x}));
}

void lower_relu6(Ctx& c) { c.out(clip(c, c.tensor(0), 0.0, 6.0)); }

void lower_hardtanh(Ctx& c) {
  double lo = c.num_inputs() > 1 ? c.double_arg(1) : -1.0;
  double hi = c.num_inputs() > 2 ? c.double_arg(2) : 1.0;
  c.out(clip(c, c.tensor(0), lo, hi));
}

void lower_clamp(Ctx& c) {
  Value* x = c.tensor(0);
  auto given = [&](size_t i) { return i < c.num_inputs() && !c.in(i).is_none(); };
  if ((given(1) && c.in(1).is_tensor()) || (given(2) && c.in(2).is_tensor())) {
    // Tensor bounds (clamp.Tensor), broadcast elementwise: min(max(x, lo), hi).
    Value* y = x;
    for (size_t i : {size_t(1), size_t(2)}) {
      if (!given(i)) continue;
      Value* b = c.cast(c.tensor(i), x->dtype);
      y = c.op(i == 1 ? "Max" : "Min", {y, b});
    }
    return c.out(y);
  }
  auto bound = [&](size_t i) -> std::optional<double> {
    if (!given(i)) return std::nullopt;
    return c.double_arg(i);
  };
  c.out(clip(c, x, bound(1), bound(2)));
}

void lower_sigmoid(Ctx& c) {
  Value* x = c.tensor(0);
  c.out(c.op("Sigmoid", {x}));
}

void lower_tanh(Ctx& c) {
  Value* x = c.tensor(0);
  c.out(c.op("Tanh", {x}));
}

void lower_silu(Ctx& c) {  // x * sigmoid(x)
  Value* x = c.tensor(0);
  Value* s = c.op("Sigmoid", {x});
  c.out(c.op("Mul", {x, s}));
}

void lower_gelu(Ctx& c) {
  Value* x = c.tensor(0);
  std::string approx = "none";
  if (auto i = c.arg_index("approximate")) approx = c.string_arg(*i);
  if (approx != "none" && approx != "tanh") c.fail("unknown gelu approximation '" + approx + "'");
  c.out(c.op("Gelu", {x}, {{"approximate", approx}}));
}

void lower_hardswish(Ctx& c) {
  Value* x = c.tensor(0);
  c.out(c.op("HardSwish", {x}));
}

void lower_hardsigmoid(Ctx& c) {  // torch: relu6(x + 3) / 6
  Value* x = c.tensor(0);
  c.out(c.op("HardSigmoid", {x}, {{"alpha", float(1.0 / 6.0)}, {"beta", 0.5f}}));
}

void lower_leaky_relu(Ctx& c) {
  Value* x = c.tensor(0);
  float slope = c.num_inputs() > 1 ? float(c.double_arg(1)) : 0.01f;
  c.out(c.op("LeakyRelu", {x}, {{"alpha", slope}}));
}

void lower_elu(Ctx& c) {
  Value* x = c.tensor(0);
  if (c.num_inputs() > 3 && (c.double_arg(2) != 1.0 || c.double_arg(3) != 1.0))
    c.fail("elu with scale/input_scale other than 1 is not supported");
  float alpha = c.num_inputs() > 1 ? float(c.double_arg(1)) : 1.0f;
  c.out(c.op("Elu", {x}, {{"alpha", alpha}}));
}

// softplus(self, beta=1, threshold=20) = x where beta*x > threshold, else log(1 + exp(beta*x)) / beta
void lower_softplus(Ctx& c) {
  Value* x = c.tensor(0);
  double beta = c.num_inputs() > 1 ? c.double_arg(1) : 1.0;
  double threshold = c.num_inputs() > 2 ? c.double_arg(2) : 20.0;
  if (beta == 1.0 && threshold >= 20.0) return c.out(c.op("Softplus", {x}));  // same to float precision
  if (beta == 0.0) c.fail("softplus with beta=0 is undefined");
  Value* bx = c.op("Mul", {x, c.c_scalar(x->dtype, beta)});
  Value* sp = c.op("Div", {c.op("Softplus", {bx}), c.c_scalar(x->dtype, beta)});
  Value* over = c.op("Greater", {bx, c.c_scalar(x->dtype, threshold)});
  c.out(c.op("Where", {over, x, sp}));
}

void lower_softmax(Ctx& c) {
  Value* x = c.tensor(0);
  int64_t dim = c.int_arg(1);
  if (auto i = c.arg_index("dtype"))
    if (auto dt = c.opt_dtype_arg(*i)) x = c.cast(x, *dt);
  std::string kind = c.node->kind().toUnqualString();  // softmax, _softmax, log_softmax, _log_softmax
  std::string op = kind.find("log_softmax") != std::string::npos ? "LogSoftmax" : "Softmax";
  c.out(c.op(op, {x}, {{"axis", dim}}));
}

}  // namespace

void register_activation_ops(Registry& r) {
  r["aten::relu"] = r["aten::relu_"] = lower_relu;
  r["aten::relu6"] = r["aten::relu6_"] = lower_relu6;
  r["aten::hardtanh"] = r["aten::hardtanh_"] = lower_hardtanh;
  r["aten::clamp"] = r["aten::clamp_"] = r["aten::clip"] = lower_clamp;
  r["aten::sigmoid"] = r["aten::sigmoid_"] = lower_sigmoid;
  r["aten::tanh"] = r["aten::tanh_"] = lower_tanh;
  r["aten::silu"] = r["aten::silu_"] = lower_silu;
  r["aten::gelu"] = lower_gelu;
  r["aten::hardswish"] = r["aten::hardswish_"] = lower_hardswish;
  r["aten::hardsigmoid"] = r["aten::hardsigmoid_"] = lower_hardsigmoid;
  r["aten::leaky_relu"] = r["aten::leaky_relu_"] = lower_leaky_relu;
  r["aten::elu"] = r["aten::elu_"] = lower_elu;
  r["aten::softplus"] = lower_softplus;
  r["aten::softmax"] = r["aten::_softmax"] = lower_softmax;
  r["aten::log_softmax"] = r["aten::_log_softmax"] = lower_softmax;
}

}  // namespace modelport::ts

// TF's fake quantization (FakeQuantWithMinMaxArgs / FakeQuantWithMinMaxVars): quantize to
// num_bits and back, written out as TF's kernel computes it (fake_quant_ops_functor.h) rather than
// as QuantizeLinear, whose round-half-to-even differs from the kernel's floor(v + 0.5).
#include <cmath>

#include "translators.h"

namespace modelport::tf {
namespace {

// TF's Nudge: min/max moved so that real zero is an integer step.
struct Nudged {
  float min, max, scale, inv_scale, quant_zero;
};
Nudged nudge(float min, float max, int64_t quant_min, int64_t quant_max) {
  const float qmin = float(quant_min), qmax = float(quant_max);
  Nudged n{};
  n.scale = (max - min) / (qmax - qmin);
  n.inv_scale = (qmax - qmin) / (max - min);
  const float zero_from_min = qmin - min / n.scale;
  float zero = zero_from_min < qmin ? qmin : zero_from_min > qmax ? qmax : std::round(zero_from_min);
  n.min = (qmin - zero) * n.scale;
  n.max = (qmax - zero) * n.scale;
  n.quant_zero = std::floor(-n.min * n.inv_scale + 0.5f);
  return n;
}

// outputs = floor((clamp(x, nmin, nmax) - nmin) * inv_scale - quant_zero + 0.5) * scale; the Args
// kernel multiplies by inv_scale, the Vars kernel divides by scale.
Value* fake_quant(OpCtx& c, float min, float max, bool divide) {
  int64_t bits = c.attr_int("num_bits", 8);
  if (bits < 2 || bits > 16) c.fail("num_bits " + std::to_string(bits) + " is outside TF's [2, 16]");
  bool narrow = c.attr_bool("narrow_range", false);
  Value* x = c.input(0);
  if (min == 0.f && max == 0.f && divide)  // the Vars kernel's all-zero case
    return c.op("ConstantOfShape", {c.op("Shape", {x})});  // float zeros (ONNX default value)
  if (!(min <= 0.f && max >= 0.f && min < max))
    c.fail("min " + std::to_string(min) + " and max " + std::to_string(max) + " must satisfy min <= 0 <= max, min < max");
  Nudged n = nudge(min, max, narrow ? 1 : 0, (int64_t(1) << bits) - 1);
  auto k = [&](float v) { return c.c_scalar(DType::Float32, v); };
  Value* shifted = c.op("Sub", {c.op("Clip", {x, k(n.min), k(n.max)}), k(n.min)});
  Value* q = divide ? c.op("Div", {shifted, k(n.scale)}) : c.op("Mul", {shifted, k(n.inv_scale)});
  q = c.op("Floor", {c.op("Add", {c.op("Sub", {q, k(n.quant_zero)}), k(0.5f)})});
  return c.op("Mul", {q, k(n.scale)});
}

// FakeQuantWithMinMaxArgs(inputs) {min = -6, max = 6, num_bits = 8, narrow_range = false}.
std::vector<Value*> fake_quant_args(OpCtx& c) {
  return {fake_quant(c, c.attr_float("min", -6.f), c.attr_float("max", 6.f), false)};
}

// FakeQuantWithMinMaxVars(inputs, min, max) {num_bits, narrow_range}: scalar min/max tensors
// (constants in frozen graphs).
std::vector<Value*> fake_quant_vars(OpCtx& c) {
  const Tensor *lo = c.const_input(1), *hi = c.const_input(2);
  if (!lo || !hi) c.fail("min and max must be constants");
  if (lo->numel() != 1 || hi->numel() != 1) c.fail("min and max must be scalars");
  return {fake_quant(c, float(lo->as_double(0)), float(hi->as_double(0)), true)};
}

}  // namespace

void register_fake_quant_ops(OpTable& t) {
  t["FakeQuantWithMinMaxArgs"] = fake_quant_args;
  t["FakeQuantWithMinMaxVars"] = fake_quant_vars;
}

}  // namespace modelport::tf

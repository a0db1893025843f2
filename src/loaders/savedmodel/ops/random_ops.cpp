// RandomUniform: ONNX RandomUniformLike over zeros of the requested shape. The values are ONNX
// Runtime's stream, not TF's Philox stream. Seeds: TF's (seed, seed2) = (0, 0) leaves the ONNX
// seed unset (ONNX Runtime draws a new one per process); otherwise the ONNX seed is
// (seed * 65537 + seed2) mod 2^24, so a new session repeats the same sequence (as TF does for a
// seeded op) and ops with the same seeds draw the same values.
#include "translators.h"

namespace modelport::tf {
namespace {

// RandomUniform(shape) {dtype, seed = 0, seed2 = 0}: uniform in [0, 1).
std::vector<Value*> random_uniform(OpCtx& c) {
  DType dt = c.attr_type("dtype");
  if (dt == DType::Undefined) c.fail("the dtype attribute is missing");
  if (!dtype_is_float(dt)) c.fail(std::string("dtype ") + dtype_name(dt) + " is not a floating type");
  Value* zeros = c.op("ConstantOfShape", {c.to_i64(c.input(0))});
  std::map<std::string, Attribute> a{{"dtype", onnx_type_code(dt)}, {"low", 0.0f}, {"high", 1.0f}};
  int64_t seed = c.attr_int("seed", 0), seed2 = c.attr_int("seed2", 0);
  if (seed != 0 || seed2 != 0) {
    constexpr int64_t kExactFloatInts = int64_t(1) << 24;
    int64_t s = ((seed % kExactFloatInts) * 65537 + seed2 % kExactFloatInts) % kExactFloatInts;
    a["seed"] = float(s < 0 ? s + kExactFloatInts : s);
  }
  return {c.op("RandomUniformLike", {zeros}, a)};
}

}  // namespace

void register_random_ops(OpTable& t) { t["RandomUniform"] = random_uniform; }

}  // namespace modelport::tf

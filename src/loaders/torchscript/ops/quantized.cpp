// Quantized ops (torch.ao.quantization): their packed weights are TorchBind objects, unpacked through
// libtorch's own quantized::*_unpack operators. Each op lowers in the form --quantized chooses:
//   integer (default): the arithmetic the quantized kernel does, in ONNX integer ops
//     quantized::linear_dynamic(x, packed, reduce_range): x quantized to uint8 per call over
//     [min(x, 0), max(x, 0)] with 255 levels (127 with reduce_range, as fbgemm/onednn do), then
//     MatMulInteger with the int8 weights and y = acc * (x_scale * w_scale) + bias;
//   float: the dequantized weights in float ops (a warning names the accuracy trade-off).
// aten::quantized_lstm (dynamically quantized nn.LSTM): quantized_lstm.cpp.
// Statically quantized modules (quantize_per_tensor, quantized::conv2d/linear/add/..., dequantize):
// the float ops on dequantized values, each quantized result rounded by QuantizeLinear +
// DequantizeLinear to its scale and zero point (QDQ form) in the integer form.
#include <ATen/ATen.h>
#include <ATen/core/dispatch/Dispatcher.h>

#include <array>

#include "loaders/torchscript/ops/graph_build.h"
#include "loaders/torchscript/ops/quantized_support.h"
#include "loaders/torchscript/registry.h"
#include "loaders/torchscript/weights.h"

namespace modelport::ts {
namespace quant {
namespace {

using gb::bin;

// torch's ChooseQuantizationParams raises a scale below this to it (scales of tiny ranges).
constexpr float kSmallScale = 6.1e-5f;

// The TorchBind object input i holds (packed quantized weights).
const c10::IValue& packed_arg(Ctx& c, size_t i) {
  const LVal& l = c.in(i);
  if (l.kind != LVal::Kind::Object) c.fail("expected packed quantized weights, got " + l.describe());
  return *static_cast<const c10::IValue*>(l.object.get());
}

}  // namespace

std::vector<c10::IValue> call_torch(Ctx& c, const char* name, std::vector<c10::IValue> args) {
  auto op = c10::Dispatcher::singleton().findSchema({name, ""});
  if (!op) c.fail(std::string("this libtorch has no ") + name + " to unpack the weights");
  try {
    op->callBoxed(args);
  } catch (const std::exception& e) {
    std::string why = e.what();
    c.fail(std::string(name) + " failed (" + why.substr(0, why.find('\n')) + ")");
  }
  return args;
}

namespace {

// A quantized weight tensor's parameters as IR constants: scale and zero point, scalars for a
// per-tensor weight and 1-D along `axis` for a per-channel one.
struct QParams {
  Value* scale = nullptr;  // float32
  Value* zero = nullptr;   // the weight's integer type
  bool zero_is_zero = true;
  int64_t axis = 0;        // per-channel axis (0 for per-tensor)
};

QParams weight_qparams(Ctx& c, const at::Tensor& w) {
  QParams q;
  at::Tensor scale, zero;
  switch (w.qscheme()) {
    case at::kPerTensorAffine:
      scale = at::scalar_tensor(w.q_scale(), at::kFloat);
      zero = at::scalar_tensor(w.q_zero_point(), at::kLong);
      break;
    case at::kPerChannelAffine:
      scale = w.q_per_channel_scales().to(at::kFloat);
      zero = w.q_per_channel_zero_points();
      q.axis = w.q_per_channel_axis();
      break;
    default:
      c.fail("weights quantized as " + std::string(c10::toString(w.qscheme())) +
             " are not supported (per-tensor and per-channel affine are)");
  }
  q.zero_is_zero = zero.eq(0).all().item<bool>();
  q.scale = c.g.add_constant("w_scale", tensor_from_torch(scale.contiguous(), c.path, c.where()));
  at::ScalarType it = w.scalar_type() == at::kQUInt8 ? at::kByte : at::kChar;
  q.zero = c.g.add_constant("w_zero_point", tensor_from_torch(zero.to(it).contiguous(), c.path, c.where()));
  return q;
}

}  // namespace

Value* constant(Ctx& c, const at::Tensor& t, const std::string& name) {
  return c.g.add_constant(name, tensor_from_torch(t.contiguous(), c.path, c.where()));
}

void warn_float(Ctx& c) {
  c.warn(std::string(c.node->kind().toQualString()) +
         " exported in float (--quantized float): int8 weights dequantized to float32 and activations not "
         "quantized, so outputs differ from the quantized module's by its quantization error (verify against "
         "libtorch needs a wider --atol); --quantized integer keeps its integer arithmetic");
}

namespace {

// x as uint8 the way the dynamic quantized kernels quantize their input: over [min(x, 0), max(x, 0)]
// with `levels` steps (torch's ChooseQuantizationParams). Returns {xq, scale, zero point}.
std::array<Value*, 3> quantize_dynamic(Ctx& c, Value* x, int64_t levels) {
  Value* zero = c.c_scalar(DType::Float32, 0);
  Value* lo = bin(c, "Min", gb::reduce(c, "ReduceMin", x, {}, false), zero);
  Value* hi = bin(c, "Max", gb::reduce(c, "ReduceMax", x, {}, false), zero);
  Value* range = bin(c, "Sub", hi, lo);
  Value* q = c.c_scalar(DType::Float32, double(levels));
  Value* scale = bin(c, "Max", bin(c, "Div", range, q), c.c_scalar(DType::Float32, kSmallScale));
  // zero point -lo / (range / levels), the same for a raised scale (torch widens [lo, hi] with it).
  Value* safe_range = bin(c, "Max", range, c.c_scalar(DType::Float32, 1e-30));
  Value* zp = c.op("Round", {bin(c, "Div", bin(c, "Mul", c.op("Neg", {lo}), q), safe_range)});
  zp = c.cast(c.op("Clip", {zp, zero, q}), DType::UInt8);
  return {c.op("QuantizeLinear", {x, scale, zp}), scale, zp};
}

// quantized::linear_dynamic(Tensor X, LinearPackedParamsBase W_prepack, bool reduce_range=False)
void lower_linear_dynamic(Ctx& c) {
  auto unpacked = call_torch(c, "quantized::linear_unpack", {packed_arg(c, 1)});
  at::Tensor w = unpacked.at(0).toTensor();  // [out, in], qint8
  c10::optional<at::Tensor> b;
  if (!unpacked.at(1).isNone()) b = unpacked.at(1).toTensor().to(at::kFloat);
  bool reduce_range = c.num_inputs() > 2 && c.bool_arg(2);
  Value* x = c.tensor(0);
  if (x->dtype != DType::Float32) c.fail("input must be float32, got " + std::string(dtype_name(x->dtype)));
  if (!w.is_quantized() || w.dim() != 2) c.fail("the packed weight is not a 2-D quantized tensor");
  if (!c.quantized_float) {
    std::optional<at::Tensor> bias;
    if (b) bias = *b;
    c.out(dynamic_linear(c, x, dynamic_weight(c, w, bias, "weight"), reduce_range ? 127 : 255));
    return;
  }
  warn_float(c);
  Value* y = c.op("MatMul", {x, constant(c, w.dequantize().t(), "weight")});
  if (b) y = bin(c, "Add", y, constant(c, *b, "bias"));
  c.out(y);
}

}  // namespace

DynamicWeight dynamic_weight(Ctx& c, const at::Tensor& w, const std::optional<at::Tensor>& bias, const std::string& name) {
  if (!w.is_quantized() || w.dim() != 2) c.fail(name + " is not a 2-D quantized tensor");
  if (w.scalar_type() != at::kQInt8)
    c.fail(name + " of type " + std::string(c10::toString(w.scalar_type())) + " is not supported (qint8 is)");
  QParams wq = weight_qparams(c, w);
  if (w.qscheme() == at::kPerChannelAffine && wq.axis != 0) c.fail(name + " is quantized per channel along axis 1");
  DynamicWeight d;
  d.weight = constant(c, w.int_repr().t(), name);
  d.scale = wq.scale;
  if (!wq.zero_is_zero) d.zero = wq.zero;
  if (bias) d.bias = constant(c, *bias, name + "_bias");
  return d;
}

Value* dynamic_linear(Ctx& c, Value* x, const DynamicWeight& w, int64_t levels) {
  auto [xq, x_scale, x_zp] = quantize_dynamic(c, x, levels);
  std::vector<Value*> ins = {xq, w.weight, x_zp};
  if (w.zero) ins.push_back(w.zero);
  Value* acc = c.op("MatMulInteger", ins);
  Value* y = bin(c, "Mul", c.cast(acc, DType::Float32), bin(c, "Mul", x_scale, w.scale));
  return w.bias ? bin(c, "Add", y, w.bias) : y;
}

namespace {

// ---------------------------------------------------------------- statically quantized modules
// A quantized tensor is lowered as its dequantized float values. In the integer form every op that
// makes one ends in QuantizeLinear + DequantizeLinear with the op's output scale and zero point (QDQ:
// the values are those of the quantized tensor, and a runtime can fuse the pattern into integer
// kernels); weights are int8 constants behind a DequantizeLinear. The float form drops the QDQ pairs.

DType qdtype(Ctx& c, int64_t scalar_type) {
  auto t = static_cast<c10::ScalarType>(scalar_type);
  if (t == c10::ScalarType::QUInt8) return DType::UInt8;
  if (t == c10::ScalarType::QInt8) return DType::Int8;
  c.fail("quantized dtype " + std::string(c10::toString(t)) + " is not supported (quint8 and qint8 are)");
}

// `v` rounded to the quantization grid (scale, zero point) of type dt: DQ(Q(v)); itself in float form.
Value* requantize(Ctx& c, Value* v, double scale, int64_t zero_point, DType dt) {
  if (c.quantized_float) return v;
  Value* s = c.c_scalar(DType::Float32, scale);
  Value* z = c.g.add_constant("zero_point", Tensor::scalar(dt, double(zero_point)));
  return c.op("DequantizeLinear", {c.op("QuantizeLinear", {v, s, z}), s, z});
}

// A quantized weight as float: int8 constant + DequantizeLinear (per-channel along `axis` of the
// stored layout), or in float form its dequantized values. `transpose` stores it as [in, out].
Value* weight_value(Ctx& c, const at::Tensor& w, bool transpose) {
  if (c.quantized_float) return constant(c, transpose ? w.dequantize().t() : w.dequantize(), "weight");
  QParams q = weight_qparams(c, w);
  std::map<std::string, Attribute> attrs;
  if (w.qscheme() == at::kPerChannelAffine) attrs["axis"] = transpose ? 1 - q.axis : q.axis;
  Value* wq = constant(c, transpose ? w.int_repr().t() : w.int_repr(), "weight");
  return c.op("DequantizeLinear", {wq, q.scale, q.zero}, attrs);
}

// The output scale/zero point arguments (i, i+1) of a quantized op, requantizing `v` to them; the
// output type is that of the op's first quantized input (its DequantizeLinear's), else quint8.
void out_requantized(Ctx& c, Value* v, size_t i) {
  DType dt = DType::UInt8;
  const LVal& first = c.in(0).is_seq() && !c.in(0).items.empty() ? c.in(0).items[0] : c.in(0);
  if (first.is_tensor() && first.v->producer && first.v->producer->op == "DequantizeLinear")
    dt = first.v->producer->input(0)->dtype;
  c.out(requantize(c, v, c.double_arg(i), c.int_arg(i + 1), dt));
}

// aten::quantize_per_tensor(Tensor self, float scale, int zero_point, ScalarType dtype)
void lower_quantize_per_tensor(Ctx& c) {
  if (!c.in(1).is_number()) c.fail("a run-time scale is not supported (a constant one is)");
  DType dt = qdtype(c, c.int_arg(3));
  if (c.quantized_float) warn_float(c);
  c.out(requantize(c, c.tensor(0), c.double_arg(1), c.int_arg(2), dt));
}

// aten::dequantize(Tensor self): the values already are the dequantized ones.
void lower_dequantize(Ctx& c) { c.out(c.tensor(0)); }

// quantized::conv2d / conv2d_relu(Tensor qx, Conv2dPackedParamsBase packed, float scale, int zero_point)
void lower_qconv2d(Ctx& c) {
  const c10::IValue& packed = packed_arg(c, 1);
  auto ints = [&](const char* op) { return call_torch(c, op, {packed}).at(0); };
  if (ints("quantized::conv2d_transpose").toInt() != 0) c.fail("quantized transposed convolutions are not supported");
  auto unpacked = call_torch(c, "quantized::conv2d_unpack", {packed});
  at::Tensor w = unpacked.at(0).toTensor();
  if (w.dim() != 4) c.fail("the packed weight is not 4-D");
  std::vector<int64_t> pads = ints("quantized::conv2d_padding").toIntVector();
  pads.insert(pads.end(), pads.begin(), pads.end());
  std::vector<Value*> ins = {c.tensor(0), weight_value(c, w, false)};
  if (!unpacked.at(1).isNone()) ins.push_back(constant(c, unpacked.at(1).toTensor().to(at::kFloat), "bias"));
  Value* y = c.op("Conv", ins,
                  {{"strides", ints("quantized::conv2d_stride").toIntVector()},
                   {"pads", pads},
                   {"dilations", ints("quantized::conv2d_dilation").toIntVector()},
                   {"group", ints("quantized::conv2d_groups").toInt()},
                   {"kernel_shape", std::vector<int64_t>{w.size(2), w.size(3)}}});
  if (std::string(c.node->kind().toUnqualString()) == "conv2d_relu") y = c.op("Relu", {y});
  out_requantized(c, y, 2);
}

// quantized::linear / linear_relu(Tensor X, LinearPackedParamsBase W_prepack, float Y_scale, int Y_zero_point)
void lower_qlinear(Ctx& c) {
  auto unpacked = call_torch(c, "quantized::linear_unpack", {packed_arg(c, 1)});
  Value* y = c.op("MatMul", {c.tensor(0), weight_value(c, unpacked.at(0).toTensor(), true)});
  if (!unpacked.at(1).isNone()) y = bin(c, "Add", y, constant(c, unpacked.at(1).toTensor().to(at::kFloat), "bias"));
  if (std::string(c.node->kind().toUnqualString()) == "linear_relu") y = c.op("Relu", {y});
  out_requantized(c, y, 2);
}

// quantized::add / add_relu / mul(Tensor qa, Tensor qb, float scale, int zero_point)
void lower_qbinary(Ctx& c) {
  std::string kind = c.node->kind().toUnqualString();
  Value* y = bin(c, kind.rfind("mul", 0) == 0 ? "Mul" : "Add", c.tensor(0), c.tensor(1));
  if (kind.find("_relu") != std::string::npos) y = c.op("Relu", {y});
  out_requantized(c, y, 2);
}

// quantized::cat(Tensor[] qx, int dim, float? scale, int? zero_point)
void lower_qcat(Ctx& c) {
  const LVal& xs = c.in(0);
  if (!xs.is_seq() || xs.items.empty()) c.fail("expected a list of tensors");
  std::vector<Value*> parts;
  for (auto& x : xs.items) parts.push_back(c.tensor_of(x));
  Value* y = gb::concat(c, parts, c.norm_dim(c.int_arg(1), c.need_rank(parts[0], "quantized::cat")));
  if (c.in(2).is_none()) return c.out(y);
  out_requantized(c, y, 2);
}

}  // namespace
}  // namespace quant

using namespace quant;

void register_quantized_ops(Registry& r) {
  r["quantized::linear_dynamic"] = lower_linear_dynamic;
  r["aten::quantized_lstm"] = lower_quantized_lstm;
  r["aten::quantize_per_tensor"] = lower_quantize_per_tensor;
  r["aten::dequantize"] = lower_dequantize;
  r["quantized::conv2d"] = r["quantized::conv2d_relu"] = lower_qconv2d;
  r["quantized::linear"] = r["quantized::linear_relu"] = lower_qlinear;
  r["quantized::add"] = r["quantized::add_relu"] = r["quantized::mul"] = lower_qbinary;
  r["quantized::cat"] = lower_qcat;
}

}  // namespace modelport::ts

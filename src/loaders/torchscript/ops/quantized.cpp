// Quantized ops (torch.ao.quantization): their packed weights are TorchBind objects, unpacked through
// libtorch's own quantized::*_unpack operators. Each op lowers in the form --quantized chooses:
//   integer (default): the arithmetic the quantized kernel does, in ONNX integer ops
//     quantized::linear_dynamic(x, packed, reduce_range): x quantized to uint8 per call over
//     [min(x, 0), max(x, 0)] with 255 levels (127 with reduce_range, as fbgemm/onednn do), then
//     MatMulInteger with the int8 weights and y = acc * (x_scale * w_scale) + bias;
//   float: the dequantized weights in float ops (a warning names the accuracy trade-off).
// aten::quantized_lstm (dynamically quantized nn.LSTM) has the float form only: ONNX LSTM.
// Statically quantized modules (quantize_per_tensor, quantized::conv2d/linear/add/..., dequantize):
// the float ops on dequantized values, each quantized result rounded by QuantizeLinear +
// DequantizeLinear to its scale and zero point (QDQ form) in the integer form.
#include <ATen/ATen.h>
#include <ATen/core/dispatch/Dispatcher.h>

#include <array>

#include "loaders/torchscript/ops/graph_build.h"
#include "loaders/torchscript/registry.h"
#include "loaders/torchscript/weights.h"

namespace modelport::ts {
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

// Runs the libtorch operator `name` (e.g. "quantized::linear_unpack") on `args`: its results.
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

Value* constant(Ctx& c, const at::Tensor& t, const std::string& name) {
  return c.g.add_constant(name, tensor_from_torch(t.contiguous(), c.path, c.where()));
}

void warn_float(Ctx& c) {
  c.warn(std::string(c.node->kind().toQualString()) +
         " exported in float (--quantized float): int8 weights dequantized to float32 and activations not "
         "quantized, so outputs differ from the quantized module's by its quantization error (verify against "
         "libtorch needs a wider --atol); --quantized integer keeps its integer arithmetic");
}

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
  Value* y;
  if (c.quantized_float) {
    warn_float(c);
    y = c.op("MatMul", {x, constant(c, w.dequantize().t(), "weight")});
  } else {
    if (w.scalar_type() != at::kQInt8) c.fail("weights of type " + std::string(c10::toString(w.scalar_type())) +
                                              " are not supported (qint8 is)");
    QParams wq = weight_qparams(c, w);
    if (w.qscheme() == at::kPerChannelAffine && wq.axis != 0) c.fail("per-channel weights along axis 1");
    auto [xq, x_scale, x_zp] = quantize_dynamic(c, x, reduce_range ? 127 : 255);
    std::vector<Value*> ins = {xq, constant(c, w.int_repr().t(), "weight"), x_zp};
    if (!wq.zero_is_zero) ins.push_back(wq.zero);
    Value* acc = c.op("MatMulInteger", ins);
    y = bin(c, "Mul", c.cast(acc, DType::Float32), bin(c, "Mul", x_scale, wq.scale));
  }
  if (b) y = bin(c, "Add", y, constant(c, *b, "bias"));
  c.out(y);
}

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

// One CellParamsBase of a dynamically quantized nn.LSTM, by its __getstate__: (kind, [b_ih, b_hh],
// doubles, [reduce_range], [packed w_ih, packed w_hh]). Returns {w_ih, w_hh, b_ih, b_hh} as
// float constants (the weights dequantized; the biases are the packed ones the kernel adds).
std::vector<LVal> dequantized_cell(Ctx& c, const LVal& l, const std::string& sfx, bool has_biases) {
  if (l.kind != LVal::Kind::Object) c.fail("expected quantized cell parameters, got " + l.describe());
  const auto& iv = *static_cast<const c10::IValue*>(l.object.get());
  auto* getstate = iv.toObjectRef().type()->findMethod("__getstate__");
  if (!getstate) c.fail("its cell parameters " + l.s + " have no __getstate__");
  c10::IValue state = (*getstate)({iv});
  if (!state.isTuple() || state.toTupleRef().elements().size() != 5 || !state.toTupleRef().elements()[0].isString())
    c.fail("its cell parameters " + l.s + " have an unknown serialized form");
  auto inner = state.toTupleRef().elements();
  std::string kind = inner.at(0).toStringRef();
  if (kind != "quantized_dynamic")
    c.fail("cell parameters of kind '" + kind + "' are not supported (dynamically quantized qint8 are)");
  auto packed = inner.at(4).toListRef();
  std::vector<LVal> out;
  std::vector<c10::optional<at::Tensor>> biases;
  for (size_t k = 0; k < 2; ++k) {
    auto unpacked = call_torch(c, "quantized::linear_unpack", {packed.at(k)});
    std::string name = std::string(k ? "weight_hh" : "weight_ih") + sfx;
    out.push_back(LVal::tensor(constant(c, unpacked.at(0).toTensor().dequantize(), name)));
    if (!unpacked.at(1).isNone()) biases.push_back(unpacked.at(1).toTensor().to(at::kFloat));
  }
  if (has_biases) {
    if (biases.size() != 2) c.fail("the packed cell weights carry no biases");
    out.push_back(LVal::tensor(constant(c, *biases[0], "bias_ih" + sfx)));
    out.push_back(LVal::tensor(constant(c, *biases[1], "bias_hh" + sfx)));
  }
  return out;
}

// aten::quantized_lstm(input, hx, CellParamsBase[] params, has_biases, num_layers, dropout, train,
// bidirectional, batch_first, *, dtype, use_dynamic): float form only, as ONNX LSTM on the
// dequantized weights (ONNX has no integer LSTM; the integer form would unroll the recurrence).
void lower_quantized_lstm(Ctx& c) {
  if (!c.quantized_float)
    c.fail("a dynamically quantized LSTM has no integer ONNX form here (ONNX LSTM is float only); export it "
           "with --quantized float (dequantized weights)");
  warn_float(c);
  const LVal& cells = c.in(2);
  if (!cells.is_seq()) c.fail("expected a list of cell parameters, got " + cells.describe());
  bool has_biases = c.bool_arg(3), bidir = c.bool_arg(7);
  std::vector<LVal> params;
  for (size_t i = 0; i < cells.items.size(); ++i) {
    size_t layer = bidir ? i / 2 : i;
    std::string sfx = "_l" + std::to_string(layer) + (bidir && i % 2 ? "_reverse" : "");
    for (auto& w : dequantized_cell(c, cells.items[i], sfx, has_biases)) params.push_back(w);
  }
  lower_lstm_weights(c, params);
}

}  // namespace

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

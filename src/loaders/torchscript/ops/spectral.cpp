// aten::stft -> ONNX STFT (opset 17; older opsets refuse it by name). torch.stft's center=True
// reflect padding is done by torch.functional.stft before it calls aten::stft, so it arrives as an
// aten::pad the padding lowering handles. Here:
//   stft(Tensor self [B, T] or [T], int n_fft, int? hop_length=n_fft/4, int? win_length=n_fft,
//        Tensor? window=ones(win_length), bool normalized, bool? onesided=True, bool? return_complex)
// The window (a constant) is zero-padded on both sides to n_fft, as torch centres it. ONNX gives
// [B, frames, bins, 2]; torch's [B, bins, frames] complex is kept as [B, bins, frames, 2] (ops/spectral.h),
// which is also return_complex=False's real layout. normalized multiplies by n_fft^-1/2.
#include <cmath>
#include <cstring>

#include "loaders/torchscript/ops/spectral.h"

#include "loaders/torchscript/ops/graph_build.h"

namespace modelport::ts {
namespace {

const c10::Symbol kStft = c10::Symbol::fromQualString("aten::stft");

// The window zero-padded to n_fft (centred), or ones(win_length) padded when there is none.
Value* padded_window(Ctx& c, int64_t n_fft, int64_t win_length) {
  std::vector<float> w(size_t(win_length), 1.0f);
  if (!c.in(4).is_none()) {
    Value* v = c.tensor(4);
    if (!v->is_constant() || v->constant->dtype != DType::Float32 || v->constant->dims.size() != 1)
      c.fail("the window must be a constant 1-D float32 tensor");
    if (v->constant->dims[0] != win_length)
      c.fail("window of length " + std::to_string(v->constant->dims[0]) + " with win_length " +
             std::to_string(win_length));
    std::memcpy(w.data(), v->constant->raw(), w.size() * sizeof(float));
  }
  std::vector<float> full(size_t(n_fft), 0.0f);
  int64_t left = (n_fft - win_length) / 2;
  std::copy(w.begin(), w.end(), full.begin() + left);
  return c.g.add_constant("stft_window", Tensor::f32(full));
}

void lower_stft(Ctx& c) {
  if (c.num_inputs() != 8) c.fail("only the 8-argument aten::stft (PyTorch 1.13's) is supported");
  Value* x = c.tensor(0);
  size_t rank = c.need_rank(x, "aten::stft");
  if (rank != 1 && rank != 2) c.fail("input of rank " + std::to_string(rank) + " (expected [T] or [batch, T])");
  if (x->dtype != DType::Float32) c.fail("input must be real float32 (got " + std::string(dtype_name(x->dtype)) + ")");
  int64_t n_fft = c.int_arg(1);
  int64_t hop = c.in(2).is_none() ? n_fft / 4 : c.int_arg(2);
  int64_t win_length = c.in(3).is_none() ? n_fft : c.int_arg(3);
  if (n_fft <= 0 || hop <= 0 || win_length <= 0 || win_length > n_fft)
    c.fail("n_fft " + std::to_string(n_fft) + ", hop_length " + std::to_string(hop) + ", win_length " +
           std::to_string(win_length) + " are not valid");
  bool normalized = c.bool_arg(5);
  bool onesided = c.in(6).is_none() || c.bool_arg(6);
  if (c.in(7).is_none()) c.fail("return_complex must be given (PyTorch requires it for real input)");
  if (c.bool_arg(7))
    for (const jit::Use& u : c.node->output()->uses()) {
      std::string k = u.user->kind().toQualString();
      if (k != "aten::abs" && k != "aten::view_as_real" && k != "aten::real" && k != "aten::imag")
        c.fail("its complex result is used by " + k +
               " (only abs, view_as_real, real and imag of it are supported)");
    }

  Value* signal = c.op("Unsqueeze", {x, c.c_i64(rank == 1 ? std::vector<int64_t>{0, 2} : std::vector<int64_t>{2})});
  Value* y = c.op("STFT", {signal, c.c_i64_scalar(hop), padded_window(c, n_fft, win_length), c.c_i64_scalar(n_fft)},
                  {{"onesided", int64_t(onesided)}});
  y = gb::transpose(c, y, {0, 2, 1, 3});  // [B, bins, frames, 2]
  if (normalized) y = gb::bin(c, "Mul", y, c.c_scalar(DType::Float32, 1.0 / std::sqrt(double(n_fft))));
  if (rank == 1) y = c.op("Squeeze", {y, c.c_i64({0})});
  c.out(y);
}

void lower_view_as_real(Ctx& c) {
  if (!is_complex(c.node->input(0))) c.fail("input is not a complex tensor made by aten::stft");
  c.out(c.in(0));
}

// aten::real / aten::imag: element 0 / 1 of the last axis.
void lower_real_imag(Ctx& c) {
  if (!is_complex(c.node->input(0))) c.fail("input is not a complex tensor made by aten::stft");
  int64_t part = std::string(c.node->kind().toUnqualString()) == "imag" ? 1 : 0;
  c.out(c.op("Gather", {c.tensor(0), c.c_i64_scalar(part)}, {{"axis", int64_t(-1)}}));
}

}  // namespace

bool is_complex(const jit::Value* v) {
  const jit::Node* n = v->node();
  if (n->kind() != kStft || n->inputs().size() != 8) return false;
  auto rc = jit::toIValue(n->input(7));
  return rc && rc->isBool() && rc->toBool();
}

void lower_complex_abs(Ctx& c) {
  Value* x = c.tensor(0);
  c.out(c.op("Sqrt", {gb::reduce(c, "ReduceSumSquare", x, {-1}, false)}));
}

void register_spectral_ops(Registry& r) {
  r["aten::stft"] = lower_stft;
  r["aten::view_as_real"] = lower_view_as_real;
  r["aten::real"] = r["aten::imag"] = lower_real_imag;
}

}  // namespace modelport::ts

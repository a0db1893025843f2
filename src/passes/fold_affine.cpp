#include "passes/fold_affine.h"

#include <cmath>
#include <cstring>

#include "modelport/tensor_ops.h"

namespace modelport {
namespace {

bool const_f32(const Value* v) { return v && v->is_constant() && v->constant->dtype == DType::Float32; }

// A constant that, broadcast against a rank-r value, holds one entry per channel of axis 1.
bool per_channel(const Tensor& b, size_t r, int64_t channels) {
  if (b.numel() != channels || b.dims.size() > r) return false;
  if (channels == 1) return true;
  size_t off = r - b.dims.size();
  if (off > 1 || b.dims[1 - off] != channels) return false;
  for (size_t i = 0; i < b.dims.size(); ++i)
    if (off + i != 1 && b.dims[i] != 1) return false;
  return true;
}

// w * scale[c] + shift[c], c being the index along `axis` (shift may be empty). A result of
// kLazyPermuteBytes or more is a lazy buffer, made piece by piece as the writer streams it (a
// folded Conv weight never exists whole: no allocation, no page faults, one pass over the source);
// it keeps `w` alive until then.
Tensor affine_along(const Tensor& w, size_t axis, const std::vector<double>& scale,
                    const std::vector<double>& shift = {}) {
  int64_t inner = 1;
  for (size_t i = axis + 1; i < w.dims.size(); ++i) inner *= w.dims[i];
  const int64_t n = axis < w.dims.size() ? w.dims[axis] : 1;
  const int64_t total = w.numel();
  // Runs [first, first + count) of `inner` entries, [outer][n channels][inner]; run u is channel u % n.
  auto fill = [w, inner, n, scale, shift](size_t first, size_t count, uint8_t* out) {
    const float* d = w.data<float>() + int64_t(first) * inner;
    for (size_t u = 0; u < count; ++u) {
      const size_t c = (first + u) % size_t(n);
      const double s = scale[c], b = shift.empty() ? 0.0 : shift[c];
      for (int64_t k = 0; k < inner; ++k, ++d, out += sizeof(float)) {
        float v = float(double(*d) * s + b);
        std::memcpy(out, &v, sizeof v);
      }
    }
    w.buffer->release(first * size_t(inner) * sizeof(float), count * size_t(inner) * sizeof(float));
  };
  const size_t nbytes = size_t(total) * sizeof(float), runs = inner > 0 ? size_t(total / inner) : 0;
  if (runs > 0 && nbytes >= kLazyPermuteBytes) {
    Tensor o;
    o.dtype = DType::Float32;
    o.dims = w.dims;
    o.buffer = Buffer::lazy(nbytes, nbytes / runs, fill);
    return o;
  }
  std::vector<uint8_t> bytes(nbytes);
  if (runs > 0) fill(0, runs, bytes.data());
  return tensor_from_bytes(DType::Float32, w.dims, std::move(bytes));
}

// A per-channel bias constant (any per_channel layout) scaled, plus `shift`.
Tensor bias_affine(const Tensor& b, const std::vector<double>& scale, const std::vector<double>& shift) {
  Tensor flat = b;
  flat.dims = {b.numel()};
  Tensor r = affine_along(flat, 0, scale, shift);
  r.dims = b.dims;
  return r;
}

// The linear op feeding a BatchNormalization and where its output-channel axis lies.
struct Linear {
  Node* op = nullptr;
  size_t weight_axis = 0;     // output-channel axis of the weight (input 1)
  Node* bias_add = nullptr;   // Add(op, bias) between op and the BatchNormalization, if any
  size_t bias_slot = 0;       // which input of bias_add is the bias
};

// Finds the Conv / Gemm / MatMul (with an optional per-channel bias Add) whose output `x` is, each
// value on the way read only by the next node. `rank` is the BatchNormalization input's rank.
bool find_linear(Value* x, int64_t channels, Linear& f) {
  auto single = [](const Value* v) { return v && v->producer && v->uses().size() == 1; };
  if (!single(x)) return false;
  Node* p = x->producer;
  if (p->op == "Add" && p->domain.empty() && p->inputs.size() == 2) {
    for (size_t side = 0; side < 2 && !f.bias_add; ++side) {
      Value* b = p->inputs[1 - side];
      Value* a = p->inputs[side];
      if (!const_f32(b) || !single(a)) continue;
      f.bias_add = p;
      f.bias_slot = 1 - side;
      p = a->producer;
    }
    if (!f.bias_add) return false;
  }
  if (!p->domain.empty() || p->inputs.size() < 2 || !const_f32(p->inputs[1])) return false;
  const Tensor& w = *p->inputs[1]->constant;
  size_t rank;
  if (p->op == "Conv") {
    if (w.dims.size() < 3) return false;
    rank = w.dims.size();
    f.weight_axis = 0;
  } else if (p->op == "Gemm" || p->op == "MatMul") {
    const Shape& in = p->inputs[0] ? p->inputs[0]->shape : Shape();
    if (w.dims.size() != 2 || !in.rank_known || in.rank() != 2) return false;
    rank = 2;
    f.weight_axis = p->op == "Gemm" && p->attr_int("transB", 0) != 0 ? 0 : 1;
  } else {
    return false;
  }
  if (w.dims[f.weight_axis] != channels) return false;
  if (f.bias_add && !per_channel(*f.bias_add->inputs[f.bias_slot]->constant, rank, channels)) return false;
  Value* own_bias = p->op == "MatMul" ? nullptr : p->input(2);
  // Conv's B is 1-D; Gemm's C broadcasts against the [M, N] result.
  if (own_bias && (!const_f32(own_bias) || (p->op == "Conv" ? own_bias->constant->dims != std::vector<int64_t>{channels}
                                                            : !per_channel(*own_bias->constant, rank, channels))))
    return false;
  if (p->op == "Gemm" && p->attr_float("beta", 1.0f) == 0.0f) return false;
  f.op = p;
  return true;
}

// Frees a replaced weight's bytes at once when nothing reads it any more, instead of at the pass's
// remove_dead(): folding every layer of a model then never holds all the old and all the new
// weights together (resnet50: 95 MB less at the peak). The constant itself, left unread and without
// bytes, goes with remove_dead(); the emitter writes only constants that are read.
void free_if_unread(Value* v) {
  if (!v || !v->constant || !v->uses().empty() || !v->constant->buffer) return;
  Tensor header;
  header.dtype = v->constant->dtype;
  header.dims = v->constant->dims;
  v->constant = std::make_shared<const Tensor>(std::move(header));
}

// Redirects the readers of `n`'s output to `by` and lets go of `n`'s inputs, so the values it read
// count only their live readers (the next fold looks for single readers); remove_dead() drops `n`.
void bypass(Graph& g, Node* n, Value* by) {
  g.replace_all_uses(n->outputs[0], by);
  n->inputs.clear();
}

// Add(Conv(x, W, B), b) with a per-output-channel constant b -> Conv(x, W, B + b).
bool fold_bias_add(Graph& g, Node* add) {
  if (add->op != "Add" || !add->domain.empty() || add->inputs.size() != 2 || add->outputs.size() != 1 ||
      g.is_output(add->outputs[0]))
    return false;
  for (size_t side = 0; side < 2; ++side) {
    Value* a = add->inputs[side];
    Value* b = add->inputs[1 - side];
    if (!const_f32(b) || !a || !a->producer || a->uses().size() != 1) continue;
    Node* conv = a->producer;
    if (conv->op != "Conv" || !conv->domain.empty() || !const_f32(conv->input(1))) continue;
    const Tensor& w = *conv->inputs[1]->constant;
    if (w.dims.size() < 3 || !per_channel(*b->constant, w.dims.size(), w.dims[0])) continue;
    int64_t channels = w.dims[0];
    Value* own = conv->input(2);
    if (own && (!const_f32(own) || own->constant->dims != std::vector<int64_t>{channels})) continue;
    std::vector<float> sum(static_cast<size_t>(channels));
    for (size_t c = 0; c < sum.size(); ++c)
      sum[c] = (own ? own->constant->data<float>()[c] : 0.0f) + b->constant->data<float>()[c];
    if (conv->inputs.size() < 3) conv->inputs.resize(3);
    conv->inputs.set(2, g.add_constant((own ? own->name : b->name) + "_biasfold", Tensor::f32(sum)));
    conv->outputs[0]->shape = add->outputs[0]->shape;
    bypass(g, add, conv->outputs[0]);
    return true;
  }
  return false;
}

bool fold_batchnorm(Graph& g, Node* bn) {
  if (bn->op != "BatchNormalization" || !bn->domain.empty() || bn->inputs.size() != 5 ||
      bn->attr_int("training_mode", 0) != 0 || bn->outputs.empty())
    return false;
  for (size_t i = 1; i < bn->outputs.size(); ++i)
    if (!bn->outputs[i]->uses().empty()) return false;
  Value* y = bn->outputs[0];
  for (size_t i = 1; i < 5; ++i)
    if (!const_f32(bn->inputs[i])) return false;
  int64_t channels = bn->inputs[1]->constant->numel();
  for (size_t i = 2; i < 5; ++i)
    if (bn->inputs[i]->constant->numel() != channels) return false;
  Linear f;
  if (!find_linear(bn->inputs[0], channels, f)) return false;
  bool keep_bn_slot = f.op->op == "MatMul" && !f.bias_add;  // the BatchNormalization becomes the bias Add
  if (keep_bn_slot ? bn->outputs.size() != 1 : g.is_output(y)) return false;

  double eps = bn->attr_float("epsilon", 1e-5f);
  const float* gamma = bn->inputs[1]->constant->data<float>();
  const float* beta = bn->inputs[2]->constant->data<float>();
  const float* mean = bn->inputs[3]->constant->data<float>();
  const float* var = bn->inputs[4]->constant->data<float>();
  std::vector<double> scale(static_cast<size_t>(channels)), shift(static_cast<size_t>(channels));
  for (size_t c = 0; c < size_t(channels); ++c) {
    scale[c] = double(gamma[c]) / std::sqrt(double(var[c]) + eps);
    shift[c] = double(beta[c]) - double(mean[c]) * scale[c];
  }

  Node* p = f.op;
  Value* w = p->inputs[1];
  p->inputs.set(1, g.add_constant(w->name + "_bnfold", affine_along(*w->constant, f.weight_axis, scale)));
  free_if_unread(w);
  // The shift goes into exactly one bias: the Add's, else the op's own (Conv B, Gemm C).
  Value* own_bias = p->op == "MatMul" ? nullptr : p->input(2);
  bool shift_in_add = f.bias_add != nullptr;
  if (f.bias_add) {
    Value* b = f.bias_add->inputs[f.bias_slot];
    f.bias_add->inputs.set(f.bias_slot, g.add_constant(b->name + "_bnfold", bias_affine(*b->constant, scale, shift)));
  }
  if (p->op != "MatMul") {
    double gemm_beta = p->op == "Gemm" ? p->attr_float("beta", 1.0f) : 1.0;
    std::vector<double> add = shift;
    for (auto& a : add) a = shift_in_add ? 0.0 : a / gemm_beta;
    Tensor nb = own_bias ? bias_affine(*own_bias->constant, scale, add)
                         : Tensor::from_vector(DType::Float32, std::vector<float>(add.begin(), add.end()), {channels});
    if (own_bias || !shift_in_add) {
      if (p->inputs.size() < 3) p->inputs.resize(3);
      p->inputs.set(2, g.add_constant((own_bias ? own_bias->name : w->name) + "_bnfold_bias", std::move(nb)));
    }
  }
  if (keep_bn_slot) {
    std::vector<float> t(shift.begin(), shift.end());
    bn->op = "Add";
    bn->attrs.clear();
    bn->inputs = {bn->inputs[0], g.add_constant(w->name + "_bnfold_bias", Tensor::f32(t))};
    return true;
  }
  Value* last = f.bias_add ? f.bias_add->outputs[0] : p->outputs[0];
  last->shape = y->shape;
  bypass(g, bn, last);
  return true;
}

}  // namespace

size_t fold_affine(Graph& g) {
  size_t folded = 0;
  for (auto& n : g.nodes()) folded += fold_bias_add(g, n.get()) ? 1 : 0;
  for (auto& n : g.nodes()) folded += fold_batchnorm(g, n.get()) ? 1 : 0;
  for_each_subgraph(g, [&](Graph& sg) { folded += fold_affine(sg); });  // If/Loop bodies
  return folded;
}

}  // namespace modelport

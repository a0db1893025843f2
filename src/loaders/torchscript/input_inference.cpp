#include "loaders/torchscript/input_inference.h"

#include <torch/csrc/jit/ir/constants.h>

#include "loaders/torchscript/context.h"

namespace modelport::ts {
namespace {

std::optional<at::Tensor> const_tensor(const jit::Value* v) {
  if (v->node()->kind() != c10::prim::Constant) return std::nullopt;
  auto iv = jit::toIValue(v);
  if (!iv || !iv->isTensor()) return std::nullopt;
  return iv->toTensor();
}

std::optional<int64_t> const_int(const jit::Node* n, size_t i) {
  if (i >= n->inputs().size()) return std::nullopt;
  auto iv = jit::toIValue(n->input(i));
  if (!iv || !iv->isInt()) return std::nullopt;
  return iv->toInt();
}

std::string dims_str(const at::Tensor& t) {
  std::string s = "[";
  for (int64_t i = 0; i < t.dim(); ++i) s += (i ? "," : "") + std::to_string(t.size(i));
  return s + "]";
}

// A convolution input (batched): rank and dtype of the weight, channels = weight.size(1) * groups.
// Argument positions: conv1d/2d/3d(input, weight, bias, stride, padding, dilation, groups);
// _convolution / convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups, ...).
bool from_convolution(const jit::Node* n, const std::string& name, RecordedInput& r) {
  std::string kind = n->kind().toQualString();
  bool plain = kind == "aten::conv1d" || kind == "aten::conv2d" || kind == "aten::conv3d";
  bool general = kind == "aten::_convolution" || kind == "aten::convolution";
  if (!plain && !general) return false;
  auto w = const_tensor(n->input(1));
  if (!w || w->dim() < 3) return false;
  std::optional<int64_t> groups = const_int(n, plain ? 6 : 8);
  bool transposed = false;
  if (general) {
    auto t = jit::toIValue(n->input(6));
    if (!t || !t->isBool()) return false;
    transposed = t->toBool();
  }
  std::vector<Dim> dims;
  for (int64_t i = 0; i < w->dim(); ++i) dims.push_back(Dim::sym(name + "_d" + std::to_string(i)));
  if (groups && !transposed) dims[1] = Dim::fixed(w->size(1) * *groups);
  if (transposed) dims[1] = Dim::fixed(w->size(0));
  r.dtype = dtype_from_torch(w->scalar_type());
  r.shape = Shape(dims);
  r.evidence = kind + " weight " + dims_str(*w);
  return true;
}

}  // namespace

RecordedInput recorded_input(const jit::Value* input, const std::string& name) {
  RecordedInput r;
  if (auto tt = input->type()->cast<c10::TensorType>()) {
    if (auto st = tt->scalarType()) r.dtype = dtype_from_torch(*st);
    if (auto sizes = tt->sizes().concrete_sizes()) r.shape = Shape::of(*sizes);
    if (r.dtype && r.shape) {
      r.evidence = "its TorchScript type";
      return r;
    }
  }
  for (const jit::Use& u : input->uses()) {
    const jit::Node* n = u.user;
    std::string kind = n->kind().toQualString();
    if (u.offset == 0 && !r.shape && from_convolution(n, name, r)) return r;
    if (kind == "aten::embedding" && u.offset == 1 && !r.dtype) {
      r.dtype = DType::Int64;  // indices; their rank is whatever the caller feeds
      r.evidence = "aten::embedding indices";
    }
  }
  return r;
}

}  // namespace modelport::ts

// Runs a TorchScript model with libtorch on given inputs: the source side of `modelport verify`.
#include <torch/script.h>
#include <torch/version.h>

#include "loaders/torchscript/newer_schemas.h"
#include "loaders/torchscript/state_attributes.h"
#include "modelport/error.h"
#include "modelport/loaders.h"

namespace modelport {
namespace {

struct DTypePair { at::ScalarType st; DType dt; };
constexpr DTypePair kDTypes[] = {
    {at::kFloat, DType::Float32}, {at::kDouble, DType::Float64}, {at::kHalf, DType::Float16},
    {at::kBFloat16, DType::BFloat16}, {at::kLong, DType::Int64}, {at::kInt, DType::Int32},
    {at::kShort, DType::Int16}, {at::kChar, DType::Int8}, {at::kByte, DType::UInt8}, {at::kBool, DType::Bool},
};

at::Tensor to_torch(const Tensor& t) {
  for (auto& p : kDTypes)
    if (p.dt == t.dtype)
      return torch::from_blob(const_cast<uint8_t*>(t.raw()), std::vector<int64_t>(t.dims.begin(), t.dims.end()),
                              torch::TensorOptions().dtype(p.st))
          .clone();
  throw Error(std::string("cannot feed a ") + dtype_name(t.dtype) + " tensor to libtorch");
}

Tensor from_torch(const at::Tensor& in) {
  at::Tensor t = in.detach().contiguous().cpu();
  Tensor r;
  for (auto& p : kDTypes)
    if (p.st == t.scalar_type()) r.dtype = p.dt;
  if (r.dtype == DType::Undefined) throw Error("libtorch output has an unsupported dtype");
  r.dims.assign(t.sizes().begin(), t.sizes().end());
  r.buffer = Buffer::alias(t.data_ptr(), t.numel() * t.element_size(), std::make_shared<at::Tensor>(t));
  return r;
}

// Flattens tensors, tuples, lists and dicts (in insertion order) into named outputs.
void flatten(const c10::IValue& v, const std::string& name, std::vector<NamedTensor>& out, bool top_level = false) {
  if (v.isNone() && !top_level) return;  // an absent optional output (e.g. googlenet's aux logits)
  if (v.isTensor()) out.push_back({name, from_torch(v.toTensor())});
  else if (v.isTuple())
    for (auto& e : v.toTupleRef().elements()) flatten(e, "", out);
  else if (v.isList()) {
    auto list = v.toList();
    for (size_t i = 0; i < list.size(); ++i) flatten(list.get(i), "", out);
  }
  else if (v.isGenericDict())
    for (auto& kv : v.toGenericDict()) flatten(kv.value(), kv.key().isString() ? kv.key().toStringRef() : "", out);
  else if (v.isInt()) out.push_back({name, Tensor::i64_scalar(v.toInt())});
  else if (v.isDouble()) out.push_back({name, Tensor::scalar(DType::Float64, v.toDouble())});
  else if (v.isBool()) out.push_back({name, Tensor::scalar(DType::Bool, v.toBool())});
  else throw Error("libtorch returned a " + v.tagKind() + ", which has no ONNX counterpart");
}

}  // namespace

struct TorchScriptSession::Impl {
  std::string path;
  torch::jit::Module m;
};

TorchScriptSession::TorchScriptSession(const std::string& path) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  modelport::ts::register_newer_schemas();  // a 2.x archive loads; running a newer op then names it
  try {
    impl_->m = torch::jit::load(path);
  } catch (const c10::Error& e) {
    throw Error(path + ": libtorch cannot load the model");
  }
  impl_->m.eval();
}

TorchScriptSession::~TorchScriptSession() = default;

std::vector<NamedTensor> TorchScriptSession::run(const std::vector<NamedTensor>& inputs) {
  torch::NoGradGuard no_grad;
  std::vector<c10::IValue> args;
  for (auto& in : inputs) args.emplace_back(to_torch(in.tensor));
  c10::IValue result;
  try {
    result = impl_->m.forward(args);
  } catch (const std::exception& e) {
    std::string msg = e.what();
    throw Error(impl_->path + ": libtorch failed to run the model: " + msg.substr(0, msg.find('\n')));
  }
  std::vector<NamedTensor> out;
  flatten(result, "", out, /*top_level=*/true);
  return out;
}

Tensor TorchScriptSession::attribute(const std::string& dotted_path) {
  auto v = ts::attribute_at(impl_->m._ivalue(), dotted_path);
  if (!v) throw Error(impl_->path + ": the module has no attribute '" + dotted_path + "'");
  if (!v->isTensor()) throw Error(impl_->path + ": attribute '" + dotted_path + "' is no tensor");
  return from_torch(v->toTensor().clone());
}

std::vector<NamedTensor> run_torchscript(const std::string& path, const std::vector<NamedTensor>& inputs) {
  return TorchScriptSession(path).run(inputs);
}

std::string torchscript_library_version() { return TORCH_VERSION; }

}  // namespace modelport

#include "support/torch_support.h"

#include <stdexcept>

namespace modelport::test {
namespace {
struct Pair { at::ScalarType st; DType dt; };
constexpr Pair kPairs[] = {
    {at::kFloat, DType::Float32}, {at::kDouble, DType::Float64}, {at::kHalf, DType::Float16},
    {at::kBFloat16, DType::BFloat16}, {at::kLong, DType::Int64}, {at::kInt, DType::Int32},
    {at::kShort, DType::Int16}, {at::kChar, DType::Int8}, {at::kByte, DType::UInt8}, {at::kBool, DType::Bool},
};
}  // namespace

Tensor from_torch(const at::Tensor& in) {
  at::Tensor t = in.contiguous().cpu();
  Tensor r;
  for (auto& p : kPairs)
    if (p.st == t.scalar_type()) r.dtype = p.dt;
  if (r.dtype == DType::Undefined) throw std::runtime_error("from_torch: unsupported dtype");
  r.dims.assign(t.sizes().begin(), t.sizes().end());
  auto keep = std::make_shared<at::Tensor>(t);
  r.buffer = Buffer::alias(t.data_ptr(), t.numel() * t.element_size(), keep);
  return r;
}

at::Tensor to_torch(const Tensor& t) {
  for (auto& p : kPairs)
    if (p.dt == t.dtype) {
      std::vector<int64_t> dims(t.dims.begin(), t.dims.end());
      return torch::from_blob(const_cast<uint8_t*>(t.raw()), dims, torch::TensorOptions().dtype(p.st)).clone();
    }
  throw std::runtime_error("to_torch: unsupported dtype");
}

namespace {
void flatten(const c10::IValue& v, std::vector<Tensor>& out) {
  if (v.isTensor()) out.push_back(from_torch(v.toTensor()));
  else if (v.isTuple())
    for (auto& e : v.toTupleRef().elements()) flatten(e, out);
  else if (v.isList())
    for (const c10::IValue& e : v.toListRef()) flatten(e, out);
  else if (v.isGenericDict())
    for (auto& kv : v.toGenericDict()) flatten(kv.value(), out);
  else if (v.isInt()) out.push_back(Tensor::i64_scalar(v.toInt()));
  else if (v.isDouble()) out.push_back(Tensor::scalar(DType::Float64, v.toDouble()));
  else if (v.isBool()) out.push_back(Tensor::scalar(DType::Bool, v.toBool()));
  else if (!v.isNone()) throw std::runtime_error("run_libtorch: cannot flatten a " + v.tagKind());
}
}  // namespace

std::vector<Tensor> run_libtorch(const std::string& path, const std::vector<Tensor>& inputs) {
  torch::jit::Module m = torch::jit::load(path);
  m.eval();
  torch::NoGradGuard no_grad;
  std::vector<c10::IValue> args;
  for (auto& t : inputs) args.emplace_back(to_torch(t));
  std::vector<Tensor> out;
  flatten(m.forward(args), out);
  return out;
}

}  // namespace modelport::test

#include "loaders/torchscript/weights.h"

#include <ATen/ATen.h>

#include "loaders/torchscript/archive_weights.h"

namespace modelport::ts {

Tensor tensor_from_torch(const at::Tensor& t_in, const std::string& path, const std::string& what) {
  if (!t_in.defined()) throw Error(path + ": " + what + ": undefined tensor constant");
  if (t_in.is_quantized() || t_in.is_sparse() || t_in.is_mkldnn())
    throw Error(path + ": " + what + ": quantized/sparse/mkldnn tensors are not supported");
  DType dt = dtype_from_torch(t_in.scalar_type());
  if (dt == DType::Undefined)
    throw Error(path + ": " + what + ": unsupported tensor dtype " + std::string(c10::toString(t_in.scalar_type())));
  auto keep = std::make_shared<at::Tensor>(t_in.device().is_cpu() ? t_in.contiguous() : t_in.cpu().contiguous());
  Tensor out;
  out.dtype = dt;
  out.dims.assign(keep->sizes().begin(), keep->sizes().end());
  if (const ArchiveWeights* w = ArchiveWeights::current(); w && keep->device().is_cpu())
    if (auto mapped = w->mapped(*keep)) {
      out.buffer = std::move(*mapped);
      return out;
    }
  size_t nbytes = static_cast<size_t>(keep->numel()) * keep->element_size();
  out.buffer = Buffer::alias(keep->data_ptr(), nbytes, std::shared_ptr<const void>(keep));
  return out;
}

LVal lval_from_ivalue(Ctx& ctx, const c10::IValue& iv, const std::string& name) {
  if (iv.isNone()) return LVal::none();
  if (iv.isTensor()) return LVal::tensor(ctx.g.add_constant(name, tensor_from_torch(iv.toTensor(), ctx.path, ctx.where())));
  if (iv.isInt()) return LVal::of_int(iv.toInt());
  if (iv.isDouble()) return LVal::of_double(iv.toDouble());
  if (iv.isBool()) return LVal::of_bool(iv.toBool());
  if (iv.isString()) return LVal::of_string(iv.toStringRef());
  if (iv.isDevice()) return LVal::device(iv.toDevice().str());
  if (iv.isList()) {
    std::vector<LVal> items;
    for (const c10::IValue& x : iv.toListRef()) items.push_back(lval_from_ivalue(ctx, x, name));
    return LVal::list(std::move(items));
  }
  if (iv.isTuple()) {
    std::vector<LVal> items;
    for (const c10::IValue& x : iv.toTupleRef().elements()) items.push_back(lval_from_ivalue(ctx, x, name));
    return LVal::tuple(std::move(items));
  }
  if (iv.isObject()) {  // a TorchBind object (packed quantized weights): read by the op that takes it
    auto cls = iv.toObjectRef().type()->name();
    return LVal::of_object(cls ? cls->qualifiedName() : "object", std::make_shared<const c10::IValue>(iv));
  }
  ctx.fail("unsupported constant of type " + iv.tagKind());
}

}  // namespace modelport::ts

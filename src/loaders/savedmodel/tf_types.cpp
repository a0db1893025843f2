#include "tf_types.h"

#include <cstring>

#include "modelport/error.h"
#include "modelport/limits.h"
#include "tf_tensor.pb.h"

namespace modelport::tf {

DType from_tf_dtype(int t) {
  if (t > 100) t -= 100;
  switch (t) {
    case DT_FLOAT: return DType::Float32;
    case DT_DOUBLE: return DType::Float64;
    case DT_INT32: return DType::Int32;
    case DT_UINT8: return DType::UInt8;
    case DT_INT16: return DType::Int16;
    case DT_INT8: return DType::Int8;
    case DT_STRING: return DType::String;
    case DT_INT64: return DType::Int64;
    case DT_BOOL: return DType::Bool;
    case DT_BFLOAT16: return DType::BFloat16;
    case DT_HALF: return DType::Float16;
    default: return DType::Undefined;
  }
}

std::string tf_dtype_name(int t) {
  if (DataType_IsValid(t)) return DataType_Name(static_cast<DataType>(t));
  return "DataType(" + std::to_string(t) + ")";
}

Shape shape_from_proto(const TensorShapeProto& s) {
  if (s.unknown_rank()) return Shape();
  std::vector<Dim> dims;
  for (auto& d : s.dim()) dims.push_back(d.size() >= 0 ? Dim::fixed(d.size()) : Dim::unknown());
  return Shape(std::move(dims));
}

namespace {
template <class T, class Src>
std::vector<uint8_t> expand(const Src& vals, int64_t n) {
  std::vector<T> out{};
  out.resize(size_t(n));
  for (int64_t i = 0; i < n; ++i) out[size_t(i)] = static_cast<T>(vals[int(i < vals.size() ? i : vals.size() - 1)]);
  std::vector<uint8_t> bytes(out.size() * sizeof(T));
  if (!out.empty()) std::memcpy(bytes.data(), out.data(), bytes.size());
  return bytes;
}
}  // namespace

Tensor tensor_from_proto(const TensorProto& p, const std::shared_ptr<const void>& keepalive, const std::string& where) {
  Tensor t;
  t.dtype = from_tf_dtype(p.dtype());
  if (t.dtype == DType::Undefined) throw Error(where + ": constant of unsupported dtype " + tf_dtype_name(p.dtype()));
  for (auto& d : p.tensor_shape().dim()) {
    if (d.size() < 0) throw Error(where + ": constant with unknown dimension");
    t.dims.push_back(d.size());
  }
  // Checked before anything is expanded: a splat (one value for the whole shape) is allocated in
  // full, while tensor_content is aliased and already bounded by the file.
  checked_tensor_bytes(where, "value", t.dims, t.dtype, p.tensor_content().empty());
  int64_t n = t.numel();
  if (t.dtype == DType::String) {
    if (p.string_val_size() == 0 && n > 0) throw Error(where + ": string constant without values");
    for (int64_t i = 0; i < n; ++i) t.strings.push_back(p.string_val(int(std::min<int64_t>(i, p.string_val_size() - 1))));
    return t;
  }
  size_t nbytes = size_t(n) * dtype_size(t.dtype);
  if (!p.tensor_content().empty()) {
    if (p.tensor_content().size() != nbytes) throw Error(where + ": constant content size does not match its shape");
    t.buffer = Buffer::alias(p.tensor_content().data(), nbytes, keepalive);
    return t;
  }
  std::vector<uint8_t> bytes;
  auto need = [&](int count) {
    if (count == 0 && n > 0) throw Error(where + ": constant without values");
    return n > 0;
  };
  switch (t.dtype) {
    case DType::Float32: if (need(p.float_val_size())) bytes = expand<float>(p.float_val(), n); break;
    case DType::Float64: if (need(p.double_val_size())) bytes = expand<double>(p.double_val(), n); break;
    case DType::Int32: if (need(p.int_val_size())) bytes = expand<int32_t>(p.int_val(), n); break;
    case DType::Int16: if (need(p.int_val_size())) bytes = expand<int16_t>(p.int_val(), n); break;
    case DType::Int8: if (need(p.int_val_size())) bytes = expand<int8_t>(p.int_val(), n); break;
    case DType::UInt8: if (need(p.int_val_size())) bytes = expand<uint8_t>(p.int_val(), n); break;
    case DType::Int64: if (need(p.int64_val_size())) bytes = expand<int64_t>(p.int64_val(), n); break;
    case DType::Bool: if (need(p.bool_val_size())) bytes = expand<uint8_t>(p.bool_val(), n); break;
    case DType::Float16:
    case DType::BFloat16: if (need(p.half_val_size())) bytes = expand<uint16_t>(p.half_val(), n); break;
    default: throw Error(where + ": constant of unsupported dtype " + tf_dtype_name(p.dtype()));
  }
  t.buffer = Buffer::owned(std::move(bytes));
  return t;
}

}  // namespace modelport::tf

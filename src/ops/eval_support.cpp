#include "ops/eval_support.h"

#include <cmath>
#include <cstring>

#include "modelport/tensor_ops.h"

namespace modelport {
namespace ops {

int64_t count(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

bool numeric(DType t) { return t != DType::String && t != DType::Undefined; }
bool is_int(DType t) { return numeric(t) && !dtype_is_float(t) && t != DType::Bool; }

bool numeric_inputs(const In& in) {
  for (auto* t : in)
    if (t && (!numeric(t->dtype) || t->numel() > kMaxFoldElements)) return false;
  return true;
}

int64_t norm_axis(int64_t axis, size_t rank) { return axis < 0 ? axis + static_cast<int64_t>(rank) : axis; }
bool has(const In& in, size_t k) { return in.size() > k && in[k]; }

Arr load(const Tensor& t) {
  Arr a{t.dtype, t.dims, {}};
  int64_t n = t.numel();
  a.v.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    a.v[i] = t.dtype == DType::Int64 ? static_cast<Num>(t.as_int(i)) : static_cast<Num>(t.as_double(i));
  return a;
}

namespace {
template <class T>
void put(std::vector<uint8_t>& bytes, size_t i, T x) { std::memcpy(bytes.data() + i * sizeof(T), &x, sizeof(T)); }
}  // namespace

std::optional<Tensor> store(const Arr& a) {
  size_t n = a.v.size(), es = dtype_size(a.dt);
  std::vector<uint8_t> bytes(n * es);
  for (size_t i = 0; i < n; ++i) {
    Num x = a.v[i];
    if (is_int(a.dt)) {
      if (!std::isfinite(x) || x < -9223372036854775808.0L || x > 9223372036854775807.0L) return std::nullopt;
      int64_t k = static_cast<int64_t>(x);
      switch (a.dt) {
        case DType::Int64: put<int64_t>(bytes, i, k); break;
        case DType::Int32: put<int32_t>(bytes, i, static_cast<int32_t>(k)); break;
        case DType::Int16: put<int16_t>(bytes, i, static_cast<int16_t>(k)); break;
        case DType::Int8: put<int8_t>(bytes, i, static_cast<int8_t>(k)); break;
        case DType::UInt8: put<uint8_t>(bytes, i, static_cast<uint8_t>(k)); break;
        default: return std::nullopt;
      }
    } else if (a.dt == DType::Bool) {
      put<uint8_t>(bytes, i, x != 0);
    } else if (a.dt == DType::Float32) {
      put<float>(bytes, i, static_cast<float>(x));
    } else if (a.dt == DType::Float64) {
      put<double>(bytes, i, static_cast<double>(x));
    } else {  // float16 / bfloat16: Tensor::scalar knows their encodings
      Tensor s = Tensor::scalar(a.dt, static_cast<double>(x));
      std::memcpy(bytes.data() + i * es, s.raw(), es);
    }
  }
  return tensor_from_bytes(a.dt, a.dims, std::move(bytes));
}

Tensor with_dims(const Tensor& t, std::vector<int64_t> dims) {
  Tensor out = t;
  out.dims = std::move(dims);
  return out;
}

std::optional<Arr> broadcast(const std::vector<const Arr*>& in, DType dt,
                             const std::function<Num(const std::vector<Num>&)>& fn) {
  size_t rank = 0;
  for (auto* a : in) rank = std::max(rank, a->dims.size());
  std::vector<int64_t> out_dims(rank, 1);
  for (auto* a : in)
    for (size_t i = 0; i < a->dims.size(); ++i) {
      int64_t& o = out_dims[rank - a->dims.size() + i];
      int64_t d = a->dims[i];
      if (d == o || d == 1) continue;
      if (o != 1) return std::nullopt;
      o = d;
    }
  int64_t n = count(out_dims);
  if (n > kMaxFoldElements) return std::nullopt;
  std::vector<std::vector<int64_t>> in_strides;  // per output axis, 0 where broadcast
  for (auto* a : in) {
    std::vector<int64_t> s(rank, 0), own = row_major_strides(a->dims);
    for (size_t i = 0; i < a->dims.size(); ++i)
      if (a->dims[i] != 1) s[rank - a->dims.size() + i] = own[i];
    in_strides.push_back(std::move(s));
  }
  Arr out{dt, out_dims, std::vector<Num>(static_cast<size_t>(n))};
  std::vector<int64_t> idx(rank, 0);
  std::vector<Num> args(in.size());
  for (int64_t k = 0; k < n; ++k) {
    for (size_t j = 0; j < in.size(); ++j) {
      int64_t off = 0;
      for (size_t i = 0; i < rank; ++i) off += idx[i] * in_strides[j][i];
      args[j] = in[j]->v[off];
    }
    out.v[k] = fn(args);
    advance_index(idx, out_dims);
  }
  return out;
}

Num round_to(DType dt, Num x) {
  if (dt == DType::Float32) return static_cast<float>(x);
  if (dt == DType::Float64) return static_cast<double>(x);
  return x;
}

std::optional<DType> dtype_of_code(int64_t code) {
  for (DType t : {DType::Float32, DType::UInt8, DType::Int8, DType::Int16, DType::Int32, DType::Int64, DType::Bool,
                  DType::Float16, DType::Float64, DType::BFloat16})
    if (onnx_type_code(t) == code) return t;
  return std::nullopt;
}

}  // namespace ops
}  // namespace modelport

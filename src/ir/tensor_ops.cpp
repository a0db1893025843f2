#include "modelport/tensor_ops.h"

#include <algorithm>
#include <stdexcept>

namespace modelport {

std::vector<int64_t> row_major_strides(const std::vector<int64_t>& dims) {
  std::vector<int64_t> s(dims.size(), 1);
  for (size_t i = dims.size(); i-- > 1;) s[i - 1] = s[i] * dims[i];
  return s;
}

Tensor permute_tensor(const Tensor& t, const std::vector<int64_t>& perm) {
  if (t.dtype == DType::String) throw std::logic_error("permute_tensor: string tensors are not supported");
  size_t r = t.dims.size(), es = dtype_size(t.dtype);
  std::vector<int64_t> out_dims(r), in_strides = row_major_strides(t.dims);
  for (size_t i = 0; i < r; ++i) out_dims[i] = t.dims[static_cast<size_t>(perm[i])];
  int64_t n = t.numel();
  std::vector<uint8_t> bytes(static_cast<size_t>(n) * es);
  std::vector<int64_t> idx(r, 0);  // index into the output, advanced in row-major order
  for (int64_t o = 0; o < n; ++o) {
    int64_t src = 0;
    for (size_t i = 0; i < r; ++i) src += idx[i] * in_strides[static_cast<size_t>(perm[i])];
    std::memcpy(bytes.data() + static_cast<size_t>(o) * es, t.raw() + static_cast<size_t>(src) * es, es);
    advance_index(idx, out_dims);
  }
  return tensor_from_bytes(t.dtype, out_dims, std::move(bytes));
}

Shape permute_shape(const Shape& s, const std::vector<int64_t>& perm) {
  if (!s.rank_known || s.rank() != perm.size()) return Shape();
  std::vector<Dim> d;
  for (auto p : perm) d.push_back(s.dims[static_cast<size_t>(p)]);
  return Shape(std::move(d));
}

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  if (!a.rank_known || !b.rank_known) return Shape();
  size_t r = std::max(a.rank(), b.rank());
  std::vector<Dim> out(r);
  for (size_t i = 0; i < r; ++i) {
    const Dim* da = i < r - a.rank() ? nullptr : &a.dims[i - (r - a.rank())];
    const Dim* db = i < r - b.rank() ? nullptr : &b.dims[i - (r - b.rank())];
    if (!da) out[i] = *db;
    else if (!db) out[i] = *da;
    else if (da->is_fixed() && da->value == 1) out[i] = *db;
    else if (db->is_fixed() && db->value == 1) out[i] = *da;
    else if (*da == *db) out[i] = *da;
    else if (da->is_fixed()) out[i] = *da;
    else if (db->is_fixed()) out[i] = *db;
    else out[i] = Dim::unknown();
  }
  return Shape(std::move(out));
}

Tensor tensor_from_doubles(DType dt, std::vector<int64_t> dims, const std::vector<double>& values) {
  std::vector<uint8_t> bytes;
  bytes.reserve(values.size() * dtype_size(dt));
  for (double v : values) {
    Tensor s = Tensor::scalar(dt, v);
    bytes.insert(bytes.end(), s.raw(), s.raw() + s.nbytes());
  }
  return tensor_from_bytes(dt, std::move(dims), std::move(bytes));
}

Tensor tensor_from_bytes(DType dt, std::vector<int64_t> dims, std::vector<uint8_t> bytes) {
  Tensor t;
  t.dtype = dt;
  t.dims = std::move(dims);
  t.buffer = Buffer::owned(std::move(bytes));
  return t;
}

}  // namespace modelport

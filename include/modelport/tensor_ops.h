// Helpers on constant tensors and shapes shared by the loaders and passes.
#pragma once
#include <string>
#include <vector>

#include "modelport/ir.h"

namespace modelport {

// Whether `perm` holds each of 0 .. perm.size()-1 exactly once (a valid Transpose perm).
bool is_permutation(const std::vector<int64_t>& perm);
// Why `perm` cannot reorder the axes of a value of shape `in` ("[0,12,1] is not a permutation of the
// input's 3 axes"), or "" when it can: the one check every loader makes on a perm read from a file.
std::string permutation_problem(const std::vector<int64_t>& perm, const Shape& in);
// `t` with its axes reordered like numpy.transpose(t, perm) (any dtype but String; perm must be a
// permutation of t's axes, else std::invalid_argument). A result of
// kLazyPermuteBytes or more is a lazy buffer (Buffer::lazy): made as it is streamed to the output,
// or whole on the first data() call, from `t`, which it keeps alive.
Tensor permute_tensor(const Tensor& t, const std::vector<int64_t>& perm);
constexpr size_t kLazyPermuteBytes = size_t(1) << 20;
// Shape with dims reordered by `perm`; unknown when the rank is unknown or does not match, or perm
// is not a permutation.
Shape permute_shape(const Shape& s, const std::vector<int64_t>& perm);
// Numpy-style broadcast of two shapes, as far as it can be known statically.
Shape broadcast_shapes(const Shape& a, const Shape& b);
// Row-major strides (in elements) of a tensor with `dims`.
std::vector<int64_t> row_major_strides(const std::vector<int64_t>& dims);
// Advances the multi-index `idx` over `dims` by one element in row-major order (wrapping to zeros
// after the last element).
inline void advance_index(std::vector<int64_t>& idx, const std::vector<int64_t>& dims) {
  for (size_t i = idx.size(); i-- > 0;) {
    if (++idx[i] < dims[i]) return;
    idx[i] = 0;
  }
}
// A tensor of dtype `dt` and `dims` that owns `bytes` (row-major; numeric dtypes).
Tensor tensor_from_bytes(DType dt, std::vector<int64_t> dims, std::vector<uint8_t> bytes);
// A tensor of dtype `dt` holding `values` (converted element by element).
Tensor tensor_from_doubles(DType dt, std::vector<int64_t> dims, const std::vector<double>& values);

}  // namespace modelport

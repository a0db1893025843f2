// Helpers on constant tensors and shapes shared by the loaders and passes.
#pragma once
#include <vector>

#include "modelport/ir.h"

namespace modelport {

// `t` with its axes reordered like numpy.transpose(t, perm) (any dtype but String).
Tensor permute_tensor(const Tensor& t, const std::vector<int64_t>& perm);
// Shape with dims reordered by `perm`; unknown when the rank is unknown or does not match.
Shape permute_shape(const Shape& s, const std::vector<int64_t>& perm);
// Numpy-style broadcast of two shapes, as far as it can be known statically.
Shape broadcast_shapes(const Shape& a, const Shape& b);
// A tensor of dtype `dt` holding `values` (converted element by element).
Tensor tensor_from_doubles(DType dt, std::vector<int64_t> dims, const std::vector<double>& values);

}  // namespace modelport

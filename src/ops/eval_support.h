// What the op entries' constant evaluations share: tensors as arrays of exact numbers, numpy
// broadcasting, and the folding size limit.
#pragma once
#include <functional>
#include <optional>
#include <vector>

#include "modelport/ir.h"
#include "modelport/tensor_ops.h"

namespace modelport {
namespace ops {

// Arithmetic results larger than this are left to the runtime (the model file would grow).
constexpr int64_t kMaxFoldElements = 1 << 16;

using Num = long double;  // exact for every int64 and every float32/float64 value
using In = std::vector<const Tensor*>;  // an evaluation's inputs (nullptr: an omitted optional one)

struct Arr {
  DType dt = DType::Undefined;
  std::vector<int64_t> dims;
  std::vector<Num> v;
};

int64_t count(const std::vector<int64_t>& dims);
bool numeric(DType t);
bool is_int(DType t);
// Every present input numeric and no larger than the folding limit.
bool numeric_inputs(const In& in);
int64_t norm_axis(int64_t axis, size_t rank);
bool has(const In& in, size_t k);

Arr load(const Tensor& t);
// The tensor of `a` in dtype `a.dt`; nullopt when an integer result does not fit its type.
std::optional<Tensor> store(const Arr& a);
// Same bytes, new dims (Reshape, Squeeze, Unsqueeze, Flatten, Identity).
Tensor with_dims(const Tensor& t, std::vector<int64_t> dims);

// Numpy broadcasting of several arrays through `fn` (one value per input), output dtype `dt`.
std::optional<Arr> broadcast(const std::vector<const Arr*>& in, DType dt,
                             const std::function<Num(const std::vector<Num>&)>& fn);
// Float results are rounded to the output dtype's precision, as the runtime computes them.
Num round_to(DType dt, Num x);
std::optional<DType> dtype_of_code(int64_t code);

}  // namespace ops
}  // namespace modelport

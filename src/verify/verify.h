// `modelport verify`: run the source model and the ONNX model on the same inputs and compare.
// The options, the report and verify_export() are public (modelport/verify.h).
#pragma once
#include <cstdint>
#include <vector>

#include "modelport/verify.h"

namespace modelport {

// Seeded random input for a signature entry (normal floats, small non-negative ints, random bools).
Tensor random_tensor(DType dt, const std::vector<int64_t>& dims, uint64_t seed);

}  // namespace modelport

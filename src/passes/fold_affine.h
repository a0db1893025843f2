// IR pass, for every source format: folds per-channel affine ops into the weights of the linear op
// that feeds them.
//
// A bias Add after a Conv (TF's BiasAdd once the layout Transposes are gone):
//   Add(Conv(x, W, B), b)    -> Conv(x, W, B + b)                          (b per output channel)
// An inference BatchNormalization, with s = gamma / sqrt(var + eps) per channel (its axis 1):
//   Conv(x, W, B)            -> Conv(x, W*s, (B - mean)*s + beta)          (W scaled along dim 0)
//   Gemm(a, B, C)            -> Gemm(a, B*s, C*s + (beta - mean*s)/gemm_beta) (rank-2 output)
//   MatMul(x, W)             -> Add(MatMul(x, W*s), beta - mean*s)          (rank-2 output)
// and a per-channel constant bias Add between the two (TF BiasAdd, Keras Dense bias) is folded the
// same way: Add(P, b) -> Add(P', (b - mean)*s + beta). Only float32 constant weights, only when
// every value between the op and the BatchNormalization has that single reader.
#pragma once

#include <cstddef>

#include "modelport/ir.h"

namespace modelport {

// Returns the number of Add and BatchNormalization nodes folded (they are left dead; remove_dead()
// removes them). Recurses into subgraphs.
size_t fold_affine(Graph& g);

}  // namespace modelport

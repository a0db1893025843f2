// IR pass: folds an inference BatchNormalization into the Conv that feeds it (constant float32
// weights only): W' = W * s, B' = (B - mean) * s + beta with s = gamma / sqrt(var + eps).
#pragma once

#include <cstddef>

#include "modelport/ir.h"

namespace modelport::ts {

// Returns the number of BatchNormalization nodes folded (they are left dead; call remove_dead()).
size_t fold_conv_batchnorm(Graph& g);

}  // namespace modelport::ts

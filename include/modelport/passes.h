// Graph optimization passes shared by the loaders.
#pragma once
#include <cstddef>

#include "modelport/ir.h"

namespace modelport {

// Layout clean-up for loaders that wrap channel-first ops in Transposes (TensorFlow, Keras):
// cancels Transpose pairs that compose to the identity, merges consecutive Transposes and pushes
// Transposes down through elementwise unary ops and through binary ops whose other operand is a
// constant (the constant is permuted, e.g. a per-channel bias), so a plain NHWC conv stack keeps
// one Transpose at its input and one at its output. Returns the number of Transposes removed.
size_t optimize_transposes(Graph& g);

}  // namespace modelport

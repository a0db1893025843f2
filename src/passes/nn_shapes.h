// Output shapes of the ONNX ops whose shape is not a plain function of another shape: convolution
// and pooling (batch and channels always, spatial dims when fixed), Gemm, Flatten, reductions,
// ArgMax/ArgMin, the recurrent ops, Resize, Tile and Einsum. Symbolic dims pass through where the op
// keeps them (a Conv's batch axis stays "batch"), so exported outputs reuse the inputs' symbols.
#pragma once
#include <optional>
#include <vector>

#include "modelport/ir.h"

namespace modelport {

// One shape per output of `n` (an unknown Shape where nothing is known), or nullopt for ops not
// covered here.
std::optional<std::vector<Shape>> nn_output_shapes(const Node& n);

}  // namespace modelport

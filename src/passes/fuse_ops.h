// IR pass, for every source format: folds decomposed patterns into the single ONNX op that newer
// opsets have, when the emitter writes that op as one node at the requested opset (it asks
// single_node_opset(); no opset numbers here).
//
//   Gelu (erf):   x * 0.5 * (1 + Erf(x / sqrt(2)))  (any grouping of the product; x * (1/sqrt(2)))
//   Gelu (tanh):  x * 0.5 * (1 + Tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))
//   Attention:    MatMul(Softmax(MatMul(Q, Transpose(K)) * scale [+ mask]), V) on rank-4 float
//                 Q/K/V (batch, heads, sequence, head size) or rank 3 (one head; the batch dims
//                 known equal), the scale a constant Mul or Div (on the
//                 product or on Q), the mask a float tensor added before the Softmax or a bool one kept by
//                 Where(mask, scores, -inf) or Where(masked, -inf, scores) (PyTorch's masked_fill;
//                 a constant causal one: is_causal).
//   LayerNormalization: (x - mean) / Sqrt(mean((x - mean)^2) + eps) over trailing axes of fixed
//                 size [* scale] [+ bias] (constants with one value per normalized element).
//                 Also TensorFlow's form: x * s + (beta - mean * s), s = [gamma *]
//                 Reciprocal(Sqrt(mean((x - mean)^2) + eps)).
//   GroupNormalization: the same over axis 2 of Reshape(x, [0, G, -1]), reshaped back to Shape(x),
//                 [* scale] [+ bias] per channel (PyTorch's group_norm lowering).
//   RMSNormalization: x * Reciprocal(Sqrt(mean(x * x over trailing axes) + eps)) [* scale].
// Each pattern's intermediate values must have no other reader. The root node becomes the fused op
// (its output value and consumers stay); the rest is left dead for remove_dead().
#pragma once

#include <cstddef>

#include "modelport/ir.h"

namespace modelport {

struct FusedOps {
  size_t gelu = 0;
  size_t attention = 0;
  size_t layer_norm = 0;
  size_t group_norm = 0;
  size_t rms_norm = 0;
};

// Recurses into subgraphs.
FusedOps fuse_ops(Graph& g, int opset);

}  // namespace modelport

// Shape and type inference over the IR, by the op layer's rules (src/ops/op_def.h). Loaders call
// infer_node on every node they build, so no loader computes an output's shape or dtype itself;
// passes call refine_output_shapes after rewriting a node.
#pragma once
#include "modelport/ir.h"
#include "ops/shape_values.h"

namespace modelport {

// Refines the output shapes of `n` (dims left unknown) from its inputs' shapes and the known shape
// values, by the op's shape rule; never changes a dim that is already fixed or symbolic.
void refine_output_shapes(Node& n, const ShapeValues& sv);

// refine_output_shapes over every node of `g` in order, subgraphs included: what a loader calls so
// that its model's outputs carry the shapes (and the inputs' symbols) that can be inferred.
void refine_shapes(Graph& g);

namespace ops {

// The dtype of output `i` of `n` by the op's type rule (input 0's dtype for ops without one).
DType output_dtype(const Node& n, size_t i);

// What a loader's node builder calls once a node has its inputs and attributes: outputs whose dtype
// is Undefined get the op's dtype, unknown dims get the op's shape rule, and the shape values
// (Shape, Gather, Concat ... of dims) are recorded in `sv` for the nodes built after it.
void infer_node(Node& n, ShapeValues& sv);

// What the source op guarantees beyond the ONNX op's shape rule, recorded on its output after
// infer_node: dims (or the rank) the rule left unknown are taken from `known`. Examples: Concat
// pieces of run-time lengths that sum to a known dim, a Slice whose run-time start torch keeps in
// range, a signature's declared output shape. Fixed and symbolic dims are never changed.
void assume_shape(Value& v, const Shape& known);

}  // namespace ops
}  // namespace modelport

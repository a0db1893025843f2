// IR pass: folds what is known while converting into constants and collapses no-op chains.
#pragma once
#include <cstddef>

#include "modelport/ir.h"

namespace modelport {

// In one pass over the graph (and its subgraphs), in node order:
//  - output shapes the loader left unknown are refined from the inputs (shape_values.h);
//  - nodes whose inputs are all constants are evaluated (const_eval.h) and become constants;
//  - shape computations whose result is fixed (Shape(x)[1] where x's dim 1 is fixed) become
//    constants, while anything depending on a symbolic dim stays computed at run time;
//  - Cast to the input's own dtype, Reshape of a Reshape, and Reshape to the input's own shape
//    are bypassed.
// Graph outputs are never replaced. Returns the number of nodes folded or bypassed; they are left
// dead (call remove_dead()).
size_t fold_constants(Graph& g);

}  // namespace modelport

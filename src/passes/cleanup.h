// Graph clean-up passes every export runs after loading.
#pragma once
#include "modelport/ir.h"

namespace modelport {

// Bypasses Identity nodes whose output is not a graph output. Returns nodes removed.
size_t remove_identities(Graph& g);
// Constant folding (constant_fold.h), folding of bias Adds and batch normalization into weights
// (fold_affine.h), identity removal and dead node/constant removal, recursively in subgraphs.
void cleanup_graph(Graph& g);

}  // namespace modelport

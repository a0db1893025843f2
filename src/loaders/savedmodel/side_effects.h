// Stateful side effects an ONNX inference graph cannot carry: variable updates (Assign*,
// AssignVariableOp, ...) and optimizer steps (Apply*, ResourceApply*) that the exported outputs do
// not read but that run with them in TensorFlow (in the signature's functions, or as `^control`
// dependencies of a frozen graph's nodes). The export never drops them silently.
#pragma once
#include <string>
#include <vector>

#include "flat_graph.h"
#include "tf_source.h"

namespace modelport::tf {

// Throws Error naming the ops when `needed` (the nodes the export converts) runs optimizer steps
// (a training signature); returns one warning per kind of variable update dropped otherwise.
std::vector<std::string> check_side_effects(const TfSource& src, const FlatGraph& fg,
                                            const std::vector<const FlatNode*>& needed, const std::string& what);

}  // namespace modelport::tf

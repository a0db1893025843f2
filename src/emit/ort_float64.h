// Ops that are valid ONNX on float64 but that ONNX Runtime's CPU build has no float64 kernel for.
#pragma once
#include <string>

#include "modelport/ir.h"

namespace modelport::emit {

// One warning naming every float64 node of `g` (subgraphs included) that ONNX Runtime's CPU build
// cannot run, by op and node; "" when there is none.
std::string ort_float64_gaps(const Graph& g);

}  // namespace modelport::emit

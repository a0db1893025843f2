// Detects symbolic axes that the graph turns into constants (export warns, naming the node).
#pragma once

#include <string>
#include <vector>

#include "modelport/ir.h"

namespace modelport {

std::vector<std::string> find_fixed_symbolic_axes(const Graph& g);

}  // namespace modelport

// Finds every node kind in a graph (including prim::If / prim::Loop blocks) with no lowering.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <torch/csrc/jit/ir/ir.h>

namespace modelport::ts {

// "aten::foo x2 (first at model.py:12)" per unsupported kind, sorted by kind.
std::vector<std::string> find_unsupported(const torch::jit::Graph& g);
// Every node kind (recursively) with its count.
std::map<std::string, int64_t> op_histogram(const torch::jit::Graph& g);
// One-line error text for an unsupported list.
std::string unsupported_message(const std::string& path, const std::vector<std::string>& unsupported);

}  // namespace modelport::ts

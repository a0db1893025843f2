#include "emit/ort_float64.h"

#include <map>
#include <set>
#include <vector>

namespace modelport::emit {
namespace {

// Measured with onnxruntime-node 1.30.0 (CPU) at opset 17: each op on float64 inputs either has no
// kernel ("Could not find an implementation") or refuses double at run time (GRU, LSTM).
const std::set<std::string>& no_float64_kernel() {
  static const std::set<std::string> s = {
      "Acos", "Acosh", "Asin", "Asinh", "Atan", "Atanh", "Cosh", "Sinh", "Tan", "Elu", "Erf",
      "HardSigmoid", "HardSwish", "Selu", "Softplus", "Softsign", "ThresholdedRelu", "Hardmax",
      "GlobalAveragePool", "GlobalMaxPool", "Mean", "Resize", "Conv", "ConvTranspose", "AveragePool",
      "LpPool", "InstanceNormalization", "LRN", "RNN", "GRU", "LSTM"};
  return s;
}

void collect(const Graph& g, std::map<std::string, std::vector<std::string>>& found) {
  for (auto& n : g.nodes()) {
    for_each_subgraph_of(*n, [&](Graph& sg) { collect(sg, found); });
    const Value* x = n->input(0);
    if (!n->domain.empty() || !x || x->dtype != DType::Float64 || !no_float64_kernel().count(n->op)) continue;
    found[n->op].push_back(n->source.empty() ? n->name : n->source);
  }
}

}  // namespace

std::string ort_float64_gaps(const Graph& g) {
  std::map<std::string, std::vector<std::string>> found;
  collect(g, found);
  if (found.empty()) return "";
  std::string list;
  for (auto& [op, names] : found) {
    list += (list.empty() ? "" : ", ") + op + " (";
    for (size_t i = 0; i < names.size() && i < 5; ++i) list += (i ? ", " : "") + names[i];
    if (names.size() > 5) list += ", ... " + std::to_string(names.size() - 5) + " more";
    list += ")";
  }
  return "float64 nodes that ONNX Runtime's CPU build has no float64 kernel for: " + list +
         "; the model is valid ONNX, but ONNX Runtime on CPU will refuse to run it (export a float32 model "
         "to run it there)";
}

}  // namespace modelport::emit

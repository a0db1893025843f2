#include "side_effects.h"

#include <map>
#include <set>

#include "modelport/error.h"

namespace modelport::tf {
namespace {

bool is_optimizer_step(const std::string& op) {
  return op.rfind("ResourceApply", 0) == 0 || op.rfind("ResourceSparseApply", 0) == 0 ||
         op.rfind("Apply", 0) == 0 || op.rfind("SparseApply", 0) == 0;
}

bool is_variable_update(const std::string& op) {
  static const std::set<std::string> s = {"Assign", "AssignAdd", "AssignSub", "AssignVariableOp",
                                          "AssignAddVariableOp", "AssignSubVariableOp", "ScatterUpdate",
                                          "ScatterAdd", "ResourceScatterUpdate", "ResourceScatterAdd"};
  return s.count(op) != 0;
}

struct Seen {
  int count = 0;
  std::string first;
};

std::string list(const std::map<std::string, Seen>& m) {
  std::string s;
  for (auto& [op, e] : m) s += (s.empty() ? "" : ", ") + op + " x" + std::to_string(e.count) + " (first: " + e.first + ")";
  return s;
}

}  // namespace

std::vector<std::string> check_side_effects(const TfSource& src, const FlatGraph& fg,
                                            const std::vector<const FlatNode*>& needed, const std::string& what) {
  std::set<std::string> names;
  for (auto* n : needed) names.insert(n->name);
  // Top-level function calls the outputs go through: everything inlined under them runs (a
  // tf.function executes all of its stateful ops, nested calls included).
  std::set<std::string> library;
  for (auto& f : src.graph->library().function()) library.insert(f.signature().name());
  std::vector<std::string> calls;
  for (auto& nd : src.graph->node()) {
    bool call = nd.op() == "PartitionedCall" || nd.op() == "StatefulPartitionedCall" || library.count(nd.op());
    if (call && names.count(nd.name())) calls.push_back(nd.name() + "/");
  }
  std::map<std::string, Seen> steps, updates;
  auto note = [&](const std::string& op, const std::string& name) {
    if (!is_optimizer_step(op) && !is_variable_update(op)) return;
    Seen& s = (is_optimizer_step(op) ? steps : updates)[op];
    if (s.count++ == 0) s.first = name;
  };
  // Updates inside the functions the outputs are computed in (a tf.function runs all of its stateful ops).
  for (auto& n : fg.nodes()) {
    if (n.function.empty() || names.count(n.name)) continue;
    for (auto& c : calls)
      if (n.name.compare(0, c.size(), c) == 0) {
        note(n.op, n.name);
        break;
      }
  }
  // `^X` control dependencies of converted top-level nodes (frozen graphs, TF1 SavedModels).
  std::map<std::string, const NodeDef*> top;
  for (auto& nd : src.graph->node()) top[nd.name()] = &nd;
  for (auto& name : names) {
    auto it = top.find(name);
    if (it == top.end()) continue;
    for (auto& in : it->second->input()) {
      if (in.empty() || in[0] != '^') continue;
      auto dep = top.find(in.substr(1));
      if (dep != top.end() && !names.count(dep->first)) note(dep->second->op(), dep->first + " (control input of " + name + ")");
    }
  }
  if (!steps.empty())
    throw Error(src.path + ": " + what + " runs optimizer steps (" + list(steps) +
                "): a training step cannot be exported as an ONNX inference model; export an inference signature");
  std::vector<std::string> warnings;
  if (!updates.empty())
    warnings.push_back(what + " updates variables (" + list(updates) +
                       "); the ONNX model computes the outputs without these updates");
  return warnings;
}

}  // namespace modelport::tf

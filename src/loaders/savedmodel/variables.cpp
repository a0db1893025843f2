#include "variables.h"

#include <deque>

#include "modelport/error.h"

namespace modelport::tf {
namespace {

// Path of child names from the root (node 0) for every reachable node, breadth first.
template <class Nodes, class Children>
std::map<int, std::string> object_paths(const Nodes& nodes, Children children) {
  std::map<int, std::string> path{{0, ""}};
  std::deque<int> todo{0};
  while (!todo.empty()) {
    int id = todo.front();
    todo.pop_front();
    if (id < 0 || id >= nodes.size()) continue;
    for (auto& ref : children(nodes[id])) {
      if (path.count(ref.node_id())) continue;
      path[ref.node_id()] = path[id].empty() ? ref.local_name() : path[id] + "/" + ref.local_name();
      todo.push_back(ref.node_id());
    }
  }
  return path;
}

bool is_call(const std::string& op) { return op == "PartitionedCall" || op == "StatefulPartitionedCall"; }

}  // namespace

VariableResolver::VariableResolver(const TfSource& src) : src_(src) {
  if (!src.meta || !src.meta->has_object_graph_def() || !src.bundle) return;
  const std::string kGraphKey = "_CHECKPOINTABLE_OBJECT_GRAPH";
  if (!src.bundle->find(kGraphKey)) return;
  TrackableObjectGraph ckpt;
  if (!ckpt.ParseFromString(src.bundle->string_scalar(kGraphKey)))
    throw Error(src.bundle->index_path() + ": corrupt " + kGraphKey);
  const SavedObjectGraph& og = src.meta->object_graph_def();

  auto saved_paths = object_paths(og.nodes(), [](const SavedObject& o) -> auto& { return o.children(); });
  auto ckpt_paths = object_paths(ckpt.nodes(), [](const auto& o) -> auto& { return o.children(); });
  std::map<std::string, std::string> key_by_path;
  for (auto& [id, p] : ckpt_paths)
    for (auto& a : ckpt.nodes(id).attributes())
      if (a.name() == "VARIABLE_VALUE") key_by_path[p] = a.checkpoint_key();

  std::map<std::string, const NodeDef*> top;
  for (auto& n : src.graph->node()) top[n.name()] = &n;
  for (auto& n : src.graph->node()) {
    if (!is_call(n.op())) continue;
    auto f = n.attr().find("f");
    if (f == n.attr().end()) continue;
    auto cf = og.concrete_functions().find(f->second.func().name());
    if (cf == og.concrete_functions().end()) continue;
    std::vector<std::string> data_inputs;
    for (auto& in : n.input())
      if (!in.empty() && in[0] != '^') data_inputs.push_back(split_tensor_name(in).first);
    auto& bound = cf->second.bound_inputs();
    if (bound.size() > int(data_inputs.size())) continue;
    size_t first = data_inputs.size() - size_t(bound.size());
    for (int j = 0; j < bound.size(); ++j) {
      const std::string& in = data_inputs[first + size_t(j)];
      auto t = top.find(in);
      if (t == top.end() || t->second->op() != "VarHandleOp") continue;
      auto p = saved_paths.find(bound[j]);
      if (p == saved_paths.end()) continue;
      auto k = key_by_path.find(p->second);
      if (k != key_by_path.end()) handle_keys_[in] = k->second;
    }
  }
}

std::string VariableResolver::key_for(const FlatNode& n) const {
  if (!src_.bundle) return "";
  if (auto it = handle_keys_.find(n.name); it != handle_keys_.end()) return it->second;
  std::vector<std::string> candidates{n.name};
  if (n.attrs)
    if (auto it = n.attrs->find("shared_name"); it != n.attrs->end() && !it->second.s().empty()) {
      candidates.push_back(it->second.s());
      candidates.push_back(it->second.s() + "/.ATTRIBUTES/VARIABLE_VALUE");
    }
  candidates.push_back(n.name + "/.ATTRIBUTES/VARIABLE_VALUE");
  for (auto& c : candidates)
    if (src_.bundle->find(c)) return c;
  return "";
}

Tensor VariableResolver::value(const FlatNode& n) const {
  if (!src_.bundle) throw Error(src_.path + ": variable '" + n.name + "' but the model has no variables/ directory");
  std::string key = key_for(n);
  if (key.empty()) throw Error(src_.bundle->index_path() + ": no checkpoint value for variable '" + n.name + "'");
  return src_.bundle->tensor(key);
}

}  // namespace modelport::tf

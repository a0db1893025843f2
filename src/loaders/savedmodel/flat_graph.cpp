#include "flat_graph.h"

#include <algorithm>

#include "modelport/error.h"
#include "modelport/limits.h"

namespace modelport::tf {

namespace {
// A decimal output index; -1 when it is not one or does not fit an int (no output has that index,
// so lookups of it fail with an error naming the file).
int output_index(const std::string& s) {
  if (s.empty() || s.size() > 9 || !std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
    return -1;
  return std::stoi(s);
}
}  // namespace

std::pair<std::string, int> split_tensor_name(const std::string& t) {
  auto c = t.rfind(':');
  if (c == std::string::npos || c + 1 >= t.size() ||
      !std::all_of(t.begin() + c + 1, t.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
    return {t, 0};
  return {t.substr(0, c), output_index(t.substr(c + 1))};
}

namespace {

// Ops with more than one output argument: their output argument names in order (each a single
// tensor). Every other op's outputs are one argument (possibly a list), so "node:arg:i" -> i.
const std::map<std::string, std::vector<std::string>>& multi_output_ops() {
  static const std::map<std::string, std::vector<std::string>> m = {
      {"FusedBatchNorm", {"y", "batch_mean", "batch_variance", "reserve_space_1", "reserve_space_2"}},
      {"FusedBatchNormV2", {"y", "batch_mean", "batch_variance", "reserve_space_1", "reserve_space_2"}},
      {"FusedBatchNormV3",
       {"y", "batch_mean", "batch_variance", "reserve_space_1", "reserve_space_2", "reserve_space_3"}},
      {"Unique", {"y", "idx"}},
      {"TopKV2", {"values", "indices"}},
      {"BroadcastGradientArgs", {"r0", "r1"}},
      {"TensorArrayV3", {"handle", "flow"}},
  };
  return m;
}

bool is_call_op(const std::string& op) { return op == "PartitionedCall" || op == "StatefulPartitionedCall"; }

}  // namespace

FlatGraph::FlatGraph(const GraphDef& g, const std::string& where) : where_(where) {
  for (auto& f : g.library().function()) functions_[f.signature().name()] = &f;
  for (auto& nd : g.node()) {
    std::vector<std::string> ins;
    for (auto& in : nd.input()) {
      if (in.empty() || in[0] == '^') continue;
      auto [n, k] = split_tensor_name(in);
      ins.push_back(n + ":" + std::to_string(k));
    }
    if (const FunctionDef* f = callee(nd)) {
      inline_call(nd.name(), *f, ins, 0);
      continue;
    }
    add(FlatNode{nd.name(), nd.op(), std::move(ins), &nd.attr(), ""});
  }
}

FlatGraph::FlatGraph(const FlatGraph& lib, const std::string& function, const std::string& call)
    : where_(lib.where_), functions_(lib.functions_) {
  auto it = functions_.find(function);
  if (it == functions_.end()) throw Error(where_ + ": node '" + call + "' refers to unknown function '" + function + "'");
  const FunctionDef& f = *it->second;
  std::vector<std::string> unused(size_t(f.signature().input_arg_size()), "");
  inline_call(call, f, unused, 0);
  for (auto& a : f.signature().input_arg()) args_.push_back(call + "/" + a.name() + ":0");
}

std::vector<const FlatNode*> FlatGraph::consumers(const std::string& name) const {
  if (consumers_.empty())
    for (auto& n : nodes_)
      for (auto& in : n.inputs) {
        auto& v = consumers_[split_tensor_name(in).first];
        if (v.empty() || v.back() != &n) v.push_back(&n);
      }
  auto it = consumers_.find(name);
  return it == consumers_.end() ? std::vector<const FlatNode*>{} : it->second;
}

const FlatNode* FlatGraph::find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &nodes_[it->second];
}

void FlatGraph::add(FlatNode n) {
  if (index_.count(n.name)) throw Error(where_ + ": duplicate node name '" + n.name + "'");
  if (nodes_.size() >= limits().max_graph_nodes)
    throw Error(where_ + ": graph has more than " + std::to_string(limits().max_graph_nodes) +
                " nodes once its function calls are inlined (at '" + n.name + "')");
  index_[n.name] = nodes_.size();
  nodes_.push_back(std::move(n));
}

const FunctionDef* FlatGraph::callee(const NodeDef& n) const {
  std::string fname = n.op();
  if (is_call_op(n.op())) {
    auto it = n.attr().find("f");
    if (it == n.attr().end()) return nullptr;
    fname = it->second.func().name();
  }
  auto it = functions_.find(fname);
  if (it != functions_.end()) return it->second;
  if (is_call_op(n.op())) throw Error(where_ + ": node '" + n.name() + "' calls unknown function '" + fname + "'");
  return nullptr;
}

void FlatGraph::inline_call(const std::string& call, const FunctionDef& f, const std::vector<std::string>& inputs,
                            int depth) {
  const std::string& fname = f.signature().name();
  check_nesting_depth(where_, "function call '" + call + "' (recursive or too deep calls)", depth);
  if (int(inputs.size()) != f.signature().input_arg_size())
    throw Error(where_ + ": call '" + call + "' passes " + std::to_string(inputs.size()) + " inputs to function '" +
                fname + "' which takes " + std::to_string(f.signature().input_arg_size()));
  const std::string prefix = call + "/";
  for (int i = 0; i < f.signature().input_arg_size(); ++i)
    add(FlatNode{prefix + f.signature().input_arg(i).name(), "Identity", {inputs[size_t(i)]}, nullptr, fname});

  std::map<std::string, const NodeDef*> body;
  for (auto& nd : f.node_def()) body[nd.name()] = &nd;

  // "node:arg:i" / "arg" inside the body -> flat "prefix+node:k".
  auto resolve = [&](const std::string& ref) -> std::string {
    auto c1 = ref.find(':');
    if (c1 == std::string::npos) return prefix + ref + ":0";
    std::string node = ref.substr(0, c1);
    auto c2 = ref.find(':', c1 + 1);
    if (c2 == std::string::npos) return prefix + ref;  // "arg:i" (list argument element)
    std::string arg = ref.substr(c1 + 1, c2 - c1 - 1);
    int idx = output_index(ref.substr(c2 + 1));
    if (idx < 0) throw Error(where_ + ": function '" + fname + "' has a bad output reference '" + ref + "'");
    auto b = body.find(node);
    if (b == body.end()) throw Error(where_ + ": function '" + fname + "' refers to unknown node '" + node + "'");
    const NodeDef& nd = *b->second;
    int base = 0;
    if (!is_call_op(nd.op())) {
      if (auto fit = functions_.find(nd.op()); fit != functions_.end()) {
        auto& outs = fit->second->signature().output_arg();
        for (int i = 0; i < outs.size() && outs[i].name() != arg; ++i) ++base;
      } else if (auto m = multi_output_ops().find(nd.op()); m != multi_output_ops().end()) {
        auto pos = std::find(m->second.begin(), m->second.end(), arg);
        base = int(pos - m->second.begin());
      }
    }
    return prefix + node + ":" + std::to_string(base + idx);
  };

  for (auto& nd : f.node_def()) {
    std::vector<std::string> ins;
    for (auto& in : nd.input())
      if (!in.empty() && in[0] != '^') ins.push_back(resolve(in));
    if (const FunctionDef* g = callee(nd)) {
      inline_call(prefix + nd.name(), *g, ins, depth + 1);
      continue;
    }
    add(FlatNode{prefix + nd.name(), nd.op(), std::move(ins), &nd.attr(), fname});
  }

  std::vector<std::string> rets;
  for (auto& out : f.signature().output_arg()) {
    auto it = f.ret().find(out.name());
    if (it == f.ret().end())
      throw Error(where_ + ": function '" + fname + "' has no return value for '" + out.name() + "'");
    rets.push_back(resolve(it->second));
  }
  add(FlatNode{call, "IdentityN", std::move(rets), nullptr, fname});
}

}  // namespace modelport::tf

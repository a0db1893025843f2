// A GraphDef with every function call (PartitionedCall, StatefulPartitionedCall, or a node whose
// op is a library function) inlined: one flat namespace of nodes whose data inputs are all
// "node:k" (flat output index); control inputs are dropped.
//
// A call node `C` of function F becomes: one Identity node "C/<arg>" per input argument, F's body
// nodes renamed "C/<node>" (nested calls inlined the same way), and an IdentityN node "C" whose
// inputs are F's return values, so `C:k` still names the call's k-th output.
#pragma once
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tf_graph.pb.h"

namespace modelport::tf {

using AttrMap = google::protobuf::Map<std::string, AttrValue>;

struct FlatNode {
  std::string name, op;
  std::vector<std::string> inputs;  // "node:k"
  const AttrMap* attrs = nullptr;   // nullptr for nodes synthesized by inlining
  std::string function;             // enclosing function ("" at top level), for messages
};

class FlatGraph {
 public:
  // `where` names the file for error messages.
  FlatGraph(const GraphDef& g, const std::string& where);
  // Function `function` of `lib`'s library on its own (an If branch, a While cond or body), as if
  // called by a node named `call`: argument i is the Identity node arg_tensor(i) (feed it) and the
  // results are "call:k". Throws Error naming the file for an unknown function.
  FlatGraph(const FlatGraph& lib, const std::string& function, const std::string& call);

  std::string arg_tensor(size_t i) const { return args_.at(i); }
  size_t arg_count() const { return args_.size(); }
  // Nodes whose data inputs read `name` (any output).
  std::vector<const FlatNode*> consumers(const std::string& name) const;
  const std::string& where() const { return where_; }

  const FlatNode* find(const std::string& name) const;
  const std::deque<FlatNode>& nodes() const { return nodes_; }
  size_t function_count() const { return functions_.size(); }

 private:
  void add(FlatNode n);
  const FunctionDef* callee(const NodeDef& n) const;
  void inline_call(const std::string& call_name, const FunctionDef& f, const std::vector<std::string>& inputs,
                   int depth);

  std::string where_;
  std::map<std::string, const FunctionDef*> functions_;
  std::vector<std::string> args_;  // function graphs: the argument tensors to feed
  mutable std::map<std::string, std::vector<const FlatNode*>> consumers_;  // built on first use
  std::deque<FlatNode> nodes_;
  std::map<std::string, size_t> index_;
};

// "node:k" -> {node, k}; "node" -> {node, 0}. Control inputs ("^node") are not tensor names.
std::pair<std::string, int> split_tensor_name(const std::string& t);

}  // namespace modelport::tf

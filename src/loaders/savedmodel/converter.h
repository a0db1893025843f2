// Lowers a flat TensorFlow graph (flat_graph.h) to modelport IR, on demand from the requested
// output tensors backwards, one translator per TF op (ops/translators.h).
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "flat_graph.h"
#include "while_frame.h"
#include "modelport/ir.h"
#include "ops/shape_values.h"

namespace modelport::tf {

class Converter {
 public:
  // `where` is the source path for messages; `keepalive` owns the protos (constants alias them).
  Converter(const FlatGraph& fg, Graph& g, std::string where, std::shared_ptr<const void> keepalive);
  // A converter of `fg` (this graph or a function of its library) into `g` (this graph or a
  // subgraph of it) sharing this one's file, variables and frames: for control flow bodies.
  Converter(const Converter& parent, const FlatGraph& fg, Graph& g);

  // Cut point: tensor "node:k" is `v` (a graph input); nothing upstream is converted.
  void feed(const std::string& tensor, Value* v);
  bool is_fed(const std::string& tensor) const { return feeds_.count(tensor) != 0; }
  // Value of a variable node (VariableV2 / VarHandleOp); set by the loader.
  std::function<Tensor(const FlatNode&)> variable_value;

  // Nodes needed to compute `tensors` (stopping at fed tensors), in dependency order.
  // Throws Error for unknown tensors and for cycles (control flow loops).
  std::vector<const FlatNode*> reachable(const std::vector<std::string>& tensors) const;
  // Throws ONE Error listing every op kind among `nodes` without a translator (count, first node).
  void check_supported(const std::vector<const FlatNode*>& nodes) const;
  // Converts what `tensors` need and returns their values.
  std::vector<Value*> convert(const std::vector<std::string>& tensors);

  Graph& graph() { return g_; }
  const FlatGraph& flat() const { return fg_; }
  // The tensors node `n` is computed from: its inputs, or for an Exit node the tensors its while
  // loop frame reads from outside (WhileFrame::outer_inputs), so the loop's cycle is never walked.
  std::vector<std::string> dependencies(const FlatNode& n) const;
  const WhileFrame& frame_of(const FlatNode& exit) const;
  // TensorLists whose element shape is not known yet (TensorListReserve of an unknown shape: a
  // rank-1 tensor of zeros, one per element); a loop carrying one widens it to the shape its body
  // sets (ops/list_ops.cpp). Shared with the converters of bodies.
  std::shared_ptr<std::set<const Value*>> shapeless_lists = std::make_shared<std::set<const Value*>>();
  // Loops built for frames (by frame name): the Loop's outputs, one per frame variable.
  std::map<std::string, std::vector<Value*>> frame_loops;
  // What the built nodes' int64 outputs hold of dims (for the op layer's shape inference).
  ShapeValues& shape_values() { return shape_values_; }
  const std::string& where() const { return where_; }
  const std::shared_ptr<const void>& keepalive() const { return keepalive_; }
  std::vector<std::string> warnings;

 private:
  Value* lookup(const std::string& tensor) const;  // fed or converted; nullptr otherwise
  void translate(const FlatNode& n);

  const FlatGraph& fg_;
  Graph& g_;
  ShapeValues shape_values_;
  std::string where_;
  std::shared_ptr<const void> keepalive_;
  std::map<std::string, Value*> feeds_;
  std::map<std::string, std::vector<Value*>> produced_;
  mutable std::map<std::string, std::shared_ptr<const WhileFrame>> frames_;  // by Exit node name
};

// Converts a normalized tensor name to "node:k".
std::string canonical_tensor(const std::string& t);

}  // namespace modelport::tf

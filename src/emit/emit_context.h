// Internal to the emitter: the state an op form needs to write ONNX nodes into the graph being built.
// ONNX headers stay under src/emit; nothing here is visible through include/modelport.
#pragma once

#include <onnx/onnx_pb.h>

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "modelport/error.h"
#include "modelport/ir.h"

namespace modelport::emit {

// Initializers at least this large are streamed from their IR buffer at write time instead of being
// copied into the ModelProto. Smaller ones (shape/axes constants) are embedded so shape inference
// and the checker can read them.
constexpr size_t kStreamThresholdBytes = 1024;

// A large initializer whose bytes stay in the IR buffer until the writer streams them.
struct BigInitializer {
  onnx::TensorProto header;             // name, dims, data_type only
  std::shared_ptr<const Tensor> tensor; // the bytes
};

int onnx_dtype(DType t);  // TensorProto::DataType value, throws for Undefined
// Tensor -> TensorProto with its bytes embedded (raw_data, or string_data for strings).
void tensor_to_proto(const Tensor& t, const std::string& name, onnx::TensorProto* out);
// name, dims and data_type only.
void tensor_header(const Tensor& t, const std::string& name, onnx::TensorProto* out);

// State shared by all graphs of one emission.
struct EmitShared {
  int opset = 0;
  std::set<std::string> taken;                           // every name used anywhere in the output
  std::unordered_map<const Value*, std::string> renamed; // IR values written under another name
  std::vector<BigInitializer> big;                       // streamed initializers (main graph)
  std::set<std::string> domains;                         // non-default domains used by nodes
  std::vector<std::string> warnings;
  std::function<void(const Graph&, onnx::GraphProto*)> emit_subgraph;
};

// What an op form sees: the output graph plus helpers. Extra nodes/constants go to the ONNX
// output only; the IR model is never touched.
class EmitCtx {
 public:
  EmitCtx(EmitShared& s, onnx::GraphProto* g) : shared_(s), g_(g) {}

  int opset() const { return shared_.opset; }
  const Node& node() const { return *node_; }
  void set_node(const Node* n) { node_ = n; }

  // Output name of an IR value ("" for an omitted optional input).
  std::string name(const Value* v) const;
  std::string in(size_t i) const { return name(node_->input(i)); }
  std::string out(size_t i) const { return i < node_->outputs.size() ? name(node_->outputs[i]) : ""; }
  // A fresh name, unique in the whole output model.
  std::string fresh(const std::string& hint);

  // Appends a node; empty output names in `outs` are replaced by fresh ones.
  onnx::NodeProto* add(const std::string& op, const std::vector<std::string>& ins, std::vector<std::string> outs);
  // Single-output node with a fresh output (or `out` when given); returns the output name.
  std::string add1(const std::string& op, const std::vector<std::string>& ins,
                   const std::string& out = "", std::map<std::string, Attribute> attrs = {});
  // A small constant written as an initializer of the current graph; returns its name.
  std::string constant(const Tensor& t, const std::string& hint);
  std::string scalar(DType dt, double v, const std::string& hint) { return constant(Tensor::scalar(dt, v), hint); }
  std::string ints(const std::vector<int64_t>& v, const std::string& hint) { return constant(Tensor::i64(v), hint); }

  // Writes one IR attribute onto `n` (subgraphs are emitted recursively).
  void set_attr(onnx::NodeProto* n, const std::string& key, const Attribute& a);
  // Copies the current node's attributes except those in `skip`.
  void copy_attrs(onnx::NodeProto* n, const std::set<std::string>& skip = {});
  // Writes the current node as is (op, domain, inputs, outputs, attributes minus `skip`).
  onnx::NodeProto* write_as_is(const std::set<std::string>& skip = {});

  // The constant value of input i, or nullptr when it is not a constant.
  const Tensor* const_input(size_t i) const;
  // Input i as constant int64 values; throws naming `what` when it is not constant.
  std::vector<int64_t> const_ints(size_t i, const char* what) const;
  // Rank of input i from its IR shape; throws naming `why` when unknown.
  int64_t rank_of(size_t i, const char* why) const;
  // DType of input i; throws naming `why` when undefined.
  DType dtype_of(size_t i, const char* why) const;

  [[noreturn]] void fail(const std::string& msg) const;
  void warn(const std::string& msg) { shared_.warnings.push_back(msg); }

  EmitShared& shared() { return shared_; }
  onnx::GraphProto* graph() { return g_; }

 private:
  EmitShared& shared_;
  onnx::GraphProto* g_;
  const Node* node_ = nullptr;
};

}  // namespace modelport::emit

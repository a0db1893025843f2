// The lowering context: the IR graph being built, the TorchScript-value -> lowered-value map,
// and small helpers every op lowering uses (argument access, constants, shape bookkeeping).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include <torch/csrc/jit/ir/ir.h>

#include "loaders/torchscript/lowered_value.h"
#include "modelport/error.h"
#include "modelport/ir.h"
#include "modelport/tensor_ops.h"
#include "ops/shape_values.h"

namespace modelport::ts {

namespace jit = torch::jit;

// "file.py:12" for a node, or "" when the node carries no source location.
std::string source_location(const jit::Node* n);
DType dtype_from_torch(c10::ScalarType t);
c10::ScalarType torch_from_dtype(DType t);

class Ctx {
 public:
  Ctx(Graph& g, std::string path) : g(g), path(std::move(path)), shape_values_(std::make_shared<ShapeValues>()) {}
  // A context lowering a block into subgraph `sub` of parent.g (an If branch or a Loop body): it
  // sees every value the parent has lowered (outer-scope reads) and the parent's scalar_dims.
  Ctx(Graph& sub, const Ctx& parent)
      : g(sub), path(parent.path), scalar_dims(parent.scalar_dims), state(parent.state),
        quantized_float(parent.quantized_float), warnings(parent.warnings), parent_(&parent),
        shape_values_(parent.shape_values_) {}

  Graph& g;
  std::string path;
  const jit::Node* node = nullptr;  // node being lowered

  // ---- value map
  void bind(const jit::Value* tv, LVal lv);
  const LVal& get(const jit::Value* tv) const;
  bool has(const jit::Value* tv) const;

  // ---- inputs of the current node
  size_t num_inputs() const { return node->inputs().size(); }
  const LVal& in(size_t i) const { return get(node->inputs().at(i)); }
  // Index of the schema argument `name`, if the node has a schema and such an argument.
  std::optional<size_t> arg_index(const std::string& name) const;
  bool is_int_type(size_t i) const;     // torch type of input i is int
  bool is_tensor_type(size_t i) const;  // torch type of input i is Tensor
  bool output_is_tensor(size_t i = 0) const;

  Value* tensor(size_t i);                       // input i as an IR tensor (numbers become constants)
  Value* tensor_of(const LVal& l);
  int64_t int_arg(size_t i) const;               // constant int (error otherwise)
  std::optional<int64_t> opt_int(size_t i) const;
  double double_arg(size_t i) const;             // constant number
  bool bool_arg(size_t i) const;
  std::string string_arg(size_t i) const;
  // Constant int list; a single int is repeated `repeat` times (for kernel_size=3 etc).
  std::vector<int64_t> ints_arg(size_t i, size_t repeat = 0) const;
  std::optional<DType> opt_dtype_arg(size_t i) const;  // a `ScalarType?` argument

  // ---- outputs of the current node
  void out(LVal l, size_t i = 0);
  void out(Value* v, size_t i = 0) { out(LVal::tensor(v), i); }

  // ---- building IR
  // Adds a node; its output dtype defaults to the first input's dtype.
  Value* op(const std::string& type, std::vector<Value*> ins, std::map<std::string, Attribute> attrs = {});
  Node* node_op(const std::string& type, std::vector<Value*> ins, size_t nout,
                std::map<std::string, Attribute> attrs = {});
  Value* c_i64(const std::vector<int64_t>& v);       // 1-D int64 constant
  Value* c_i64_scalar(int64_t v);
  Value* c_scalar(DType dt, double v);
  Value* cast(Value* v, DType to);
  // An int list (constants and/or dynamic scalars, or a dynamic 1-D tensor) as one 1-D int64 tensor.
  Value* ints_tensor(const LVal& list);
  // Dimension `d` of `x` as a lowered int: a constant when fixed, else Shape+Gather (rank 0 int64).
  LVal dim_of(Value* x, int64_t d);
  // Symbolic dims carried by dynamic int scalars (e.g. the result of x.size(0) is "batch").
  std::unordered_map<const Value*, Dim> scalar_dims;
  // Module state (attributes forward() assigns, state_attributes.h): attribute path ("h",
  // "inner.c") -> its current value (the state input until assigned). Shared with subgraphs.
  std::shared_ptr<std::map<std::string, Value*>> state = std::make_shared<std::map<std::string, Value*>>();
  bool in_subgraph() const { return parent_ != nullptr; }
  // --quantized float: quantized ops lower to float ops on dequantized weights (else integer ONNX ops).
  bool quantized_float = false;
  // Warnings for Model::warnings, each text once (shared with subgraphs).
  std::shared_ptr<std::vector<std::string>> warnings = std::make_shared<std::vector<std::string>>();
  void warn(const std::string& text);

  // ---- shapes
  std::optional<size_t> rank(const Value* v) const;
  size_t need_rank(const Value* v, const std::string& why) const;  // error naming the fix
  int64_t norm_dim(int64_t d, size_t rank) const;                  // negative -> positive, checked

  // ---- errors
  [[noreturn]] void fail(const std::string& cause) const;
  std::string where() const;  // "aten::foo (file.py:12)"

 private:
  const Ctx* parent_ = nullptr;
  std::shared_ptr<ShapeValues> shape_values_;  // shared with the subgraph contexts
  std::unordered_map<const jit::Value*, LVal> env_;
};


}  // namespace modelport::ts

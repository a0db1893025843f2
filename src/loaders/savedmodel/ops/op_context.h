// What a TF op translator sees: the node, its converted inputs, attribute accessors and small IR
// builders. Translators return the node's outputs (one Value per TF output; extra outputs that
// nothing can use may be nullptr).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "../converter.h"
#include "../flat_graph.h"
#include "modelport/ir.h"
#include "modelport/tensor_ops.h"

namespace modelport::tf {

class OpCtx {
 public:
  OpCtx(Converter& cv, const FlatNode& n, std::vector<Value*> in) : cv(cv), g(cv.graph()), node(n), in(std::move(in)) {}

  Converter& cv;
  Graph& g;
  const FlatNode& node;
  std::vector<Value*> in;

  // ---- attributes
  const AttrValue* attr(const std::string& k) const;
  int64_t attr_int(const std::string& k, int64_t def) const;
  float attr_float(const std::string& k, float def) const;
  bool attr_bool(const std::string& k, bool def) const;
  std::string attr_str(const std::string& k, const std::string& def) const;
  std::vector<int64_t> attr_ints(const std::string& k) const;
  DType attr_type(const std::string& k) const;  // Undefined when absent

  // ---- inputs
  Value* input(size_t i) const;  // throws when missing
  const Tensor* const_input(size_t i) const;  // nullptr unless input i is a constant
  // Input i must be a constant integer tensor (throws otherwise, naming `what`).
  std::vector<int64_t> const_ints(size_t i, const char* what) const;
  // Input i must be a constant integer holding exactly one value (a scalar axis).
  int64_t const_int(size_t i, const char* what) const;
  [[noreturn]] void fail(const std::string& cause) const;

  // ---- builders (nodes are named after the TF node and record it as their source)
  Node* add(const std::string& op, std::vector<Value*> ins, size_t n_out = 1, std::map<std::string, Attribute> attrs = {});
  // Single-output node; output dtype defaults to the first input's, shape left unknown.
  Value* op(const std::string& op, std::vector<Value*> ins, std::map<std::string, Attribute> attrs = {});
  Value* c_i64(const std::vector<int64_t>& v);
  Value* c_scalar(DType dt, double v);
  Value* cast(Value* v, DType to);
  Value* to_i64(Value* v);  // int index tensors -> int64 (constants folded)
  Value* transpose(Value* v, const std::vector<int64_t>& perm);
};

}  // namespace modelport::tf

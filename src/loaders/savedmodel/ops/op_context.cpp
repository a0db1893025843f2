#include "op_context.h"

#include <cstring>

#include "../tf_types.h"
#include "modelport/error.h"
#include "modelport/tensor_ops.h"
#include "ops/infer.h"

namespace modelport::tf {

const AttrValue* OpCtx::attr(const std::string& k) const {
  if (!node.attrs) return nullptr;
  auto it = node.attrs->find(k);
  return it == node.attrs->end() ? nullptr : &it->second;
}
int64_t OpCtx::attr_int(const std::string& k, int64_t def) const {
  auto* a = attr(k);
  return a && a->value_case() == AttrValue::kI ? a->i() : def;
}
float OpCtx::attr_float(const std::string& k, float def) const {
  auto* a = attr(k);
  return a && a->value_case() == AttrValue::kF ? a->f() : def;
}
bool OpCtx::attr_bool(const std::string& k, bool def) const {
  auto* a = attr(k);
  return a && a->value_case() == AttrValue::kB ? a->b() : def;
}
std::string OpCtx::attr_str(const std::string& k, const std::string& def) const {
  auto* a = attr(k);
  return a && a->value_case() == AttrValue::kS ? a->s() : def;
}
std::vector<int64_t> OpCtx::attr_ints(const std::string& k) const {
  auto* a = attr(k);
  if (!a || a->value_case() != AttrValue::kList) return {};
  return std::vector<int64_t>(a->list().i().begin(), a->list().i().end());
}
DType OpCtx::attr_type(const std::string& k) const {
  auto* a = attr(k);
  return a && a->value_case() == AttrValue::kType ? from_tf_dtype(a->type()) : DType::Undefined;
}

Value* OpCtx::input(size_t i) const {
  if (i >= in.size() || !in[i]) fail("missing input " + std::to_string(i));
  return in[i];
}
const Tensor* OpCtx::const_input(size_t i) const {
  return i < in.size() && in[i] && in[i]->constant ? in[i]->constant.get() : nullptr;
}
std::vector<int64_t> OpCtx::const_ints(size_t i, const char* what) const {
  const Tensor* t = const_input(i);
  if (!t) fail(std::string(what) + " must be a constant");
  if (dtype_is_float(t->dtype) || t->dtype == DType::String) fail(std::string(what) + " must be an integer tensor");
  return t->to_int_vector();
}
int64_t OpCtx::const_int(size_t i, const char* what) const {
  std::vector<int64_t> v = const_ints(i, what);
  if (v.size() != 1) fail(std::string(what) + " must hold one value, not " + std::to_string(v.size()));
  return v[0];
}
void OpCtx::fail(const std::string& cause) const {
  throw Error(cv.where() + ": " + node.op + " node '" + node.name + "': " + cause);
}

Node* OpCtx::add(const std::string& type, std::vector<Value*> ins, size_t n_out, std::map<std::string, Attribute> attrs) {
  Node* n = g.add_node(type, std::move(ins), n_out, std::move(attrs), node.name);
  n->source = node.function.empty() ? node.name : node.name + " (in " + node.function + ")";
  ops::infer_node(*n, cv.shape_values());
  return n;
}
Value* OpCtx::op(const std::string& type, std::vector<Value*> ins, std::map<std::string, Attribute> attrs) {
  return add(type, std::move(ins), 1, std::move(attrs))->outputs[0];
}
Value* OpCtx::c_i64(const std::vector<int64_t>& v) { return g.add_constant(node.name + "/const", Tensor::i64(v)); }
Value* OpCtx::c_scalar(DType dt, double v) { return g.add_constant(node.name + "/const", Tensor::scalar(dt, v)); }

Value* OpCtx::cast(Value* v, DType to) {
  if (v->dtype == to) return v;
  return op("Cast", {v}, {{"to", onnx_type_code(to)}});
}
Value* OpCtx::to_i64(Value* v) {
  if (v->dtype == DType::Int64) return v;
  if (v->constant && !dtype_is_float(v->constant->dtype)) {
    auto vals = v->constant->to_int_vector();
    return g.add_constant(node.name + "/const", Tensor::from_vector(DType::Int64, vals, v->constant->dims));
  }
  return cast(v, DType::Int64);
}
Value* OpCtx::transpose(Value* v, const std::vector<int64_t>& perm) {
  if (std::string why = permutation_problem(perm, v->shape); !why.empty()) fail("perm " + why);
  return op("Transpose", {v}, {{"perm", perm}});
}

}  // namespace modelport::tf

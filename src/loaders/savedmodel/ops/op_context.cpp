#include "op_context.h"

#include <cstring>

#include "../tf_types.h"
#include "modelport/error.h"

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
void OpCtx::fail(const std::string& cause) const {
  throw Error(cv.where() + ": " + node.op + " node '" + node.name + "': " + cause);
}

Node* OpCtx::add(const std::string& type, std::vector<Value*> ins, size_t n_out, std::map<std::string, Attribute> attrs) {
  Node* n = g.add_node(type, std::move(ins), n_out, std::move(attrs), node.name);
  n->source = node.function.empty() ? node.name : node.name + " (in " + node.function + ")";
  DType dt = n->inputs.empty() || !n->inputs[0] ? DType::Undefined : n->inputs[0]->dtype;
  for (auto* o : n->outputs) o->dtype = dt;
  return n;
}
Value* OpCtx::op(const std::string& type, std::vector<Value*> ins, std::map<std::string, Attribute> attrs) {
  return add(type, std::move(ins), 1, std::move(attrs))->outputs[0];
}
Value* OpCtx::c_i64(const std::vector<int64_t>& v) { return g.add_constant(node.name + "/const", Tensor::i64(v)); }
Value* OpCtx::c_scalar(DType dt, double v) { return g.add_constant(node.name + "/const", Tensor::scalar(dt, v)); }

Value* OpCtx::cast(Value* v, DType to) {
  if (v->dtype == to) return v;
  Value* o = op("Cast", {v}, {{"to", onnx_type_code(to)}});
  o->dtype = to;
  o->shape = v->shape;
  return o;
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
  Value* o = op("Transpose", {v}, {{"perm", perm}});
  o->shape = permute_shape(v->shape, perm);
  return o;
}

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  if (!a.rank_known || !b.rank_known) return Shape();
  size_t r = std::max(a.rank(), b.rank());
  std::vector<Dim> out(r);
  for (size_t i = 0; i < r; ++i) {
    const Dim* da = i < r - a.rank() ? nullptr : &a.dims[i - (r - a.rank())];
    const Dim* db = i < r - b.rank() ? nullptr : &b.dims[i - (r - b.rank())];
    if (!da) out[i] = *db;
    else if (!db) out[i] = *da;
    else if (da->is_fixed() && da->value == 1) out[i] = *db;
    else if (db->is_fixed() && db->value == 1) out[i] = *da;
    else if (da->is_fixed() || da->is_symbol()) out[i] = *da;
    else out[i] = *db;
  }
  return Shape(std::move(out));
}

Shape permute_shape(const Shape& s, const std::vector<int64_t>& perm) {
  if (!s.rank_known || s.rank() != perm.size()) return Shape();
  std::vector<Dim> d;
  for (auto p : perm) d.push_back(s.dims[size_t(p)]);
  return Shape(std::move(d));
}

Tensor permute_tensor(const Tensor& t, const std::vector<int64_t>& perm) {
  size_t r = t.dims.size(), es = dtype_size(t.dtype);
  std::vector<int64_t> out_dims(r), in_strides(r, 1), out_strides(r, 1);
  for (size_t i = 0; i < r; ++i) out_dims[i] = t.dims[size_t(perm[i])];
  for (size_t i = r; i-- > 1;) in_strides[i - 1] = in_strides[i] * t.dims[i];
  for (size_t i = r; i-- > 1;) out_strides[i - 1] = out_strides[i] * out_dims[i];
  int64_t n = t.numel();
  std::vector<uint8_t> bytes(size_t(n) * es);
  std::vector<int64_t> idx(r, 0);
  for (int64_t o = 0; o < n; ++o) {
    int64_t src = 0;
    for (size_t i = 0; i < r; ++i) src += idx[i] * in_strides[size_t(perm[i])];
    std::memcpy(bytes.data() + size_t(o) * es, t.raw() + size_t(src) * es, es);
    for (size_t i = r; i-- > 0;) {
      if (++idx[i] < out_dims[i]) break;
      idx[i] = 0;
    }
  }
  Tensor out;
  out.dtype = t.dtype;
  out.dims = out_dims;
  out.buffer = Buffer::owned(std::move(bytes));
  return out;
}

}  // namespace modelport::tf

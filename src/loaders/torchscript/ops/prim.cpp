// prim:: structural ops and list/tuple plumbing.
#include "loaders/torchscript/registry.h"
#include "loaders/torchscript/weights.h"

namespace modelport::ts {
namespace {

void lower_constant(Ctx& c) {
  const jit::Value* o = c.node->output();
  if (o->type()->kind() == c10::TypeKind::NoneType) return c.out(LVal::none());
  auto iv = jit::toIValue(o);
  if (!iv) c.fail("constant without a value");
  std::string name = o->hasDebugName() ? o->debugName() : "const";
  c.out(lval_from_ivalue(c, *iv, name));
}

void lower_list_construct(Ctx& c) {
  std::vector<LVal> items;
  for (size_t i = 0; i < c.num_inputs(); ++i) items.push_back(c.in(i));
  c.out(LVal::list(std::move(items)));
}

void lower_tuple_construct(Ctx& c) {
  std::vector<LVal> items;
  for (size_t i = 0; i < c.num_inputs(); ++i) items.push_back(c.in(i));
  c.out(LVal::tuple(std::move(items)));
}

void lower_unpack(Ctx& c) {
  const LVal& l = c.in(0);
  size_t n = c.node->outputs().size();
  if (l.is_seq()) {
    if (l.items.size() != n) c.fail("unpacks " + std::to_string(n) + " values from " + std::to_string(l.items.size()));
    for (size_t i = 0; i < n; ++i) c.out(l.items[i], i);
    return;
  }
  if (l.is_tensor() && l.v->dtype == DType::Int64) {  // a dynamic int list, e.g. x.size() of unknown rank
    for (size_t i = 0; i < n; ++i) {
      c.out(c.op("Gather", {l.v, c.c_i64_scalar(int64_t(i))}, {{"axis", int64_t(0)}}), i);
    }
    return;
  }
  c.fail("cannot unpack " + l.describe());
}

void lower_tuple_index(Ctx& c) {
  const LVal& l = c.in(0);
  if (!l.is_seq()) c.fail("indexing a " + l.describe());
  int64_t i = c.int_arg(1);
  if (i < 0) i += int64_t(l.items.size());
  if (i < 0 || i >= int64_t(l.items.size())) c.fail("tuple index out of range");
  c.out(l.items[size_t(i)]);
}

void lower_getitem(Ctx& c) {
  const LVal& l = c.in(0);
  if (l.is_dict()) return lower_dict_getitem(c);
  if (l.is_seq()) return lower_tuple_index(c);
  if (l.is_tensor() && l.v->dtype == DType::Int64 && c.in(1).kind == LVal::Kind::Int) {
    return c.out(c.op("Gather", {l.v, c.c_i64_scalar(c.int_arg(1))}, {{"axis", int64_t(0)}}));
  }
  c.fail("__getitem__ on " + l.describe() + " is not supported");
}

void lower_len(Ctx& c) {
  const LVal& l = c.in(0);
  if (l.is_seq() || l.is_dict()) return c.out(LVal::of_int(int64_t(l.items.size())));
  if (l.kind == LVal::Kind::String) return c.out(LVal::of_int(int64_t(l.s.size())));
  if (l.is_tensor()) {
    if (l.v->shape.rank_known && l.v->shape.rank() >= 1) {
      if (l.v->shape.dims[0].is_fixed()) return c.out(LVal::of_int(l.v->shape.dims[0].value));
      return c.out(c.dim_of(l.v, 0));
    }
    c.need_rank(l.v, "len()");
  }
  c.fail("len() of " + l.describe());
}

void lower_identity(Ctx& c) { c.out(c.in(0)); }

// Attribute path of `name` on the module value input 0 ("inner.h"), or "" when input 0 is no module.
std::string attr_path(Ctx& c) {
  const LVal& m = c.in(0);
  if (m.kind != LVal::Kind::Module) return "";
  const std::string& name = c.node->s(jit::attr::name);
  return m.s.empty() ? name : m.s + "." + name;
}

// Freezing folds every attribute forward() does not assign; what is left is a submodule on the
// way to state, or state itself (its current value).
void lower_get_attr(Ctx& c) {
  std::string p = attr_path(c);
  if (!p.empty()) {
    if (auto it = c.state->find(p); it != c.state->end()) return c.out(it->second);
    if (c.node->output()->type()->cast<c10::ClassType>()) return c.out(LVal::module(p));
  }
  c.fail("module attribute '" + c.node->s(jit::attr::name) + "' was not frozen into a constant");
}

// self.<p> = value: the state's new value (its output, and what later reads see).
void lower_set_attr(Ctx& c) {
  std::string p = attr_path(c);
  auto it = c.state->find(p);
  if (p.empty() || it == c.state->end()) c.fail("assigns attribute '" + c.node->s(jit::attr::name) + "' of a non-module value");
  if (c.in_subgraph())
    c.fail("assigns module state '" + p + "' inside an if/loop; only assignments in forward()'s main body are supported");
  Value* v = c.tensor(1);
  if (v->dtype != it->second->dtype && v->dtype != DType::Undefined)
    c.fail("assigns module state '" + p + "' a " + dtype_name(v->dtype) + " tensor; its value at export is " +
           dtype_name(it->second->dtype));
  it->second = v;
}

void lower_num_to_tensor(Ctx& c) {
  const LVal& l = c.in(0);
  if (l.is_tensor()) return c.out(l);
  if (l.kind == LVal::Kind::Int) return c.out(c.c_i64_scalar(l.i));
  if (l.kind == LVal::Kind::Bool) return c.out(c.tensor_of(l));
  if (l.kind == LVal::Kind::Double) return c.out(c.c_scalar(DType::Float64, l.d));  // torch: a double tensor
  c.fail("NumToTensor of " + l.describe());
}

void lower_dtype(Ctx& c) {
  Value* x = c.tensor(0);
  if (x->dtype == DType::Undefined) c.fail("dtype of the input is not known");
  c.out(LVal::of_int(int64_t(torch_from_dtype(x->dtype))));
}

void lower_device(Ctx& c) { c.out(LVal::device("cpu")); }

void lower_raise(Ctx& c) {
  c.fail("the model raises an exception for these input shapes (a failed check in the model's code)");
}

void lower_is(Ctx& c) {
  bool a = c.in(0).is_none(), b = c.in(1).is_none();
  bool is_not = c.node->kind() == c10::Symbol::fromQualString("aten::__isnot__");
  if (a && b) return c.out(LVal::of_bool(!is_not));
  if (a != b) return c.out(LVal::of_bool(is_not));
  // `query is key` on tensors (transformer fast-path checks): the same TorchScript value is the
  // same tensor; different values are treated as different tensors.
  if (c.in(0).is_tensor() && c.in(1).is_tensor()) {
    bool same = c.node->input(0) == c.node->input(1) || c.in(0).v == c.in(1).v;
    return c.out(LVal::of_bool(same != is_not));
  }
  c.fail("identity comparison of two non-None values");
}

void lower_ignore(Ctx& c) {
  for (size_t i = 0; i < c.node->outputs().size(); ++i) c.out(LVal::none(), i);
}

}  // namespace

void register_prim_ops(Registry& r) {
  r["prim::Constant"] = lower_constant;
  r["prim::ListConstruct"] = lower_list_construct;
  r["prim::ListUnpack"] = lower_unpack;
  r["prim::TupleConstruct"] = lower_tuple_construct;
  r["prim::TupleUnpack"] = lower_unpack;
  r["prim::TupleIndex"] = lower_tuple_index;
  r["aten::__getitem__"] = lower_getitem;
  r["aten::len"] = lower_len;
  r["prim::GetAttr"] = lower_get_attr;
  r["prim::SetAttr"] = lower_set_attr;
  r["prim::NumToTensor"] = lower_num_to_tensor;
  r["prim::dtype"] = lower_dtype;
  r["prim::device"] = lower_device;
  r["prim::RaiseException"] = lower_raise;
  r["prim::unchecked_cast"] = lower_identity;
  r["aten::__is__"] = lower_is;
  r["aten::__isnot__"] = lower_is;
  r["aten::warn"] = lower_ignore;
}

}  // namespace modelport::ts

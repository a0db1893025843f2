// In-place writes through views: `mask[a:b, c:d] = v`, `x[:, 0] = y`, `t.zero_()`, `t.copy_(s)`.
// libtorch's RemoveTensorMutation leaves these alone because the written tensor is a view
// (aten::slice / aten::select of another value). The write is lowered functionally: the view's
// new contents are spliced back into each enclosing tensor with Slice + Concat along the view's
// dim (dynamic sizes and negative bounds work as in Python slicing), and the base TorchScript
// value is rebound, so every later use of it sees the write.
#include <algorithm>

#include "loaders/torchscript/ops/graph_build.h"
#include "loaders/torchscript/registry.h"
#include "ops/infer.h"

namespace modelport::ts {
namespace {

const c10::Symbol kSlice = c10::Symbol::fromQualString("aten::slice");
const c10::Symbol kSelect = c10::Symbol::fromQualString("aten::select");

bool is_view(const jit::Value* v) {
  auto k = v->node()->kind();
  return (k == kSlice || k == kSelect) && v->node()->inputs().at(0)->type()->kind() == c10::TypeKind::TensorType;
}

std::optional<int64_t> const_of(Value* v) {
  if (!v->is_constant() || v->constant->numel() != 1) return std::nullopt;
  return v->constant->as_int(0);
}

// max(start, end) with negative bounds counted from the end of `whole`'s dim (as a 1-element
// int64 tensor): folded when the bounds have the same sign or the dim is fixed, else computed.
Value* tail_start(Ctx& c, Value* whole, int64_t dim, Value* start, Value* end) {
  auto s = const_of(start), e = const_of(end);
  const Dim& d = whole->shape.dims[size_t(dim)];
  if (s && e && ((*s >= 0) == (*e >= 0))) return c.c_i64({std::max(*s, *e)});
  if (s && e && d.is_fixed()) {
    auto norm = [&](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + d.value : v, 0, d.value); };
    return c.c_i64({std::max(norm(*s), norm(*e))});
  }
  Value* size = c.op("Slice", {c.op("Shape", {whole}), c.c_i64({dim}), c.c_i64({dim + 1})});
  Value* zero = c.c_i64({0});
  auto norm = [&](Value* v) {
    Value* neg = c.op("Less", {v, zero});
    return c.op("Where", {neg, c.op("Add", {v, size}), v});
  };
  Value *ns = norm(start), *ne = norm(end);
  Value* gt = c.op("Greater", {ns, ne});
  return c.op("Where", {gt, ns, ne});
}

// `whole` with the part that `view_node` selects replaced by `part` (which has the view's shape).
Value* splice(Ctx& c, const jit::Node* view_node, Value* whole, Value* part) {
  const LVal& dim_l = c.get(view_node->input(1));
  if (dim_l.kind != LVal::Kind::Int) c.fail("a write through a view with a non-constant dim");
  size_t rank = c.need_rank(whole, "a write through a view");
  int64_t dim = c.norm_dim(dim_l.i, rank);
  Value *start, *end;
  if (view_node->kind() == kSelect) {
    part = c.op("Unsqueeze", {part, c.c_i64({dim})});  // opset-neutral form: the emitter picks the attribute
    const LVal& idx = c.get(view_node->input(2));
    start = gb::as_1d(c, idx);
    if (idx.kind == LVal::Kind::Int) end = c.c_i64({idx.i == -1 ? INT64_MAX : idx.i + 1});
    else end = c.op("Add", {start, c.c_i64({1})});
  } else {
    const LVal& s = c.get(view_node->input(2));
    const LVal& e = c.get(view_node->input(3));
    const LVal& st = c.get(view_node->input(4));
    if (!(st.is_none() || (st.kind == LVal::Kind::Int && st.i == 1)))
      c.fail("a write through a strided slice (step != 1) is not supported");
    start = s.is_none() ? c.c_i64({0}) : gb::as_1d(c, s);
    end = e.is_none() ? c.c_i64({INT64_MAX}) : gb::as_1d(c, e);
  }
  Value* axes = c.c_i64({dim});
  Value* head = c.op("Slice", {whole, c.c_i64({0}), start, axes});
  // The tail starts at max(start, end) after Python's normalisation, so an empty view
  // (e.g. x[-7:0]) leaves `whole` unchanged instead of duplicating rows.
  Value* tail = c.op("Slice", {whole, tail_start(c, whole, dim, start, end), c.c_i64({INT64_MAX}), axes});
  Value* out = c.op("Concat", {head, c.cast(part, whole->dtype), tail}, {{"axis", dim}});
  ops::assume_shape(*out, whole->shape);  // the pieces' lengths are run-time values summing to whole's
  return out;
}

}  // namespace

void write_through(Ctx& c, const jit::Value* target, Value* contents) {
  c.bind(target, LVal::tensor(contents));
  while (is_view(target)) {
    const jit::Node* vn = target->node();
    const jit::Value* base = vn->input(0);
    contents = splice(c, vn, c.tensor_of(c.get(base)), contents);
    c.bind(base, LVal::tensor(contents));
    target = base;
  }
}

namespace {

// `value` broadcast to the shape and dtype of `like`.
Value* filled_like(Ctx& c, Value* like, Value* value) {
  Value* v = c.cast(value, like->dtype);
  return c.op("Expand", {v, c.op("Shape", {like})});
}

void finish(Ctx& c, Value* contents) {
  write_through(c, c.node->input(0), contents);
  c.out(contents);
}

void lower_fill_(Ctx& c) { finish(c, filled_like(c, c.tensor(0), c.tensor(1))); }

void lower_zero_(Ctx& c) { finish(c, filled_like(c, c.tensor(0), c.c_scalar(c.tensor(0)->dtype, 0))); }

void lower_copy_(Ctx& c) { finish(c, filled_like(c, c.tensor(0), c.tensor(1))); }

// In-place arithmetic on a view, e.g. `x[:, 0] += 1`: the out-of-place op, written back.
template <const char* Onnx>
void lower_arith_(Ctx& c) {
  Value* a = c.tensor(0);
  Value* b = c.cast(c.tensor(1), a->dtype);
  if (c.num_inputs() > 2 && !c.in(2).is_none() && c.in(2).number() != 1.0)  // add_/sub_ alpha
    b = c.op("Mul", {b, c.c_scalar(a->dtype, c.in(2).number())});
  Value* r = c.op(Onnx, {a, b});
  finish(c, filled_like(c, a, r));
}

constexpr char kAdd[] = "Add", kSub[] = "Sub", kMul[] = "Mul", kDiv[] = "Div";

// torch.tensor(data, dtype, device, requires_grad): a constant (or a value built from scalars).
void lower_tensor(Ctx& c) {
  Value* v = c.tensor(0);
  if (auto dt = c.opt_dtype_arg(1)) v = c.cast(v, *dt);
  else if (c.in(0).kind == LVal::Kind::Double) v = c.cast(v, DType::Float32);
  c.out(v);
}

// aten::copy(self, src, non_blocking): a tensor shaped and typed like self holding src (broadcast).
// copy.copy(list) / list.copy(): lowered values are immutable, so the same value.
void lower_copy(Ctx& c) {
  if (c.num_inputs() >= 2 && c.in(0).is_tensor()) return c.out(filled_like(c, c.tensor(0), c.tensor(1)));
  if (c.in(0).is_tensor()) return c.out(c.op("Identity", {c.tensor(0)}));
  c.out(c.in(0));
}

}  // namespace

void register_inplace_ops(Registry& r) {
  r["aten::fill_"] = lower_fill_;
  r["aten::zero_"] = lower_zero_;
  r["aten::copy_"] = lower_copy_;
  r["aten::add_"] = lower_arith_<kAdd>;
  r["aten::sub_"] = lower_arith_<kSub>;
  r["aten::mul_"] = lower_arith_<kMul>;
  r["aten::div_"] = lower_arith_<kDiv>;
  r["aten::tensor"] = lower_tensor;
  r["aten::copy"] = lower_copy;
}

}  // namespace modelport::ts

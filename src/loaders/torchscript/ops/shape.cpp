// Shape queries and shape-changing ops. Symbolic dims stay symbolic: sizes that are not fixed
// are computed in the graph (Shape/Gather/Concat) and fed to Reshape and friends.
#include <climits>

#include "loaders/torchscript/registry.h"
#include "modelport/tensor_ops.h"

namespace modelport::ts {
namespace {

using K = LVal::Kind;


void lower_size(Ctx& c) {
  Value* x = c.tensor(0);
  if (c.num_inputs() > 1) return c.out(c.dim_of(x, c.int_arg(1)));
  size_t r = c.need_rank(x, "x.size()");
  std::vector<LVal> dims;
  for (size_t i = 0; i < r; ++i) dims.push_back(c.dim_of(x, int64_t(i)));
  c.out(LVal::list(std::move(dims)));
}

void lower_numel(Ctx& c) {
  Value* x = c.tensor(0);
  if (auto n = x->shape.numel()) return c.out(LVal::of_int(*n));
  c.out(c.op("Size", {x}));
}

void lower_dim(Ctx& c) { c.out(LVal::of_int(int64_t(c.need_rank(c.tensor(0), "dim()")))); }

void lower_identity(Ctx& c) { c.out(c.tensor(0)); }

// to(self, dtype, ...), to(self, device, dtype, ...), to(self, other, ...), type_as(self, other)
void lower_to(Ctx& c) {
  Value* x = c.tensor(0);
  std::optional<DType> dt;
  if (auto i = c.arg_index("dtype")) dt = c.opt_dtype_arg(*i);
  else if (auto o = c.arg_index("other")) dt = c.tensor(*o)->dtype;
  if (!dt || *dt == x->dtype) return c.out(x);
  c.out(c.cast(x, *dt));
}

void lower_reshape(Ctx& c) {
  Value* x = c.tensor(0);
  const LVal& list = c.in(1);
  Value* o = c.op("Reshape", {x, c.ints_tensor(list)});
  c.out(o);
}

void lower_reshape_as(Ctx& c) {
  Value* x = c.tensor(0);
  Value* other = c.tensor(1);
  Value* s = c.op("Shape", {other});
  c.out(c.op("Reshape", {x, s}));
}

// flatten(self, start_dim=0, end_dim=-1)
void lower_flatten(Ctx& c) {
  Value* x = c.tensor(0);
  int64_t start = c.int_arg(1), end = c.int_arg(2);
  auto r = c.rank(x);
  if (r && *r == 0) return c.out(c.op("Reshape", {x, c.c_i64({1})}));
  if (r) {
    start = c.norm_dim(start, *r);
    end = c.norm_dim(end, *r);
    if (start == end) return c.out(x);
  }
  if (start == 1 && (end == -1 || (r && end == int64_t(*r) - 1))) {
    return c.out(c.op("Flatten", {x}, {{"axis", int64_t(1)}}));
  }
  if (start == 0 && end == -1) return c.out(c.op("Reshape", {x, c.c_i64({-1})}));
  size_t rank = c.need_rank(x, "flatten");
  std::vector<LVal> target;
  Dim merged = Dim::fixed(1);
  for (int64_t i = 0; i < int64_t(rank); ++i) {
    const Dim& d = x->shape.dims[size_t(i)];
    if (i < start) {
      target.push_back(LVal::of_int(d.is_fixed() ? d.value : 0));  // ONNX Reshape: 0 copies the dim at the same index
    } else if (i > end) {  // shifted left by the merge: its own size (from Shape when not fixed)
      target.push_back(c.dim_of(x, i));
    } else {
      merged = merged.is_fixed() && d.is_fixed() ? Dim::fixed(merged.value * d.value) : Dim::unknown();
      if (i == end) target.push_back(LVal::of_int(merged.is_fixed() ? merged.value : -1));
    }
  }
  c.out(c.op("Reshape", {x, c.ints_tensor(LVal::list(target))}));
}

void lower_cat(Ctx& c) {
  const LVal& list = c.in(0);
  if (!list.is_seq() || list.items.empty()) c.fail("cat needs a non-empty tensor list");
  int64_t dim = c.int_arg(1);
  std::vector<Value*> xs;
  for (auto& l : list.items) xs.push_back(c.tensor_of(l));
  if (xs.size() == 1) return c.out(xs[0]);
  bool stack = c.node->kind() == c10::Symbol::fromQualString("aten::stack");
  if (stack)
    for (auto& x : xs) x = c.op("Unsqueeze", {x, c.c_i64({dim})});
  if (xs[0]->shape.rank_known) c.norm_dim(dim, xs[0]->shape.rank());  // a dim out of range fails here
  c.out(c.op("Concat", xs, {{"axis", dim}}));
}

Value* transpose(Ctx& c, Value* x, std::vector<int64_t> perm) {
  for (auto& p : perm) p = c.norm_dim(p, perm.size());
  if (std::string why = permutation_problem(perm, x->shape); !why.empty()) c.fail("dims " + why);
  return c.op("Transpose", {x}, {{"perm", perm}});
}

void lower_permute(Ctx& c) { c.out(transpose(c, c.tensor(0), c.ints_arg(1))); }

void lower_transpose(Ctx& c) {
  Value* x = c.tensor(0);
  size_t r = c.need_rank(x, "transpose");
  int64_t a = c.norm_dim(c.int_arg(1), r), b = c.norm_dim(c.int_arg(2), r);
  std::vector<int64_t> perm;
  for (int64_t i = 0; i < int64_t(r); ++i) perm.push_back(i);
  std::swap(perm[size_t(a)], perm[size_t(b)]);
  c.out(transpose(c, x, perm));
}

void lower_t(Ctx& c) {
  Value* x = c.tensor(0);
  size_t r = c.need_rank(x, "t()");
  if (r < 2) return c.out(x);
  c.out(transpose(c, x, {1, 0}));
}

void lower_unsqueeze(Ctx& c) {
  Value* x = c.tensor(0);
  int64_t d = c.int_arg(1);
  if (x->shape.rank_known) {
    int64_t at = d < 0 ? d + int64_t(x->shape.rank()) + 1 : d;
    if (at < 0 || at > int64_t(x->shape.rank())) c.fail("unsqueeze dim out of range");
  }
  c.out(c.op("Unsqueeze", {x, c.c_i64({d})}));
}

// squeeze(self) | squeeze(self, dim): torch leaves a dim that is not 1 alone.
void lower_squeeze(Ctx& c) {
  Value* x = c.tensor(0);
  if (c.num_inputs() == 1) {
    return c.out(c.op("Squeeze", {x}));
  }
  int64_t d = c.int_arg(1);
  if (x->shape.rank_known) {
    int64_t a = c.norm_dim(d, x->shape.rank());
    const Dim& dim = x->shape.dims[size_t(a)];
    if (!dim.is_fixed() || dim.value != 1) {
      if (dim.is_fixed()) return c.out(x);  // not 1: no-op
    }
    auto dims = x->shape.dims;
    dims.erase(dims.begin() + a);
    return c.out(c.op("Squeeze", {x, c.c_i64({a})}));
  }
  c.out(c.op("Squeeze", {x, c.c_i64({d})}));
}

// select(self, dim, index)
void lower_select(Ctx& c) {
  Value* x = c.tensor(0);
  int64_t dim = c.int_arg(1);
  Value* idx = c.in(2).kind == K::Int ? c.c_i64_scalar(c.int_arg(2)) : c.cast(c.tensor(2), DType::Int64);
  c.out(c.op("Gather", {x, idx}, {{"axis", dim}}));
}

// slice(self, dim=0, start=None, end=None, step=1)
void lower_slice(Ctx& c) {
  if (c.in(0).is_seq()) {  // list slicing
    const auto& items = c.in(0).items;
    int64_t n = int64_t(items.size());
    auto norm = [&](std::optional<int64_t> v, int64_t def) {
      int64_t x = v ? *v : def;
      if (x < 0) x += n;
      return std::clamp<int64_t>(x, 0, n);
    };
    int64_t b = norm(c.opt_int(1), 0), e = norm(c.opt_int(2), n), step = c.opt_int(3).value_or(1);
    std::vector<LVal> out;
    for (int64_t i = b; i < e; i += step) out.push_back(items[size_t(i)]);
    return c.out(LVal::list(out));
  }
  Value* x = c.tensor(0);
  int64_t dim = c.int_arg(1);
  auto endpoint = [&](size_t i, int64_t def) -> LVal {
    if (c.in(i).is_none()) return LVal::of_int(def);
    return c.in(i);
  };
  LVal start = endpoint(2, 0), end = endpoint(3, INT64_MAX);
  int64_t step = c.opt_int(4).value_or(1);
  if (start.kind == K::Int && start.i == 0 && end.kind == K::Int && end.i == INT64_MAX && step == 1) return c.out(x);
  c.out(c.op("Slice", {x, c.ints_tensor(LVal::list({start})), c.ints_tensor(LVal::list({end})), c.c_i64({dim}),
                      c.c_i64({step})}));
}

}  // namespace

void register_shape_ops(Registry& r) {
  r["aten::size"] = lower_size;
  r["aten::numel"] = lower_numel;
  r["aten::dim"] = lower_dim;
  for (const char* k : {"aten::dropout", "aten::dropout_", "aten::feature_dropout", "aten::alpha_dropout",
                        "aten::feature_alpha_dropout", "aten::contiguous", "aten::clone", "aten::detach",
                        "aten::detach_"})
    r[k] = lower_identity;
  r["aten::to"] = r["aten::type_as"] = lower_to;
  r["aten::view"] = r["aten::reshape"] = lower_reshape;
  r["aten::view_as"] = r["aten::reshape_as"] = lower_reshape_as;
  r["aten::flatten"] = lower_flatten;
  r["aten::cat"] = r["aten::concat"] = r["aten::stack"] = lower_cat;
  r["aten::permute"] = lower_permute;
  r["aten::transpose"] = lower_transpose;
  r["aten::t"] = lower_t;
  r["aten::unsqueeze"] = lower_unsqueeze;
  r["aten::squeeze"] = lower_squeeze;
  r["aten::select"] = lower_select;
  r["aten::slice"] = lower_slice;
}

}  // namespace modelport::ts

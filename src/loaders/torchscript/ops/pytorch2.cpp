// Lowerings of builtins newer than libtorch 1.13, whose schemas newer_schemas.cpp registers so that
// PyTorch 2.x archives load: scaled_dot_product_attention and rms_norm (aten::_prelu_kernel, also
// registered there, lowers with aten::prelu in activation_more.cpp).
#include <cmath>
#include <limits>

#include "loaders/torchscript/ops/graph_build.h"
#include "loaders/torchscript/registry.h"

namespace modelport::ts {
namespace {


// A float dim of x (negative d from the end) as a rank-0 tensor of dtype dt: a constant when fixed.
Value* dim_as(Ctx& c, Value* x, int64_t d, DType dt) {
  size_t r = c.need_rank(x, c.node->kind().toQualString());
  LVal n = c.dim_of(x, c.norm_dim(d, r));
  if (n.kind == LVal::Kind::Int) return c.c_scalar(dt, double(n.i));
  return c.cast(n.v, dt);
}

// scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False,
//   *, scale=None, enable_gqa=False): softmax(Q K^T * scale + mask) V with scale 1/sqrt(E) by
// default; is_causal keeps key j <= query i (torch.ones(L, S).tril()); a bool mask keeps where
// true, a float mask is added. L and S may be symbolic (the causal mask is built from Range).
void lower_sdpa(Ctx& c) {
  Value* q = c.tensor(0);
  Value* k = c.tensor(1);
  Value* v = c.tensor(2);
  size_t r = c.need_rank(q, "scaled_dot_product_attention");
  if (r < 2 || c.need_rank(k, "scaled_dot_product_attention") != r)
    c.fail("query and key must have the same rank >= 2");
  Value* mask = c.in(3).is_none() ? nullptr : c.tensor(3);
  double dropout = c.in(4).is_none() ? 0.0 : c.double_arg(4);
  if (dropout != 0.0)
    c.fail("dropout_p=" + std::to_string(dropout) + " makes PyTorch's output random; save the model with dropout_p=0 "
           "(e.g. dropout_p=self.dropout if self.training else 0.0)");
  bool causal = c.num_inputs() > 5 && c.bool_arg(5);
  if (causal && mask) c.fail("is_causal=True with an explicit attn_mask (PyTorch refuses this combination)");
  if (c.num_inputs() > 7 && c.bool_arg(7)) {
    bool same_heads = r >= 3 && q->shape.dims[r - 3].is_fixed() && q->shape.dims[r - 3] == k->shape.dims[r - 3];
    if (!same_heads) c.fail("enable_gqa=True with fewer key/value heads than query heads is not supported yet");
  }
  DType dt = q->dtype == DType::Undefined ? DType::Float32 : q->dtype;
  Value* scale = c.num_inputs() > 6 && !c.in(6).is_none()
                     ? c.c_scalar(dt, c.double_arg(6))
                     : gb::un(c, "Reciprocal", gb::un(c, "Sqrt", dim_as(c, q, -1, dt)));
  std::vector<int64_t> perm(r);
  for (size_t i = 0; i < r; ++i) perm[i] = int64_t(i);
  std::swap(perm[r - 1], perm[r - 2]);
  Value* s = gb::bin(c, "MatMul", q, gb::transpose(c, k, perm));
  s = gb::bin(c, "Mul", s, scale);
  Value* neg_inf = c.c_scalar(dt, -std::numeric_limits<double>::infinity());
  auto keep_where = [&](Value* keep) {
    Value* o = c.op("Where", {keep, s, neg_inf});
    o->dtype = dt;
    return o;
  };
  if (causal) {
    auto range = [&](Value* x) {
      Value* n = c.tensor_of(c.dim_of(x, int64_t(r) - 2));
      return c.op("Range", {c.c_i64_scalar(0), c.cast(n, DType::Int64), c.c_i64_scalar(1)});
    };
    Value* rows = c.op("Unsqueeze", {range(q), c.c_i64({1})});
    Value* cols = c.op("Unsqueeze", {range(k), c.c_i64({0})});
    s = keep_where(gb::un(c, "Not", gb::cmp(c, "Less", rows, cols)));  // cols <= rows
  }
  if (mask && mask->dtype == DType::Bool) s = keep_where(mask);
  else if (mask) s = gb::bin(c, "Add", s, c.cast(mask, dt));
  Value* p = c.op("Softmax", {s}, {{"axis", int64_t(-1)}});
  c.out(c.op("MatMul", {p, v}));
}

// Float's machine epsilon: rms_norm's eps when None (torch.finfo(input.dtype).eps).
double finfo_eps(DType dt) {
  switch (dt) {
    case DType::Float64: return 2.220446049250313e-16;
    case DType::Float16: return 0.0009765625;
    case DType::BFloat16: return 0.0078125;
    default: return 1.1920928955078125e-07;
  }
}

// rms_norm(input, normalized_shape, weight=None, eps=None): x / sqrt(mean(x^2 over the last
// len(normalized_shape) dims) + eps) * weight.
void lower_rms_norm(Ctx& c) {
  Value* x = c.tensor(0);
  size_t r = c.need_rank(x, "rms_norm");
  std::vector<int64_t> ns = c.ints_arg(1);
  if (ns.empty() || ns.size() > r) c.fail("normalized_shape must name 1..rank trailing dims");
  DType dt = x->dtype == DType::Undefined ? DType::Float32 : x->dtype;
  double eps = c.num_inputs() > 3 && !c.in(3).is_none() ? c.double_arg(3) : finfo_eps(dt);
  std::vector<int64_t> axes;
  for (size_t i = r - ns.size(); i < r; ++i) axes.push_back(int64_t(i));
  Value* ms = gb::reduce(c, "ReduceMean", gb::bin(c, "Mul", x, x), axes, true);
  Value* inv = gb::un(c, "Reciprocal", gb::un(c, "Sqrt", gb::bin(c, "Add", ms, c.c_scalar(dt, eps))));
  Value* y = gb::bin(c, "Mul", x, inv);
  if (c.num_inputs() > 2 && !c.in(2).is_none()) y = gb::bin(c, "Mul", y, c.tensor(2));
  c.out(y);
}

}  // namespace

void register_pytorch2_ops(Registry& r) {
  r["aten::scaled_dot_product_attention"] = lower_sdpa;
  r["aten::rms_norm"] = lower_rms_norm;
}

}  // namespace modelport::ts

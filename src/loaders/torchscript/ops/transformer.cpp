// Attention / transformer building blocks: layer_norm, embedding, masked_fill, where, triu/tril,
// baddbmm, split/chunk, expand, arange and tensor creation (ones/zeros/full and their *_like /
// new_* forms). Symbolic dims stay symbolic: dynamic sizes (from x.size(i)) are fed to Range,
// ConstantOfShape and Expand as graph values, never folded to the example size.
#include <cmath>
#include <limits>

#include "loaders/torchscript/registry.h"
#include "modelport/tensor_ops.h"

namespace modelport::ts {
namespace {

using K = LVal::Kind;

// ---------------------------------------------------------------- layer_norm / embedding

// layer_norm(input, normalized_shape, weight?, bias?, eps, cudnn_enable)
void lower_layer_norm(Ctx& c) {
  Value* x = c.tensor(0);
  std::vector<int64_t> ns = c.ints_arg(1);
  if (ns.empty()) c.fail("layer_norm needs a non-empty normalized_shape");
  double eps = c.num_inputs() > 4 && !c.in(4).is_none() ? c.double_arg(4) : 1e-5;
  DType dt = x->dtype == DType::Undefined ? DType::Float32 : x->dtype;
  Value* scale;
  if (c.in(2).is_none()) {
    int64_t n = 1;
    for (auto d : ns) n *= d;
    scale = c.g.add_constant("layer_norm_scale", tensor_from_doubles(dt, ns, std::vector<double>(size_t(n), 1.0)));
  } else {
    scale = c.tensor(2);
  }
  std::vector<Value*> ins = {x, scale};
  if (!c.in(3).is_none()) ins.push_back(c.tensor(3));
  Value* o = c.op("LayerNormalization", ins,
                  {{"axis", -int64_t(ns.size())}, {"epsilon", float(eps)}});
  o->dtype = dt;
  c.out(o);
}

// embedding(weight, indices, padding_idx, scale_grad_by_freq, sparse): inference is a Gather.
void lower_embedding(Ctx& c) {
  Value* w = c.tensor(0);
  Value* idx = c.cast(c.tensor(1), DType::Int64);
  c.out(c.op("Gather", {w, idx}, {{"axis", int64_t(0)}}));
}

// ---------------------------------------------------------------- masks and selection

Value* as_bool(Ctx& c, Value* m) { return c.cast(m, DType::Bool); }

// Tensor or number `l` as an operand of dtype `dt`.
Value* operand(Ctx& c, const LVal& l, DType dt) {
  if (l.is_tensor()) return c.cast(l.v, dt);
  if (!l.is_number()) c.fail("unsupported operand " + l.describe());
  return c.c_scalar(dt, l.number());
}

Value* where(Ctx& c, Value* cond, Value* a, Value* b) {
  if (a->dtype == DType::Bool && b->dtype == DType::Bool) {
    // ONNX Runtime has no bool Where: (cond and a) or (not cond and b).
    Shape s = broadcast_shapes(cond->shape, broadcast_shapes(a->shape, b->shape));
    Value* t = c.op("And", {cond, a});
    Value* f = c.op("And", {c.op("Not", {cond}), b});
    return c.op("Or", {t, f});
  }
  return c.op("Where", {cond, a, b});
}

// masked_fill(self, mask, value): value is a number (-inf included) or a rank-0 tensor.
void lower_masked_fill(Ctx& c) {
  Value* x = c.tensor(0);
  Value* mask = as_bool(c, c.tensor(1));
  Value* v = operand(c, c.in(2), x->dtype);
  Value* o = where(c, mask, v, x);
  c.out(o);
}

// where(condition, self, other) with tensor or scalar self/other.
void lower_where(Ctx& c) {
  if (c.num_inputs() == 1) c.fail("where(condition) (nonzero indices) is not supported");
  const LVal& a = c.in(1);
  const LVal& b = c.in(2);
  DType dt = DType::Undefined;
  if (a.is_tensor() && b.is_tensor()) {
    DType da = a.v->dtype, db = b.v->dtype;
    dt = da == db ? da : (dtype_is_float(da) && !dtype_is_float(db)) ? da
                       : (dtype_is_float(db) && !dtype_is_float(da)) ? db
                       : dtype_size(da) >= dtype_size(db) ? da : db;
  } else if (a.is_tensor() || b.is_tensor()) {
    const LVal& t = a.is_tensor() ? a : b;
    const LVal& s = a.is_tensor() ? b : a;
    dt = t.v->dtype;
    if (s.kind == K::Double && !dtype_is_float(dt)) dt = DType::Float32;
  } else {
    dt = (a.kind == K::Double || b.kind == K::Double) ? DType::Float32 : DType::Int64;
  }
  c.out(where(c, as_bool(c, c.tensor(0)), operand(c, a, dt), operand(c, b, dt)));
}

// triu/tril(self, diagonal) -> Trilu (upper = 1 for triu), diagonal as its k input. The emitter
// builds it from Range + comparison + Where where the opset lacks Trilu.
void lower_trilu(Ctx& c) {
  Value* x = c.tensor(0);
  int64_t k = c.num_inputs() > 1 ? c.int_arg(1) : 0;
  bool upper = c.node->kind().toUnqualString() == std::string("triu");
  size_t r = c.need_rank(x, upper ? "triu" : "tril");
  if (r < 2) c.fail("needs a tensor of rank >= 2");
  c.out(c.op("Trilu", {x, c.c_i64_scalar(k)}, {{"upper", int64_t(upper)}}));
}

// ---------------------------------------------------------------- batched matmul

// baddbmm(self, batch1, batch2, beta=1, alpha=1) = beta*self + alpha*(batch1 @ batch2)
void lower_baddbmm(Ctx& c) {
  Value* self = c.tensor(0);
  Value* a = c.tensor(1);
  Value* b = c.tensor(2);
  double beta = c.num_inputs() > 3 ? c.double_arg(3) : 1.0;
  double alpha = c.num_inputs() > 4 ? c.double_arg(4) : 1.0;
  Value* mm = c.op("MatMul", {a, b});
  if (alpha != 1.0) mm = c.op("Mul", {mm, c.c_scalar(mm->dtype, alpha)});
  if (beta == 0.0) return c.out(mm);  // torch ignores self (even nan/inf) when beta is 0
  if (beta != 1.0) self = c.op("Mul", {self, c.c_scalar(self->dtype, beta)});
  c.out(c.op("Add", {mm, self}));
}

// ---------------------------------------------------------------- split / chunk

// Splits `x` along `dim` into pieces of the given (constant) sizes; a list of tensors.
void split_into(Ctx& c, Value* x, int64_t dim, const std::vector<int64_t>& sizes) {
  size_t r = c.need_rank(x, "split");
  int64_t ax = c.norm_dim(dim, r);
  std::vector<LVal> outs;
  if (sizes.size() == 1) {
    outs.push_back(LVal::tensor(x));
    return c.out(LVal::list(std::move(outs)));
  }
  Node* n = c.node_op("Split", {x, c.c_i64(sizes)}, sizes.size(), {{"axis", ax}});
  for (Value* o : n->outputs) outs.push_back(LVal::tensor(o));
  c.out(LVal::list(std::move(outs)));
}

int64_t fixed_dim(Ctx& c, Value* x, int64_t dim, const char* what) {
  size_t r = c.need_rank(x, what);
  const Dim& d = x->shape.dims[size_t(c.norm_dim(dim, r))];
  if (!d.is_fixed())
    c.fail(std::string(what) + " along a dimension of unknown size (" + d.str() +
           "): the number of pieces must be known when converting");
  return d.value;
}

// Sizes of consecutive pieces of `step` along a dim of `n` (the last may be smaller; one empty
// piece when n == 0), as torch.split/chunk cut them.
std::vector<int64_t> pieces_of(int64_t n, int64_t step) {
  std::vector<int64_t> sizes;
  for (int64_t at = 0; at < n; at += step) sizes.push_back(std::min(step, n - at));
  if (sizes.empty()) sizes.push_back(0);
  return sizes;
}

// split(self, int split_size, dim) | split(self, int[] sizes, dim) | split_with_sizes(self, sizes, dim)
void lower_split(Ctx& c) {
  Value* x = c.tensor(0);
  int64_t dim = c.num_inputs() > 2 ? c.int_arg(2) : 0;
  if (c.in(1).is_seq()) return split_into(c, x, dim, c.ints_arg(1));
  int64_t step = c.int_arg(1);
  if (step <= 0) c.fail("split_size must be positive");
  int64_t n = fixed_dim(c, x, dim, "split");
  split_into(c, x, dim, pieces_of(n, step));
}

// chunk along a dim whose size is only known at run time: `chunks` Slices of ceil(n / chunks),
// the last one running to the end (torch would return fewer pieces only when n < chunks).
void chunk_dynamic(Ctx& c, Value* x, int64_t ax, int64_t chunks) {
  Value* n = c.op("Slice", {c.op("Shape", {x}), c.c_i64({ax}), c.c_i64({ax + 1})});
  Value* step = c.op("Div", {c.op("Add", {n, c.c_i64({chunks - 1})}), c.c_i64({chunks})});
  std::vector<LVal> outs;
  for (int64_t i = 0; i < chunks; ++i) {
    Value* begin = i == 0 ? c.c_i64({0}) : c.op("Mul", {step, c.c_i64({i})});
    Value* end = i + 1 == chunks ? c.c_i64({INT64_MAX}) : c.op("Mul", {step, c.c_i64({i + 1})});
    outs.push_back(LVal::tensor(c.op("Slice", {x, begin, end, c.c_i64({ax})})));
  }
  c.out(LVal::list(std::move(outs)));
}

// chunk(self, chunks, dim): pieces of ceil(n / chunks), the last one smaller (maybe fewer pieces).
void lower_chunk(Ctx& c) {
  Value* x = c.tensor(0);
  int64_t chunks = c.int_arg(1);
  int64_t dim = c.num_inputs() > 2 ? c.int_arg(2) : 0;
  if (chunks <= 0) c.fail("chunks must be positive");
  size_t r = c.need_rank(x, "chunk");
  int64_t ax = c.norm_dim(dim, r);
  if (!x->shape.dims[size_t(ax)].is_fixed()) return chunk_dynamic(c, x, ax, chunks);
  int64_t n = fixed_dim(c, x, dim, "chunk");
  int64_t step = std::max<int64_t>((n + chunks - 1) / chunks, 1);
  split_into(c, x, dim, pieces_of(n, step));
}

// ---------------------------------------------------------------- expand

// expand(self, size, implicit): -1 keeps the input's dim (as a graph value when dynamic).
void lower_expand(Ctx& c) {
  Value* x = c.tensor(0);
  const LVal& list = c.in(1);
  if (list.is_tensor()) {  // a dynamic int list
    return c.out(c.op("Expand", {x, c.ints_tensor(list)}));
  }
  if (!list.is_seq()) c.fail("expand needs a size list");
  size_t n = list.items.size();
  std::vector<LVal> items = list.items;
  auto xr = c.rank(x);
  for (size_t i = 0; i < n; ++i) {
    const LVal& it = items[i];
    bool keep = it.kind == K::Int && it.i == -1;
    int64_t xi = xr ? int64_t(i) - int64_t(n - *xr) : -1;
    if (keep) {
      if (!xr || xi < 0) c.fail("expand: -1 for a new leading dimension");
      items[i] = c.dim_of(x, xi);
    }
  }
  // ONNX Expand broadcasts both ways: a size of 1 keeps x's dim, like torch would require.
  c.out(c.op("Expand", {x, c.ints_tensor(LVal::list(items))}));
}

void lower_expand_as(Ctx& c) {
  Value* x = c.tensor(0);
  Value* other = c.tensor(1);
  Value* s = c.op("Shape", {other});
  c.out(c.op("Expand", {x, s}));
}

// ---------------------------------------------------------------- arange

// arange(end, ...) | arange(start, end, ...) | arange(start, end, step, ...): constant when all
// bounds are constant, else Range (dynamic end from x.size(i) keeps its symbol).
void lower_arange(Ctx& c) {
  auto ai = c.arg_index("start"), ei = c.arg_index("end"), si = c.arg_index("step"), di = c.arg_index("dtype");
  if (!ei) c.fail("arange overload without 'end' is not supported");
  if (c.arg_index("out")) c.fail("arange(..., out=) is not supported");
  LVal start = ai ? c.in(*ai) : LVal::of_int(0);
  LVal end = c.in(*ei);
  LVal step = si ? c.in(*si) : LVal::of_int(1);
  auto is_float = [](const LVal& l) { return l.kind == K::Double || (l.is_tensor() && dtype_is_float(l.v->dtype)); };
  bool any_float = is_float(start) || is_float(end) || is_float(step);
  DType out_dt = any_float ? DType::Float32 : DType::Int64;
  if (di && !c.in(*di).is_none()) out_dt = *c.opt_dtype_arg(*di);
  // torch computes in double when any bound (or the dtype) is floating.
  DType calc = (any_float || dtype_is_float(out_dt)) ? DType::Float32 : DType::Int64;
  if (start.is_number() && end.is_number() && step.is_number()) {
    double s = start.number(), e = end.number(), st = step.number();
    if (st == 0) c.fail("arange step must be non-zero");
    int64_t n = std::max<int64_t>(0, int64_t(std::ceil((e - s) / st)));
    std::vector<double> vals;
    for (int64_t i = 0; i < n; ++i) vals.push_back(s + double(i) * st);
    return c.out(c.g.add_constant("arange", tensor_from_doubles(out_dt, {n}, vals)));
  }
  auto scalar = [&](const LVal& l) {
    Value* v = operand(c, l, calc);
    if (v->shape.rank_known && v->shape.rank() != 0) c.fail("arange bounds must be scalars");
    return v;
  };
  Value* o = c.op("Range", {scalar(start), scalar(end), scalar(step)});
  c.out(c.cast(o, out_dt));
}

// ---------------------------------------------------------------- ones / zeros / full

// A ConstantOfShape of `size` (an int list, maybe dynamic) filled with `fill`.
Value* filled(Ctx& c, const LVal& size, DType dt, const LVal& fill) {
  Value* shp = c.ints_tensor(size);
  if (fill.is_tensor()) {  // a dynamic fill value: broadcast it
    Value* v = c.cast(fill.v, dt);
    return c.op("Expand", {v, shp});
  }
  if (!fill.is_number()) c.fail("fill value must be a number, got " + fill.describe());
  Tensor t = Tensor::scalar(dt, fill.number());
  t.dims = {1};
  return c.op("ConstantOfShape", {shp}, {{"value", t}});
}

std::optional<DType> dtype_named(Ctx& c) {
  auto i = c.arg_index("dtype");
  return i ? c.opt_dtype_arg(*i) : std::nullopt;
}

// The dtype of full(size, fill): torch 1.13 infers it from the fill value.
DType fill_dtype(const LVal& fill) {
  if (fill.kind == K::Int) return DType::Int64;
  if (fill.kind == K::Bool) return DType::Bool;
  if (fill.is_tensor()) return fill.v->dtype;
  return DType::Float32;
}

// ones(size, ...) | zeros(size, ...) | full(size, fill, ...)
void lower_create(Ctx& c) {
  std::string k = c.node->kind().toUnqualString();
  LVal fill = k == "ones" ? LVal::of_int(1) : k == "zeros" ? LVal::of_int(0) : c.in(1);
  DType dt = dtype_named(c).value_or(k == "full" ? fill_dtype(fill) : DType::Float32);
  c.out(filled(c, c.in(0), dt, fill));
}

// new_ones/new_zeros/new_full(self, size, [fill], ...): dtype defaults to self's.
void lower_new_create(Ctx& c) {
  std::string k = c.node->kind().toUnqualString();
  Value* x = c.tensor(0);
  LVal fill = k == "new_ones" ? LVal::of_int(1) : k == "new_zeros" ? LVal::of_int(0) : c.in(2);
  DType dt = dtype_named(c).value_or(x->dtype);
  c.out(filled(c, c.in(1), dt, fill));
}

// ones_like/zeros_like/full_like(self, [fill], ...): self's shape, computed in the graph.
void lower_like_create(Ctx& c) {
  std::string k = c.node->kind().toUnqualString();
  Value* x = c.tensor(0);
  LVal fill = k == "ones_like" ? LVal::of_int(1) : k == "zeros_like" ? LVal::of_int(0) : c.in(1);
  DType dt = dtype_named(c).value_or(x->dtype);
  Value* shp = c.op("Shape", {x});
  Value* o;
  if (fill.is_tensor()) {
    o = c.op("Expand", {c.cast(fill.v, dt), shp});
  } else {
    if (!fill.is_number()) c.fail("fill value must be a number, got " + fill.describe());
    Tensor t = Tensor::scalar(dt, fill.number());
    t.dims = {1};
    o = c.op("ConstantOfShape", {shp}, {{"value", t}});
  }
  c.out(o);
}

// ---------------------------------------------------------------- fused fast paths (torch 1.13)
// nn.MultiheadAttention / nn.TransformerEncoderLayer pick these in eval mode without grad. The
// conversion is for inference: the predicates that choose the path fold to CPU, no grad, no
// autocast, not nested, so the fused op is taken and decomposed below.

void lower_false(Ctx& c) { c.out(LVal::of_bool(false)); }

void lower_str(Ctx& c) {
  const LVal& l = c.in(0);
  if (l.kind == K::Device || l.kind == K::String) return c.out(LVal::of_string(l.s));
  c.fail("str() of " + l.describe() + " is not supported");
}

// find(self, substr, start=0, end=-1) on constant strings.
void lower_find(Ctx& c) {
  std::string s = c.string_arg(0), sub = c.string_arg(1);
  int64_t n = int64_t(s.size());
  int64_t start = c.num_inputs() > 2 ? c.int_arg(2) : 0, end = c.num_inputs() > 3 ? c.int_arg(3) : -1;
  if (end == -1 || end > n) end = n;
  if (start < 0) start = std::max<int64_t>(0, start + n);
  std::string win = start <= end ? s.substr(size_t(start), size_t(end - start)) : "";
  auto at = win.find(sub);
  c.out(LVal::of_int(at == std::string::npos ? -1 : start + int64_t(at)));
}

void lower_all_any(Ctx& c) {
  const LVal& l = c.in(0);
  if (!l.is_seq()) c.fail("all()/any() of a tensor is not supported");
  bool all = c.node->kind().toUnqualString() == std::string("all");
  bool r = all;
  for (auto& x : l.items) {
    if (!x.is_number()) c.fail("all()/any() of a value known only at run time");
    bool b = x.number() != 0;
    r = all ? (r && b) : (r || b);
  }
  c.out(LVal::of_bool(r));
}

Value* linear(Ctx& c, Value* x, Value* w, Value* b) {
  if (!w->shape.rank_known || w->shape.rank() != 2) c.fail("projection weight must be 2-D");
  Value* t = c.op("Transpose", {w}, {{"perm", std::vector<int64_t>{1, 0}}});
  Value* o = c.op("MatMul", {x, t});
  if (!b) return o;
  return c.op("Add", {o, b});
}

Value* slice_rows(Ctx& c, Value* w, int64_t begin, int64_t end) {
  return c.op("Slice", {w, c.c_i64({begin}), c.c_i64({end}), c.c_i64({0})});
}

// Self/cross attention on batch-first [B, L, E] inputs with packed in-projection weights.
// Returns the output [B, L, E] and, when `weights` is set, the head-averaged attention weights.
Value* attention(Ctx& c, Value* q, Value* k, Value* v, int64_t E, int64_t H, Value* w_in, Value* b_in,
                 Value* w_out, Value* b_out, Value* mask, Value** weights, bool average) {
  if (E % H) c.fail("embed_dim must be divisible by num_heads");
  int64_t hd = E / H;
  for (Value* x : {q, k, v})
    if (c.need_rank(x, "attention") != 3) c.fail("the fused attention input must be [batch, seq, embed]");
  auto proj = [&](Value* x, int64_t i) {
    Value* b = b_in ? slice_rows(c, b_in, i * E, (i + 1) * E) : nullptr;
    Value* p = linear(c, x, slice_rows(c, w_in, i * E, (i + 1) * E), b);
    // [B, L, E] -> [B, L, H, hd] -> [B, H, L, hd]
    Value* r = c.op("Reshape", {p, c.c_i64({0, 0, H, hd})});
    Value* t = c.op("Transpose", {r}, {{"perm", std::vector<int64_t>{0, 2, 1, 3}}});
    return t;
  };
  Value* qh = proj(q, 0);
  Value* kh = proj(k, 1);
  Value* vh = proj(v, 2);
  qh = c.op("Mul", {qh, c.c_scalar(qh->dtype, 1.0 / std::sqrt(double(hd)))});
  Value* kt = c.op("Transpose", {kh}, {{"perm", std::vector<int64_t>{0, 1, 3, 2}}});
  Value* s = c.op("MatMul", {qh, kt});
  if (mask) {
    if (mask->dtype == DType::Bool) {
      s = where(c, mask, c.c_scalar(s->dtype, -std::numeric_limits<double>::infinity()), s);
    } else {
      s = c.op("Add", {s, c.cast(mask, s->dtype)});
    }
  }
  Value* p = c.op("Softmax", {s}, {{"axis", int64_t(-1)}});
  Value* a = c.op("MatMul", {p, vh});
  Value* at = c.op("Transpose", {a}, {{"perm", std::vector<int64_t>{0, 2, 1, 3}}});
  Value* m = c.op("Reshape", {at, c.c_i64({0, 0, E})});
  if (weights) {
    *weights = p;
    if (average) {
      Value* r = c.op("ReduceMean", {p, c.c_i64({1})}, {{"keepdims", int64_t(0)}});
      *weights = r;
    }
  }
  return linear(c, m, w_out, b_out);
}

Value* opt_tensor(Ctx& c, size_t i) { return i < c.num_inputs() && !c.in(i).is_none() ? c.tensor(i) : nullptr; }

Value* mask_arg(Ctx& c, size_t i, const char* what) {
  Value* m = opt_tensor(c, i);
  if (!m) return nullptr;
  // mask_type 1 (key padding [B, S]) must broadcast over heads and query rows.
  auto mt = c.opt_int(i + 1);
  if (mt && *mt == 1) {
    return c.op("Unsqueeze", {m, c.c_i64({1, 2})});
  }
  (void)what;
  return m;
}

// _native_multi_head_attention(query, key, value, embed_dim, num_head, qkv_weight, qkv_bias,
//   proj_weight, proj_bias, mask=None, need_weights=True, average_attn_weights=True, mask_type=None)
void lower_native_mha(Ctx& c) {
  Value* q = c.tensor(0);
  Value* k = c.tensor(1);
  Value* v = c.tensor(2);
  int64_t E = c.int_arg(3), H = c.int_arg(4);
  bool need_weights = c.num_inputs() > 10 ? c.bool_arg(10) : true;
  bool average = c.num_inputs() > 11 ? c.bool_arg(11) : true;
  Value* mask = mask_arg(c, 9, "mask");
  Value* w = nullptr;
  Value* o = attention(c, q, k, v, E, H, c.tensor(5), opt_tensor(c, 6), c.tensor(7), opt_tensor(c, 8), mask,
                       need_weights ? &w : nullptr, average);
  c.out(o, 0);
  if (c.node->outputs().size() > 1) {
    if (!w) w = c.g.add_constant("empty", Tensor::from_vector<float>(DType::Float32, {}, {0}));
    c.out(w, 1);
  }
}

Value* layer_norm(Ctx& c, Value* x, Value* w, Value* b, double eps) {
  std::vector<Value*> ins = {x, w};
  if (b) ins.push_back(b);
  Value* o = c.op("LayerNormalization", ins, {{"axis", int64_t(-1)}, {"epsilon", float(eps)}});
  return o;
}

// _transformer_encoder_layer_fwd(src, embed_dim, num_heads, qkv_weight, qkv_bias, proj_weight,
//   proj_bias, use_gelu, norm_first, eps, norm_weight_1, norm_bias_1, norm_weight_2, norm_bias_2,
//   ffn_weight_1, ffn_bias_1, ffn_weight_2, ffn_bias_2, mask=None, mask_type=None)
void lower_encoder_layer(Ctx& c) {
  Value* x = c.tensor(0);
  int64_t E = c.int_arg(1), H = c.int_arg(2);
  bool gelu = c.bool_arg(7), norm_first = c.bool_arg(8);
  double eps = c.double_arg(9);
  Value* mask = mask_arg(c, 18, "mask");
  auto sa = [&](Value* h) {
    return attention(c, h, h, h, E, H, c.tensor(3), opt_tensor(c, 4), c.tensor(5), opt_tensor(c, 6), mask, nullptr,
                     false);
  };
  auto ffn = [&](Value* h) {
    Value* a = linear(c, h, c.tensor(14), opt_tensor(c, 15));
    a = gelu ? c.op("Gelu", {a}, {{"approximate", std::string("none")}}) : c.op("Relu", {a});
    return linear(c, a, c.tensor(16), opt_tensor(c, 17));
  };
  auto add = [&](Value* a, Value* b) { return c.op("Add", {a, b}); };
  auto ln1 = [&](Value* h) { return layer_norm(c, h, c.tensor(10), opt_tensor(c, 11), eps); };
  auto ln2 = [&](Value* h) { return layer_norm(c, h, c.tensor(12), opt_tensor(c, 13), eps); };
  Value* y;
  if (norm_first) {
    y = add(x, sa(ln1(x)));
    y = add(y, ffn(ln2(y)));
  } else {
    y = ln1(add(x, sa(x)));
    y = ln2(add(y, ffn(y)));
  }
  c.out(y);
}

}  // namespace

void register_transformer_ops(Registry& r) {
  r["aten::layer_norm"] = lower_layer_norm;
  r["aten::embedding"] = lower_embedding;
  r["aten::masked_fill"] = lower_masked_fill;
  r["aten::where"] = lower_where;
  r["aten::triu"] = r["aten::tril"] = lower_trilu;
  r["aten::baddbmm"] = lower_baddbmm;
  r["aten::split"] = r["aten::split_with_sizes"] = r["aten::unsafe_split"] =
      r["aten::unsafe_split_with_sizes"] = lower_split;
  r["aten::chunk"] = r["aten::unsafe_chunk"] = lower_chunk;
  r["aten::expand"] = lower_expand;
  r["aten::expand_as"] = lower_expand_as;
  r["aten::arange"] = lower_arange;
  r["aten::ones"] = r["aten::zeros"] = r["aten::full"] = lower_create;
  r["aten::new_ones"] = r["aten::new_zeros"] = r["aten::new_full"] = lower_new_create;
  r["aten::ones_like"] = r["aten::zeros_like"] = r["aten::full_like"] = lower_like_create;
  for (const char* k : {"aten::is_grad_enabled", "aten::is_autocast_enabled", "prim::is_cuda", "prim::is_nested",
                        "prim::requires_grad"})
    r[k] = lower_false;
  r["aten::str"] = lower_str;
  r["aten::find"] = lower_find;
  r["aten::all"] = r["aten::any"] = lower_all_any;
  r["aten::_native_multi_head_attention"] = lower_native_mha;
  r["aten::_transformer_encoder_layer_fwd"] = lower_encoder_layer;
}

}  // namespace modelport::ts

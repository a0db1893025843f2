#include "passes/fuse_ops.h"

#include <algorithm>
#include <cmath>

#include "emit/op_forms.h"

namespace modelport {
namespace {

// The producer of `v` when it is the default-domain op `op`.
Node* made_by(const Value* v, const char* op) {
  return v && v->producer && v->producer->op == op && v->producer->domain.empty() ? v->producer : nullptr;
}

// Read by exactly one node input and not a graph output: safe to fold away.
bool single_use(const Value* v) { return v && v->uses().size() == 1 && v->uses()[0]->node(); }

// A one-element float constant; its value in `out`.
bool scalar_const(const Value* v, double* out) {
  if (!v || !v->is_constant() || v->constant->numel() != 1) return false;
  DType t = v->constant->dtype;
  if (t != DType::Float32 && t != DType::Float64 && t != DType::Float16) return false;
  *out = v->constant->as_double(0);
  return true;
}

bool near(const Value* v, double want) {
  double x;
  return scalar_const(v, &x) && std::fabs(x - want) <= 1e-6 * std::max(1.0, std::fabs(want));
}

// The factors of a product tree of Muls rooted at `v`, descending into Muls read only once.
void factors(Value* v, bool root, std::vector<Value*>& out) {
  Node* m = made_by(v, "Mul");
  if (m && m->inputs.size() == 2 && (root || single_use(v))) {
    factors(m->inputs[0], false, out);
    factors(m->inputs[1], false, out);
  } else {
    out.push_back(v);
  }
}

// Removes from `fs` one factor accepted by `pred`; returns it (nullptr when none).
template <class Pred>
Value* take(std::vector<Value*>& fs, Pred pred) {
  for (auto it = fs.begin(); it != fs.end(); ++it)
    if (pred(*it)) {
      Value* v = *it;
      fs.erase(it);
      return v;
    }
  return nullptr;
}

// `v` = Add(inner, 1) with both read once; returns inner's producer when it is `op`.
Node* one_plus(Value* v, const char* op) {
  Node* add = made_by(v, "Add");
  if (!add || !single_use(v) || add->inputs.size() != 2) return nullptr;
  for (int side = 0; side < 2; ++side)
    if (near(add->inputs[1 - side], 1.0)) {
      Value* inner = add->inputs[side];
      Node* n = made_by(inner, op);
      return n && single_use(inner) ? n : nullptr;
    }
  return nullptr;
}

// The factors `fs` multiply to x^3: x, x, x; or x and Mul(x, x); or Pow(x, 3).
bool is_cube(const std::vector<Value*>& fs, const Value* x) {
  if (fs.size() == 3) return std::all_of(fs.begin(), fs.end(), [&](const Value* v) { return v == x; });
  if (fs.size() == 2 && (fs[0] == x || fs[1] == x)) {
    Value* sq = fs[0] == x ? fs[1] : fs[0];
    Node* m = made_by(sq, "Mul");
    return m && single_use(sq) && m->inputs[0] == x && m->inputs[1] == x;
  }
  Node* pw = fs.size() == 1 ? made_by(fs[0], "Pow") : nullptr;
  return pw && single_use(fs[0]) && pw->inputs[0] == x && near(pw->inputs[1], 3.0);
}

// x * 0.5 * (1 + Erf(x / sqrt(2))) -> x, approximate "none"; or the tanh form -> "tanh".
Value* match_gelu(Node* root, std::string* approx) {
  std::vector<Value*> fs;
  factors(root->outputs[0], true, fs);
  if (fs.size() != 3 || !take(fs, [](Value* v) { return near(v, 0.5); })) return nullptr;
  for (int i = 0; i < 2; ++i) {
    Value* x = fs[1 - i];
    if (Node* erf = one_plus(fs[i], "Erf")) {  // Erf(x / sqrt(2)) or Erf(x * (1 / sqrt(2)))
      Value* u = erf->inputs[0];
      Node* d = made_by(u, "Div");
      std::vector<Value*> us;
      if (single_use(u)) factors(u, true, us);
      bool ok = (d && d->inputs[0] == x && near(d->inputs[1], std::sqrt(2.0))) ||
                (us.size() == 2 && take(us, [](Value* v) { return near(v, std::sqrt(0.5)); }) && us[0] == x);
      if (!ok || !single_use(u)) continue;
      *approx = "none";
      return x;
    }
    if (Node* tanh = one_plus(fs[i], "Tanh")) {  // Tanh(sqrt(2/pi) * (x + 0.044715 * x^3))
      Value* w = tanh->inputs[0];
      if (!single_use(w)) continue;
      std::vector<Value*> ws;
      factors(w, true, ws);
      if (ws.size() != 2 || !take(ws, [](Value* v) { return near(v, std::sqrt(2.0 / M_PI)); })) continue;
      Node* s = made_by(ws[0], "Add");
      if (!s || !single_use(ws[0]) || s->inputs.size() != 2) continue;
      int xs = s->inputs[0] == x ? 0 : s->inputs[1] == x ? 1 : -1;
      if (xs < 0 || !single_use(s->inputs[1 - xs])) continue;
      std::vector<Value*> cs;
      factors(s->inputs[1 - xs], true, cs);
      if (!take(cs, [](Value* v) { return near(v, 0.044715); })) continue;
      if (!is_cube(cs, x)) continue;
      *approx = "tanh";
      return x;
    }
  }
  return nullptr;
}

// Rank 4 (batch, heads, sequence, size) or 3 (batch, sequence, size: one head).
bool attention_rank(const Value* v, size_t r) { return v && v->shape.rank_known && v->shape.rank() == r; }

// A constant bool (S, S) matrix keeping key j <= query i (`masked`: true where j > i): the causal
// mask of Attention's is_causal.
bool causal_mask(const Value* v, bool masked) {
  if (!v || !v->is_constant() || v->constant->dtype != DType::Bool || v->constant->dims.size() != 2) return false;
  int64_t n = v->constant->dims[0];
  if (v->constant->dims[1] != n) return false;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      if ((v->constant->as_double(i * n + j) != 0) != (masked ? j > i : j <= i)) return false;
  return true;
}

bool minus_infinity(const Value* v) {
  double x;
  return scalar_const(v, &x) && std::isinf(x) && x < 0;
}

// MatMul(Softmax(MatMul(Q, Transpose(K)) * scale [+ mask]), V) at `root` (the last MatMul): makes
// `root` an Attention node. The Transpose node is turned around to give K itself.
bool fuse_attention(Node* root) {
  Value* p = root->inputs[0];
  Value* v = root->inputs[1];
  Node* sm = made_by(p, "Softmax");
  if (!sm || !single_use(p) || !p->shape.rank_known) return false;
  const size_t r = p->shape.rank();
  if ((r != 3 && r != 4) || !attention_rank(v, r)) return false;
  int64_t axis = sm->attr_int("axis", -1);
  if (axis != -1 && axis != int64_t(r) - 1) return false;
  Value* s = sm->inputs[0];
  Value* mask = nullptr;
  bool causal = false;
  Node* masked_fill = nullptr;  // Where(masked, -inf, scores): becomes Not(masked)
  if (Node* w = made_by(s, "Where"); w && single_use(s) && w->inputs.size() == 3 &&
                                     (minus_infinity(w->inputs[2]) || minus_infinity(w->inputs[1]))) {
    // Where(keep, scores, -inf): a bool mask (true takes part), or the causal one; or the
    // masked_fill form Where(masked, -inf, scores).
    bool inverted = minus_infinity(w->inputs[1]);
    Value* keep = w->inputs[0];
    if (keep->dtype != DType::Bool || !keep->shape.rank_known || keep->shape.rank() > 4) return false;
    causal = causal_mask(keep, inverted);
    if (!causal) mask = keep;
    if (!causal && inverted) masked_fill = w;
    s = w->inputs[inverted ? 2 : 1];
  } else if (Node* add = made_by(s, "Add"); add && single_use(s) && add->inputs.size() == 2) {
    for (int side = 0; side < 2 && !mask; ++side) {
      Value* a = add->inputs[side];
      if (made_by(a, "MatMul") || made_by(a, "Mul") || made_by(a, "Div")) {
        mask = add->inputs[1 - side];
        s = a;
      }
    }
    if (!mask || mask->dtype != DType::Float32 || !mask->shape.rank_known || mask->shape.rank() > 4) return false;
  }
  double scale = 1.0, c = 0;
  if (Node* m = made_by(s, "Mul"); m && single_use(s) && m->inputs.size() == 2) {
    int k = scalar_const(m->inputs[1], &c) ? 1 : scalar_const(m->inputs[0], &c) ? 0 : -1;
    if (k < 0) return false;
    scale = c;
    s = m->inputs[1 - k];
  } else if (Node* d = made_by(s, "Div"); d && single_use(s) && d->inputs.size() == 2) {
    if (!scalar_const(d->inputs[1], &c) || c == 0) return false;
    scale = 1.0 / c;
    s = d->inputs[0];
  }
  Node* qk = made_by(s, "MatMul");
  if (!qk || !single_use(s)) return false;
  Value* q = qk->inputs[0];
  Value* kt = qk->inputs[1];
  if (Node* m = made_by(q, "Mul"); m && single_use(q) && m->inputs.size() == 2) {  // scale on Q
    int k = scalar_const(m->inputs[1], &c) ? 1 : scalar_const(m->inputs[0], &c) ? 0 : -1;
    if (k >= 0) {
      scale *= c;
      q = m->inputs[1 - k];
    }
  } else if (Node* d = made_by(q, "Div"); d && single_use(q) && scalar_const(d->inputs[1], &c) && c != 0) {
    scale /= c;
    q = d->inputs[0];
  }
  Node* t = made_by(kt, "Transpose");
  if (!t || !single_use(kt) || !attention_rank(q, r) || !attention_rank(kt, r) || q->dtype != DType::Float32)
    return false;
  std::vector<int64_t> perm = t->attr_ints("perm");
  if (perm.size() != r) return false;
  const auto &qd = q->shape.dims, &kd = kt->shape.dims, &vd = v->shape.dims;
  // Attention takes Q (B, H, S, D), K (B, H, L, D), V (B, H, L, Dv) (or rank 3 without H): no
  // broadcast of B or H, so those must be known equal.
  for (size_t i = 0; i + 2 < r; ++i)
    if (!(qd[i] == kd[i]) || !(qd[i] == vd[i]) || (!qd[i].is_fixed() && !qd[i].is_symbol())) return false;
  if (!(qd[r - 1] == kd[r - 2]) || !(kd[r - 1] == vd[r - 2])) return false;
  if (masked_fill) {  // the Where's slot computes the keep mask: Not(masked)
    masked_fill->op = "Not";
    masked_fill->inputs = {mask};
    masked_fill->attrs.clear();
    Value* keep = masked_fill->outputs[0];
    keep->dtype = DType::Bool;
    keep->shape = mask->shape;
    mask = keep;
  }
  std::swap(perm[r - 2], perm[r - 1]);  // the Transpose now yields K
  t->attrs["perm"] = perm;
  std::swap(kt->shape.dims[r - 2], kt->shape.dims[r - 1]);
  root->op = "Attention";
  root->inputs = mask ? std::vector<Value*>{q, kt, v, mask} : std::vector<Value*>{q, kt, v};
  root->attrs = {{"scale", float(scale)}};
  if (r == 3) {  // (batch, sequence, heads * size) with one head
    root->attrs["q_num_heads"] = int64_t{1};
    root->attrs["kv_num_heads"] = int64_t{1};
  }
  if (causal) root->attrs["is_causal"] = int64_t{1};
  return true;
}

// ---------------------------------------------------------------- normalizations

// The one node reading `v` (which single_use() allows), else nullptr.
Node* reader(const Value* v) { return single_use(v) ? v->uses()[0]->node() : nullptr; }

// ReduceMean(x, constant axes) keeping dims: its input and axes.
bool mean_over(const Value* v, std::vector<int64_t>* axes, Value** x) {
  Node* m = made_by(v, "ReduceMean");
  if (!m || m->attr_int("keepdims", 1) != 1 || !m->input(1) || !m->input(1)->is_constant()) return false;
  *axes = m->input(1)->constant->to_int_vector();
  *x = m->inputs[0];
  return !axes->empty();
}

// `axes` non-negative and sorted for a rank-`r` tensor (false when one is out of range).
bool normalize_axes(std::vector<int64_t>& axes, int64_t r) {
  for (auto& a : axes) {
    a = a < 0 ? a + r : a;
    if (a < 0 || a >= r) return false;
  }
  std::sort(axes.begin(), axes.end());
  return true;
}

// The statistics part of a normalization: norm = (x - mean) / sqrt(mean((x - mean)^2) + eps), the
// means over `axes`, every intermediate read only inside the pattern.
struct NormCore {
  Value* x = nullptr;
  std::vector<int64_t> axes;
  double eps = 0;
};
bool match_norm_core(Node* div, NormCore* core) {
  if (div->op != "Div" || div->inputs.size() != 2) return false;
  Value* d = div->inputs[0];
  Value* sd = div->inputs[1];
  Node* sqrt = made_by(sd, "Sqrt");
  Node* sub = made_by(d, "Sub");
  if (!sqrt || !sub || !single_use(sd)) return false;
  Node* add = made_by(sqrt->inputs[0], "Add");
  if (!add || !single_use(sqrt->inputs[0]) || add->inputs.size() != 2) return false;
  int e = scalar_const(add->inputs[1], &core->eps) ? 1 : scalar_const(add->inputs[0], &core->eps) ? 0 : -1;
  if (e < 0) return false;
  std::vector<int64_t> var_axes;
  Value* sq = nullptr;
  if (!single_use(add->inputs[1 - e]) || !mean_over(add->inputs[1 - e], &var_axes, &sq) || !single_use(sq)) return false;
  Node* sqn = sq->producer;
  bool square = sqn && ((sqn->op == "Mul" && sqn->inputs.size() == 2 && sqn->inputs[0] == d && sqn->inputs[1] == d) ||
                        (sqn->op == "Pow" && sqn->inputs[0] == d && near(sqn->inputs[1], 2.0)));
  if (!square) return false;
  for (ValueList* u : d->uses())  // d feeds the square and the Div only
    if (u->node() != sqn && u->node() != div) return false;
  Value* mean = sub->inputs[1];
  Value* x = nullptr;
  if (!single_use(mean) || !mean_over(mean, &core->axes, &x) || x != sub->inputs[0] || !x->shape.rank_known)
    return false;
  int64_t r = int64_t(x->shape.rank());
  if (!normalize_axes(core->axes, r) || !normalize_axes(var_axes, r) || core->axes != var_axes) return false;
  core->x = x;
  return true;
}

bool const_of_size(const Value* v, int64_t numel) { return v && v->is_constant() && v->constant->numel() == numel; }
Value* reshaped(Graph& g, const Value* v, const std::vector<int64_t>& dims, const std::string& hint) {
  Tensor t = *v->constant;
  t.dims = dims;
  return g.add_constant(hint, std::move(t));
}
// A float32 constant of `dims` holding `value` everywhere.
Value* filled(Graph& g, const std::vector<int64_t>& dims, double value, const std::string& hint) {
  int64_t n = 1;
  for (auto d : dims) n *= d;
  return g.add_constant(hint, Tensor::from_vector(DType::Float32, std::vector<float>(size_t(n), float(value)), dims));
}

// Follows `v` through Mul(., scale) and Add(., bias) with constants of `numel` values (read only
// there); returns the last node (nullptr when none) and the constants found.
Node* affine_after(Value* v, int64_t numel, Value** scale, Value** bias) {
  Node* last = nullptr;
  auto other = [](Node* n, const Value* v) { return n->inputs[0] == v ? n->inputs[1] : n->inputs[0]; };
  if (Node* m = reader(v); m && m->op == "Mul" && m->inputs.size() == 2 && const_of_size(other(m, v), numel)) {
    *scale = other(m, v);
    last = m;
    v = m->outputs[0];
  }
  if (Node* a = reader(v); a && a->op == "Add" && a->inputs.size() == 2 && const_of_size(other(a, v), numel)) {
    *bias = other(a, v);
    last = a;
  }
  return last;
}

// The dims of x over `axes` (sorted) when they are its trailing axes and fixed; empty otherwise.
std::vector<int64_t> trailing_dims(const Value* x, const std::vector<int64_t>& axes) {
  const auto& xd = x->shape.dims;
  int64_t r = int64_t(xd.size()), axis = axes.front();
  std::vector<int64_t> dims;
  if (axis + int64_t(axes.size()) != r) return {};
  for (size_t i = 0; i < axes.size(); ++i) {
    if (axes[i] != axis + int64_t(i) || !xd[size_t(axes[i])].is_fixed()) return {};
    dims.push_back(xd[size_t(axes[i])].value);
  }
  return dims;
}

int64_t product(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (auto d : dims) n *= d;
  return n;
}

// `root` becomes LayerNormalization(x, scale or ones, bias?) over `norm_dims` from `axis`.
void make_layer_norm(Graph& g, Node* root, Value* x, int64_t axis, const std::vector<int64_t>& norm_dims,
                     Value* scale, Value* bias, double eps) {
  std::vector<Value*> ins = {x, scale ? reshaped(g, scale, norm_dims, "ln_scale") : filled(g, norm_dims, 1.0, "ln_scale")};
  if (bias) ins.push_back(reshaped(g, bias, norm_dims, "ln_bias"));
  root->op = "LayerNormalization";
  root->inputs = ins;
  root->attrs = {{"axis", axis}, {"epsilon", float(eps)}};
}

// norm over the trailing axes of x -> LayerNormalization(x, scale, bias) at the last node of the
// pattern (the affine Mul/Add after it when their constants hold one value per normalized element).
bool fuse_layer_norm(Graph& g, Node* div) {
  NormCore core;
  if (!match_norm_core(div, &core) || core.x->dtype != DType::Float32) return false;
  std::vector<int64_t> norm_dims = trailing_dims(core.x, core.axes);
  if (norm_dims.empty()) return false;
  Value *scale = nullptr, *bias = nullptr;
  Node* root = affine_after(div->outputs[0], product(norm_dims), &scale, &bias);
  make_layer_norm(g, root ? root : div, core.x, core.axes.front(), norm_dims, scale, bias, core.eps);
  return true;
}

// TensorFlow's form (tf.nn.moments + tf.nn.batch_normalization, as Keras writes LayerNormalization
// into a graph): s = Reciprocal(Sqrt(mean((x - mean)^2) + eps)) [* gamma];
// y = x * s + (beta - mean * s). `add` is the last Add.
bool fuse_layer_norm_tf(Graph& g, Node* add) {
  if (add->inputs.size() != 2) return false;
  auto other = [](Node* n, const Value* v) { return n->inputs[0] == v ? n->inputs[1] : n->inputs[0]; };
  for (int side = 0; side < 2; ++side) {
    Node* xs = made_by(add->inputs[side], "Mul");
    Node* shift = made_by(add->inputs[1 - side], "Sub");
    if (!xs || !shift || !single_use(add->inputs[side]) || !single_use(add->inputs[1 - side])) continue;
    Value* beta = shift->inputs[0];
    Node* ms = made_by(shift->inputs[1], "Mul");
    if (!ms || !single_use(shift->inputs[1]) || !beta->is_constant()) continue;
    // s is the factor x * s and mean * s share.
    Value* s = nullptr;
    for (Value* a : xs->inputs)
      if (a == ms->inputs[0] || a == ms->inputs[1]) s = a;
    if (!s || s->uses().size() != 2) continue;
    Value* x = other(xs, s);
    Value* mean = other(ms, s);
    Value* gamma = nullptr;
    Value* r = s;
    if (Node* m = made_by(s, "Mul"); m && m->inputs.size() == 2) {
      gamma = m->inputs[1]->is_constant() ? m->inputs[1] : m->inputs[0]->is_constant() ? m->inputs[0] : nullptr;
      if (!gamma) continue;
      r = other(m, gamma);
      if (!single_use(r)) continue;
    }
    Node* rec = made_by(r, "Reciprocal");
    Node* sqrt = rec ? made_by(rec->inputs[0], "Sqrt") : nullptr;
    Node* eps_add = sqrt && single_use(rec->inputs[0]) ? made_by(sqrt->inputs[0], "Add") : nullptr;
    double eps = 0;
    if (!eps_add || !single_use(sqrt->inputs[0]) || eps_add->inputs.size() != 2) continue;
    int e = scalar_const(eps_add->inputs[1], &eps) ? 1 : scalar_const(eps_add->inputs[0], &eps) ? 0 : -1;
    std::vector<int64_t> axes, var_axes;
    Value *sq = nullptr, *mx = nullptr;
    if (e < 0 || !single_use(eps_add->inputs[1 - e]) || !mean_over(eps_add->inputs[1 - e], &var_axes, &sq) ||
        !single_use(sq) || !mean_over(mean, &axes, &mx) || mx != x || mean->uses().size() != 2)
      continue;
    Node* sqn = made_by(sq, "Mul");
    Node* d = sqn && sqn->inputs[0] == sqn->inputs[1] ? made_by(sqn->inputs[0], "Sub") : nullptr;
    if (!d || d->inputs[0] != x || d->inputs[1] != mean || sqn->inputs[0]->uses().size() != 2) continue;
    if (x->dtype != DType::Float32 || !x->shape.rank_known) continue;
    int64_t rank = int64_t(x->shape.rank());
    if (!normalize_axes(axes, rank) || !normalize_axes(var_axes, rank) || axes != var_axes) continue;
    std::vector<int64_t> norm_dims = trailing_dims(x, axes);
    int64_t n = product(norm_dims);
    if (norm_dims.empty() || beta->constant->numel() != n || (gamma && gamma->constant->numel() != n)) continue;
    make_layer_norm(g, add, x, axes.front(), norm_dims, gamma, beta, eps);
    return true;
  }
  return false;
}

// GroupNormalization: Reshape(x, [0, G, -1]), the statistics over axis 2, Reshape back to Shape(x),
// then the per-channel affine -> GroupNormalization(x, scale, bias) (per-channel: the 21 form,
// which the emitter writes for 18-20 too).
bool fuse_group_norm(Graph& g, Node* div) {
  NormCore core;
  if (!match_norm_core(div, &core) || core.axes != std::vector<int64_t>{2}) return false;
  Node* grouping = made_by(core.x, "Reshape");
  if (!grouping || !grouping->input(1) || !grouping->input(1)->is_constant()) return false;
  auto gshape = grouping->input(1)->constant->to_int_vector();
  Value* x = grouping->inputs[0];
  if (gshape.size() != 3 || gshape[0] != 0 || gshape[1] <= 0 || gshape[2] != -1 || x->dtype != DType::Float32 ||
      !x->shape.rank_known || x->shape.rank() < 3 || !x->shape.dims[1].is_fixed())
    return false;
  int64_t groups = gshape[1], ch = x->shape.dims[1].value;
  Node* back = reader(div->outputs[0]);
  if (!back || back->op != "Reshape" || !back->input(1)) return false;
  Node* shape = made_by(back->input(1), "Shape");
  if (!shape || shape->inputs[0] != x || shape->has_attr("start") || shape->has_attr("end")) return false;
  Value *scale = nullptr, *bias = nullptr;
  Node* root = affine_after(back->outputs[0], ch, &scale, &bias);
  if (!root) root = back;
  root->op = "GroupNormalization";
  root->inputs = {x, scale ? reshaped(g, scale, {ch}, "gn_scale") : filled(g, {ch}, 1.0, "gn_scale"),
                  bias ? reshaped(g, bias, {ch}, "gn_bias") : filled(g, {ch}, 0.0, "gn_bias")};
  root->attrs = {{"num_groups", groups}, {"epsilon", float(core.eps)}};
  return true;
}

// x * Reciprocal(Sqrt(mean(x * x over trailing axes) + eps)) [* scale] -> RMSNormalization.
bool fuse_rms_norm(Graph& g, Node* mul) {
  if (mul->inputs.size() != 2) return false;
  for (int side = 0; side < 2; ++side) {
    Value* x = mul->inputs[side];
    Value* inv = mul->inputs[1 - side];
    Node* rec = made_by(inv, "Reciprocal");
    if (!rec || !single_use(inv) || x->dtype != DType::Float32 || !x->shape.rank_known) continue;
    Node* sqrt = made_by(rec->inputs[0], "Sqrt");
    if (!sqrt || !single_use(rec->inputs[0])) continue;
    Node* add = made_by(sqrt->inputs[0], "Add");
    double eps = 0;
    if (!add || !single_use(sqrt->inputs[0]) || add->inputs.size() != 2) continue;
    int e = scalar_const(add->inputs[1], &eps) ? 1 : scalar_const(add->inputs[0], &eps) ? 0 : -1;
    std::vector<int64_t> axes;
    Value* sq = nullptr;
    if (e < 0 || !single_use(add->inputs[1 - e]) || !mean_over(add->inputs[1 - e], &axes, &sq) || !single_use(sq))
      continue;
    Node* sqn = made_by(sq, "Mul");
    if (!sqn || sqn->inputs[0] != x || sqn->inputs[1] != x || !normalize_axes(axes, int64_t(x->shape.rank()))) continue;
    int64_t r = int64_t(x->shape.rank()), axis = axes.front();
    bool trailing = axis + int64_t(axes.size()) == r;
    std::vector<int64_t> norm_dims;
    for (size_t i = 0; trailing && i < axes.size(); ++i) {
      trailing = axes[i] == axis + int64_t(i) && x->shape.dims[size_t(axes[i])].is_fixed();
      if (trailing) norm_dims.push_back(x->shape.dims[size_t(axes[i])].value);
    }
    if (!trailing) continue;
    int64_t numel = 1;
    for (auto d : norm_dims) numel *= d;
    Node* root = mul;
    Value* scale = nullptr;
    if (Node* m = reader(mul->outputs[0]); m && m->op == "Mul" && m->inputs.size() == 2) {
      Value* w = m->inputs[0] == mul->outputs[0] ? m->inputs[1] : m->inputs[0];
      if (const_of_size(w, numel)) {
        scale = w;
        root = m;
      }
    }
    root->op = "RMSNormalization";
    root->inputs = {x, scale ? reshaped(g, scale, norm_dims, "rms_scale") : filled(g, norm_dims, 1.0, "rms_scale")};
    root->attrs = {{"axis", axis}, {"epsilon", float(eps)}};
    return true;
  }
  return false;
}

bool writes_single_node(const char* op, int opset) {
  int first = emit::single_node_opset(op);
  return first > 0 && first <= opset;
}

void fuse_in(Graph& g, int opset, FusedOps& done) {
  bool gelu = writes_single_node("Gelu", opset), attention = writes_single_node("Attention", opset);
  bool layer_norm = writes_single_node("LayerNormalization", opset);
  bool group_norm = writes_single_node("GroupNormalization", opset);
  bool rms_norm = writes_single_node("RMSNormalization", opset);
  for (size_t i = 0; i < g.nodes().size(); ++i) {  // fusing adds constants, not nodes
    Node* n = g.nodes()[i].get();
    if (!n->domain.empty() || n->outputs.size() != 1 || n->outputs[0]->uses().empty()) continue;  // dead: folded
    if (gelu && n->op == "Mul") {
      std::string approx;
      if (Value* x = match_gelu(n, &approx)) {
        n->op = "Gelu";
        n->inputs = {x};
        n->attrs = {{"approximate", approx}};
        ++done.gelu;
      }
    } else if (attention && n->op == "MatMul" && n->inputs.size() == 2 && fuse_attention(n)) {
      ++done.attention;
    } else if (n->op == "Div") {
      if (group_norm && fuse_group_norm(g, n)) ++done.group_norm;
      else if (layer_norm && fuse_layer_norm(g, n)) ++done.layer_norm;
    } else if (layer_norm && n->op == "Add" && fuse_layer_norm_tf(g, n)) {
      ++done.layer_norm;
    }
    if (rms_norm && n->op == "Mul" && fuse_rms_norm(g, n)) ++done.rms_norm;
  }
  for_each_subgraph(g, [&](Graph& sg) { fuse_in(sg, opset, done); });
}

}  // namespace

FusedOps fuse_ops(Graph& g, int opset) {
  FusedOps done;
  fuse_in(g, opset, done);
  if (done.gelu || done.attention || done.layer_norm || done.group_norm || done.rms_norm) g.remove_dead();
  return done;
}

}  // namespace modelport

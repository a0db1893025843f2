#include "passes/fuse_ops.h"

#include <algorithm>
#include <cmath>

#include "emit/op_table.h"

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

bool rank4(const Value* v) { return v && v->shape.rank_known && v->shape.rank() == 4; }

// A constant bool (S, S) matrix keeping key j <= query i: the causal mask of Attention's is_causal.
bool causal_mask(const Value* v) {
  if (!v || !v->is_constant() || v->constant->dtype != DType::Bool || v->constant->dims.size() != 2) return false;
  int64_t n = v->constant->dims[0];
  if (v->constant->dims[1] != n) return false;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      if ((v->constant->as_double(i * n + j) != 0) != (j <= i)) return false;
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
  if (!sm || !single_use(p) || !rank4(p) || !rank4(v)) return false;
  int64_t axis = sm->attr_int("axis", -1);
  if (axis != -1 && axis != 3) return false;
  Value* s = sm->inputs[0];
  Value* mask = nullptr;
  bool causal = false;
  if (Node* w = made_by(s, "Where"); w && single_use(s) && w->inputs.size() == 3 && minus_infinity(w->inputs[2])) {
    // Where(keep, scores, -inf): a bool mask (true takes part), or the causal one.
    Value* keep = w->inputs[0];
    if (keep->dtype != DType::Bool || !keep->shape.rank_known || keep->shape.rank() > 4) return false;
    causal = causal_mask(keep);
    if (!causal) mask = keep;
    s = w->inputs[1];
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
  }
  Node* t = made_by(kt, "Transpose");
  if (!t || !single_use(kt) || !rank4(q) || !rank4(kt) || q->dtype != DType::Float32) return false;
  std::vector<int64_t> perm = t->attr_ints("perm");
  if (perm.size() != 4) return false;
  const auto &qd = q->shape.dims, &kd = kt->shape.dims, &vd = v->shape.dims;
  // Attention takes Q (B, H, S, D), K (B, H, L, D), V (B, H, L, Dv): no broadcast of B or H.
  for (int i : {0, 1})
    if (!(qd[i] == kd[i]) || !(qd[i] == vd[i]) || (!qd[i].is_fixed() && !qd[i].is_symbol())) return false;
  if (!(qd[3] == kd[2]) || !(kd[3] == vd[2])) return false;
  std::swap(perm[2], perm[3]);  // the Transpose now yields K
  t->attrs["perm"] = perm;
  std::swap(kt->shape.dims[2], kt->shape.dims[3]);
  root->op = "Attention";
  root->inputs = mask ? std::vector<Value*>{q, kt, v, mask} : std::vector<Value*>{q, kt, v};
  root->attrs = {{"scale", float(scale)}};
  if (causal) root->attrs["is_causal"] = int64_t{1};
  return true;
}

void fuse_in(Graph& g, int opset, FusedOps& done) {
  bool gelu = emit::single_node_opset("Gelu") > 0 && emit::single_node_opset("Gelu") <= opset;
  bool attention = emit::single_node_opset("Attention") > 0 && emit::single_node_opset("Attention") <= opset;
  for (auto& up : g.nodes()) {
    Node* n = up.get();
    if (!n->domain.empty() || n->outputs.size() != 1) continue;
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
    }
  }
  for_each_subgraph(g, [&](Graph& sg) { fuse_in(sg, opset, done); });
}

}  // namespace

FusedOps fuse_ops(Graph& g, int opset) {
  FusedOps done;
  fuse_in(g, opset, done);
  if (done.gelu || done.attention) g.remove_dead();
  return done;
}

}  // namespace modelport

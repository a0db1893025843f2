// optimize_transposes: cancels/merges Transpose chains and sinks Transposes below elementwise ops
// (see include/modelport/passes.h).
//
// Nodes are kept in topological order without inserting any: to move Transpose T (earlier) below
// op X (later), the two node slots swap roles - T's slot computes X on T's input, X's slot becomes
// the Transpose and keeps producing X's original output value, so X's consumers are untouched.
#include <cstring>
#include <functional>
#include <map>
#include <set>

#include "modelport/passes.h"
#include "modelport/tensor_ops.h"

namespace modelport {
namespace {

const std::set<std::string>& unary_ops() {
  static const std::set<std::string> s = {"Relu", "Sigmoid", "Tanh", "LeakyRelu", "Elu", "Selu", "Softplus",
                                          "Softsign", "Abs", "Neg", "Exp", "Log", "Sqrt", "Reciprocal", "Erf",
                                          "Floor", "Ceil", "Round", "Sign", "Cast", "Identity", "Clip", "Not",
                                          "HardSigmoid", "Sin", "Cos"};
  return s;
}
const std::set<std::string>& binary_ops() {
  static const std::set<std::string> s = {"Add", "Sub", "Mul", "Div", "Max", "Min", "Pow", "PRelu"};
  return s;
}

bool is_transpose(const Node* n) { return n && n->op == "Transpose" && n->has_attr("perm") && n->inputs.size() == 1; }
std::vector<int64_t> perm_of(const Node* n) { return n->attr_ints("perm"); }
bool is_identity_perm(const std::vector<int64_t>& p) {
  for (size_t i = 0; i < p.size(); ++i)
    if (p[i] != int64_t(i)) return false;
  return true;
}
std::vector<int64_t> inverse(const std::vector<int64_t>& p) {
  std::vector<int64_t> inv(p.size());
  for (size_t i = 0; i < p.size(); ++i) inv[size_t(p[i])] = int64_t(i);
  return inv;
}
// `t` (rank <= r, broadcast from the right) as a rank-r tensor permuted by `p`; nullopt when the
// data cannot be handled (strings).
std::optional<Tensor> permute_const(const Tensor& t, const std::vector<int64_t>& p) {
  size_t r = p.size();
  if (t.dtype == DType::String || !t.buffer || t.dims.size() > r) return std::nullopt;
  if (t.numel() == 1) return t;  // scalars broadcast the same either way
  Tensor ranked = t;  // same buffer, leading 1-dims added
  ranked.dims.assign(r - t.dims.size(), 1);
  ranked.dims.insert(ranked.dims.end(), t.dims.begin(), t.dims.end());
  return permute_tensor(ranked, p);
}

class TransposeOpt {
 public:
  explicit TransposeOpt(Graph& g) : g_(g) {}

  size_t run() {
    for (bool changed = true; changed;) {
      changed = false;
      count_uses();
      std::vector<Node*> nodes;
      for (auto& n : g_.nodes()) nodes.push_back(n.get());
      dirty_.clear();
      for (Node* n : nodes) changed |= visit(n);
      if (changed) g_.remove_dead();
    }
    return removed_;
  }

 private:
  void count_uses() {
    uses_.clear();
    pos_.clear();
    size_t i = 0;
    for (auto& n : g_.nodes()) {
      pos_[n.get()] = i++;
      for (auto* in : n->inputs) uses_[in]++;
    }
    for (auto* o : g_.outputs) uses_[o] += 1000;  // never rewrite a graph output's producer away
    // A value read inside a subgraph (at any depth) is never rewritten: count such reads as many.
    std::function<void(Graph&)> pin = [&](Graph& sg) {
      for (auto& n : sg.nodes())
        for (auto* in : n->inputs) uses_[in] += 1000;
      for (auto* o : sg.outputs) uses_[o] += 1000;
      for_each_subgraph(sg, pin);
    };
    for_each_subgraph(g_, pin);
  }
  bool single_use(const Value* v) const {
    auto it = uses_.find(v);
    return it != uses_.end() && it->second == 1;
  }
  bool clean(const Node* n) const { return !dirty_.count(n); }
  void touch(const Node* a, const Node* b = nullptr) {
    dirty_.insert(a);
    if (b) dirty_.insert(b);
  }
  static bool is_graph_output(const Graph& g, const Value* v) {
    for (auto* o : g.outputs)
      if (o == v) return true;
    return false;
  }

  bool visit(Node* x) {
    if (!clean(x)) return false;
    if (is_transpose(x)) return fold_transposes(x);
    if (unary_ops().count(x->op) && !x->inputs.empty()) return sink_unary(x);
    if (binary_ops().count(x->op) && x->inputs.size() == 2) return sink_binary(x);
    return false;
  }

  // Transpose(Transpose(a, p1), p2) -> a (identity) or Transpose(a, p1 o p2).
  bool fold_transposes(Node* t2) {
    Node* t1 = t2->inputs[0] ? t2->inputs[0]->producer : nullptr;
    if (!is_transpose(t1) || !clean(t1)) return false;
    auto p1 = perm_of(t1), p2 = perm_of(t2);
    if (p1.size() != p2.size()) return false;
    std::vector<int64_t> q;
    for (auto i : p2) q.push_back(p1[size_t(i)]);
    Value* a = t1->inputs[0];
    if (is_identity_perm(q)) {
      Value* out = t2->outputs[0];
      if (is_graph_output(g_, out)) {
        t2->op = "Identity";
        t2->attrs.clear();
        t2->inputs = {a};
      } else {
        g_.replace_all_uses(out, a);
      }
      removed_ += 2;
    } else {
      t2->inputs = {a};
      t2->attrs["perm"] = q;
      removed_ += 1;
    }
    touch(t1, t2);
    if (a->producer) touch(a->producer);  // `a` gained a use: counts are stale for it
    return true;
  }

  // Swap slots: `t` (earlier Transpose) computes x's op on `ins`; `x` becomes the Transpose.
  void swap_roles(Node* t, Node* x, std::vector<Value*> ins, const std::vector<int64_t>& perm) {
    Value* mid = t->outputs[0];
    Value* out = x->outputs[0];
    std::swap(t->name, x->name);
    std::swap(t->source, x->source);
    t->op = x->op;
    t->domain = x->domain;
    t->attrs = x->attrs;
    t->inputs = std::move(ins);
    mid->dtype = out->dtype;
    mid->shape = permute_shape(out->shape, inverse(perm));
    x->op = "Transpose";
    x->domain.clear();
    x->attrs = {{"perm", perm}};
    x->inputs = {mid};
    touch(t, x);
  }

  bool sink_unary(Node* x) {
    Node* t = x->inputs[0] ? x->inputs[0]->producer : nullptr;
    if (!is_transpose(t) || !clean(t) || !single_use(t->outputs[0]) || x->outputs.size() != 1) return false;
    for (size_t i = 1; i < x->inputs.size(); ++i)  // Clip bounds etc. must be scalars
      if (x->inputs[i] && !(x->inputs[i]->shape.rank_known && x->inputs[i]->shape.rank() == 0)) return false;
    std::vector<Value*> ins = x->inputs;
    ins[0] = t->inputs[0];
    swap_roles(t, x, ins, perm_of(t));
    return true;
  }

  bool sink_binary(Node* x) {
    if (x->outputs.size() != 1) return false;
    Node* ta = x->inputs[0] ? x->inputs[0]->producer : nullptr;
    Node* tb = x->inputs[1] ? x->inputs[1]->producer : nullptr;
    bool a_t = is_transpose(ta) && clean(ta) && single_use(x->inputs[0]);
    bool b_t = is_transpose(tb) && clean(tb) && single_use(x->inputs[1]);
    if (a_t && b_t && ta != tb && perm_of(ta) == perm_of(tb)) {
      // Both operands transposed the same way: op on the untransposed values, in the later slot.
      Node* later = pos_[ta] > pos_[tb] ? ta : tb;
      Node* other = later == ta ? tb : ta;
      std::vector<Value*> ins{ta->inputs[0], tb->inputs[0]};
      swap_roles(later, x, ins, perm_of(ta));
      touch(other);
      removed_ += 1;
      return true;
    }
    for (int side = 0; side < 2; ++side) {
      Node* t = side == 0 ? ta : tb;
      bool ok = side == 0 ? a_t : b_t;
      Value* c = x->inputs[size_t(1 - side)];
      if (!ok || !c || !c->constant) continue;
      auto perm = perm_of(t);
      auto pc = permute_const(*c->constant, inverse(perm));
      if (!pc) continue;
      Value* nc = pc->buffer == c->constant->buffer && pc->dims == c->constant->dims ? c
                                                                                     : g_.add_constant(c->name, *pc);
      std::vector<Value*> ins(2);
      ins[size_t(side)] = t->inputs[0];
      ins[size_t(1 - side)] = nc;
      swap_roles(t, x, ins, perm);
      return true;
    }
    return false;
  }

  Graph& g_;
  std::map<const Value*, size_t> uses_;
  std::map<const Node*, size_t> pos_;
  std::set<const Node*> dirty_;
  size_t removed_ = 0;
};

}  // namespace

size_t optimize_transposes(Graph& g) {
  size_t n = TransposeOpt(g).run();
  for_each_subgraph(g, [&](Graph& sg) { n += optimize_transposes(sg); });
  return n;
}

}  // namespace modelport

// optimize_transposes: cancels/merges Transpose chains and sinks Transposes below elementwise ops
// (see include/modelport/passes.h).
//
// Nodes are kept in topological order without inserting any: to move Transpose T (earlier) below
// op X (later), the two node slots swap roles - T's slot computes X on T's input, X's slot becomes
// the Transpose and keeps producing X's original output value, so X's consumers are untouched.
#include <cstring>
#include <deque>
#include <unordered_map>
#include <unordered_set>

#include "modelport/passes.h"
#include "modelport/tensor_ops.h"
#include "ops/op_def.h"

namespace modelport {
namespace {

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

// A worklist over the graph's nodes: use counts come from the IR's use lists, so after a rewrite only
// the nodes around it are looked at again. Node slots never move, so slot order (pos_) stays valid.
class TransposeOpt {
 public:
  explicit TransposeOpt(Graph& g) : g_(g) {}

  size_t run() {
    size_t i = 0;
    for (auto& n : g_.nodes()) {
      pos_[n.get()] = i++;
      push(n.get());
    }
    while (!queue_.empty()) {
      Node* n = queue_.front();
      queue_.pop_front();
      queued_.erase(n);
      if (!dead(n)) changed_ |= visit(n);
    }
    if (changed_) g_.remove_dead();
    return removed_;
  }

 private:
  void push(Node* n) {
    if (n && queued_.insert(n).second) queue_.push_back(n);
  }
  // `v`'s uses changed: its producer and its readers may now be rewritable.
  void touch(Value* v) {
    if (!v || !v->producer) return;
    push(v->producer);
    for (ValueList* l : v->uses()) push(l->node());
  }
  // One reader, a node (a graph output or a read inside a subgraph is a use too: such values are
  // never rewritten away).
  static bool single_use(const Value* v) { return v->uses().size() == 1 && v->uses()[0]->node(); }
  static bool dead(const Node* n) {
    for (auto* o : n->outputs)
      if (!o->uses().empty()) return false;
    return true;
  }
  // A node left without readers lets go of its inputs at once, so they count only live readers.
  void release_if_dead(Node* n) {
    if (!n || !dead(n)) return;
    std::vector<Value*> ins = n->inputs;
    n->inputs.clear();
    for (Value* v : ins) touch(v);
  }

  bool visit(Node* x) {
    if (is_transpose(x)) return fold_transposes(x);
    if (ops::is_elementwise(x->op) && !x->inputs.empty()) return sink_unary(x);
    if (ops::is_broadcast(x->op) && x->inputs.size() == 2) return sink_binary(x);
    return false;
  }

  // Transpose(Transpose(a, p1), p2) -> a (identity) or Transpose(a, p1 o p2).
  bool fold_transposes(Node* t2) {
    Node* t1 = t2->inputs[0] ? t2->inputs[0]->producer : nullptr;
    if (!is_transpose(t1)) return false;
    auto p1 = perm_of(t1), p2 = perm_of(t2);
    if (p1.size() != p2.size()) return false;
    std::vector<int64_t> q;
    for (auto i : p2) q.push_back(p1[size_t(i)]);
    Value* a = t1->inputs[0];
    Value* mid = t1->outputs[0];
    Value* out = t2->outputs[0];
    if (is_identity_perm(q)) {
      if (g_.is_output(out)) {
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
    release_if_dead(t2);
    release_if_dead(t1);
    for (Value* v : {a, mid, out}) touch(v);
    return true;
  }

  // Swap slots: `t` (earlier Transpose) computes x's op on `ins`; `x` becomes the Transpose.
  void swap_roles(Node* t, Node* x, std::vector<Value*> ins, const std::vector<int64_t>& perm) {
    Value* mid = t->outputs[0];
    Value* out = x->outputs[0];
    std::vector<Value*> before = t->inputs;
    before.insert(before.end(), x->inputs.begin(), x->inputs.end());
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
    changed_ = true;
    for (Value* v : before) touch(v);
    for (Value* v : t->inputs) touch(v);
    touch(mid);
    touch(out);
  }

  bool sink_unary(Node* x) {
    Node* t = x->inputs[0] ? x->inputs[0]->producer : nullptr;
    if (!is_transpose(t) || !single_use(t->outputs[0]) || x->outputs.size() != 1) return false;
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
    bool a_t = is_transpose(ta) && single_use(x->inputs[0]);
    bool b_t = is_transpose(tb) && single_use(x->inputs[1]);
    if (a_t && b_t && ta != tb && perm_of(ta) == perm_of(tb)) {
      // Both operands transposed the same way: op on the untransposed values, in the later slot.
      Node* later = pos_.at(ta) > pos_.at(tb) ? ta : tb;
      std::vector<Value*> ins{ta->inputs[0], tb->inputs[0]};
      swap_roles(later, x, ins, perm_of(ta));
      release_if_dead(later == ta ? tb : ta);
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
  std::unordered_map<const Node*, size_t> pos_;
  std::deque<Node*> queue_;
  std::unordered_set<const Node*> queued_;
  bool changed_ = false;
  size_t removed_ = 0;
};

}  // namespace

size_t optimize_transposes(Graph& g) {
  size_t n = TransposeOpt(g).run();
  for_each_subgraph(g, [&](Graph& sg) { n += optimize_transposes(sg); });
  return n;
}

}  // namespace modelport

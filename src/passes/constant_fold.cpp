#include "passes/constant_fold.h"

#include <algorithm>

#include "passes/const_eval.h"
#include "ops/infer.h"

namespace modelport {
namespace {

bool has_subgraph(const Node& n) {
  return std::any_of(n.attrs.begin(), n.attrs.end(),
                     [](auto& kv) { return std::holds_alternative<GraphPtr>(kv.second); });
}

// Reshape(x, target) that provably gives x's own shape: every target entry is x's fixed dim, x's
// symbolic dim taken from a Shape of it, a 0 (copy), or the single -1 standing for the one dim
// not otherwise matched.
bool reshape_is_identity(const Node& n, const ShapeValues& sv) {
  const Shape& in = n.input(0)->shape;
  auto t = sv.get(n.input(1));
  if (!in.rank_known || !t || t->scalar || t->dims.size() != in.rank()) return false;
  bool allowzero = n.attr_int("allowzero", 0) != 0;
  int minus_one = 0;
  for (size_t i = 0; i < in.rank(); ++i) {
    const ShapeEntry& d = t->dims[i];
    if (d.is_fixed() && d.value == -1) { ++minus_one; continue; }
    if (d.is_fixed() && d.value == 0 && !allowzero) continue;
    if (!(d.dim() == in.dims[i]) || (!d.is_fixed() && !d.is_symbol())) return false;
  }
  return minus_one <= 1;
}

// A Reshape target that does not refer to its input's dims (no 0 entries copying them).
bool target_is_absolute(const Node& n, const ShapeValues& sv) {
  auto t = sv.get(n.input(1));
  if (!t || t->scalar) return false;
  if (n.attr_int("allowzero", 0) != 0) return true;
  return std::none_of(t->dims.begin(), t->dims.end(),
                      [](const ShapeEntry& d) { return d.is_fixed() && d.value == 0; });
}

// `small` broadcasts to `big` without changing it: its rank is no larger and each of its dims is 1
// or equal to `big`'s.
bool broadcasts_into(const Shape& small, const Shape& big) {
  if (!small.rank_known || !big.rank_known || small.rank() > big.rank()) return false;
  size_t off = big.rank() - small.rank();
  for (size_t i = 0; i < small.rank(); ++i) {
    const Dim& d = small.dims[i];
    const Dim& b = big.dims[off + i];
    if (!(d.is_fixed() && d.value == 1) && !(d == b && (d.is_fixed() || d.is_symbol()))) return false;
  }
  return true;
}

// Where(c, x, y) with a constant c that is all true (x) or all false (y), when the other operands do
// not widen the picked one by broadcasting.
Value* where_branch(const Node& n) {
  Value* c = n.input(0);
  if (n.inputs.size() != 3 || !c->is_constant() || c->constant->dtype != DType::Bool || c->constant->numel() == 0)
    return nullptr;
  const Tensor& t = *c->constant;
  bool first = t.as_int(0) != 0;
  for (int64_t i = 1; i < t.numel(); ++i)
    if ((t.as_int(i) != 0) != first) return nullptr;
  Value* picked = n.input(first ? 1 : 2);
  Value* other = n.input(first ? 2 : 1);
  if (!picked || !other || picked->dtype != other->dtype) return nullptr;
  return broadcasts_into(c->shape, picked->shape) && broadcasts_into(other->shape, picked->shape) ? picked : nullptr;
}

// The branch an If with a constant condition takes.
Graph* taken_branch(const Node& n) {
  if (n.op != "If" || !n.domain.empty() || !n.input(0) || !n.input(0)->is_constant()) return nullptr;
  const Tensor& c = *n.input(0)->constant;
  if (c.numel() != 1 || c.dtype == DType::String) return nullptr;
  auto it = n.attrs.find(c.as_int(0) != 0 ? "then_branch" : "else_branch");
  auto* g = it == n.attrs.end() ? nullptr : std::get_if<GraphPtr>(&it->second);
  return g && *g && (*g)->inputs.empty() ? g->get() : nullptr;
}

class Folder {
 public:
  explicit Folder(Graph& g) : g_(g) {}

  size_t run() {
    size_t changed = 0;
    // Nodes are only appended to the list by add_node, which this pass never calls.
    for (size_t i = 0; i < g_.nodes().size(); ++i) {
      Node& n = *g_.nodes()[i];
      if (Graph* branch = taken_branch(n); branch && g_.inline_subgraph(&n, *branch)) {
        ++changed;
        --i;  // the branch's nodes now start at i: visit them
        continue;
      }
      if (has_subgraph(n)) {
        for_each_subgraph_of(n, [&](Graph& sg) { changed += fold_constants(sg); });
        continue;
      }
      refine_output_shapes(n, sv_);
      sv_.record(n);
      if (n.outputs.size() != 1 || !n.outputs[0]) continue;
      changed += rewire(n) ? 1 : 0;
      if (!g_.is_output(n.outputs[0])) changed += fold(n) ? 1 : 0;
    }
    return changed;
  }

 private:
  void replace(Node& n, Value* by) { g_.replace_all_uses(n.outputs[0], by); }

  void replace_by_constant(Node& n, Tensor t) {
    Value* c = g_.add_constant(n.outputs[0]->name, std::move(t));
    replace(n, c);
  }

  // Changes `n`'s inputs without changing its output: Reshape(Reshape(y, a), b) reads y when b
  // does not copy dims of its input.
  bool rewire(Node& n) {
    Value* x = n.input(0);
    if (n.op != "Reshape" || !n.domain.empty() || !x || !x->producer || x->producer->op != "Reshape" ||
        !x->producer->domain.empty() || !target_is_absolute(n, sv_))
      return false;
    n.inputs.set(0, x->producer->inputs[0]);
    return true;
  }

  // Replaces `n`'s output by a constant or by one of its inputs.
  bool fold(Node& n) {
    Value* out = n.outputs[0];
    if (auto r = eval_constant_node(n)) {
      replace_by_constant(n, std::move((*r)[0]));
      return true;
    }
    if (auto dv = sv_.get(out); dv && dv->all_fixed() && out->dtype == DType::Int64) {
      std::vector<int64_t> v = dv->fixed();
      replace_by_constant(n, dv->scalar ? Tensor::i64_scalar(v.at(0)) : Tensor::i64(v));
      return true;
    }
    Value* x = n.input(0);
    if (!x) return false;
    if (n.op == "Cast" && x->dtype != DType::Undefined && n.attr_int("to", -1) == onnx_type_code(x->dtype)) {
      replace(n, x);
      return true;
    }
    if (n.op == "Reshape" && n.domain.empty() && reshape_is_identity(n, sv_)) {
      replace(n, x);
      return true;
    }
    if (Value* picked = n.op == "Where" ? where_branch(n) : nullptr) {
      replace(n, picked);
      return true;
    }
    return false;
  }

  Graph& g_;
  ShapeValues sv_;
};

}  // namespace

size_t fold_constants(Graph& g) { return Folder(g).run(); }

}  // namespace modelport

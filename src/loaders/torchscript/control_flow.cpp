// prim::If / prim::Loop -> ONNX If / Loop. Blocks are lowered by a child Ctx into subgraphs that read
// outer values by pointer (ONNX outer-scope references). Int/float/bool scalars cross the boundary
// as rank-0 int64/double/bool tensors.
#include "loaders/torchscript/control_flow.h"

#include <climits>
#include <functional>
#include <memory>

#include "loaders/torchscript/lower_graph.h"

namespace modelport::ts {
namespace {

using K = LVal::Kind;

Shape scalar_shape() { return Shape(std::vector<Dim>{}); }

// `v` as a rank-0 tensor (Reshape when its rank is not known to be 0).
Value* as_scalar(Ctx& c, Value* v) {
  if (v->shape.rank_known && v->shape.rank() == 0) return v;
  if (v->is_constant() && v->constant->numel() == 1) return c.c_scalar(v->dtype, v->constant->as_double(0));
  return c.op("Reshape", {v, c.c_i64({})});
}

// A lowered value crossing an If/Loop boundary, as an IR tensor of c.g.
Value* to_boundary(Ctx& c, const LVal& l, const c10::TypePtr& t, const std::string& what) {
  switch (t->kind()) {
    case c10::TypeKind::TensorType:
      if (l.is_tensor()) return l.v;
      if (l.is_number()) return c.tensor_of(l);
      break;
    case c10::TypeKind::IntType:
      if (l.kind == K::Int || l.kind == K::Bool) return c.c_i64_scalar(l.kind == K::Int ? l.i : int64_t(l.b));
      if (l.is_tensor()) return as_scalar(c, c.cast(l.v, DType::Int64));
      break;
    case c10::TypeKind::FloatType:
      if (l.is_number()) return c.c_scalar(DType::Float64, l.number());
      if (l.is_tensor()) return as_scalar(c, c.cast(l.v, DType::Float64));
      break;
    case c10::TypeKind::BoolType:
      if (l.is_number()) return c.g.add_constant("const", Tensor::scalar(DType::Bool, l.number() != 0));
      if (l.is_tensor()) return as_scalar(c, c.cast(l.v, DType::Bool));
      break;
    default:
      c.fail(what + " has type " + t->repr_str() +
             " (only tensors and int/float/bool scalars can cross an If/Loop boundary; lists appended in a loop "
             "are not supported)");
  }
  c.fail(what + " is " + l.describe() + " where " + t->repr_str() + " is expected");
}

// The least specific of two shapes: dims that differ become unknown, ranks that differ unknown rank.
Shape merge(const Shape& a, const Shape& b) {
  if (!a.rank_known || !b.rank_known || a.rank() != b.rank()) return Shape();
  std::vector<Dim> dims;
  for (size_t i = 0; i < a.rank(); ++i) dims.push_back(a.dims[i] == b.dims[i] ? a.dims[i] : Dim::unknown());
  return Shape(dims);
}

std::string hint_of(const jit::Value* v, const char* def) {
  if (!v->hasDebugName()) return def;
  std::string n = v->debugName();
  return n.substr(0, n.find('.'));
}

// A block that always raises (TorchScript's lowering of `assert` / `raise`).
bool raises(const jit::Block* b) {
  static const c10::Symbol kRaise = c10::Symbol::fromQualString("prim::RaiseException");
  for (const jit::Node* n : b->nodes())
    if (n->kind() == kRaise) return true;
  return false;
}

// Whether `v` is defined inside one of n's blocks (at any depth).
bool defined_inside(const jit::Value* v, const jit::Node* n) {
  for (const jit::Block* b = v->node()->owningBlock(); b; b = b->owningNode() ? b->owningNode()->owningBlock() : nullptr)
    if (b->owningNode() == n) return true;
  return false;
}

// Mutation ops (append, item assignment, in-place ops) rebind the mutated value in the Ctx that
// lowers them; a subgraph's Ctx cannot rebind a value of the enclosing graph. Returns the first node
// in n's blocks that modifies a value defined outside them (and the index of that input).
const jit::Node* outer_mutation(const jit::Node* n, size_t& arg) {
  std::function<const jit::Node*(const jit::Block*)> scan = [&](const jit::Block* b) -> const jit::Node* {
    for (const jit::Node* m : b->nodes()) {
      if (const auto* s = m->maybeSchema()) {
        const auto& args = s->arguments();
        for (size_t i = 0; i < args.size() && i < m->inputs().size(); ++i)
          if (args[i].alias_info() && args[i].alias_info()->isWrite() && !defined_inside(m->input(i), n))
            return arg = i, m;
      }
      for (const jit::Block* sub : m->blocks())
        if (const jit::Node* r = scan(sub)) return r;
    }
    return nullptr;
  };
  for (const jit::Block* b : n->blocks())
    if (const jit::Node* r = scan(b)) return r;
  return nullptr;
}

[[noreturn]] void refuse_mutation(Ctx& c, const jit::Node* n, const jit::Node* m, size_t arg, const char* why) {
  std::string loc = source_location(m);
  c.fail(std::string(m->kind().toQualString()) + (loc.empty() ? "" : " (" + loc + ")") + " modifies '" +
         m->input(arg)->debugName() + "', defined outside this " + n->kind().toUnqualString() + " block: " + why);
}

// ONNX would need Sequence ops for lists built under run-time control flow: refused.
void refuse_outer_mutation(Ctx& c, const jit::Node* n) {
  size_t arg = 0;
  if (const jit::Node* m = outer_mutation(n, arg))
    refuse_mutation(c, n, m, arg,
                    "lists/dicts built or tensors modified in place inside data-dependent control flow are not "
                    "supported");
}

// Lowers a loop with a load-time trip count inline, iteration by iteration, in c itself (so the
// body's list appends and item assignments reach the enclosing scope). For loops like scripted
// F.interpolate's `for i in range(dim): sizes.append(...)`.
constexpr int64_t kMaxUnroll = 64;
void unroll_loop(Ctx& c, const jit::Node* n, int64_t trips) {
  const jit::Block* body = n->blocks()[0];
  std::vector<LVal> carried;
  for (size_t j = 0; j < n->outputs().size(); ++j) carried.push_back(c.get(n->input(2 + j)));
  for (int64_t i = 0; i < trips; ++i) {
    c.bind(body->inputs()[0], LVal::of_int(i));
    for (size_t j = 0; j < carried.size(); ++j) c.bind(body->inputs()[1 + j], carried[j]);
    lower_block(c, body);
    c.node = n;
    LVal more = c.get(body->outputs()[0]);
    for (size_t j = 0; j < carried.size(); ++j) carried[j] = c.get(body->outputs()[1 + j]);
    if (more.kind != K::Bool && more.kind != K::Int)
      c.fail("the loop modifies an outer list and its condition is only known at run time (not supported)");
    if (!(more.kind == K::Bool ? more.b : more.i != 0)) break;
  }
  for (size_t j = 0; j < carried.size(); ++j) c.bind(n->output(j), carried[j]);
}

// A `for` loop over a range known at load time (at most kMaxUnroll trips, body condition constant)
// that carries only numbers, such as the product of the spatial dims in F.instance_norm's input
// check: unrolled into plain arithmetic instead of an ONNX Loop.
bool is_small_scalar_for(const jit::Node* n, const LVal& trip, const LVal& cond0) {
  if (trip.kind != K::Int || trip.i > kMaxUnroll || (cond0.kind != K::Bool && cond0.kind != K::Int)) return false;
  const jit::Block* body = n->blocks()[0];
  if (body->outputs()[0]->node()->kind() != c10::prim::Constant) return false;
  for (const jit::Value* o : n->outputs())
    if (o->type()->kind() != c10::TypeKind::IntType && o->type()->kind() != c10::TypeKind::FloatType &&
        o->type()->kind() != c10::TypeKind::BoolType)
      return false;
  return true;
}

struct Branch {
  GraphPtr g;
  std::unique_ptr<Ctx> ctx;
  std::vector<Value*> outs;
};

}  // namespace

void lower_if(Ctx& c, const jit::Node* n) {
  const LVal& cond = c.get(n->input(0));
  const jit::Block* taken = nullptr;
  if (cond.kind == K::Bool || cond.kind == K::Int) {
    taken = n->blocks()[(cond.kind == K::Bool ? cond.b : cond.i != 0) ? 0 : 1];
  } else if (raises(n->blocks()[1]) && !raises(n->blocks()[0])) {
    taken = n->blocks()[0];  // a run-time check: keep the non-raising path
  } else if (raises(n->blocks()[0]) && !raises(n->blocks()[1])) {
    taken = n->blocks()[1];
  }
  if (taken) {
    lower_block(c, taken);
    c.node = n;
    for (size_t i = 0; i < n->outputs().size(); ++i) c.bind(n->output(i), c.get(taken->outputs()[i]));
    return;
  }
  if (!cond.is_tensor()) c.fail("condition is " + cond.describe());
  std::vector<size_t> slots;  // outputs that carry a value (None outputs need no ONNX output)
  for (size_t i = 0; i < n->outputs().size(); ++i)
    if (n->output(i)->type()->kind() != c10::TypeKind::NoneType) slots.push_back(i);
  if (slots.empty()) {  // nothing flows out (e.g. branches that only warn)
    for (size_t i = 0; i < n->outputs().size(); ++i) c.bind(n->output(i), LVal::none());
    return;
  }
  refuse_outer_mutation(c, n);
  Value* cv = as_scalar(c, c.cast(cond.v, DType::Bool));
  Branch br[2];
  for (int b = 0; b < 2; ++b) {
    br[b].g = std::make_shared<Graph>(c.g.unique_name(b ? "else_branch" : "then_branch"), &c.g);
    br[b].ctx = std::make_unique<Ctx>(*br[b].g, c);
    Ctx& sub = *br[b].ctx;
    lower_block(sub, n->blocks()[b]);
    sub.node = n;
    for (size_t i : slots)
      br[b].outs.push_back(to_boundary(sub, sub.get(n->blocks()[b]->outputs()[i]), n->output(i)->type(),
                                       "output " + std::to_string(i)));
  }
  for (size_t j = 0; j < slots.size(); ++j) {
    Value*& a = br[0].outs[j];
    Value*& b = br[1].outs[j];
    DType dt = a->dtype != DType::Undefined ? a->dtype : b->dtype;
    if (a->dtype != DType::Undefined && b->dtype != DType::Undefined && a->dtype != b->dtype)
      b = br[1].ctx->cast(b, dt);
  }
  for (auto& x : br) x.g->outputs = x.outs;
  Node* node = c.node_op("If", {cv}, slots.size(), {{"then_branch", br[0].g}, {"else_branch", br[1].g}});
  for (size_t i = 0; i < n->outputs().size(); ++i) c.bind(n->output(i), LVal::none());
  for (size_t j = 0; j < slots.size(); ++j) {
    c.bind(n->output(slots[j]), LVal::tensor(node->outputs[j]));
  }
}

// TorchScript: Loop(max_trip_count, cond, carried...) { block(i, carried...) -> (cond, carried...) }.
// ONNX: Loop(M, cond, v_initial...) { body(iter_num, cond_in, carried...) -> (cond_out, carried...) }.
void lower_loop(Ctx& c, const jit::Node* n) {
  const jit::Block* body = n->blocks()[0];
  const size_t k = n->outputs().size();
  const LVal& trip = c.get(n->input(0));
  const LVal& cond0 = c.get(n->input(1));
  bool never = (cond0.kind == K::Bool && !cond0.b) || (trip.kind == K::Int && trip.i <= 0);
  size_t arg = 0;
  const jit::Node* mut = never ? nullptr : outer_mutation(n, arg);
  if (mut) {
    bool known = trip.kind == K::Int && trip.i <= kMaxUnroll && (cond0.kind == K::Bool || cond0.kind == K::Int);
    if (known) return unroll_loop(c, n, trip.i);
    refuse_mutation(c, n, mut, arg,
                    trip.kind == K::Int && trip.i != INT64_MAX
                        ? "only loops of at most 64 iterations known at load time can build lists (unrolled)"
                        : "lists/dicts built or tensors modified in place in a loop whose trip count is only known "
                          "at run time are not supported (ONNX Sequence ops are not used yet)");
  }
  if (!never && k > 0 && is_small_scalar_for(n, trip, cond0)) return unroll_loop(c, n, trip.i);
  if (never || k == 0) {  // never runs, or carries nothing out (and mutates nothing outside)
    for (size_t j = 0; j < k; ++j) c.bind(n->output(j), c.get(n->input(2 + j)));
    return;
  }
  Value* m = nullptr;  // omitted for `while` loops (TorchScript's trip count there is INT64_MAX)
  if (trip.kind != K::Int || trip.i != INT64_MAX) m = to_boundary(c, trip, c10::IntType::get(), "trip count");
  Value* cond = to_boundary(c, cond0, c10::BoolType::get(), "loop condition");
  std::vector<Value*> init;
  std::vector<Shape> shapes;
  for (size_t j = 0; j < k; ++j) {
    std::string what = "loop-carried value '" + hint_of(body->inputs()[1 + j], "?") + "'";
    init.push_back(to_boundary(c, c.get(n->input(2 + j)), n->output(j)->type(), what));
    shapes.push_back(init.back()->shape);
  }
  // The body is lowered with the carried shapes it is given; when an iteration changes a shape the
  // differing dims become unknown and the body is lowered again, until the shapes are stable.
  GraphPtr sg;
  std::vector<Value*> outs;
  for (int round = 0;; ++round) {
    sg = std::make_shared<Graph>("loop_body", &c.g);
    Ctx sub(*sg, c);
    sub.bind(body->inputs()[0], LVal::tensor(sg->add_input("iter", DType::Int64, scalar_shape())));
    sg->add_input("cond_in", DType::Bool, scalar_shape());
    for (size_t j = 0; j < k; ++j) {
      DType dt = init[j]->dtype;
      Value* in = sg->add_input(hint_of(body->inputs()[1 + j], "carried"), dt, shapes[j]);
      sub.bind(body->inputs()[1 + j], LVal::tensor(in));
    }
    lower_block(sub, body);
    sub.node = n;
    outs = {to_boundary(sub, sub.get(body->outputs()[0]), c10::BoolType::get(), "loop condition")};
    bool stable = true;
    for (size_t j = 0; j < k; ++j) {
      Value* o = to_boundary(sub, sub.get(body->outputs()[1 + j]), n->output(j)->type(),
                             "loop-carried value '" + hint_of(body->inputs()[1 + j], "?") + "'");
      if (o->dtype != init[j]->dtype && o->dtype != DType::Undefined && init[j]->dtype != DType::Undefined)
        o = sub.cast(o, init[j]->dtype);
      outs.push_back(o);
      Shape s = merge(shapes[j], o->shape);
      if (!(s == shapes[j])) stable = false, shapes[j] = s;
    }
    if (stable) break;
    if (round == 8) c.fail("loop-carried shapes do not settle");
  }
  sg->name = c.g.unique_name("loop_body");
  sg->outputs = outs;
  std::vector<Value*> ins = {m, cond};
  ins.insert(ins.end(), init.begin(), init.end());
  Node* node = c.node_op("Loop", ins, k, {{"body", sg}});
  for (size_t j = 0; j < k; ++j) {
    c.bind(n->output(j), LVal::tensor(node->outputs[j]));
  }
}

}  // namespace modelport::ts

// Control flow. TF2 functional ops: If/StatelessIf -> ONNX If whose branches are the then/else
// functions; While/StatelessWhile -> ONNX Loop whose body runs the body function and then the cond
// function on its results (the first cond is computed before the Loop). TF1 frames: the Exit nodes
// of a tf.while_loop become the outputs of one ONNX Loop (while_frame.h); a tf.cond's Switch passes
// its data to both branches and its Merge picks the taken branch's value with Where (both branches
// are computed).
#include <algorithm>
#include <deque>
#include <functional>
#include <set>

#include "translators.h"

namespace modelport::tf {
namespace {

Shape scalar_shape() { return Shape(std::vector<Dim>{}); }

// The dims `a` and `b` share; an unknown rank when their ranks differ.
Shape agree(const Shape& a, const Shape& b) {
  if (!a.rank_known || !b.rank_known || a.rank() != b.rank()) return Shape();
  std::vector<Dim> dims;
  for (size_t i = 0; i < a.rank(); ++i) dims.push_back(a.dims[i] == b.dims[i] ? a.dims[i] : Dim::unknown());
  return Shape(dims);
}

// TF's predicate rule for a scalar: nonzero is true. As the rank-0 bool ONNX If/Loop take.
Value* bool_scalar(OpCtx& c, Value* v) {
  v = c.cast(v, DType::Bool);
  if (v->shape.rank_known && v->shape.rank() == 0) return v;
  return c.op("Reshape", {v, c.c_i64({})});
}

std::string function_attr(OpCtx& c, const std::string& key) {
  const AttrValue* a = c.attr(key);
  if (!a || a->value_case() != AttrValue::kFunc) c.fail("no function attribute '" + key + "'");
  return a->func().name();
}

// Converts function graph `fg` into `g` with its arguments fed `args`; returns its results.
std::vector<Value*> call_function(OpCtx& c, const FlatGraph& fg, Graph& g, const std::vector<Value*>& args,
                                  const std::string& call) {
  if (args.size() != fg.arg_count())
    c.fail("function of '" + call + "' takes " + std::to_string(fg.arg_count()) + " arguments, not " +
           std::to_string(args.size()));
  Converter sub(c.cv, fg, g);
  for (size_t i = 0; i < args.size(); ++i) sub.feed(fg.arg_tensor(i), args[i]);
  std::vector<std::string> rets;
  for (size_t k = 0; k < fg.find(call)->inputs.size(); ++k) rets.push_back(call + ":" + std::to_string(k));
  return sub.convert(rets);
}

std::vector<Value*> if_op(OpCtx& c) {
  Value* cond = bool_scalar(c, c.input(0));
  std::vector<Value*> args(c.in.begin() + 1, c.in.end());
  GraphPtr branch[2];
  const char* keys[2] = {"then_branch", "else_branch"};
  for (int b = 0; b < 2; ++b) {
    std::string call = c.node.name + "/" + keys[b];
    FlatGraph fg(c.cv.flat(), function_attr(c, keys[b]), call);
    branch[b] = std::make_shared<Graph>(c.g.unique_name(keys[b]), &c.g);
    std::vector<Value*> outs = call_function(c, fg, *branch[b], args, call);
    for (size_t k = 0; k < outs.size(); ++k) branch[b]->add_output(outs[k], call + "_" + std::to_string(k));
  }
  if (branch[0]->outputs.size() != branch[1]->outputs.size())
    c.fail("then_branch returns " + std::to_string(branch[0]->outputs.size()) + " values, else_branch " +
           std::to_string(branch[1]->outputs.size()));
  return c.add("If", {cond}, branch[0]->outputs.size(), {{"then_branch", branch[0]}, {"else_branch", branch[1]}})
      ->outputs;
}

// The predicate and the next values of a loop, computed into graph `g` from the loop variables.
using LoopPart = std::function<std::vector<Value*>(Graph& g, const std::vector<Value*>& vars)>;

// A TensorList of unknown element shape (list_ops.cpp) carried by a loop whose body sets elements of
// a known shape: `init` becomes its zeros of that shape. Returns whether it did.
bool widen_list(OpCtx& c, Value*& init, const Value* next) {
  if (!c.cv.shapeless_lists->count(init) || !next->shape.rank_known || next->shape.rank() < 2) return false;
  std::vector<int64_t> dims{1}, ones{-1};
  for (size_t i = 1; i < next->shape.rank(); ++i) {
    if (!next->shape.dims[i].is_fixed())
      c.fail("a TensorList's element shape is only known at run time (" + next->shape.str() + ")");
    dims.push_back(next->shape.dims[i].value);
    ones.push_back(1);
  }
  init = c.op("Expand", {c.op("Reshape", {init, c.c_i64(ones)}), c.c_i64(dims)});
  return true;
}

// ONNX Loop(no trip count, cond(init), init...) { body(iter, cond_in, v...) -> (cond(next), next...) }.
// The body is built with the carried shapes it is given; when an iteration changes a dim, that dim
// becomes unknown and the body is built again, until the shapes settle.
std::vector<Value*> build_loop(OpCtx& c, std::vector<Value*> init, const LoopPart& cond, const LoopPart& body) {
  auto predicate = [&](Graph& g, const std::vector<Value*>& vars) {
    std::vector<Value*> p = cond(g, vars);
    if (p.size() != 1) c.fail("the loop condition gives " + std::to_string(p.size()) + " values, not 1");
    Converter in_g(c.cv, c.cv.flat(), g);
    OpCtx gc(in_g, c.node, {});
    return bool_scalar(gc, p[0]);
  };
  Value* cond0 = predicate(c.g, init);
  std::vector<Shape> shapes;
  for (Value* v : init) shapes.push_back(v->shape);
  for (int round = 0;; ++round) {
    auto sg = std::make_shared<Graph>("loop_body", &c.g);
    sg->add_input("iter", DType::Int64, scalar_shape());
    sg->add_input("cond_in", DType::Bool, scalar_shape());
    std::vector<Value*> vars;
    for (size_t j = 0; j < init.size(); ++j)
      vars.push_back(sg->add_input(c.node.name + "_var" + std::to_string(j), init[j]->dtype, shapes[j]));
    std::vector<Value*> next = body(*sg, vars);
    if (next.size() != init.size())
      c.fail("the loop body gives " + std::to_string(next.size()) + " values for " + std::to_string(init.size()) +
             " loop variables");
    bool stable = true;
    for (size_t j = 0; j < init.size(); ++j) {
      if (next[j]->dtype != init[j]->dtype && next[j]->dtype != DType::Undefined)
        c.fail("loop variable " + std::to_string(j) + " is " + dtype_name(init[j]->dtype) + " and the body makes it " +
               dtype_name(next[j]->dtype));
      if (widen_list(c, init[j], next[j])) {
        stable = false, shapes[j] = init[j]->shape;
        continue;
      }
      Shape s = agree(shapes[j], next[j]->shape);
      if (!(s == shapes[j])) stable = false, shapes[j] = s;
    }
    if (!stable) {
      if (round == 8) c.fail("the loop variables' shapes do not settle");
      continue;
    }
    Value* more = predicate(*sg, next);
    sg->name = c.g.unique_name("loop_body");
    sg->add_output(more, c.node.name + "_cond");
    for (size_t j = 0; j < next.size(); ++j) sg->add_output(next[j], c.node.name + "_next" + std::to_string(j));
    std::vector<Value*> ins = {nullptr, cond0};
    ins.insert(ins.end(), init.begin(), init.end());
    return c.add("Loop", ins, init.size(), {{"body", sg}})->outputs;
  }
}

std::vector<Value*> while_op(OpCtx& c) {
  std::string cond_call = c.node.name + "/cond", body_call = c.node.name + "/body";
  FlatGraph cond_fg(c.cv.flat(), function_attr(c, "cond"), cond_call);
  FlatGraph body_fg(c.cv.flat(), function_attr(c, "body"), body_call);
  return build_loop(
      c, c.in, [&](Graph& g, const std::vector<Value*>& v) { return call_function(c, cond_fg, g, v, cond_call); },
      [&](Graph& g, const std::vector<Value*>& v) { return call_function(c, body_fg, g, v, body_call); });
}

// TF1: the frame's Loop is built for its first Exit converted; each Exit is one of its outputs.
std::vector<Value*> exit_op(OpCtx& c) {
  const WhileFrame& f = c.cv.frame_of(c.node);
  auto it = c.cv.frame_loops.find(f.name);
  if (it == c.cv.frame_loops.end()) {
    const size_t k = f.vars.size();
    std::vector<Value*> init(c.in.begin(), c.in.begin() + long(k)), inv(c.in.begin() + long(k), c.in.end());
    // A converter of the frame's nodes into `g`, with the loop variables `vars`.
    auto in_frame = [&](Graph& g, const std::vector<Value*>& vars, const std::vector<std::string>& tensors) {
      Converter sub(c.cv, c.cv.flat(), g);
      for (size_t i = 0; i < f.invariants.size(); ++i) sub.feed(f.invariants[i]->name + ":0", inv[i]);
      for (size_t j = 0; j < k; ++j) {
        sub.feed(f.vars[j].merge->name + ":0", vars[j]);
        sub.feed(f.vars[j].sw->name + ":1", vars[j]);
      }
      return sub.convert(tensors);
    };
    std::vector<std::string> next;
    for (auto& v : f.vars) next.push_back(v.next->inputs[0]);
    auto loop = build_loop(
        c, init, [&](Graph& g, const std::vector<Value*>& v) { return in_frame(g, v, {f.loop_cond->inputs[0]}); },
        [&](Graph& g, const std::vector<Value*>& v) { return in_frame(g, v, next); });
    it = c.cv.frame_loops.emplace(f.name, loop).first;
  }
  for (size_t j = 0; j < f.vars.size(); ++j)
    if (f.vars[j].exit == &c.node) return {it->second[j]};
  c.fail("is not an Exit of while loop frame '" + f.name + "'");
}

// Enter/NextIteration/LoopCond are converted with their frame's Exit nodes; reached otherwise, the
// graph reads a loop's inside from outside it.
std::vector<Value*> frame_only(OpCtx& c) {
  c.fail("is read outside its tf.while_loop frame (only the frame's Exit values can be converted)");
}

std::vector<Value*> switch_op(OpCtx& c) { return {c.input(0), c.input(0)}; }

// Which Switch outputs (predicate tensor -> ports) the value `tensor` is computed from.
std::map<std::string, std::set<int>> switch_ports(const FlatGraph& fg, const std::string& tensor) {
  std::map<std::string, std::set<int>> out;
  std::set<std::string> seen;
  std::deque<std::string> todo{tensor};
  while (!todo.empty()) {
    auto [name, port] = split_tensor_name(todo.front());
    todo.pop_front();
    const FlatNode* n = fg.find(name);
    if (!n) continue;
    if (n->op == "Switch" && n->inputs.size() == 2) out[n->inputs[1]].insert(port);
    if (!seen.insert(name).second || n->op == "Enter") continue;
    for (auto& in : n->inputs) todo.push_back(in);
  }
  return out;
}

// tf.cond's Merge: the predicate is the one Switch predicate whose true side only one input reads.
std::vector<Value*> merge_op(OpCtx& c) {
  for (auto& in : c.node.inputs)
    if (const FlatNode* n = c.cv.flat().find(split_tensor_name(in).first);
        n && (n->op == "Enter" || n->op == "NextIteration"))
      c.fail("belongs to a tf.while_loop frame and is read outside it");
  if (c.node.inputs.size() != 2) c.fail("a Merge of " + std::to_string(c.node.inputs.size()) + " inputs (tf.case) is not supported");
  auto a = switch_ports(c.cv.flat(), c.node.inputs[0]), b = switch_ports(c.cv.flat(), c.node.inputs[1]);
  std::string pred;
  int a_port = -1, best = 0;
  for (auto* side : {&a, &b})
    for (auto& [p, ports] : *side) {
      auto& other = side == &a ? b : a;
      auto o = other.find(p);
      if (ports.size() != 1 || (o != other.end() && (o->second.size() != 1 || *o->second.begin() == *ports.begin())))
        continue;
      int score = o != other.end() ? 2 : 1;
      if (score <= best) continue;
      best = score, pred = p;
      a_port = side == &a ? *ports.begin() : 1 - *ports.begin();
    }
  if (pred.empty()) c.fail("cannot tell which Switch predicate selects between its inputs (not a tf.cond)");
  Value* p = bool_scalar(c, c.cv.convert({pred})[0]);
  Value* t = c.input(a_port == 1 ? 0 : 1);
  Value* e = c.input(a_port == 1 ? 1 : 0);
  // Where broadcasts: branches whose shapes may differ would need an ONNX If.
  if (!(t->shape == e->shape) || !t->shape.rank_known || std::any_of(t->shape.dims.begin(), t->shape.dims.end(), [](const Dim& d) { return !d.is_fixed() && !d.is_symbol(); }))
    c.fail("the branches' shapes " + t->shape.str() + " and " + e->shape.str() +
           " are not known to be equal (a tf.cond whose branches differ in shape is not supported)");
  Value* index = c.op("Where", {p, c.c_scalar(DType::Int32, a_port == 1 ? 0 : 1), c.c_scalar(DType::Int32, a_port == 1 ? 1 : 0)});
  return {c.op("Where", {p, t, e}), index};
}

}  // namespace

void register_control_ops(OpTable& t) {
  t["If"] = t["StatelessIf"] = if_op;
  t["While"] = t["StatelessWhile"] = while_op;
  t["Exit"] = exit_op;
  for (const char* op : {"Enter", "NextIteration", "LoopCond"}) t[op] = frame_only;
  t["Switch"] = switch_op;
  t["Merge"] = merge_op;
}

}  // namespace modelport::tf

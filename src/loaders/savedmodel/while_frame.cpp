#include "while_frame.h"

#include <set>

#include "modelport/error.h"

namespace modelport::tf {
namespace {

std::string frame_name(const FlatNode& enter) {
  if (!enter.attrs) return "";
  auto it = enter.attrs->find("frame_name");
  return it == enter.attrs->end() ? "" : it->second.s();
}

const FlatNode* input_node(const FlatGraph& fg, const FlatNode& n, size_t i) {
  return i < n.inputs.size() ? fg.find(split_tensor_name(n.inputs[i]).first) : nullptr;
}

}  // namespace

std::vector<std::string> WhileFrame::outer_inputs() const {
  std::vector<std::string> out;
  for (auto& v : vars) out.push_back(v.enter->inputs.at(0));
  for (auto* e : invariants) out.push_back(e->inputs.at(0));
  return out;
}

WhileFrame find_while_frame(const FlatGraph& fg, const FlatNode& exit) {
  auto bad = [&](const std::string& cause) -> Error {
    return Error(fg.where() + ": Exit node '" + exit.name + "': " + cause);
  };
  const FlatNode* sw = input_node(fg, exit, 0);
  if (!sw || sw->op != "Switch") throw bad("does not read a Switch (not a tf.while_loop frame)");
  const FlatNode* merge = input_node(fg, *sw, 0);
  const FlatNode* cond = input_node(fg, *sw, 1);
  if (!merge || merge->op != "Merge" || !cond || cond->op != "LoopCond")
    throw bad("its Switch '" + sw->name + "' does not read a Merge and a LoopCond (not a tf.while_loop frame)");
  const FlatNode* enter = nullptr;
  for (size_t i = 0; i < merge->inputs.size(); ++i)
    if (const FlatNode* m = input_node(fg, *merge, i); m && m->op == "Enter") enter = m;
  if (!enter) throw bad("Merge '" + merge->name + "' reads no Enter node");

  WhileFrame f;
  f.name = frame_name(*enter);
  f.loop_cond = cond;
  for (auto& n : fg.nodes()) {
    if (n.op != "Enter" || frame_name(n) != f.name) continue;
    if (n.inputs.size() != 1) throw bad("Enter '" + n.name + "' has no input");
    const FlatNode* m = nullptr;
    for (const FlatNode* c : fg.consumers(n.name))
      if (c->op == "Merge") m = c;
    if (!m) {
      f.invariants.push_back(&n);
      continue;
    }
    WhileFrame::Var v;
    v.enter = &n;
    v.merge = m;
    for (size_t i = 0; i < m->inputs.size(); ++i)
      if (const FlatNode* x = input_node(fg, *m, i); x && x->op == "NextIteration") v.next = x;
    for (const FlatNode* c : fg.consumers(m->name))
      if (c->op == "Switch" && c->inputs.size() == 2 && split_tensor_name(c->inputs[1]).first == cond->name)
        v.sw = c;
    if (!v.next || !v.sw || v.next->inputs.size() != 1)
      throw Error(fg.where() + ": while loop frame '" + f.name + "': Merge '" + m->name +
                  "' lacks its NextIteration or its Switch on '" + cond->name + "'");
    for (const FlatNode* c : fg.consumers(v.sw->name))
      if (c->op == "Exit") v.exit = c;
    f.vars.push_back(v);
  }
  if (cond->inputs.size() != 1) throw bad("LoopCond '" + cond->name + "' has no input");
  return f;
}

std::vector<const FlatNode*> frame_nodes(const FlatGraph& fg, const WhileFrame& f) {
  std::vector<const FlatNode*> out, todo{f.loop_cond};
  for (auto& v : f.vars) todo.insert(todo.end(), {v.next, v.sw, v.merge});
  for (auto& v : f.vars)
    if (v.exit) todo.push_back(v.exit);
  todo.insert(todo.end(), f.invariants.begin(), f.invariants.end());
  std::set<const FlatNode*> seen(todo.begin(), todo.end());
  while (!todo.empty()) {
    const FlatNode* n = todo.back();
    todo.pop_back();
    out.push_back(n);
    if (n->op == "Enter") continue;
    for (auto& in : n->inputs)
      if (const FlatNode* m = fg.find(split_tensor_name(in).first); m && seen.insert(m).second) todo.push_back(m);
  }
  return out;
}

}  // namespace modelport::tf

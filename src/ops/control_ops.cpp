// Control flow: If and Loop. Their outputs are what their subgraphs produce: an If output has the
// dims both branches agree on, a Loop's carried output the dims its initial value and the body's
// result and the body's carried input agree on (scan outputs are left unknown).
#include "ops/op_def.h"
#include "ops/shape_support.h"

namespace modelport {
namespace ops {
namespace {

const Graph* graph_attr(const Node& n, const char* name) {
  auto it = n.attrs.find(name);
  if (it == n.attrs.end() || !std::holds_alternative<GraphPtr>(it->second)) return nullptr;
  return std::get<GraphPtr>(it->second).get();
}

// The dims `a` and `b` share; an unknown rank when their ranks differ.
Shape agree(const Shape& a, const Shape& b) {
  if (!a.rank_known || !b.rank_known || a.rank() != b.rank()) return Shape();
  std::vector<Dim> dims;
  for (size_t i = 0; i < a.rank(); ++i) dims.push_back(a.dims[i] == b.dims[i] ? a.dims[i] : Dim::unknown());
  return Shape(dims);
}

const Value* output_of(const Graph* g, size_t i) { return g && i < g->outputs.size() ? g->outputs[i] : nullptr; }

Shapes if_shape(const Node& n, const ShapeValues&) {
  const Graph *t = graph_attr(n, "then_branch"), *e = graph_attr(n, "else_branch");
  std::vector<Shape> out;
  for (size_t i = 0; i < n.outputs.size(); ++i) {
    const Value *a = output_of(t, i), *b = output_of(e, i);
    out.push_back(a && b ? agree(a->shape, b->shape) : Shape());
  }
  return out;
}

DType if_type(const Node& n, size_t i) {
  for (const char* branch : {"then_branch", "else_branch"})
    if (const Value* v = output_of(graph_attr(n, branch), i); v && v->dtype != DType::Undefined) return v->dtype;
  return DType::Undefined;
}

// Loop(M, cond, v_initial...) -> (v_final..., scan outputs...); the body returns (cond, v...).
Shapes loop_shape(const Node& n, const ShapeValues&) {
  const Graph* body = graph_attr(n, "body");
  std::vector<Shape> out;
  for (size_t i = 0; i < n.outputs.size(); ++i) {
    const Value *init = n.input(2 + i), *next = output_of(body, 1 + i);
    const Value* carried = body && 2 + i < body->inputs.size() ? body->inputs[2 + i] : nullptr;
    Shape s = init && next ? agree(init->shape, next->shape) : Shape();
    out.push_back(carried ? agree(s, carried->shape) : s);
  }
  return out;
}

DType loop_type(const Node& n, size_t i) {
  if (const Value* init = n.input(2 + i)) return init->dtype;
  const Value* v = output_of(graph_attr(n, "body"), 1 + i);
  return v ? v->dtype : DType::Undefined;
}

}  // namespace

void add_control_ops(Table& t) {
  t.push_back({"If", Layout::Opaque, if_shape, nullptr, nullptr, if_type});
  t.push_back({"Loop", Layout::Opaque, loop_shape, nullptr, nullptr, loop_type});
}

}  // namespace ops
}  // namespace modelport

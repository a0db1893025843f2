#include "ops/infer.h"

#include "ops/op_def.h"

namespace modelport {
namespace {

// Keeps `v`'s known dims and fills the unknown ones from `inferred`.
void merge_into(Value* v, const Shape& inferred) {
  if (!v || !inferred.rank_known) return;
  if (!v->shape.rank_known) {
    v->shape = inferred;
    return;
  }
  if (v->shape.rank() != inferred.rank()) return;
  for (size_t i = 0; i < inferred.rank(); ++i) {
    Dim& d = v->shape.dims[i];
    if (!d.is_fixed() && !d.is_symbol()) d = inferred.dims[i];
  }
}

}  // namespace

void refine_output_shapes(Node& n, const ShapeValues& sv) {
  if (!n.domain.empty() || n.outputs.empty() || !n.outputs[0] || n.inputs.empty()) return;
  if (!n.input(0) && n.op != "Loop") return;  // only Loop's input 0 (the trip count) is optional
  const ops::OpDef* def = ops::find(n.op);
  if (!def || !def->shape) return;
  auto shapes = def->shape(n, sv);
  if (!shapes) return;
  for (size_t i = 0; i < shapes->size() && i < n.outputs.size(); ++i) merge_into(n.outputs[i], (*shapes)[i]);
}

void refine_shapes(Graph& g) {
  ShapeValues sv;
  for (auto& n : g.nodes()) {
    for_each_subgraph_of(*n, [](Graph& sg) { refine_shapes(sg); });
    refine_output_shapes(*n, sv);
    sv.record(*n);
  }
}

namespace ops {

DType output_dtype(const Node& n, size_t i) {
  const OpDef* def = n.domain.empty() ? find(n.op) : nullptr;
  if (def && def->type) return def->type(n, i);
  return n.inputs.empty() || !n.inputs[0] ? DType::Undefined : n.inputs[0]->dtype;
}

void infer_node(Node& n, ShapeValues& sv) {
  for (size_t i = 0; i < n.outputs.size(); ++i)
    if (n.outputs[i] && n.outputs[i]->dtype == DType::Undefined) n.outputs[i]->dtype = output_dtype(n, i);
  refine_output_shapes(n, sv);
  sv.record(n);
}

void assume_shape(Value& v, const Shape& known) { merge_into(&v, known); }

}  // namespace ops
}  // namespace modelport

#include "passes/const_eval.h"

#include "ops/op_def.h"

namespace modelport {

std::optional<std::vector<Tensor>> eval_constant_node(const Node& n) {
  if (!n.domain.empty() || n.outputs.size() != 1 || n.inputs.empty() || !n.inputs[0]) return std::nullopt;
  const ops::OpDef* def = ops::find(n.op);
  if (!def || !def->eval) return std::nullopt;
  std::vector<const Tensor*> in;
  for (Value* v : n.inputs) {
    if (v && !v->is_constant()) return std::nullopt;
    in.push_back(v ? v->constant.get() : nullptr);
  }
  if (in[0]->dtype == DType::String) return std::nullopt;
  try {
    auto t = def->eval(n, in);
    if (!t) return std::nullopt;
    return std::vector<Tensor>{*t};
  } catch (const std::exception&) {
    return std::nullopt;  // malformed inputs: leave the node to the runtime, which reports it
  }
}

}  // namespace modelport

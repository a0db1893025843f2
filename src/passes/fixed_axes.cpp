#include "passes/fixed_axes.h"

#include <set>

namespace modelport {
namespace {

bool has_symbol(const Shape& s) {
  if (!s.rank_known) return false;
  for (auto& d : s.dims)
    if (d.is_symbol()) return true;
  return false;
}

}  // namespace

// A Reshape or Expand whose data input carries a symbolic axis but whose target shape is a
// constant, giving an output of fully fixed size: the example's size was baked into the graph
// (what pytorch#99516 does silently). One warning per node, naming the node and its source.
std::vector<std::string> find_fixed_symbolic_axes(const Graph& g) {
  std::vector<std::string> warnings;
  for (auto& n : g.nodes()) {
    if (n->op != "Reshape" && n->op != "Expand") continue;
    Value* x = n->input(0);
    Value* shape = n->input(1);
    if (!x || !shape || !shape->is_constant() || n->outputs.empty()) continue;
    if (!has_symbol(x->shape) || !(n->outputs[0]->shape.all_fixed() && n->outputs[0]->shape.rank() > 0)) continue;
    std::string symbols;
    for (auto& d : x->shape.dims)
      if (d.is_symbol()) symbols += (symbols.empty() ? "" : ", ") + d.symbol;
    warnings.push_back("symbolic axis " + symbols + " becomes fixed in " + n->op + " node '" + n->name + "'" +
                       (n->source.empty() ? "" : " (" + n->source + ")") + ": output shape " +
                       n->outputs[0]->shape.str() + " is a constant taken from the model");
  }
  return warnings;
}

}  // namespace modelport

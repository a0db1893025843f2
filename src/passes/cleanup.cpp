#include "passes/cleanup.h"

#include "passes/constant_fold.h"
#include "passes/fold_affine.h"

namespace modelport {

size_t remove_identities(Graph& g) {
  size_t removed = 0;
  for_each_subgraph(g, [&](Graph& sg) { removed += remove_identities(sg); });
  std::vector<const Node*> dead;
  for (auto& n : g.nodes()) {
    if (n->op != "Identity" || !n->domain.empty() || n->inputs.size() != 1 || !n->inputs[0]) continue;
    Value* out = n->outputs[0];
    if (g.is_output(out)) continue;
    g.replace_all_uses(out, n->inputs[0]);
    dead.push_back(n.get());
  }
  g.erase_nodes(dead);
  return removed + dead.size();
}

void cleanup_graph(Graph& g) {
  fold_constants(g);
  fold_affine(g);
  remove_identities(g);
  g.remove_dead();
}

}  // namespace modelport

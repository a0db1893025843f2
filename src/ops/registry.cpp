#include <algorithm>
#include <stdexcept>
#include <unordered_map>

#include "ops/op_def.h"

namespace modelport {
namespace ops {
namespace {

struct Registry {
  std::vector<OpDef> defs;
  std::unordered_map<std::string, size_t> index;

  Registry() {
    add_elementwise_ops(defs);
    add_shape_ops(defs);
    add_reduce_ops(defs);
    add_nn_ops(defs);
    add_index_ops(defs);
    add_control_ops(defs);
    add_quant_ops(defs);
    std::sort(defs.begin(), defs.end(), [](const OpDef& a, const OpDef& b) { return a.name < b.name; });
    for (size_t i = 0; i < defs.size(); ++i)
      if (!index.emplace(defs[i].name, i).second) throw std::logic_error("op layer: two entries for " + defs[i].name);
  }
};

const Registry& registry() {
  static const Registry r;
  return r;
}

}  // namespace

const OpDef* find(const std::string& op) {
  const Registry& r = registry();
  auto it = r.index.find(op);
  return it == r.index.end() ? nullptr : &r.defs[it->second];
}

const std::vector<OpDef>& all() { return registry().defs; }

DType bool_type(const Node&, size_t) { return DType::Bool; }
DType int64_type(const Node&, size_t) { return DType::Int64; }

bool is_elementwise(const std::string& op) {
  const OpDef* d = find(op);
  return d && d->layout == Layout::Elementwise;
}

bool is_broadcast(const std::string& op) {
  const OpDef* d = find(op);
  return d && d->layout == Layout::Broadcast;
}

}  // namespace ops
}  // namespace modelport

// Graph::add_output: naming graph outputs, one mechanism for every loader.
#include <algorithm>

#include "modelport/ir.h"

namespace modelport {

Value* Graph::add_output(Value* v, const std::string& name) {
  bool is_input = std::find(inputs.begin(), inputs.end(), v) != inputs.end();
  if (is_input && v->name == name) {  // ONNX lets a graph output be a graph input as it is
    outputs.push_back(v);
    return v;
  }
  bool own = false;
  if (v->producer)
    for (auto& n : nodes_) own |= n.get() == v->producer;
  if (!own || is_output(v)) {  // input, constant, outer value, or an output already: give it its own node
    Node* n = add_node("Identity", {v}, 1, {}, name + "/identity");
    n->source = v->producer ? v->producer->source : v->name;
    n->outputs[0]->dtype = v->dtype;
    n->outputs[0]->shape = v->shape;
    v = n->outputs[0];
  }
  // A name no value or node uses yet, not reserved (unique_name would reserve it, and rename refuses
  // reserved names).
  auto free_name = [&](const std::string& base) {
    for (int k = 1;; ++k) {
      std::string cand = base + "_" + std::to_string(k);
      bool used = false;
      for (const Graph* g = this; g; g = g->parent_) used |= g->used_names_.count(cand) != 0;
      if (!used) return cand;
    }
  };
  if (!rename(v, name)) {
    // Move an intermediate holder of the name aside; inputs, outputs and outer names stay.
    bool fixed = false;
    for (const Graph* g = parent_; g; g = g->parent_) fixed |= g->used_names_.count(name) != 0;
    for (Value* o : inputs) fixed |= o->name == name;
    for (Value* o : outputs) fixed |= o->name == name;
    if (!fixed) {
      for (auto& other : values_)
        if (other->name == name) rename(other.get(), free_name(name));
      for (auto& n : nodes_)
        if (n->name == name) {
          n->name = free_name(name + "_node");
          used_names_[n->name] = true;
        }
      used_names_.erase(name);  // also a stale reservation (names of removed nodes stay reserved)
    }
    if (!rename(v, name)) rename(v, free_name(name));
  }
  outputs.push_back(v);
  return v;
}

}  // namespace modelport

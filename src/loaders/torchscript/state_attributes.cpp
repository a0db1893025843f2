#include "loaders/torchscript/state_attributes.h"

#include "loaders/torchscript/weights.h"
#include "modelport/error.h"

namespace modelport::ts {
namespace {

// Attribute path of module value `v` from self: "" for self, "inner" for self.inner; nullopt when
// `v` is no chain of GetAttr from self.
std::optional<std::string> module_path(const jit::Value* v, const jit::Value* self) {
  if (v == self) return std::string();
  const jit::Node* n = v->node();
  if (n->kind() != c10::prim::GetAttr) return std::nullopt;
  auto base = module_path(n->input(0), self);
  if (!base) return std::nullopt;
  return base->empty() ? n->s(jit::attr::name) : *base + "." + n->s(jit::attr::name);
}

bool assigns_in(const jit::Block* b) {
  for (const jit::Node* n : b->nodes()) {
    if (n->kind() == c10::prim::SetAttr) return true;
    for (const jit::Block* sub : n->blocks())
      if (assigns_in(sub)) return true;
  }
  return false;
}

}  // namespace

std::optional<c10::IValue> attribute_at(c10::IValue v, const std::string& dotted) {
  for (size_t start = 0; start <= dotted.size();) {
    size_t dot = std::min(dotted.find('.', start), dotted.size());
    std::string part = dotted.substr(start, dot - start);
    if (!v.isObject() || !v.toObjectRef().type()->hasAttribute(part)) return std::nullopt;
    v = v.toObjectRef().getAttr(part);
    start = dot + 1;
  }
  return v;
}

std::vector<StateAttribute> find_state_attributes(const std::string& path, const PreparedModule& pm) {
  std::vector<StateAttribute> out;
  if (!pm.first_arg) return out;
  const jit::Value* self = pm.graph->inputs()[0];
  for (const jit::Node* n : pm.graph->block()->nodes()) {
    for (const jit::Block* sub : n->blocks())
      if (assigns_in(sub))
        throw Error(path + ": forward() assigns module state inside an if/loop (" + source_location(n) +
                    "); only assignments in forward()'s main body are supported");
    if (n->kind() != c10::prim::SetAttr) continue;
    auto base = module_path(n->input(0), self);
    const std::string& name = n->s(jit::attr::name);
    if (!base) throw Error(path + ": forward() assigns attribute '" + name + "' of an object that is no submodule");
    std::string p = base->empty() ? name : *base + "." + name;
    bool seen = false;
    for (auto& s : out) seen |= s.path == p;
    if (seen) continue;
    auto found = attribute_at(pm.module._ivalue(), p);
    if (!found) throw Error(path + ": forward() assigns '" + p + "', which the module has no value for at export");
    const c10::IValue& v = *found;
    if (!v.isTensor())
      throw Error(path + ": forward() assigns module state '" + p + "' of type " + v.tagKind() +
                  "; only tensor state can become an ONNX input/output");
    out.push_back({p, tensor_from_torch(v.toTensor(), path, "module state '" + p + "'")});
  }
  return out;
}

}  // namespace modelport::ts

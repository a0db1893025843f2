#include "loaders/torchscript/lower_graph.h"

#include "loaders/torchscript/context.h"
#include "loaders/torchscript/registry.h"

namespace modelport::ts {
namespace {

const c10::Symbol kIf = c10::Symbol::fromQualString("prim::If");
const c10::Symbol kRaise = c10::Symbol::fromQualString("prim::RaiseException");

void lower_block(Ctx& c, const jit::Block* b);

// A block that always raises (TorchScript's lowering of `assert` / `raise`).
bool raises(const jit::Block* b) {
  for (const jit::Node* n : b->nodes())
    if (n->kind() == kRaise) return true;
  return false;
}

void lower_if(Ctx& c, const jit::Node* n) {
  const LVal& cond = c.get(n->input(0));
  const jit::Block* taken = nullptr;
  if (cond.kind == LVal::Kind::Bool || cond.kind == LVal::Kind::Int) {
    taken = n->blocks()[cond.kind == LVal::Kind::Bool ? (cond.b ? 0 : 1) : (cond.i ? 0 : 1)];
  } else if (raises(n->blocks()[1]) && !raises(n->blocks()[0])) {
    taken = n->blocks()[0];  // a run-time check: keep the non-raising path
  } else if (raises(n->blocks()[0]) && !raises(n->blocks()[1])) {
    taken = n->blocks()[1];
  } else {
    std::string loc = source_location(n);
    throw Error(c.path + ": unsupported TorchScript ops: prim::If x1 (data-dependent condition" +
                (loc.empty() ? std::string(")") : ", first at " + loc + ")"));
  }
  lower_block(c, taken);
  for (size_t i = 0; i < n->outputs().size(); ++i) c.bind(n->output(i), c.get(taken->outputs()[i]));
}

void lower_block(Ctx& c, const jit::Block* b) {
  for (const jit::Node* n : b->nodes()) {
    c.node = n;
    if (n->kind() == kIf) {
      lower_if(c, n);
      continue;
    }
    const LowerFn* fn = find_lowering(n->kind().toQualString());
    if (!fn) c.fail("no lowering");
    (*fn)(c);
    for (const jit::Value* o : n->outputs())
      if (!c.has(o)) {
        if (o->uses().empty()) c.bind(o, LVal::none());
        else c.fail("internal: output %" + o->debugName() + " was not lowered");
      }
  }
}

void flatten_outputs(Ctx& c, const LVal& l, std::vector<Value*>& out) {
  if (l.is_seq()) {
    for (auto& x : l.items) flatten_outputs(c, x, out);
  } else if (l.is_tensor()) {
    out.push_back(l.v);
  } else if (l.is_number()) {
    out.push_back(c.tensor_of(l));
  } else {
    throw Error(c.path + ": forward() returns a " + l.describe() + "; only tensors (and tuples/lists of them) are supported");
  }
}

}  // namespace

std::vector<InputDecl> declare_inputs(const std::string& path, const PreparedModule& pm, const LoadOptions& opts) {
  const auto& args = pm.arg_names;
  if (opts.inputs.size() > args.size())
    throw UsageError(path + ": " + std::to_string(opts.inputs.size()) + " --input given but forward() takes " +
                     std::to_string(args.size()) + " argument(s)");
  // Specs name forward() arguments when every name matches one; otherwise they apply in order.
  bool by_name = !opts.inputs.empty();
  for (auto& s : opts.inputs) by_name &= std::find(args.begin(), args.end(), s.name) != args.end();
  std::vector<InputDecl> decls;
  for (size_t i = 0; i < args.size(); ++i) {
    const jit::Value* tv = pm.graph->inputs().at(pm.first_arg + i);
    InputDecl d;
    d.source_name = args[i];
    d.name = args[i];
    const InputSpec* spec = nullptr;
    if (by_name) {
      for (auto& s : opts.inputs)
        if (s.name == args[i]) spec = &s;
    } else if (i < opts.inputs.size()) {
      spec = &opts.inputs[i];
    }
    auto tt = tv->type()->cast<c10::TensorType>();
    if (!tt)
      throw Error(path + ": forward() argument '" + args[i] + "' has type " + tv->type()->repr_str() +
                  "; only Tensor arguments are supported");
    if (auto st = tt->scalarType()) d.dtype = dtype_from_torch(*st);
    if (auto sizes = tt->sizes().concrete_sizes()) d.shape = Shape::of(*sizes);
    if (spec) {
      if (!spec->name.empty()) d.name = spec->name;
      if (spec->dtype) d.dtype = *spec->dtype;
      if (spec->shape) d.shape = *spec->shape;
    }
    decls.push_back(d);
  }
  return decls;
}

void lower_graph(const std::string& path, const PreparedModule& pm, const LoadOptions& opts, Model& model) {
  Graph& g = *model.graph;
  Ctx c(g, path);
  auto decls = declare_inputs(path, pm, opts);
  for (size_t i = 0; i < decls.size(); ++i) {
    Value* v = g.add_input(decls[i].name, decls[i].dtype, decls[i].shape);
    if (v->name != decls[i].name) throw UsageError(path + ": duplicate input name '" + decls[i].name + "'");
    c.bind(pm.graph->inputs().at(pm.first_arg + i), LVal::tensor(v));
    model.source_input_names.push_back(decls[i].source_name);
  }
  if (pm.first_arg) c.bind(pm.graph->inputs()[0], LVal::none());
  lower_block(c, pm.graph->block());
  c.node = nullptr;

  std::vector<Value*> outs;
  for (const jit::Value* o : pm.graph->outputs()) flatten_outputs(c, c.get(o), outs);
  if (!opts.outputs.empty() && opts.outputs.size() != outs.size())
    throw UsageError(path + ": " + std::to_string(opts.outputs.size()) + " --output name(s) given but the model has " +
                     std::to_string(outs.size()) + " output(s)");
  for (size_t i = 0; i < outs.size(); ++i) {
    Value* v = outs[i];
    bool reuse = !v->producer || std::find(g.outputs.begin(), g.outputs.end(), v) != g.outputs.end();
    if (reuse) {
      Value* id = g.op("Identity", {v});
      id->dtype = v->dtype;
      id->shape = v->shape;
      v = id;
    }
    std::string name = opts.outputs.empty() ? "output_" + std::to_string(i) : opts.outputs[i];
    if (!g.rename(v, name)) throw UsageError(path + ": output name '" + name + "' is already used in the graph");
    g.outputs.push_back(v);
    model.source_output_names.push_back("output_" + std::to_string(i));
  }
  g.remove_dead();
}

}  // namespace modelport::ts

#include "loaders/torchscript/lower_graph.h"

#include "loaders/torchscript/context.h"
#include "loaders/torchscript/control_flow.h"
#include "loaders/torchscript/input_inference.h"
#include "loaders/torchscript/registry.h"
#include "loaders/torchscript/state_attributes.h"

namespace modelport::ts {
namespace {

const c10::Symbol kIf = c10::Symbol::fromQualString("prim::If");
const c10::Symbol kLoop = c10::Symbol::fromQualString("prim::Loop");

// An in-place op (its schema writes its first argument: relu_, clamp_, sigmoid_, ...) whose
// lowering computed the new value without storing it: the value is written into the tensor and
// every tensor it is a view of, so later reads see it (ops that store it themselves are left alone).
void write_back_in_place(Ctx& c, const jit::Node* n) {
  const auto* s = n->maybeSchema();
  if (!s || s->arguments().empty() || n->inputs().empty() || n->outputs().size() != 1) return;
  const auto& a = s->arguments()[0].alias_info();
  if (!a || !a->isWrite() || n->input(0)->type()->kind() != c10::TypeKind::TensorType) return;
  const LVal &in = c.get(n->input(0)), &out = c.get(n->output(0));
  if (in.is_tensor() && out.is_tensor() && in.v != out.v) write_through(c, n->input(0), out.v);
}

}  // namespace

void lower_block(Ctx& c, const jit::Block* b) {
  for (const jit::Node* n : b->nodes()) {
    c.node = n;
    if (n->kind() == kIf || n->kind() == kLoop) {
      if (n->kind() == kIf) lower_if(c, n);
      else lower_loop(c, n);
      continue;
    }
    const LowerFn* fn = find_lowering(n->kind().toQualString());
    if (!fn) c.fail("no lowering");
    (*fn)(c);
    write_back_in_place(c, n);
    for (const jit::Value* o : n->outputs())
      if (!c.has(o)) {
        if (o->uses().empty()) c.bind(o, LVal::none());
        else c.fail("its lowering gave no value for output %" + o->debugName());
      }
  }
}

namespace {

// Flattens forward()'s result into tensors, with a name for each: dict keys and named-tuple
// fields become names ("out", "aux", "logits.start" when nested); other outputs get "".
void flatten_outputs(Ctx& c, const LVal& l, const c10::TypePtr& type, const std::string& name,
                     std::vector<std::pair<Value*, std::string>>& out) {
  auto join = [&](const std::string& k) { return name.empty() ? k : name + "." + k; };
  if (l.is_dict()) {
    auto dt = type ? type->cast<c10::DictType>() : nullptr;
    for (size_t i = 0; i < l.items.size(); ++i)
      flatten_outputs(c, l.items[i], dt ? dt->getValueType() : nullptr, join(l.keys[i]), out);
  } else if (l.is_seq()) {
    auto tt = type ? type->cast<c10::TupleType>() : nullptr;
    bool named = tt && tt->schema() && tt->schema()->arguments().size() == l.items.size();
    for (size_t i = 0; i < l.items.size(); ++i) {
      c10::TypePtr et = tt && i < tt->elements().size() ? tt->elements()[i] : nullptr;
      flatten_outputs(c, l.items[i], et, named ? join(tt->schema()->arguments()[i].name()) : name, out);
    }
  } else if (l.is_tensor()) {
    out.push_back({l.v, name});
  } else if (l.is_number()) {
    out.push_back({c.tensor_of(l), name});
  } else if (l.is_none() && !name.empty()) {
    // An absent optional field of a named tuple or dict (googlenet's aux logits in eval): no output.
  } else {
    throw Error(c.path + ": forward() returns a " + l.describe() +
                "; only tensors (and tuples/lists/dicts of them) are supported");
  }
}

}  // namespace

std::vector<InputDecl> declare_inputs(const std::string& path, const PreparedModule& pm, const LoadOptions& opts,
                                      bool refuse_unknown) {
  const auto& args = pm.arg_names;
  if (opts.inputs.size() > args.size())
    throw UsageError(path + ": " + std::to_string(opts.inputs.size()) + " --input given but forward() takes " +
                     std::to_string(args.size()) + " argument(s)");
  // Specs name forward() arguments when every name matches one; otherwise they apply in order.
  bool by_name = !opts.inputs.empty();
  for (auto& s : opts.inputs) by_name &= std::find(args.begin(), args.end(), s.name) != args.end();
  std::vector<InputDecl> decls;
  std::vector<std::string> evidence;
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
    if (!tv->type()->cast<c10::TensorType>())
      throw Error(path + ": forward() argument '" + args[i] + "' has type " + tv->type()->repr_str() +
                  "; only Tensor arguments are supported");
    if (spec && !spec->name.empty()) d.name = spec->name;
    bool need_dtype = !spec || !spec->dtype, need_shape = !spec || !spec->shape;
    RecordedInput rec;
    if (need_dtype || need_shape) rec = recorded_input(tv, d.name);
    if (spec && spec->dtype) d.dtype = *spec->dtype;
    else if (rec.dtype) d.dtype = *rec.dtype;
    else d.dtype_known = false;
    if (spec && spec->shape) d.shape = *spec->shape;
    else if (rec.shape) d.shape = *rec.shape;
    if (((need_dtype && rec.dtype) || (need_shape && rec.shape)) && d.dtype_known && d.shape.rank_known)
      d.recorded = rec.evidence;
    decls.push_back(d);
    evidence.push_back(rec.evidence);
  }
  std::string unknown, example;
  for (size_t i = 0; i < decls.size(); ++i) {
    const InputDecl& d = decls[i];
    if (d.dtype_known && d.shape.rank_known) continue;
    std::string what = !d.dtype_known && !d.shape.rank_known ? "neither recorded"
                       : !d.dtype_known                     ? "no dtype"
                                                            : "no rank";
    if (!evidence[i].empty() && d.dtype_known) what += ", " + std::string(dtype_name(d.dtype)) + " from " + evidence[i];
    unknown += (unknown.empty() ? "" : ", ") + d.source_name + " (" + what + ")";
    example += " --input " + d.name + ":" + (d.dtype_known ? dtype_name(d.dtype) : "DTYPE") +
               (d.shape.rank_known ? d.shape.str() : "[DIM,...]");
  }
  if (!unknown.empty() && refuse_unknown)
    throw UsageError(path + ": the archive does not record the dtype and rank of forward() input(s) " + unknown +
                     "; give them with --input in forward()'s order, e.g." + example +
                     " (DIM: a size, or a symbol such as batch for a dynamic axis)");
  return decls;
}

void lower_graph(const std::string& path, const PreparedModule& pm, const LoadOptions& opts, Model& model) {
  Graph& g = *model.graph;
  Ctx c(g, path);
  c.quantized_float = opts.quantized == QuantizedMode::Float;
  auto decls = declare_inputs(path, pm, opts);
  for (size_t i = 0; i < decls.size(); ++i) {
    Value* v = g.add_input(decls[i].name, decls[i].dtype, decls[i].shape);
    if (v->name != decls[i].name) throw UsageError(path + ": duplicate input name '" + decls[i].name + "'");
    c.bind(pm.graph->inputs().at(pm.first_arg + i), LVal::tensor(v));
    model.source_input_names.push_back(decls[i].source_name);
    if (!decls[i].recorded.empty())
      model.warnings.push_back("input " + decls[i].name + ": no --input given; " + dtype_name(decls[i].dtype) +
                               decls[i].shape.str() + " from what the archive records (" + decls[i].recorded + ")");
  }
  // State inputs after forward()'s arguments: <path>_in, shaped as the value at export.
  for (auto& s : find_state_attributes(path, pm)) {
    StateTensor st{s.path, s.path + "_in", s.path + "_out", s.initial};
    Value* v = g.add_input(st.input, st.initial.dtype, Shape::of(st.initial.dims));
    if (v->name != st.input) throw UsageError(path + ": input name '" + st.input + "' (module state) is already used");
    (*c.state)[s.path] = v;
    model.source_input_names.push_back(s.path);
    model.state.push_back(std::move(st));
  }
  if (pm.first_arg) c.bind(pm.graph->inputs()[0], model.state.empty() ? LVal::none() : LVal::module(""));
  lower_block(c, pm.graph->block());
  c.node = nullptr;
  model.warnings.insert(model.warnings.end(), c.warnings->begin(), c.warnings->end());

  std::vector<std::pair<Value*, std::string>> named_outs;
  for (const jit::Value* o : pm.graph->outputs()) flatten_outputs(c, c.get(o), o->type(), "", named_outs);
  std::vector<Value*> outs;
  for (auto& [v, n] : named_outs) outs.push_back(v);
  if (!opts.outputs.empty() && opts.outputs.size() != outs.size())
    throw UsageError(path + ": " + std::to_string(opts.outputs.size()) + " --output name(s) given but the model has " +
                     std::to_string(outs.size()) + " output(s)");
  for (size_t i = 0; i < outs.size(); ++i) {
    std::string name = !opts.outputs.empty()           ? opts.outputs[i]
                       : !named_outs[i].second.empty() ? named_outs[i].second
                                                       : "output_" + std::to_string(i);
    if (g.add_output(outs[i], name)->name != name)
      throw UsageError(path + ": output name '" + name + "' is already used in the graph");
    model.source_output_names.push_back(named_outs[i].second.empty() ? "output_" + std::to_string(i)
                                                                      : named_outs[i].second);
  }
  std::string listed;
  for (auto& st : model.state) {
    if (g.add_output(c.state->at(st.source), st.output)->name != st.output)
      throw UsageError(path + ": output name '" + st.output + "' (module state) is already used in the graph");
    model.source_output_names.push_back(st.source);
    listed += (listed.empty() ? "" : ";") + st.source + ":" + st.input + ":" + st.output;
  }
  if (!listed.empty()) model.metadata[kStateMetadataKey] = listed;
  g.remove_dead();
}

}  // namespace modelport::ts

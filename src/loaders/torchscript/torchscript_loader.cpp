// Entry points of the TorchScript loader (declared in modelport/loaders.h).
#include "loaders/torchscript/lower_graph.h"
#include "loaders/torchscript/module.h"
#include "loaders/torchscript/state_attributes.h"
#include "loaders/torchscript/unsupported.h"
#include "modelport/error.h"
#include "modelport/loaders.h"

namespace modelport {

Model load_torchscript(const std::string& path, const LoadOptions& opts) {
  ts::PreparedModule pm = ts::prepare_module(path);
  auto unsupported = ts::find_unsupported(*pm.graph);
  if (!unsupported.empty()) throw Error(ts::unsupported_message(path, unsupported));
  Model m;
  m.source_path = path;
  m.source_format = "torchscript";
  m.producer_name = "pytorch";
  m.producer_version = pm.format_version;
  m.description = "TorchScript module " + pm.class_name;
  if (!pm.format_version.empty()) m.metadata["torchscript_file_format_version"] = pm.format_version;
  try {
    // Weights reach the IR as views of the mapped archive where they can (archive_weights.h):
    // libtorch's copies are freed with `pm`, when this function returns.
    ts::ArchiveWeights::Use use(pm.weights.get());
    ts::lower_graph(path, pm, opts, m);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(path + ": lowering the TorchScript graph failed (" + std::string(e.what()).substr(0, 200) + ")");
  }
  return m;
}

SourceReport inspect_torchscript(const std::string& path, const LoadOptions& opts) {
  ts::PreparedModule pm = ts::prepare_module(path);
  SourceReport r;
  r.format = "torchscript";
  r.producer_name = "pytorch";
  r.producer_version = pm.format_version;
  r.extra["module"] = pm.class_name;
  if (!pm.format_version.empty()) r.extra["file_format_version"] = pm.format_version;
  for (auto& d : ts::declare_inputs(path, pm, opts, /*refuse_unknown=*/false))
    r.inputs.push_back({d.name, d.dtype_known ? dtype_name(d.dtype) : "?", d.shape.str()});
  size_t n_out = 0;
  for (const auto* o : pm.graph->outputs()) {
    if (auto tup = o->type()->cast<c10::TupleType>()) n_out += tup->elements().size();
    else n_out += 1;
  }
  for (size_t i = 0; i < n_out; ++i)
    r.outputs.push_back({i < opts.outputs.size() ? opts.outputs[i] : "output_" + std::to_string(i), "", ""});
  // Module state: an input and an output each, initial value the attribute's value at export.
  std::string state;
  std::vector<ts::StateAttribute> attrs;
  try {
    attrs = ts::find_state_attributes(path, pm);
  } catch (const Error& e) {
    r.extra["state"] = std::string("cannot be converted: ") + e.what();
  }
  for (auto& s : attrs) {
    std::string shape = Shape::of(s.initial.dims).str();
    r.inputs.push_back({s.path + "_in", dtype_name(s.initial.dtype), shape});
    r.outputs.push_back({s.path + "_out", dtype_name(s.initial.dtype), shape});
    state += (state.empty() ? "" : ", ") + s.path + " (" + s.path + "_in -> " + s.path + "_out, " +
             dtype_name(s.initial.dtype) + shape + ")";
  }
  if (!state.empty())
    r.extra["state"] = state + "; initial values: the attributes' values in the archive (export writes them as .npy)";
  r.source_ops = ts::op_histogram(*pm.graph);
  r.unsupported = ts::find_unsupported(*pm.graph);
  std::function<void(const torch::jit::Block*)> count = [&](const torch::jit::Block* b) {
    for (const torch::jit::Node* n : b->nodes()) {
      if (n->kind() == c10::prim::Constant && n->output()->type()->kind() == c10::TypeKind::TensorType)
        if (auto iv = torch::jit::toIValue(n->output()); iv && iv->isTensor()) r.parameter_count += iv->toTensor().numel();
      for (const auto* sub : n->blocks()) count(sub);
    }
  };
  count(pm.graph->block());
  return r;
}

}  // namespace modelport

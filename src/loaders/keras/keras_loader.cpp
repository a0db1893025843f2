// Entry points of the Keras loader: legacy HDF5 models (Keras 2 and 3) and Keras 3 .keras zips.
#include <fstream>
#include <algorithm>
#include <memory>
#include <optional>

#include "loaders/keras/keras_source.h"
#include "loaders/keras/legacy_config.h"
#include "loaders/keras/model_graph.h"
#include "modelport/error.h"
#include "modelport/loaders.h"
#include "modelport/passes.h"
#include "ops/infer.h"

namespace modelport {
namespace keras {
namespace {

// Built-in layers that are not lowered yet, and Lambda / custom layers (which no converter can
// turn into ONNX from a config), each group in its own words.
std::string unsupported_error(const std::string& path, const std::map<std::string, std::vector<std::string>>& u) {
  std::string later, never;
  for (auto& [cls, names] : u) {
    std::string item = cls + (names.size() > 1 ? " x" + std::to_string(names.size()) : "") + " (";
    for (size_t i = 0; i < names.size(); ++i) item += (i ? ", " : "") + names[i];
    item += ")";
    std::string& list = unsupported_is_custom(cls) ? never : later;
    list += (list.empty() ? "" : ", ") + item;
  }
  std::string msg = path + ": ";
  if (!later.empty()) msg += "Keras layers not supported yet: " + later;
  if (!never.empty())
    msg += (later.empty() ? "" : "; ") + std::string("unsupported Keras layers (Lambda and custom layers cannot be converted): ") + never;
  return msg;
}

void count_parameters(const H5Group& g, int64_t& n) {
  for (auto& child : g.children()) {
    if (g.is_dataset(child)) n += g.dataset(child).numel();
    else if (g.is_group(child)) count_parameters(g.group(child), n);
  }
}

}  // namespace

Model lower_keras_source(const std::string& path, const std::string& format, KerasSource s,
                         const LoadOptions& opts) {
  std::string source_class = s.model.value("class_name", std::string("model"));
  apply_user_config(s, path, opts);
  auto unsupported = unsupported_layers(s.model);
  if (!unsupported.empty()) throw Error(unsupported_error(path, unsupported));
  s.weights = legacy_weights(std::move(s.weights), s.model, s.major, s.backend);

  Model m;
  m.source_path = path;
  m.source_format = format;
  m.producer_name = "keras";
  m.producer_version = s.keras_version;
  m.description = "Keras " + source_class + " " +
                  s.model.value("config", json::object()).value("name", std::string());
  if (!s.backend.empty()) m.metadata["keras_backend"] = s.backend;
  Graph& g = *m.graph;
  g.name = s.model.value("config", json::object()).value("name", std::string("main"));
  Ctx c(g, s.major, path);
  BuiltModel built = build_model(c, s.model, *s.weights, {}, "", opts);

  for (size_t i = 0; i < built.outputs.size(); ++i) {
    std::string name = i < opts.outputs.size() ? opts.outputs[i] : built.output_names[i];
    Value* v = g.add_output(built.outputs[i], name);
    if (v->name != name) c.warnings.push_back("output '" + name + "' is named '" + v->name + "': an input or an earlier output has that name");
    m.source_output_names.push_back(built.output_names[i]);
  }
  for (Value* in : g.inputs) m.source_input_names.push_back(in->name);
  for (auto& n : opts.inputs_as_nchw)
    if (std::find(m.source_input_names.begin(), m.source_input_names.end(), n) == m.source_input_names.end())
      c.warnings.push_back("--inputs-as-nchw " + n + ": the model has no such input");
  g.remove_dead();
  optimize_transposes(g);
  g.remove_dead();
  refine_shapes(g);  // the outputs' shapes, with the inputs' symbols, for inspect and the emitter
  m.warnings = c.warnings;
  return m;
}

}  // namespace keras

namespace {
Model load_keras_model(const std::string& path, Format format, const LoadOptions& opts) {
  return keras::lower_keras_source(path, format_name(format), keras::read_source(path, format), opts);
}

// Runs `read` on the Keras file at `path`; a config field of a shape the loader does not read ends as
// one line naming the file.
template <class Read>
auto with_config_errors(const std::string& path, Read read) {
  try {
    return read();
  } catch (const keras::json::exception& e) {
    throw Error(path + ": model config: " + keras::json_error_text(e));
  }
}

}  // namespace

Model load_keras(const std::string& path, Format format, const LoadOptions& opts) {
  return with_config_errors(path, [&] { return load_keras_model(path, format, opts); });
}

namespace {
SourceReport inspect_keras_model(const std::string& path, Format format, const LoadOptions& opts) {
  using namespace keras;
  SourceReport r;
  KerasSource s = read_source(path, format);
  r.format = format_name(format);
  r.producer_name = "keras";
  r.producer_version = s.keras_version;
  r.extra["model_class"] = s.model.value("class_name", std::string());
  if (!s.backend.empty()) r.extra["backend"] = s.backend;
  if (s.weights_root) count_parameters(*s.weights_root, r.parameter_count);
  count_layer_classes(s.model, r.source_ops);
  if (model_kind(s.model) == ModelKind::Custom && !opts.keras_configs.count(r.extra["model_class"])) {
    r.unsupported.push_back("custom model " + s.model.value("class_name", std::string("?")));
    return r;
  }
  for (auto& [cls, names] : unsupported_layers(s.model))
    r.unsupported.push_back(cls + (names.size() > 1 ? " x" + std::to_string(names.size()) : "") + " (" + names[0] +
                            (names.size() > 1 ? ", ..." : "") + ")");
  if (!r.unsupported.empty()) return r;
  Model m = load_keras(path, format, opts);
  for (Value* v : m.graph->inputs) r.inputs.push_back({v->name, dtype_name(v->dtype), v->shape.str()});
  for (Value* v : m.graph->outputs) r.outputs.push_back({v->name, dtype_name(v->dtype), v->shape.str()});
  return r;
}

}  // namespace

SourceReport inspect_keras(const std::string& path, Format format, const LoadOptions& opts) {
  return with_config_errors(path, [&] { return inspect_keras_model(path, format, opts); });
}

}  // namespace modelport

// Entry points of the TensorFlow.js loader (model.json + weight shards).
#include <set>

#include "loaders/keras/legacy_config.h"
#include "loaders/keras/model_graph.h"
#include "loaders/tfjs/tfjs_loader.h"
#include "modelport/error.h"

namespace modelport {
namespace {

using tfjs::json;

// A field of modelTopology of a shape the loaders do not read ends as one line naming the file.
template <class F>
auto with_json_errors(const std::string& path, F f) {
  try {
    return f();
  } catch (const json::exception& e) {
    throw Error(path + ": model.json: " + keras::json_error_text(e));
  }
}

void mark_tfjs(Model& m, const tfjs::TfjsModel& src) {
  m.source_format = format_name(Format::Tfjs);
  if (!src.producer.empty()) m.metadata["tfjs_producer"] = src.producer;
}

}  // namespace

Model load_tfjs(const std::string& path, const LoadOptions& opts) {
  return with_json_errors(path, [&] {
    tfjs::TfjsModel src = tfjs::read_tfjs_model(path);
    if (!src.graph) {
      Model m = tfjs::load_layers_model(src, opts);
      mark_tfjs(m, src);
      return m;
    }
    tf::TfSource tsrc = tfjs::graph_source(src);
    Model m = tf::convert_tf_source(tsrc, opts);
    mark_tfjs(m, src);
    m.producer_name = "tensorflow.js";
    m.producer_version = src.producer;
    m.description = "TensorFlow.js graph model";
    m.metadata["tfjs_format"] = "graph-model";
    return m;
  });
}

SourceReport inspect_tfjs(const std::string& path, const LoadOptions& opts) {
  return with_json_errors(path, [&] {
    tfjs::TfjsModel src = tfjs::read_tfjs_model(path);
    SourceReport r;
    int64_t params = 0;
    for (auto& [name, t] : src.weights.list) params += t.numel();
    if (src.graph) {
      tf::TfSource tsrc = tfjs::graph_source(src);
      r = tf::inspect_tf_source(tsrc, opts);
      r.parameter_count = params;  // the frozen-graph count includes shape constants
    } else {
      const json& topo = src.doc["modelTopology"];
      json model = topo.contains("model_config") ? topo["model_config"] : topo;
      keras::normalize_model_config(model, path + ": modelTopology");
      keras::count_layer_classes(model, r.source_ops);
      for (auto& [cls, names] : keras::unsupported_layers(model))
        r.unsupported.push_back(cls + (names.size() > 1 ? " x" + std::to_string(names.size()) : "") + " (" +
                                names[0] + (names.size() > 1 ? ", ..." : "") + ")");
      if (r.unsupported.empty()) {
        Model m = load_tfjs(path, opts);
        for (Value* v : m.graph->inputs) r.inputs.push_back({v->name, dtype_name(v->dtype), v->shape.str()});
        for (Value* v : m.graph->outputs) r.outputs.push_back({v->name, dtype_name(v->dtype), v->shape.str()});
      }
      r.parameter_count = params;
    }
    r.format = format_name(Format::Tfjs);
    r.producer_name = "tensorflow.js";
    r.producer_version = src.producer;
    r.extra["tfjs_format"] = src.graph ? "graph-model" : "layers-model";
    return r;
  });
}

std::vector<std::string> tfjs_supported_ops() {
  std::set<std::string> all;
  for (auto& op : savedmodel_supported_ops()) all.insert(op);
  for (auto& l : keras_supported_layers()) all.insert(l);
  return {all.begin(), all.end()};
}

}  // namespace modelport

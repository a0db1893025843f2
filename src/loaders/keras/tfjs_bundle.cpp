// A Keras model handed to TensorFlow.js for verify: tfjs-layers reads Keras 2 topology JSON, so the
// normalized config (Keras 1.2-3.x all end in Keras 2 field layout, legacy_config.h) gets the Keras 3
// call and dtype forms rewritten; the weights go layer by layer in Keras order (tools/tfjs_run.js
// sets them with setWeights, so no weight-name convention is relied on).
#include <algorithm>
#include <cstring>

#include "loaders/keras/keras_source.h"
#include "loaders/keras/legacy_config.h"
#include "loaders/keras/model_graph.h"
#include "modelport/error.h"
#include "modelport/loaders.h"
#include "util/tfjs_weights.h"

namespace modelport {
namespace keras {
namespace {

bool is_keras_tensor(const json& v) {
  return v.is_object() && v.value("class_name", std::string()) == "__keras_tensor__";
}

json keras2_ref(const json& kt) {
  const json& h = kt.at("config").at("keras_history");
  return json::array({h.at(0), h.at(1), h.at(2)});
}

void collect_tensors(const json& v, std::vector<json>& out) {
  if (is_keras_tensor(v)) out.push_back(keras2_ref(v));
  else if (v.is_array() || v.is_object())
    for (auto& e : v) collect_tensors(e, out);
}

// Keras 3 {"args": [...], "kwargs": {...}} -> Keras 2 [[layer, node, tensor, kwargs], ...].
json keras2_node(const json& node) {
  std::vector<json> refs;
  collect_tensors(node.value("args", json::array()), refs);
  json kwargs = json::object();
  const json call_kwargs = node.value("kwargs", json::object());  // items() must not outlive it
  for (auto& [k, v] : call_kwargs.items()) {
    std::vector<json> t;
    collect_tensors(v, t);
    if (t.empty()) kwargs[k] = v;
    else kwargs[k] = t.size() == 1 ? t[0] : json(t);
  }
  json out = json::array();
  for (auto& r : refs) {
    json e = r;
    e.push_back(out.empty() ? kwargs : json::object());
    out.push_back(e);
  }
  return out;
}

// Layer options tfjs-layers silently ignores: a model using one cannot be verified by tfjs.
void check_tfjs_honours(const std::string& cls, const json& cfg) {
  struct Ignored { const char* cls; const char* field; double neutral; };
  static const Ignored table[] = {{"ReLU", "negative_slope", 0}, {"ReLU", "threshold", 0}, {"Conv1D", "groups", 1},
                                  {"Conv2D", "groups", 1},       {"Conv3D", "groups", 1}};
  for (auto& t : table)
    if (cls == t.cls && cfg.contains(t.field) && cfg[t.field].is_number() && cfg[t.field].get<double>() != t.neutral)
      throw ReferenceUnavailable("TensorFlow.js's " + cls + " ignores " + t.field + " (layer " +
                                 cfg.value("name", std::string("?")) + " sets " + cfg[t.field].dump() + ")");
}

// Initializers, regularizers and constraints do not change inference (the weights are set after),
// and tfjs refuses those it does not know (custom functions): they go.
void strip_training_fields(json& cfg) {
  auto ends = [](const std::string& k, const char* suffix) {
    size_t n = std::strlen(suffix);
    return k.size() >= n && k.compare(k.size() - n, n, suffix) == 0;
  };
  std::vector<std::string> drop;
  for (auto& [k, v] : cfg.items())
    if (ends(k, "_initializer") || ends(k, "_regularizer") || ends(k, "_constraint") || k == "init" ||
        k == "inner_init" || k == "forget_bias_init" || k == "W_regularizer" || k == "b_regularizer" ||
        k == "U_regularizer" || k == "W_constraint" || k == "b_constraint")
      drop.push_back(k);
  for (auto& k : drop) cfg.erase(k);
}

// Keras 1 class names the normalized config keeps (the lowerings know both) and tfjs does not.
const char* keras2_class(const std::string& cls) {
  if (cls == "Convolution1D") return "Conv1D";
  if (cls == "Convolution2D") return "Conv2D";
  return nullptr;
}

// Rewrites Keras 3 forms in place, recursively: registered-object bookkeeping, DTypePolicy objects,
// call nodes, InputLayer batch_shape, flat input/output layer lists.
void to_keras2(json& v) {
  if (v.is_array()) {
    for (auto& e : v) to_keras2(e);
    return;
  }
  if (!v.is_object()) return;
  if (v.contains("class_name") && v.contains("config")) {
    for (const char* k : {"module", "registered_name", "build_config", "compile_config"}) v.erase(k);
    std::string cls = v["class_name"].is_string() ? v["class_name"].get<std::string>() : "";
    if (cls == "__tensor__") {  // Keras 3 writes tensor-valued options (Masking's mask_value) this way
      json value = v["config"].is_object() ? v["config"].value("value", json()) : json();
      v = value.is_array() && value.size() == 1 ? value[0] : value;
      return;
    }
    if (cls == "DTypePolicy" || cls == "Policy") {
      json name = v["config"].is_object() ? v["config"].value("name", json("float32")) : json("float32");
      v = name;
      return;
    }
    if (const char* k2 = keras2_class(cls)) v["class_name"] = cls = k2;
    ModelKind kind = model_kind(v);  // subclasses of Sequential / Functional keep their layout
    if (kind == ModelKind::Sequential && cls != "Sequential") v["class_name"] = cls = "Sequential";
    if (kind == ModelKind::Functional && cls != "Functional" && cls != "Model") v["class_name"] = cls = "Model";
    json& cfg = v["config"];
    if (cfg.is_object()) check_tfjs_honours(cls, cfg);
    if (cfg.is_object()) strip_training_fields(cfg);
    if (cfg.is_object()) {
      if (cls == "InputLayer" && cfg.contains("batch_shape") && !cfg.contains("batch_input_shape")) {
        cfg["batch_input_shape"] = cfg["batch_shape"];
        cfg.erase("batch_shape");
      }
      cfg.erase("optional");
      for (const char* k : {"input_layers", "output_layers"})
        if (cfg.contains(k) && cfg[k].is_array() && !cfg[k].empty() && cfg[k][0].is_string())
          cfg[k] = json::array({cfg[k]});
    }
  }
  if (v.contains("inbound_nodes") && v["inbound_nodes"].is_array()) {
    json& nodes = v["inbound_nodes"];
    for (auto& n : nodes)
      if (n.is_object()) n = keras2_node(n);
  }
  for (auto& [k, e] : v.items()) to_keras2(e);
}

json first_layer_shape(const json& model) {
  const json& cfg = model["config"];
  if (cfg.contains("build_input_shape") && cfg["build_input_shape"].is_array()) return cfg["build_input_shape"];
  if (model.contains("build_config") && model["build_config"].is_object())
    return model["build_config"].value("input_shape", json());
  return json();
}

// tfjs builds a Sequential from its first layer's batch_input_shape (or an InputLayer); Keras 2
// also accepted build_input_shape on the model.
void give_sequential_inputs(json& v, bool top) {
  if (v.is_array()) {
    for (auto& e : v) give_sequential_inputs(e, false);
    return;
  }
  if (!v.is_object()) return;
  if (v.value("class_name", std::string()) == "Sequential" && v["config"].is_object() &&
      v["config"].contains("layers") && v["config"]["layers"].is_array() && !v["config"]["layers"].empty()) {
    json& layers = v["config"]["layers"];
    // Nested, a Sequential's InputLayer leaves tfjs's graph disconnected: its shape goes to the next layer.
    if (!top && layers.size() > 1 && layers[0].value("class_name", std::string()) == "InputLayer" &&
        layers[0]["config"].is_object() && layers[1]["config"].is_object()) {
      json shape = layers[0]["config"].value("batch_input_shape", json());
      if (shape.is_array()) {
        layers[1]["config"]["batch_input_shape"] = shape;
        layers.erase(layers.begin());
      }
    }
    json& l0 = layers[0];
    json shape = first_layer_shape(v);
    if (top && l0.value("class_name", std::string()) != "InputLayer" && l0["config"].is_object() &&
        !l0["config"].contains("batch_input_shape") && shape.is_array())
      l0["config"]["batch_input_shape"] = shape;
  }
  for (auto& [k, e] : v.items()) give_sequential_inputs(e, false);
}

}  // namespace
}  // namespace keras

void write_tfjs_keras(const std::string& path, Format format, const LoadOptions& opts, const std::string& dir) {
  using namespace keras;
  Model m = load_keras(path, format, opts);  // what the export is: names, order, checks
  KerasSource s = read_source(path, format);
  apply_user_config(s, path, opts);
  s.weights = legacy_weights(std::move(s.weights), s.model, s.major, s.backend);

  std::vector<LayerWeights> layers;
  collect_layer_weights(s.model, *s.weights, layers);
  TfjsWeightWriter w;
  json specs = json::array();
  for (auto& l : layers) {
    json ws = json::array();
    std::string name;
    for (auto& p : l.path) name += (name.empty() ? "" : "/") + p;
    for (size_t i = 0; i < l.weights.size(); ++i) {
      json spec = w.add(name + "/" + std::to_string(i), l.weights[i]);
      if (spec["dtype"] == "bool") throw ReferenceUnavailable("layer " + name + " has bool weights");
      ws.push_back(spec);
    }
    specs.push_back({{"path", l.path}, {"weights", ws}});
  }
  json topology = s.model;
  to_keras2(topology);
  give_sequential_inputs(topology, true);
  renumber_nested_model_calls(topology, +1);

  json io = {{"inputs", json::array()}, {"outputs", json::array()}};
  for (size_t i = 0; i < m.graph->inputs.size(); ++i) {
    const std::string& name = m.graph->inputs[i]->name;
    std::string keras = i < m.source_input_names.size() ? m.source_input_names[i] : name;
    bool nchw = std::find(opts.inputs_as_nchw.begin(), opts.inputs_as_nchw.end(), name) != opts.inputs_as_nchw.end() ||
                std::find(opts.inputs_as_nchw.begin(), opts.inputs_as_nchw.end(), keras) != opts.inputs_as_nchw.end();
    io["inputs"].push_back({{"name", name}, {"tensor", keras}, {"nchw", nchw}});
  }
  for (size_t i = 0; i < m.graph->outputs.size(); ++i)
    io["outputs"].push_back({{"name", m.graph->outputs[i]->name},
                             {"tensor", i < m.source_output_names.size() ? m.source_output_names[i] : ""}});
  io["layer_weights"] = {{"file", "weights.bin"}, {"layers", specs}};
  w.write_bundle(dir, "layers-model",
                 {{"keras_version", s.keras_version.empty() ? "2.2.4" : s.keras_version},
                  {"backend", "tensorflow"},
                  {"model_config", topology}},
                 json::array(), io);
}

}  // namespace modelport

// TensorFlow.js layers models: the Keras topology in modelTopology, lowered by the Keras loader
// with the manifest's weights ("<layer>/<weight>", in Keras order).
#include <set>

#include "loaders/keras/keras_source.h"
#include "loaders/keras/legacy_config.h"
#include "loaders/tfjs/tfjs_loader.h"
#include "modelport/error.h"

namespace modelport::tfjs {
namespace {

bool is_model_class(const json& layer) {
  std::string cls = layer.is_object() && layer.contains("class_name") && layer["class_name"].is_string()
                        ? layer["class_name"].get<std::string>() : "";
  return cls == "Sequential" || cls == "Model" || cls == "Functional";
}

// A nested model built on its own Input: a functional model, or a Sequential whose first layer
// declares its input shape.
bool built_on_input(const json& layer) {
  if (layer["class_name"] != "Sequential") return true;
  const json& cfg = layer["config"];
  const json* layers = cfg.is_array() ? &cfg : cfg.is_object() && cfg.contains("layers") ? &cfg["layers"] : nullptr;
  if (!layers || !layers->is_array() || layers->empty()) return false;
  const json& first = (*layers)[0];
  if (!first.is_object()) return false;
  if (first.value("class_name", json()) == "InputLayer") return true;
  return first.contains("config") && first["config"].is_object() && first["config"].contains("batch_input_shape");
}

// tfjs-layers counts the node a nested model gets when it is built on its own Input as that
// model's node 0, so its first call in the outer model is node 1; Keras does not save that node
// (and the Keras lowering numbers calls from 0). Renumbers a tfjs-saved topology, nested ones too.
void skip_build_nodes(json& model) {
  if (!model.is_object() || !model.contains("config") || !model["config"].is_object()) return;
  json& cfg = model["config"];
  if (!cfg.contains("layers") || !cfg["layers"].is_array()) return;
  std::set<std::string> built;
  for (auto& l : cfg["layers"]) {
    if (!is_model_class(l)) continue;
    skip_build_nodes(l);
    std::string name = l.contains("name") && l["name"].is_string() ? l["name"].get<std::string>() : "";
    if (!name.empty() && l.contains("config") && built_on_input(l)) built.insert(name);
  }
  auto renumber = [&](json& ref) {  // ["layer", node_index, tensor_index, {kwargs}]
    if (ref.is_array() && ref.size() >= 2 && ref[0].is_string() && built.count(ref[0].get<std::string>()) &&
        ref[1].is_number_integer() && ref[1].get<int64_t>() >= 1)
      ref[1] = ref[1].get<int64_t>() - 1;
  };
  for (auto& l : cfg["layers"])
    if (l.is_object() && l.contains("inbound_nodes") && l["inbound_nodes"].is_array())
      for (auto& node : l["inbound_nodes"])
        if (node.is_array())
          for (auto& ref : node) renumber(ref);
  if (cfg.contains("output_layers") && cfg["output_layers"].is_array())
    for (auto& ref : cfg["output_layers"]) renumber(ref);
}

}  // namespace

Model load_layers_model(TfjsModel& m, const LoadOptions& opts) {
  const json& topo = m.doc["modelTopology"];
  keras::KerasSource s;
  // {model_config: {class_name, config}, keras_version, backend} (converted from Keras) or
  // {class_name, config, keras_version, backend} (saved by tfjs-layers).
  s.model = topo.contains("model_config") ? topo["model_config"] : topo;
  if (s.model.is_object()) {
    s.model.erase("keras_version");
    s.model.erase("backend");
  }
  auto text = [&](const char* k) {
    return topo.contains(k) && topo[k].is_string() ? topo[k].get<std::string>() : std::string();
  };
  s.keras_version = text("keras_version");
  s.backend = text("backend");
  s.major = keras::keras_major_of(s.keras_version, 2);  // "tfjs-layers 4.22.0": Keras 2 semantics
  if (s.keras_version.rfind("tfjs-layers", 0) == 0) skip_build_nodes(s.model);
  keras::normalize_model_config(s.model, m.path + ": modelTopology");
  s.weights = keras::named_weights(std::move(m.weights.list));
  Model model = keras::lower_keras_source(m.path, "tfjs", std::move(s), opts);
  model.metadata["tfjs_format"] = "layers-model";
  if (!m.producer.empty()) model.metadata["tfjs_producer"] = m.producer;
  model.description = "TensorFlow.js layers model (" + model.description + ")";
  return model;
}

}  // namespace modelport::tfjs

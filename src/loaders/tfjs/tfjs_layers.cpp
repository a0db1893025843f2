// TensorFlow.js layers models: the Keras topology in modelTopology, lowered by the Keras loader
// with the manifest's weights ("<layer>/<weight>", in Keras order).
#include "loaders/keras/keras_source.h"
#include "loaders/keras/legacy_config.h"
#include "loaders/keras/model_graph.h"
#include "loaders/tfjs/tfjs_loader.h"
#include "modelport/error.h"

namespace modelport::tfjs {
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
  if (s.keras_version.rfind("tfjs-layers", 0) == 0) keras::renumber_nested_model_calls(s.model, -1);
  keras::normalize_model_config(s.model, m.path + ": modelTopology");
  s.weights = keras::named_weights(std::move(m.weights.list));
  Model model = keras::lower_keras_source(m.path, "tfjs", std::move(s), opts);
  model.metadata["tfjs_format"] = "layers-model";
  if (!m.producer.empty()) model.metadata["tfjs_producer"] = m.producer;
  model.description = "TensorFlow.js layers model (" + model.description + ")";
  return model;
}

}  // namespace modelport::tfjs

// A Keras model config (Keras 2 or Keras 3 schema, Sequential/Functional/nested) through
// model-graph building, without weights. Input: first byte selects the Keras major version
// (even 2, odd 3); the rest is the config JSON.
#include "../harness.h"
#include "loaders/keras/config_json.h"
#include "loaders/keras/keras_weights.h"
#include "loaders/keras/model_graph.h"
#include "modelport/error.h"

namespace modelport::fuzz {

int harness_keras_config(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  int major = data[0] & 1 ? 3 : 2;
  std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    keras::json model = keras::parse_config_json(text, "fuzz.json", "config");
    std::map<std::string, int64_t> counts;
    keras::count_layer_classes(model, counts);
    if (!keras::unsupported_layers(model).empty()) return 0;
    Model m;
    keras::Ctx c(*m.graph, major, "fuzz.json");
    keras::build_model(c, model, *keras::no_weights(), {}, "", LoadOptions{});
  } catch (const Error&) {
  } catch (const keras::json::exception&) {
    // A config of the wrong JSON types: load_model (src/loaders/registry.cpp) reports these as one
    // line naming the file ("malformed model (...)"), so they are not findings.
  }
  return 0;
}

}  // namespace modelport::fuzz

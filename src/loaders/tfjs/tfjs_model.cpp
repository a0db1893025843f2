#include "loaders/tfjs/tfjs_model.h"

#include "loaders/keras/config_json.h"
#include "util/mapped_file.h"
#include "modelport/error.h"

namespace modelport::tfjs {
namespace {

std::string string_field(const json& doc, const char* key) {
  return doc.contains(key) && doc[key].is_string() ? doc[key].get<std::string>() : std::string();
}

}  // namespace

TfjsModel read_tfjs_model(const std::string& path) {
  TfjsModel m;
  m.path = path;
  m.doc = keras::parse_config_json(read_file(path), path, "model.json");
  const json& doc = m.doc;
  if (!doc.is_object()) throw Error(path + ": model.json is not a JSON object");
  if (!doc.contains("modelTopology") || !doc["modelTopology"].is_object())
    throw Error(path + ": model.json has no \"modelTopology\" (a weights-only manifest cannot be converted)");
  const json& topo = doc["modelTopology"];
  std::string format = string_field(doc, "format");
  if (format == "graph-model") m.graph = true;
  else if (format == "layers-model") m.graph = false;
  else if (!format.empty()) throw Error(path + ": unknown TensorFlow.js model format '" + format + "'");
  else m.graph = topo.contains("node");  // tfjs < 1.0 wrote no "format"
  if (m.graph && !(topo.contains("node") && topo["node"].is_array()))
    throw Error(path + ": graph-model \"modelTopology\" has no \"node\" list");
  if (!m.graph && !topo.contains("model_config") && !topo.contains("class_name"))
    throw Error(path + ": layers-model \"modelTopology\" has neither \"model_config\" nor \"class_name\"");
  m.producer = string_field(doc, "convertedBy");
  if (m.producer.empty()) m.producer = string_field(doc, "generatedBy");
  if (!doc.contains("weightsManifest")) throw Error(path + ": model.json has no \"weightsManifest\"");
  m.weights = read_weights(doc["weightsManifest"], path);
  return m;
}

}  // namespace modelport::tfjs

#include "loaders/keras/keras_source.h"

#include <fstream>

#include "loaders/keras/config_json.h"
#include "loaders/keras/keras_archive.h"
#include "loaders/keras/legacy_config.h"
#include "loaders/keras/model_graph.h"
#include "modelport/error.h"

namespace modelport::keras {

int keras_major_of(const std::string& version, int def) {
  if (version.empty() || version[0] < '0' || version[0] > '9') return def;
  int v = 0;
  for (size_t i = 0; i < version.size() && version[i] >= '0' && version[i] <= '9' && v < 1000; ++i)
    v = v * 10 + (version[i] - '0');
  return v;
}

KerasSource read_source(const std::string& path, Format format) {
  KerasSource s;
  if (format == Format::KerasV3) {
    KerasArchive a = read_keras_archive(path);
    s.model = parse_config_json(a.config_json, path, "config.json");
    if (a.metadata_json) {
      json meta = parse_config_json(*a.metadata_json, path, "metadata.json");
      s.keras_version = meta.value("keras_version", std::string());
    }
    s.backend = "";
    s.major = keras_major_of(s.keras_version, 3);
    normalize_model_config(s.model, path + ": config.json");
    if (a.has_weights) {
      H5File f = H5File::open_image(std::move(a.weights_h5), path + ":model.weights.h5");
      H5Group root = f.root();
      if (root.is_group("layers")) s.weights_root = root.group("layers");  // not optimizer/vars
      s.weights = v3_weights(root);
    } else {
      s.weights = no_weights();
    }
    return s;
  }
  if (format != Format::KerasH5) throw Error(path + ": not a Keras model (format " + format_name(format) + ")");
  H5File f = H5File::open(path);
  H5Group root = f.root();
  std::optional<H5Group> mw;
  if (root.is_group("model_weights")) mw = root.group("model_weights");
  // Keras 1 wrote keras_version/backend on model_weights only (or not at all: Keras' own loader then
  // takes the file to be Keras 1).
  auto attr = [&](const char* k) {
    auto v = root.attr_string(k);
    return v ? *v : mw ? mw->attr_string(k).value_or("") : std::string();
  };
  s.keras_version = attr("keras_version");
  s.backend = attr("backend");
  s.major = keras_major_of(s.keras_version, 1);
  auto config = root.attr_string("model_config");
  if (!config)
    throw Error(path + ": HDF5 file has no model_config attribute (a weights-only file from save_weights?)");
  s.model = parse_config_json(*config, path, "model_config");
  normalize_model_config(s.model, path + ": model_config");
  if (mw) {
    s.weights_root = mw;
    s.weights = legacy_h5_weights(*s.weights_root);
  } else {
    s.weights = no_weights();
  }
  return s;
}

namespace {
std::string custom_model_error(const std::string& path, const json& model) {
  std::string cls = model.value("class_name", std::string("?"));
  std::string reg = model.contains("registered_name") && model["registered_name"].is_string()
                        ? " (" + model["registered_name"].get<std::string>() + ")" : "";
  return path + ": unsupported custom Keras model " + cls + reg +
         ": its config does not describe its layers; describe them with --keras-config " + cls +
         "=FILE.json (a Sequential or Functional config whose layer names match the weights)";
}

}  // namespace

// A custom model whose config has no layers may be described by the user (--keras-config): the
// description replaces the model's config, its layer names select the stored weights.
void apply_user_config(KerasSource& s, const std::string& path, const LoadOptions& opts) {
  if (model_kind(s.model) != ModelKind::Custom) return;
  std::string cls = s.model.value("class_name", std::string());
  auto it = opts.keras_configs.find(cls);
  if (it == opts.keras_configs.end()) throw Error(custom_model_error(path, s.model));
  std::ifstream in(it->second);
  if (!in) throw Error(it->second + ": cannot read the --keras-config file for " + cls);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  json user = parse_config_json(text, it->second, "the --keras-config file");
  normalize_model_config(user, it->second);
  if (model_kind(user) == ModelKind::Custom)
    throw Error(it->second + ": --keras-config for " + cls + " must be a Sequential or Functional model config");
  s.model = std::move(user);
}

}  // namespace modelport::keras

// Reading a Keras model file (legacy HDF5 or Keras 3 .keras zip) into its normalized config and
// weight scope: what the loader lowers and what verify hands TensorFlow.js.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "loaders/keras/hdf5.h"
#include "loaders/keras/keras_weights.h"
#include "modelport/loaders.h"

#include <nlohmann/json.hpp>

namespace modelport::keras {

using json = nlohmann::json;

struct KerasSource {
  std::string keras_version, backend;
  json model;  // {"class_name": ..., "config": ...}
  std::unique_ptr<WeightScope> weights;
  std::optional<H5Group> weights_root;  // for parameter counting
  int major = 2;
};

// The file's config, normalized to the current Keras 2 layout (normalize_model_config), and its
// weights (legacy layouts not yet converted: see legacy_weights). Throws Error naming the file.
KerasSource read_source(const std::string& path, Format format);

// A custom model whose config has no layers may be described by the user (--keras-config); throws
// Error when it is not.
void apply_user_config(KerasSource& s, const std::string& path, const LoadOptions& opts);

// "2.2.4" -> 2; `def` when the version does not start with a number ("tfjs-layers 4.22.0").
int keras_major_of(const std::string& version, int def);

// Applies --keras-config to a custom model, refuses unsupported layers with one error listing them,
// then lowers the model (the Keras loader's files, and TensorFlow.js layers models read into a
// KerasSource). `format` is the Model's source_format. Throws Error naming `path`.
Model lower_keras_source(const std::string& path, const std::string& format, KerasSource s, const LoadOptions& opts);

}  // namespace modelport::keras

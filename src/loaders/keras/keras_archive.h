// Reading a Keras 3 `.keras` zip archive: config.json, metadata.json and model.weights.h5.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace modelport::keras {

struct KerasArchive {
  std::string config_json;
  std::optional<std::string> metadata_json;
  std::vector<uint8_t> weights_h5;  // empty when the archive has no model.weights.h5
  bool has_weights = false;
};

// Throws Error("<path>: <cause>") when the zip cannot be read or has no config.json.
KerasArchive read_keras_archive(const std::string& path);

}  // namespace modelport::keras

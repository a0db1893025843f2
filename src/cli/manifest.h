// The manifest written next to every export: how the model was made and what was written.
#pragma once
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "modelport/emit.h"
#include "modelport/loaders.h"

namespace modelport::cli {

constexpr int kManifestSchemaVersion = 1;

struct ManifestInputs {
  std::string source_path;
  Format format = Format::Unknown;
  const Model* model = nullptr;
  EmitOptions emit;
  EmitResult result;
  std::string out_dir;                             // file paths are recorded relative to it
  std::map<std::string, nlohmann::json> options;   // every export option as given
  std::vector<std::string> included;               // carried files (paths relative to out_dir)
  const nlohmann::json* verification = nullptr;
};

nlohmann::json build_manifest(const ManifestInputs& in);
// Writes through a temporary file renamed at the end.
void write_json_file(const std::string& path, const nlohmann::json& j);

}  // namespace modelport::cli

// The manifest written next to every export: how the model was made and what was written.
#pragma once
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "modelport/emit.h"
#include "modelport/loaders.h"
#include "util/digest.h"

namespace modelport {

constexpr int kManifestSchemaVersion = 1;

struct ManifestInputs {
  std::string source_path;
  PathDigest source_digest;
  Format format = Format::Unknown;
  const Model* model = nullptr;
  EmitOptions emit;
  EmitResult result;
  std::map<std::string, PathDigest> written;       // result.files -> digest taken while writing
  std::string out_dir;                             // file paths are recorded relative to it
  nlohmann::json options = nlohmann::json::object();  // every export option as given
  std::vector<std::string> included;               // carried files (paths relative to out_dir)
  std::vector<std::string> state_files;            // model->state's initial values (.npy), in its order
  const nlohmann::json* verification = nullptr;
};

nlohmann::json build_manifest(const ManifestInputs& in);

// {"onnx_checker": true} or {"onnx_checker": false, "reason": ...}: the export-time checks that ran.
nlohmann::json checks_json(const EmitChecks& c);

// Versions of the libraries modelport links (onnx, protobuf, openssl, leveldb, the loaders').
std::map<std::string, std::string> linked_library_versions();

}  // namespace modelport

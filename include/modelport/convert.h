// The library pipeline: one call converts a model file into ONNX, the way `modelport export` does.
//
//   modelport::ConvertOptions o;
//   o.output = "model.onnx";
//   o.load.inputs.push_back(modelport::parse_input_spec("x:float32[batch,3,224,224]"));
//   modelport::ConvertResult r = modelport::convert("model.pt", o);
//
// load -> checks (fixed symbolic axes) -> passes -> emit -> [verify] -> manifest, all written as
// one output transaction: temporary files, fsync, rename at the end, nothing left behind on failure
// or on SIGINT/SIGTERM. Throws modelport::Error (see error.h for the exit codes it carries).
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "modelport/emit.h"
#include "modelport/loaders.h"
#include "modelport/verify.h"

namespace modelport {

// What the pipeline is doing, for a progress display. `done`/`total` count bytes while writing,
// verification runs while verifying; total 0 means unknown.
struct Progress {
  std::string phase;  // "load", "passes", "emit", "write", "verify", "manifest"
  uint64_t done = 0, total = 0;
};

struct ConvertOptions {
  Format format = Format::Unknown;  // Unknown: detected from the file's content
  LoadOptions load;
  EmitOptions emit;
  // An ONNX file, or a package directory (an existing directory, or a path ending in '/').
  std::string output;
  std::string manifest_path;        // default: OUTPUT.json (a package: manifest.json inside it)
  bool write_manifest = true;
  std::vector<std::string> include; // package only: files/directories copied into the package
  bool verify = false;
  VerifyOptions verify_options;
  nlohmann::json recorded_options = nlohmann::json::object();  // recorded in the manifest as given
  std::function<void(const Progress&)> on_progress;
  std::function<void(const std::string&)> on_warning;  // each warning as it arises
  std::function<void(const std::string&)> on_ir;       // receives the graph IR dump before writing
};

struct ConvertResult {
  Format format = Format::Unknown;
  std::string model_path;              // the .onnx file written
  std::vector<std::string> files;      // model, then external data if any
  std::map<std::string, std::string> sha256;  // every written file -> its SHA-256
  std::string manifest_path;           // empty when no manifest was written
  bool used_external_data = false;
  int64_t node_count = 0;
  std::map<std::string, int64_t> op_histogram;
  EmitChecks checks;                   // which checks ran on the written model
  struct Io { std::string name, dtype, shape; };
  std::vector<Io> inputs, outputs;
  std::vector<std::string> warnings;
  std::optional<VerifyReport> verification;  // set when verify was asked for
  bool ok() const { return !verification || verification->ok; }
};

ConvertResult convert(const std::string& source, const ConvertOptions& options);

// The library versions modelport was built with (as the manifest records them).
std::map<std::string, std::string> library_versions();

}  // namespace modelport

// Where an export writes (model, external data, manifest, package directory), and the refusal of
// any output path that would overwrite or sit inside a source.
#pragma once
#include <string>
#include <vector>

namespace modelport {

struct OutputPlan {
  bool package = false;   // -o names a directory
  std::string dir;        // the package directory, or the model's directory
  std::string model;      // the .onnx file
  std::string data;       // where external data would go (MODEL.data)
  std::string manifest;   // empty when no manifest is written
  std::vector<std::string> state;  // initial state values (state_file), known once the model is loaded
};

// Where the initial value of the state input `input` goes: MODEL.<input>.npy beside the model.
std::string state_file(const OutputPlan& plan, const std::string& input);

// `output` names a file or a package directory (existing, or ending in '/'). Throws UsageError for
// option combinations that make no sense.
OutputPlan plan_outputs(const std::string& output, const std::string& manifest, bool write_manifest,
                        bool has_includes);

// Throws UsageError naming the output and the source when an output path equals a source path,
// contains one (a package directory around the source), or lies inside a source directory (a
// SavedModel). Symlinks and `..` are resolved first.
void refuse_source_collisions(const OutputPlan& plan, const std::vector<std::string>& sources);

}  // namespace modelport

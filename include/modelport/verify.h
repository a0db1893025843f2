// Verification of an export: run the source model and the ONNX model on the same inputs and compare.
#pragma once
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "modelport/loaders.h"

namespace modelport {

constexpr double kDefaultAtol = 1e-4;
constexpr double kDefaultRtol = 1e-3;
constexpr int kStateCalls = 3;

struct VerifyOptions {
  uint64_t seed = 0;
  double atol = kDefaultAtol, rtol = kDefaultRtol;          // |a-b| <= atol + rtol*|b| elementwise
  std::map<std::string, std::string> input_data;            // input name -> .npy
  std::map<std::string, std::string> expected;              // output name -> .npy
  std::map<std::string, std::pair<int64_t, int64_t>> sizes; // symbol -> its sizes in the two runs (default 2, 3)
  LoadOptions load;  // as the export was made (signature, tag, input specs, renames): the reference needs them
};

struct OutputCheck {
  std::string name;
  std::string dtype, shape;          // ONNX side
  std::string expected_dtype, expected_shape;
  double max_abs = 0, max_rel = 0;
  double ref_max_abs = 0;            // largest |reference value|: the scale of the output
  bool ok = true;
  std::string problem;               // set when !ok
};

struct VerifyRun {
  std::map<std::string, int64_t> symbol_sizes;  // value used for each symbolic axis
  int call = -1;  // stateful models: which of the consecutive calls (0, 1, 2) at these sizes
  std::vector<OutputCheck> outputs;
};

struct VerifyReport {
  // What the ONNX outputs were compared with: "libtorch", "@tensorflow/tfjs", "expected .npy files",
  // or "none"; and its version ("1.13.1", "4.22.0 (cpu)").
  std::string reference, reference_version;
  std::string not_verified;          // why nothing was compared ("" when a reference ran)
  std::vector<VerifyRun> runs;
  std::vector<std::string> notes;    // e.g. "only the ONNX side was run"
  std::vector<std::string> fixed_axes;  // symbolic axes that behave as if fixed
  bool ok = true;                    // no output differs (a run without reference is ok but not verified)
  nlohmann::json to_json() const;
  // 0 verified, 3 (kExitVerifyMismatch) an output differs, 4 (kExitNotVerified) nothing compared.
  int exit_code() const;
};

// Verifies `onnx_path` against the source model. Inputs come from the ONNX model's signature:
// random (seeded) unless given as .npy; each symbolic axis is tried at two sizes. A model with
// state (metadata kStateMetadataKey) is run kStateCalls times in a row at each size: the state
// inputs take the reference's initial state, then ONNX Runtime's state outputs of the previous
// call; the reference runs as many calls on one instance, and its state after each call is
// compared with the state outputs.
VerifyReport verify_export(const std::string& source, Format format, const std::string& onnx_path,
                           const VerifyOptions& opts);

}  // namespace modelport

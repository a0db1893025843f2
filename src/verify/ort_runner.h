// Runs an ONNX model in ONNX Runtime through tools/ort_run.js (onnxruntime-node).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "modelport/ir.h"

namespace modelport {

// Path of tools/ort_run.js: $MODELPORT_ORT_RUNNER, else next to the source tree we were built from.
std::string ort_runner_script();
// Runs `model_path` on `inputs` (by input name); returns outputs in the model's output order.
// Throws Error with ort_run's one-line message on failure (including a missing ONNX Runtime).
std::vector<NamedTensor> run_onnxruntime(const std::string& model_path, const std::vector<NamedTensor>& inputs);

}  // namespace modelport

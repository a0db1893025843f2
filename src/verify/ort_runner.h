// Runs models in the npm runtimes verify uses, through node scripts (tools/ in a checkout,
// share/modelport installed; runtime_dir.h): ONNX Runtime
// (tools/ort_run.js, onnxruntime-node) and TensorFlow.js (tools/tfjs_run.js, @tensorflow/tfjs).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "modelport/error.h"
#include "modelport/ir.h"

namespace modelport {

// Path of ort_run.js: $MODELPORT_ORT_RUNNER, else found by find_runner (runtime_dir.h); throws Error
// naming where it looked when there is none.
std::string ort_runner_script();
// Runs `model_path` on `inputs` (by input name); returns outputs in the model's output order.
// Throws Error with ort_run's one-line message on failure (including a missing ONNX Runtime).
std::vector<NamedTensor> run_onnxruntime(const std::string& model_path, const std::vector<NamedTensor>& inputs);

struct TfjsRun {
  std::vector<NamedTensor> outputs;  // in the order model.json's "modelport" block (or the model) lists them
  std::string runtime;               // "@tensorflow/tfjs 4.22.0 (cpu)"
};
// Runs a tfjs model.json (see tools/tfjs_run.js) on `inputs` (by ONNX input name).
// Path of the script: $MODELPORT_TFJS_RUNNER, else found by find_runner (runtime_dir.h).
// Throws ReferenceUnavailable when tfjs cannot load or run the model.
TfjsRun run_tfjs(const std::string& model_json, const std::vector<NamedTensor>& inputs);

}  // namespace modelport

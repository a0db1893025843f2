// The ONNX emitter: the only place that knows how ops differ between ONNX opsets.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "modelport/ir.h"

namespace modelport {

constexpr int kMinOpset = 9;
constexpr int kMaxOpset = 23;
constexpr int kDefaultOpset = 17;
// The newest opset the linked onnx library (1.12) has schemas for: its checker and shape
// inference run only up to here. Above it nothing checks the model at export time.
constexpr int kMaxCheckedOpset = 17;

struct EmitOptions {
  int opset = kDefaultOpset;
  bool external_data = false;  // force weights into "<out>.data"; automatic above 2 GiB
  bool check = true;           // run onnx checker + shape inference before writing (opset <= kMaxCheckedOpset)
};

// Which checks ran on the written model.
struct EmitChecks {
  bool onnx_checker = false;  // onnx checker + strict shape inference passed
  std::string reason;         // why they did not run; empty when they did
};

struct EmitResult {
  std::vector<std::string> files;  // written files: the model, then external data if any
  bool used_external_data = false;
  int64_t node_count = 0;
  std::map<std::string, int64_t> op_histogram;  // ONNX op type -> count, subgraphs included
  std::vector<std::string> warnings;
  EmitChecks checks;
};

// Writes `model` as ONNX to `out_path` through a temporary file renamed at the end: on failure
// nothing is left behind. Throws Error with a one-line cause (e.g. "LayerNormalization needs
// opset >= 17 ..." when a form cannot be written at the requested opset).
EmitResult emit_onnx(const Model& model, const std::string& out_path, const EmitOptions& opts);

class OutputTransaction;
// The same, writing the files as part of `tx`: they are put in place when `tx` commits.
EmitResult emit_onnx(const Model& model, const std::string& out_path, const EmitOptions& opts, OutputTransaction& tx);

}  // namespace modelport

// `modelport inspect` on an ONNX file (e.g. to compare node counts with another exporter).
#pragma once
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace modelport::cli {

// A summary of `path` when it is an ONNX model (ir_version, opsets, producer, inputs/outputs,
// node count including subgraphs, op histogram); nullopt when it is not an ONNX file.
std::optional<nlohmann::json> inspect_onnx(const std::string& path);

}  // namespace modelport::cli

// Writes a ModelProto skeleton plus streamed initializers to disk (see onnx_writer.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "emit/emit_context.h"

namespace modelport {
class OutputTransaction;
}

namespace modelport::emit {

// Protobuf caps one message at 2 GiB; leave headroom for the rest of the model.
constexpr uint64_t kInlineLimitBytes = (uint64_t{2} << 30) - (uint64_t{1} << 20);
// Offsets of tensors in the external data file are aligned to this (mmap-friendly).
constexpr uint64_t kExternalAlignment = 4096;

// Size of the single-file model: `model` (whose graph lacks the `big` initializers) plus `big`
// written as GraphProto.initializer entries with raw_data.
uint64_t inline_model_size(const onnx::ModelProto& model, const std::vector<BigInitializer>& big);

// Writes `model` to `out_path` with the `big` initializers' bytes streamed from their IR buffers:
// inline (one file) or external ("<out>.data" next to it), as files of `tx` (put in place when `tx`
// commits; external data before the model). Returns the files' final paths (model first). `model`
// is modified only in external mode (initializer headers added).
std::vector<std::string> write_model(onnx::ModelProto& model, const std::vector<BigInitializer>& big,
                                     const std::string& out_path, bool external, OutputTransaction& tx);

}  // namespace modelport::emit

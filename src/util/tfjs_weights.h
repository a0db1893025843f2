// Weight data of a TensorFlow.js bundle (what verify hands tfjs): tensors appended to one buffer in
// the dtypes tfjs has. float64/float16/bfloat16 become float32; int64 and the small integer types
// become int32; bool stays bool (one byte per value).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "modelport/ir.h"

namespace modelport {

class TfjsWeightWriter {
 public:
  // Appends `t`; returns its spec {"name", "dtype", "shape", "offset"}. Throws ReferenceUnavailable
  // (naming `name`) for strings, complex values and int64 values outside int32.
  nlohmann::json add(const std::string& name, const Tensor& t);
  size_t size() const { return data_.size(); }
  // Writes DIR/weights.bin (these weights) and DIR/model.json: {"format", "generatedBy",
  // "modelTopology", "weightsManifest", "modelport": io}. Throws Error.
  void write_bundle(const std::string& dir, const std::string& format, nlohmann::json topology,
                    nlohmann::json manifest, nlohmann::json io) const;

 private:
  std::vector<uint8_t> data_;
};

// The tfjs dtype a tensor of `dt` becomes ("float32", "int32", "bool"); "" when tfjs has none.
std::string tfjs_dtype(DType dt);

}  // namespace modelport

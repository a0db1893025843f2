// TensorFlow.js weights: the weightsManifest of a model.json (groups of shard paths + weight specs,
// each group's shards concatenated in order) read into tensors, decoded and dequantised exactly as
// tfjs-core's io.decodeWeights does (uint8/uint16: v * scale + min computed in double, rounded to
// float32, or Math.round for int32; float16: tfjs's table-driven half -> float conversion).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "modelport/ir.h"

namespace modelport::tfjs {

using json = nlohmann::json;

struct WeightSpec {
  std::string name;
  std::vector<int64_t> shape;
  std::string dtype;  // float32, int32, bool, string
  std::string quant;  // "" (not quantised), uint8, uint16, float16
  double scale = 0, min = 0;
};

// One manifest entry. Throws Error("<where>: weight N ...") for a malformed or unsupported spec.
WeightSpec parse_weight_spec(const json& entry, const std::string& where);

// Decodes the weight `spec` from data[offset, size) and advances `offset`. Throws Error naming
// `where` and the weight when the data is too short.
Tensor decode_weight(const WeightSpec& spec, const uint8_t* data, size_t size, size_t& offset,
                     const std::string& where);

// tfjs's float16 -> float32 (getFloat16Decoder).
float half_to_float(uint16_t h);

struct Weights {
  std::vector<std::pair<std::string, Tensor>> list;  // manifest order
};

// Reads every group's shards (paths relative to the directory of `model_json`) and decodes the
// weights in manifest order. A missing or short shard, or shards longer than their weights, is an
// Error naming the file and the shard.
Weights read_weights(const json& manifest, const std::string& model_json);

}  // namespace modelport::tfjs

// A TensorFlow.js model.json read from disk: which kind it is (layers-model: a Keras topology;
// graph-model: a GraphDef in proto3 JSON), its producer and its decoded weights.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "loaders/tfjs/tfjs_weights.h"

namespace modelport::tfjs {

struct TfjsModel {
  std::string path;  // model.json
  json doc;          // the whole model.json
  bool graph = false;
  std::string producer;  // convertedBy, else generatedBy ("TensorFlow.js Converter v4.1.0")
  Weights weights;
};

// Parses model.json and reads its weight shards. Throws Error("<path>: <cause>") for invalid JSON,
// a file that is no tfjs model (or topology-only / weights-only), and bad weights.
TfjsModel read_tfjs_model(const std::string& path);

}  // namespace modelport::tfjs

// A TensorFlow.js model.json and its one weight shard: manifest parsing, weight decoding and
// dequantisation, and (graph models) the GraphDef JSON with the weights put into its Const nodes.
// Input: 2 bytes little-endian = length N of the model.json text, the text, then the shard
// (model.json names it "w.bin").
#include <algorithm>

#include "../harness.h"
#include "loaders/tfjs/tfjs_loader.h"
#include "modelport/error.h"

namespace modelport::fuzz {

int harness_tfjs_model(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  size_t n = std::min<size_t>(size - 2, size_t(data[0]) | size_t(data[1]) << 8);
  std::string json_path = scratch_file("model.json", data + 2, n);
  scratch_file("w.bin", data + 2 + n, size - 2 - n);
  try {
    tfjs::TfjsModel m = tfjs::read_tfjs_model(json_path);
    for (auto& [name, t] : m.weights.list)
      if (t.nbytes()) (void)t.raw()[t.nbytes() - 1];
    if (m.graph) tfjs::graph_source(m);
  } catch (const Error&) {
  } catch (const tfjs::json::exception&) {
    // Wrong JSON types in the topology: load_tfjs reports them as one line naming the file.
  }
  return 0;
}

}  // namespace modelport::fuzz

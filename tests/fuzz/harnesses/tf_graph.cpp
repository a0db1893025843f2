// A frozen GraphDef or a SavedModel's saved_model.pb, parsed and lowered into graph IR.
// Input: first byte even -> GraphDef file, odd -> SavedModel directory; the rest is the protobuf.
#include <filesystem>

#include "../harness.h"
#include "modelport/error.h"
#include "modelport/loaders.h"

namespace modelport::fuzz {

int harness_tf_graph(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  bool saved_model = data[0] & 1;
  std::string path;
  if (saved_model) {
    std::filesystem::create_directories(scratch_dir() + "/sm");
    scratch_file("sm/saved_model.pb", data + 1, size - 1);
    path = scratch_dir() + "/sm";
  } else {
    path = scratch_file("frozen.pb", data + 1, size - 1);
  }
  Format f = saved_model ? Format::SavedModel : Format::GraphDef;
  try {
    inspect_savedmodel(path, f, {});
  } catch (const Error&) {
  }
  try {
    Model m = load_savedmodel(path, f, {});
  } catch (const Error&) {
  }
  return 0;
}

}  // namespace modelport::fuzz

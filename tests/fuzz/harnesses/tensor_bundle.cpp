// TensorBundle (a SavedModel's variables/): the .index table and one data shard.
// Input: 4-byte little-endian length L, then L bytes of .index, then the data shard.
#include "../harness.h"
#include "loaders/savedmodel/bundle.h"
#include "modelport/error.h"

namespace modelport::fuzz {

int harness_tensor_bundle(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  size_t len = size_t(data[0]) | size_t(data[1]) << 8 | size_t(data[2]) << 16 | size_t(data[3]) << 24;
  if (len > size - 4) len = size - 4;
  scratch_file("variables.index", data + 4, len);
  scratch_file("variables.data-00000-of-00001", data + 4 + len, size - 4 - len);
  try {
    auto b = tf::TensorBundle::open(scratch_dir() + "/variables");
    b->parameter_count();
    for (auto& key : b->keys()) {
      try {
        Tensor t = b->tensor(key);
        if (t.nbytes()) (void)t.raw()[t.nbytes() - 1];
      } catch (const Error&) {
      }
      try {
        b->string_scalar(key);
      } catch (const Error&) {
      }
    }
  } catch (const Error&) {
  }
  return 0;
}

}  // namespace modelport::fuzz

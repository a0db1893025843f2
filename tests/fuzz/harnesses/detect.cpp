// Format detection by content (HDF5 magic, zip archives and their entries, protobuf sniffing).
#include "../harness.h"
#include "modelport/error.h"
#include "modelport/loaders.h"

namespace modelport::fuzz {

int harness_detect(const uint8_t* data, size_t size) {
  std::string p = scratch_file("model.bin", data, size);
  try {
    detect_format(p);
  } catch (const Error&) {
  }
  return 0;
}

}  // namespace modelport::fuzz

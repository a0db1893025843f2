// NumPy .npy reading (--input-data / --expected files).
#include "../harness.h"
#include "modelport/error.h"
#include "util/npy.h"

namespace modelport::fuzz {

int harness_npy(const uint8_t* data, size_t size) {
  std::string p = scratch_file("array.npy", data, size);
  try {
    Tensor t = read_npy(p);
    if (t.nbytes()) (void)t.raw()[t.nbytes() - 1];
  } catch (const Error&) {
  }
  return 0;
}

}  // namespace modelport::fuzz

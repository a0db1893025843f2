// HDF5 read through libhdf5 from a memory image (as a .keras archive's model.weights.h5 is): the
// root attributes the Keras loader reads, then every group, string attribute and dataset below.
#include "../harness.h"
#include "loaders/keras/hdf5.h"
#include "modelport/error.h"

namespace modelport::fuzz {
namespace {

void walk(const keras::H5Group& g, int depth, int& budget) {
  if (depth > 8) return;
  try {
    g.attr_string("model_config");
    g.attr_string("keras_version");
    g.attr_strings("weight_names");
  } catch (const Error&) {
    // The loader stops at the first bad attribute too. Variable-length strings are read in a
    // forked child (libhdf5 crashes or hangs on corrupt global heaps); after one such failure,
    // more reads of this file would only repeat it at up to 5 s each.
    return;
  }
  for (auto& child : g.children()) {
    if (--budget < 0) return;
    try {
      if (g.is_dataset(child)) g.dataset(child);
      else if (g.is_group(child)) walk(g.group(child), depth + 1, budget);
    } catch (const Error&) {
    }
  }
}

}  // namespace

int harness_hdf5(const uint8_t* data, size_t size) {
  try {
    keras::H5File f = keras::H5File::open_image(std::vector<uint8_t>(data, data + size), "fuzz.h5");
    int budget = 256;
    walk(f.root(), 0, budget);
  } catch (const Error&) {
  }
  return 0;
}

}  // namespace modelport::fuzz

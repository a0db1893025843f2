// The Keras 3 .keras zip reader (config.json, metadata.json, model.weights.h5 members).
#include "../harness.h"
#include "loaders/keras/keras_archive.h"
#include "modelport/error.h"

namespace modelport::fuzz {

int harness_keras_zip(const uint8_t* data, size_t size) {
  std::string p = scratch_file("model.keras", data, size);
  try {
    keras::KerasArchive a = keras::read_keras_archive(p);
  } catch (const Error&) {
  }
  return 0;
}

}  // namespace modelport::fuzz

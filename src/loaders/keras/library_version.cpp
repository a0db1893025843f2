// Library versions the Keras loader runs with, for the manifest.
#include <hdf5.h>
#include <zip.h>

#include "modelport/loaders.h"

namespace modelport {

std::map<std::string, std::string> keras_library_versions() {
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  return {{"hdf5", std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release)},
          {"libzip", zip_libzip_version()}};
}

}  // namespace modelport

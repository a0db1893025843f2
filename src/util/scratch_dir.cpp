#include "util/scratch_dir.h"

#include <unistd.h>

#include "modelport/error.h"

namespace modelport {

ScratchDir::ScratchDir(const std::string& prefix) {
  std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (!mkdtemp(tmpl.data())) throw Error("cannot create a temporary directory in " + tmpl.substr(0, tmpl.rfind('/')));
  path_ = tmpl;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace modelport

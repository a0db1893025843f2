#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "harness.h"
#include "modelport/limits.h"

namespace modelport::fuzz {

void set_fuzz_limits() {
  static bool done = [] {
    limits().max_tensor_bytes = uint64_t(256) << 20;
    return true;
  }();
  (void)done;
}

std::string scratch_dir() {
  static std::string dir = [] {
    const char* t = std::getenv("TMPDIR");
    std::string d = std::string(t && *t ? t : "/tmp") + "/modelport_fuzz_" + std::to_string(getpid());
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

std::string scratch_file(const std::string& name, const uint8_t* data, size_t size) {
  std::string p = scratch_dir() + "/" + name;
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), std::streamsize(size));
  return p;
}

}  // namespace modelport::fuzz

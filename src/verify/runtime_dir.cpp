#include "verify/runtime_dir.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace modelport {
namespace fs = std::filesystem;

namespace {

fs::path executable_dir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

// The build tree's marker: the first `modelport_runtime_dir` file in the executable's directory
// or the two above it (build/modelport and build/tests/modelport_tests both find build/'s).
std::string build_tree_runtime_dir(const fs::path& exe_dir) {
  fs::path dir = exe_dir;
  for (int up = 0; up < 3 && !dir.empty(); ++up, dir = dir.parent_path()) {
    std::ifstream in(dir / "modelport_runtime_dir");
    std::string line;
    if (in && std::getline(in, line) && !line.empty()) return line;
  }
  return "";
}

}  // namespace

std::vector<std::string> runtime_dir_candidates() {
  // When set, the variable is the only place looked in: a wrong value is an error, not a fallback.
  if (const char* env = std::getenv("MODELPORT_RUNTIME_DIR"); env && *env) return {env};
  std::vector<std::string> dirs;
  fs::path exe_dir = executable_dir();
  if (!exe_dir.empty()) {
    dirs.push_back((exe_dir.parent_path() / "share" / "modelport").lexically_normal().string());
    std::string build = build_tree_runtime_dir(exe_dir);
    if (!build.empty()) dirs.push_back(build);
  }
  return dirs;
}

std::string find_runner(const std::string& name) {
  std::error_code ec;
  for (const std::string& dir : runtime_dir_candidates()) {
    fs::path p = fs::path(dir) / name;
    if (fs::is_regular_file(p, ec)) return p.string();
  }
  return "";
}

}  // namespace modelport

// A private temporary directory, removed with everything in it when it goes out of scope.
#pragma once
#include <filesystem>
#include <string>

namespace modelport {

class ScratchDir {
 public:
  explicit ScratchDir(const std::string& prefix = "modelport");  // throws Error when it cannot
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace modelport

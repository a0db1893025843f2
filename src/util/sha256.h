// SHA-256 (FIPS 180-4) of bytes, files and directory trees.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace modelport {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t n);
  std::string hex_digest();  // finishes the hash

 private:
  void block(const uint8_t* p);
  uint32_t h_[8];
  uint8_t buf_[64];
  size_t buf_len_ = 0;
  uint64_t total_ = 0;
};

struct PathDigest {
  std::string sha256;
  uint64_t size = 0;  // bytes (sum over files for a directory)
};

// A file's SHA-256; for a directory, the SHA-256 of "relative/path\0<file sha256>\n" lines over its
// regular files in sorted order (stable across machines). Throws Error naming the path on failure.
PathDigest digest_path(const std::string& path);

}  // namespace modelport

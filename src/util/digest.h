// SHA-256 (OpenSSL's libcrypto) of bytes as they stream past, of files and of directory trees.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace modelport {

// Incremental SHA-256: feed bytes with update(), then hex_digest() once.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  void update(const void* data, size_t n);
  std::string hex_digest();  // finishes the hash: lowercase hex, 64 characters

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

// Lowers the calling thread's CPU priority a little (nice +5, this thread only): for hashing on a
// thread of its own, which then takes the CPU the thread writing the output leaves.
void hash_in_background();

struct PathDigest {
  std::string sha256;
  uint64_t size = 0;  // bytes (sum over files for a directory)
};

// A file's SHA-256; for a directory, the SHA-256 of "relative/path\0<file sha256>\n" lines over its
// regular files in sorted order (stable across machines). Throws Error naming the path on failure.
PathDigest digest_path(const std::string& path);

}  // namespace modelport

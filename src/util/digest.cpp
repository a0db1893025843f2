#include "util/digest.h"

#include <fcntl.h>
// The one-shot SHA256_* functions: deprecated in OpenSSL 3 but kept, and the same SHA-NI/AVX code as
// EVP's. EVP would first load the provider machinery and read openssl.cnf: about 2 MiB more of
// libcrypto resident in every export, for no faster hash.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "modelport/error.h"

namespace modelport {

struct Sha256::Ctx {
  SHA256_CTX sha;
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {
  if (SHA256_Init(&ctx_->sha) != 1) throw Error("SHA-256: cannot initialise OpenSSL's digest");
}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(const void* data, size_t n) {
  if (n && SHA256_Update(&ctx_->sha, data, n) != 1) throw Error("SHA-256: OpenSSL digest update failed");
}

std::string Sha256::hex_digest() {
  unsigned char md[SHA256_DIGEST_LENGTH];
  if (SHA256_Final(md, &ctx_->sha) != 1) throw Error("SHA-256: OpenSSL digest failed");
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : md) {
    out += hex[b >> 4];
    out += hex[b & 0xf];
  }
  return out;
}

void hash_in_background() {
  pid_t tid = ::gettid();
  errno = 0;
  int nice = ::getpriority(PRIO_PROCESS, id_t(tid));
  if (errno == 0) ::setpriority(PRIO_PROCESS, id_t(tid), std::min(nice + 5, 19));  // advisory
}

namespace {
// Hashes a regular file through a read-only mapping (read() fallback for what cannot be mapped).
PathDigest digest_file(const std::filesystem::path& p) {
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(p.string() + ": cannot read: " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw Error(p.string() + ": cannot read: " + std::strerror(errno));
  Sha256 h;
  PathDigest d;
  if (S_ISREG(st.st_mode) && st.st_size > 0) {
    // Mapped a window at a time: a mapping of the whole file would count every page of it in the
    // process's resident memory by the time the hash is done.
    constexpr uint64_t kWindow = uint64_t(16) << 20;  // a multiple of the page size
    const uint64_t size = uint64_t(st.st_size);
    uint64_t off = 0;
    for (; off < size; off += kWindow) {
      size_t n = size_t(std::min(kWindow, size - off));
      void* m = ::mmap(nullptr, n, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, off_t(off));
      if (m == MAP_FAILED) break;
      ::madvise(m, n, MADV_SEQUENTIAL);
      h.update(m, n);
      ::munmap(m, n);
    }
    if (off >= size) {
      d.size = size;
      d.sha256 = h.hex_digest();
      return d;
    }
    if (off > 0) throw Error(p.string() + ": cannot map for hashing: " + std::strerror(errno));
  }
  std::vector<char> buf(1 << 20);
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(p.string() + ": cannot read: " + std::strerror(errno));
    if (n == 0) break;
    h.update(buf.data(), size_t(n));
    d.size += uint64_t(n);
  }
  d.sha256 = h.hex_digest();
  return d;
}
}  // namespace

PathDigest digest_path(const std::string& path) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(path)) return digest_file(path);
  std::vector<std::string> files;
  for (auto& e : fs::recursive_directory_iterator(path))
    if (e.is_regular_file()) files.push_back(fs::relative(e.path(), path).generic_string());
  std::sort(files.begin(), files.end());
  Sha256 h;
  PathDigest d;
  for (auto& f : files) {
    PathDigest fd = digest_file(fs::path(path) / f);
    d.size += fd.size;
    std::string line = f + '\0' + fd.sha256 + "\n";
    h.update(line.data(), line.size());
  }
  d.sha256 = h.hex_digest();
  return d;
}

}  // namespace modelport

// A read-only memory-mapped file. Tensors read from it alias the mapping (Buffer::mapped) and keep
// it alive, so weights are never copied; its descriptor stays open so that the writer can copy them
// file to file (copy_file_range).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace modelport {

class MappedFile {
 public:
  // Throws Error("<path>: <cause>").
  static std::shared_ptr<const MappedFile> open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }
  int fd() const { return fd_; }  // open for reading as long as this object lives
  // Gives the whole pages inside [p, p + n) of a read-only file mapping back to the kernel
  // (MADV_DONTNEED): this process's resident size shrinks, the page cache keeps them, and a later
  // read faults them in again. Never call it on memory that is not such a mapping.
  static void drop_pages(const void* p, size_t n);

 private:
  MappedFile() = default;
  std::string path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  int fd_ = -1;
};

// Reads a whole (small) file into a string. Throws Error("<path>: <cause>").
std::string read_file(const std::string& path);

}  // namespace modelport

// Writing a set of output files all or nothing.
//
// Each file is written under a temporary name in its final directory, hashed (SHA-256) as its
// bytes go out (on a thread of its own that reads back what has reached the file, so the writer
// never waits for the hash), handed to the kernel's write-back as it grows, and on commit()
// flushed, fsync'd, renamed into place in creation order, and its directory fsync'd. Until commit() succeeds, destroying the transaction removes every temporary
// file and every directory or copied file it made; SIGINT/SIGTERM/SIGHUP do the same before the
// process dies of the signal. A full disk (ENOSPC) is a one-line Error naming the file.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>


namespace modelport {

class OutputTransaction;

// One file of a transaction, written through a 1 MiB buffer (large writes bypass it).
class OutputFile {
 public:
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void write(const void* p, size_t n);
  void write(const std::string& s) { write(s.data(), s.size()); }
  void zeros(uint64_t n);
  // Appends n bytes of the file open as `in_fd`, from `offset`: copied file to file in the kernel
  // (copy_file_range; a reflink where the file system shares extents), or read and written where
  // the two files cannot do that.
  void copy_file(int in_fd, uint64_t offset, uint64_t n);
  uint64_t pos() const { return size_; }
  const std::string& path() const { return final_; }     // where it will be after commit()
  const std::string& temp_path() const { return temp_; }
  // Valid after commit().
  const std::string& sha256() const { return sha256_; }

 private:
  friend class OutputTransaction;
  OutputFile(OutputTransaction& tx, std::string final_path);
  void flush();
  void raw_write(const char* p, size_t n);
  void reached_file(uint64_t n);  // n more bytes are in the file
  void finish();  // flush, fsync, finish the hash, close (once)
  class Hasher;

  OutputTransaction& tx_;
  std::string final_, temp_;
  int fd_ = -1;
  std::vector<char> buf_;
  size_t buffered_ = 0;
  uint64_t size_ = 0;     // bytes given to write()
  uint64_t in_file_ = 0;  // bytes that have reached the file
  uint64_t write_back_from_ = 0;  // start of the range not yet handed to the kernel's write-back
  bool kernel_copy_ = true;  // copy_file_range has not been refused for this file
  std::unique_ptr<Hasher> hasher_;
  std::string sha256_;
};

class OutputTransaction {
 public:
  // Called with (bytes written so far, bytes expected or 0 when unknown).
  using Progress = std::function<void(uint64_t, uint64_t)>;

  OutputTransaction();
  ~OutputTransaction();  // rolls back unless committed
  OutputTransaction(const OutputTransaction&) = delete;
  OutputTransaction& operator=(const OutputTransaction&) = delete;

  // A new file that becomes `final_path` on commit (replacing a previous file of that name then).
  OutputFile& create(const std::string& final_path);
  // Creates `dir` (and missing parents); removed again on rollback.
  void make_dir(const std::string& dir);
  // Copies a file or a directory tree to `dst` (which must not exist); removed again on rollback.
  void copy_in(const std::string& src, const std::string& dst);

  void set_progress(Progress p) { progress_ = std::move(p); }
  void expect_bytes(uint64_t n) { expected_ += n; }

  // Flushes, fsyncs and closes every file created so far (their sha256() becomes valid); no file
  // can be written after this, but new ones can still be created.
  void finish_files();
  // The path at which `final_path` (a finished file of this transaction) can be read before
  // commit(): a hard link under its final name in a private directory next to it, together with
  // the other files of that directory (so a model finds its external data). Removed by commit()
  // and on rollback.
  std::string preview_path(const std::string& final_path);

  // Makes every file durable and puts it in place. Throws Error (and rolls back) on failure.
  void commit();
  bool committed() const { return committed_; }
  // The files created with create(), in creation order.
  const std::vector<std::unique_ptr<OutputFile>>& files() const { return files_; }

 private:
  friend class OutputFile;
  void track(const std::string& path);  // removed on rollback and by the signal handler
  void rollback() noexcept;
  void count(uint64_t n);

  std::vector<std::unique_ptr<OutputFile>> files_;
  std::vector<std::string> made_;  // directories and copied files, in creation order
  std::vector<std::string> tracked_;
  std::vector<std::string> previews_;  // preview directories
  Progress progress_;
  uint64_t written_ = 0, expected_ = 0;
  bool committed_ = false;
};

// For tests and tools: the paths the signal handler would remove right now.
std::vector<std::string> signal_cleanup_paths();

}  // namespace modelport

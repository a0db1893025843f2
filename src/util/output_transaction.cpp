#include "util/output_transaction.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "modelport/error.h"
#include "util/digest.h"

namespace modelport {
namespace fs = std::filesystem;

namespace {

// ---- Paths to remove if the process is killed by a signal. The handler only reads the slots
// and calls unlink/rmdir (async-signal-safe); strings are owned by the slots (strdup/free).
constexpr size_t kSlots = 16384;
std::atomic<char*> g_slots[kSlots];
std::mutex g_slots_mu;

void on_fatal_signal(int sig) {
  int saved = errno;
  for (size_t i = kSlots; i-- > 0;)  // files first (newest first), then directories
    if (char* p = g_slots[i].load()) ::unlink(p);
  for (size_t i = kSlots; i-- > 0;)
    if (char* p = g_slots[i].load()) ::rmdir(p);
  errno = saved;
  std::signal(sig, SIG_DFL);
  ::raise(sig);
}

void install_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
      struct sigaction old {};
      ::sigaction(sig, nullptr, &old);
      if (old.sa_handler == SIG_IGN) continue;  // e.g. nohup: keep ignoring
      struct sigaction sa {};
      sa.sa_handler = on_fatal_signal;
      sigemptyset(&sa.sa_mask);
      ::sigaction(sig, &sa, nullptr);
    }
  });
}

void register_path(const std::string& p) {
  install_handlers();
  std::lock_guard<std::mutex> lock(g_slots_mu);
  for (auto& s : g_slots)
    if (!s.load()) {
      s.store(::strdup(p.c_str()));
      return;
    }
  // Full: the path is still removed on an ordinary failure, only not from a signal handler.
}

void unregister_path(const std::string& p) {
  std::lock_guard<std::mutex> lock(g_slots_mu);
  for (auto& s : g_slots)
    if (char* q = s.load(); q && p == q) {
      s.store(nullptr);
      std::free(q);
      return;
    }
}

[[noreturn]] void io_error(const std::string& path, const char* what, int err) {
  if (err == ENOSPC || err == EDQUOT)
    throw Error(path + ": no space left on device while " + what + "; nothing was written");
  throw Error(path + ": " + what + " failed: " + std::strerror(err));
}

void fsync_dir(const std::string& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // nothing to make durable through
  ::fsync(fd);
  ::close(fd);
}

std::string parent_of(const std::string& p) {
  fs::path parent = fs::path(p).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

constexpr size_t kBufferSize = 1 << 20;
// Every this many bytes the file's new pages are handed to the kernel's write-back, so the disk
// writes while the export goes on and the fsync at the end has little left to wait for.
constexpr uint64_t kWriteBackStep = uint64_t(32) << 20;

}  // namespace

// The SHA-256 of a file as it is written, computed on a thread of its own. The thread reads back
// (pread, from the page cache) the bytes that have reached the file, so the writer never waits for
// the hash, the writer's buffers may be reused at once, and the hash is of exactly the file's bytes.
class OutputFile::Hasher {
 public:
  Hasher(int fd, std::string path) : fd_(fd), path_(std::move(path)), thread_([this] { run(); }) {}
  ~Hasher() { stop(true); }

  void reached(uint64_t bytes) {  // the first `bytes` bytes of the file are written
    {
      std::lock_guard<std::mutex> lock(mu_);
      reached_ = bytes;
    }
    cv_.notify_one();
  }
  // Waits for the hash of everything reached so far; the fd must stay open until then.
  std::string digest() {
    stop(false);
    if (err_) io_error(path_, "reading back for its SHA-256", err_);
    return hash_.hex_digest();
  }

 private:
  void stop(bool abandon) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
      abandon_ = abandon_ || abandon;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
  }
  void run() {
    hash_in_background();
    std::vector<char> buf(size_t(1) << 20);
    uint64_t pos = 0;
    for (;;) {
      uint64_t upto;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return reached_ > pos || done_; });
        if (abandon_ || (done_ && reached_ <= pos)) return;
        upto = reached_;
      }
      while (pos < upto) {
        ssize_t r = ::pread(fd_, buf.data(), size_t(std::min<uint64_t>(buf.size(), upto - pos)), off_t(pos));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
          err_ = r < 0 ? errno : EIO;
          return;
        }
        hash_.update(buf.data(), size_t(r));
        pos += uint64_t(r);
      }
    }
  }

  const int fd_;
  const std::string path_;
  Sha256 hash_;
  int err_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t reached_ = 0;
  bool done_ = false, abandon_ = false;
  std::thread thread_;  // last: starts once everything above is initialised
};

std::vector<std::string> signal_cleanup_paths() {
  std::lock_guard<std::mutex> lock(g_slots_mu);
  std::vector<std::string> out;
  for (auto& s : g_slots)
    if (char* p = s.load()) out.emplace_back(p);
  return out;
}

// ------------------------------------------------------------------ OutputFile
OutputFile::OutputFile(OutputTransaction& tx, std::string final_path) : tx_(tx), final_(std::move(final_path)) {
  fs::path f(final_);
  std::string stem = "." + f.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-";
  for (int attempt = 0; attempt < 100 && fd_ < 0; ++attempt) {
    temp_ = (f.parent_path() / (stem + std::to_string(attempt))).string();
    tx_.track(temp_);  // tracked before it exists: a signal right after open() still removes it
    fd_ = ::open(temp_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);  // read by the Hasher
    if (fd_ < 0) {
      int err = errno;
      unregister_path(temp_);
      tx_.tracked_.pop_back();
      if (err != EEXIST) io_error(final_, "creating the file", err);
    }
  }
  if (fd_ < 0) throw Error(final_ + ": cannot create a temporary file next to it");
  buf_.resize(kBufferSize);
  hasher_ = std::make_unique<Hasher>(fd_, final_);
}

OutputFile::~OutputFile() {
  hasher_.reset();  // stops reading the fd before it is closed
  if (fd_ >= 0) ::close(fd_);
}

void OutputFile::raw_write(const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd_, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) io_error(final_, "writing", errno);
    if (w == 0) io_error(final_, "writing", ENOSPC);
    p += w;
    n -= size_t(w);
    reached_file(uint64_t(w));
  }
}

void OutputFile::reached_file(uint64_t n) {
  in_file_ += n;
  hasher_->reached(in_file_);
  if (in_file_ - write_back_from_ >= kWriteBackStep) {
    // Advisory (fsync reports any real failure): start writing these pages to disk now.
    ::sync_file_range(fd_, off_t(write_back_from_), off_t(in_file_ - write_back_from_), SYNC_FILE_RANGE_WRITE);
    write_back_from_ = in_file_;
  }
}

void OutputFile::flush() {
  if (buffered_) raw_write(buf_.data(), buffered_);
  buffered_ = 0;
}

void OutputFile::write(const void* data, size_t n) {
  if (!n) return;
  if (fd_ < 0) throw Error(final_ + ": written after it was finished");
  const char* p = static_cast<const char*>(data);
  size_ += n;
  if (buffered_ + n <= buf_.size()) {
    std::memcpy(buf_.data() + buffered_, p, n);
    buffered_ += n;
  } else {
    flush();
    if (n >= buf_.size()) {
      raw_write(p, n);  // large tensors go straight from their buffer to the file
    } else {
      std::memcpy(buf_.data(), p, n);
      buffered_ = n;
    }
  }
  tx_.count(n);
}

void OutputFile::copy_file(int in_fd, uint64_t offset, uint64_t n) {
  if (!n) return;
  if (fd_ < 0) throw Error(final_ + ": written after it was finished");
  flush();
  uint64_t done = 0;
  while (done < n && kernel_copy_) {
    loff_t from = loff_t(offset + done);
    // nullptr: from and to this file's own position, where the next write() continues.
    ssize_t r = ::copy_file_range(in_fd, &from, fd_, nullptr, size_t(std::min(n - done, kWriteBackStep)), 0);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == ENOSPC || errno == EDQUOT || errno == EIO)) io_error(final_, "writing", errno);
    if (r <= 0) {  // not between these files (another file system, no support): read and write
      kernel_copy_ = false;
      break;
    }
    done += uint64_t(r);
    reached_file(uint64_t(r));
  }
  while (done < n) {
    ssize_t r = ::pread(in_fd, buf_.data(), size_t(std::min<uint64_t>(buf_.size(), n - done)), off_t(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) throw Error(final_ + ": a source file ended or failed while its bytes were copied" +
                            (r < 0 ? std::string(": ") + std::strerror(errno) : std::string()));
    raw_write(buf_.data(), size_t(r));
    done += uint64_t(r);
  }
  size_ += n;
  tx_.count(n);
}

void OutputFile::zeros(uint64_t n) {
  static const char z[4096] = {};
  for (; n; n -= std::min<uint64_t>(n, sizeof z)) write(z, std::min<uint64_t>(n, sizeof z));
}

void OutputFile::finish() {
  if (fd_ < 0) return;
  flush();
  if (::fsync(fd_) != 0) io_error(final_, "flushing to disk", errno);  // while the hash catches up
  sha256_ = hasher_->digest();
  hasher_.reset();
  int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0) io_error(final_, "closing", errno);
  buf_ = {};
}

// ------------------------------------------------------------------ OutputTransaction
OutputTransaction::OutputTransaction() { install_handlers(); }

OutputTransaction::~OutputTransaction() {
  if (!committed_) rollback();
}

void OutputTransaction::track(const std::string& path) {
  register_path(path);
  tracked_.push_back(path);
}

void OutputTransaction::count(uint64_t n) {
  written_ += n;
  if (progress_) progress_(written_, expected_);
}

OutputFile& OutputTransaction::create(const std::string& final_path) {
  for (auto& f : files_)
    if (f->path() == final_path) throw Error(final_path + ": written twice by one export");
  files_.emplace_back(new OutputFile(*this, final_path));
  return *files_.back();
}

void OutputTransaction::make_dir(const std::string& dir) {
  fs::path d = fs::absolute(dir).lexically_normal();
  if (d.filename().empty()) d = d.parent_path();
  std::vector<fs::path> missing;
  for (fs::path p = d; !p.empty() && !fs::exists(p); p = p.parent_path()) missing.push_back(p);
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    track(it->string());
    if (::mkdir(it->c_str(), 0755) != 0 && errno != EEXIST) io_error(dir, "creating the directory", errno);
    made_.push_back(it->string());
  }
}

void OutputTransaction::copy_in(const std::string& src, const std::string& dst) {
  if (fs::exists(dst)) throw Error(dst + ": already exists");
  auto copy_file = [&](const fs::path& from, const fs::path& to) {
    track(to.string());
    made_.push_back(to.string());
    std::error_code ec;
    fs::copy_file(from, to, ec);
    if (ec) throw Error(from.string() + ": cannot copy to " + to.string() + " (" + ec.message() + ")");
  };
  if (!fs::is_directory(src)) return copy_file(src, dst);
  make_dir(dst);
  std::vector<fs::directory_entry> entries(fs::recursive_directory_iterator(src), {});
  std::sort(entries.begin(), entries.end());
  for (auto& e : entries) {
    fs::path to = fs::path(dst) / fs::relative(e.path(), src);
    if (e.is_directory()) make_dir(to.string());
    else if (e.is_regular_file()) copy_file(e.path(), to);
  }
}

void OutputTransaction::finish_files() {
  for (auto& f : files_) f->finish();
}

std::string OutputTransaction::preview_path(const std::string& final_path) {
  finish_files();
  std::string parent = parent_of(final_path);
  fs::path dir = fs::path(parent) / (".modelport-preview-" + std::to_string(::getpid()) + "-" +
                                      std::to_string(previews_.size()));
  track(dir.string());
  made_.push_back(dir.string());
  previews_.push_back(dir.string());
  if (::mkdir(dir.c_str(), 0700) != 0) io_error(final_path, "creating a preview directory", errno);
  for (auto& f : files_) {
    if (parent_of(f->final_) != parent) continue;
    fs::path link = dir / fs::path(f->final_).filename();
    track(link.string());
    if (::link(f->temp_.c_str(), link.c_str()) != 0) io_error(final_path, "linking a preview", errno);
  }
  return (dir / fs::path(final_path).filename()).string();
}

void OutputTransaction::commit() {
  try {
    finish_files();  // every byte on disk before any name changes
    std::error_code ec;
    for (auto& d : previews_) {
      fs::remove_all(d, ec);
      made_.erase(std::find(made_.begin(), made_.end(), d));
    }
    previews_.clear();
    std::set<std::string> dirs;
    for (auto& f : files_) {
      if (::rename(f->temp_.c_str(), f->final_.c_str()) != 0) io_error(f->final_, "renaming into place", errno);
      unregister_path(f->temp_);
      dirs.insert(parent_of(f->final_));
    }
    for (auto& d : made_) dirs.insert(parent_of(d));
    for (auto& d : dirs) fsync_dir(d);
  } catch (...) {
    rollback();
    committed_ = true;  // rolled back already
    throw;
  }
  for (auto& p : tracked_) unregister_path(p);
  tracked_.clear();
  committed_ = true;
}

void OutputTransaction::rollback() noexcept {
  for (auto& f : files_) {
    if (f->fd_ >= 0) ::close(f->fd_);
    f->fd_ = -1;
    ::unlink(f->temp_.c_str());
  }
  std::error_code ec;
  for (auto it = made_.rbegin(); it != made_.rend(); ++it) fs::remove_all(*it, ec);
  for (auto& p : tracked_) unregister_path(p);
  tracked_.clear();
}

}  // namespace modelport

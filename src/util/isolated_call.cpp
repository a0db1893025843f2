#include "util/isolated_call.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <chrono>
#include <cstring>
#include <exception>
#include <fstream>

namespace modelport {
namespace {

// Exit codes of the child: 0 = bytes sent; 3 = `work` threw (its message was sent instead).
constexpr int kThrew = 3;

bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= size_t(w);
  }
  return true;
}

}  // namespace
}  // namespace modelport

// Set by AddressSanitizer/libFuzzer builds only (weak: absent otherwise).
extern "C" void __sanitizer_set_death_callback(void (*)(void)) __attribute__((weak));

namespace modelport {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAsan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAsan = true;
#else
constexpr bool kAsan = false;
#endif
#else
constexpr bool kAsan = false;
#endif

// Caps the address space at what this (just forked) process has plus `extra` bytes.
void limit_growth(uint64_t extra) {
  if (extra == 0 || kAsan) return;
  uint64_t pages = 0;
  std::ifstream("/proc/self/statm") >> pages;
  if (pages == 0) return;
  uint64_t cap = pages * uint64_t(::sysconf(_SC_PAGESIZE)) + extra;
  rlimit lim{cap, cap};
  ::setrlimit(RLIMIT_AS, &lim);
}

[[noreturn]] void child_main(int fd, const std::function<std::string()>& work, uint64_t memory_bytes) {
  // A crash here is the outcome the parent reports, so the child ends quietly: default signal
  // actions instead of the handlers a fuzzer or sanitizer installed in this process (they would
  // report it as a crash of their own and write artifacts), no death callback, stderr discarded.
  for (int sig : {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL}) std::signal(sig, SIG_DFL);
  if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(nullptr);
  int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (devnull >= 0) ::dup2(devnull, STDERR_FILENO);
  limit_growth(memory_bytes);
  int code = 0;
  std::string out;
  try {
    out = work();
  } catch (const std::exception& e) {
    out = e.what();
    code = kThrew;
  } catch (...) {
    out = "unknown exception";
    code = kThrew;
  }
  // _exit: no atexit handlers, no static destructors, no stdio flush of the parent's buffers.
  _exit(write_all(fd, out.data(), out.size()) ? code : 4);
}

std::string describe_status(int status) {
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    const char* name = sigabbrev_np(sig);
    return std::string("crashed (signal ") + (name ? std::string("SIG") + name : std::to_string(sig)) + ")";
  }
  if (WIFEXITED(status)) return "failed (exit code " + std::to_string(WEXITSTATUS(status)) + ")";
  return "failed";
}

}  // namespace

IsolatedResult run_isolated(const std::function<std::string()>& work, uint64_t max_bytes, int timeout_ms,
                            uint64_t memory_bytes) {
  IsolatedResult r;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    r.failure = std::string("cannot create a pipe: ") + std::strerror(errno);
    return r;
  }
  pid_t pid = fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    r.failure = std::string("cannot fork: ") + std::strerror(errno);
    return r;
  }
  if (pid == 0) {
    ::close(fds[0]);
    child_main(fds[1], work, memory_bytes);
  }
  ::close(fds[1]);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string got;
  bool too_much = false, timed_out = false;
  char buf[1 << 16];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int pr = ::poll(&p, 1, int(left.count()));
    if (pr < 0 && errno == EINTR) continue;
    if (pr == 0) {
      timed_out = true;
      break;
    }
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the child closed its end (exited)
    if (got.size() + size_t(n) > max_bytes) {
      too_much = true;
      break;
    }
    got.append(buf, size_t(n));
  }
  ::close(fds[0]);
  if (timed_out || too_much) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    r.failure = "did not finish within " + std::to_string(timeout_ms / 1000) + " s";
  } else if (too_much) {
    r.failure = "returned more than " + std::to_string(max_bytes) + " bytes";
  } else if (WIFEXITED(status) && WEXITSTATUS(status) == kThrew) {
    r.failure = got;
  } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    r.ok = true;
    r.bytes = std::move(got);
  } else {
    r.failure = describe_status(status);
  }
  return r;
}

}  // namespace modelport

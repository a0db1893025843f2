// Running a risky library call in a forked child, so that a crash or a hang inside the library
// (libhdf5 trusts sizes stored in the file in a few places) ends in an error, not in the death of
// modelport. The child runs `work`, sends the bytes it returns through a pipe and exits; nothing it
// changes in memory comes back.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

namespace modelport {

struct IsolatedResult {
  bool ok = false;
  std::string bytes;    // what `work` returned (when ok)
  std::string failure;  // why not (when !ok): "crashed (SIGSEGV)", "did not finish within 10 s", ...
};

// `work` may throw modelport::Error: its message comes back as the failure. At most `max_bytes`
// are accepted back; more is a failure. A child still running after `timeout_ms` is killed. With
// `memory_bytes` > 0 the child may grow its address space by at most that much beyond what it
// inherits (RLIMIT_AS: an allocation past it fails, so a library trusting a size in a crafted file
// cannot take the machine's memory); not applied in AddressSanitizer builds, whose shadow memory
// would count against it.
IsolatedResult run_isolated(const std::function<std::string()>& work, uint64_t max_bytes, int timeout_ms,
                            uint64_t memory_bytes = 0);

}  // namespace modelport

// Running a child process and capturing its output (no shell involved).
#pragma once
#include <string>
#include <vector>

namespace modelport {

struct ProcessResult {
  int exit_code = -1;   // 128+signal when killed by a signal
  std::string out, err;
};

// Runs argv[0] (searched on PATH) with the given arguments, stdin from /dev/null.
ProcessResult run_process(const std::vector<std::string>& argv);

}  // namespace modelport

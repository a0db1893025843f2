// Errors carry the process exit code the CLI returns for them. Messages are one line:
// "<file>: <cause>" wherever a file is involved.
#pragma once
#include <stdexcept>
#include <string>

namespace modelport {

enum ExitCode : int {
  kExitOk = 0,
  kExitConversionFailed = 1,  // bad/corrupt/unsupported input, or a failure while converting
  kExitUsage = 2,             // bad command line
  kExitVerifyMismatch = 3,    // verification found outputs that differ beyond tolerance
  kExitNotVerified = 4,       // verify asked for, but no reference could run: nothing was compared
};

class Error : public std::runtime_error {
 public:
  Error(const std::string& msg, int exit_code = kExitConversionFailed)
      : std::runtime_error(msg), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

// A bad command line (exit 2).
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& msg) : Error(msg, kExitUsage) {}
};

// verify's reference (e.g. TensorFlow.js) cannot run this model, or is not installed: what() says why.
// verify turns it into "NOT VERIFIED: <why>" and exit code 4.
class ReferenceUnavailable : public Error {
 public:
  explicit ReferenceUnavailable(const std::string& why) : Error(why, kExitNotVerified) {}
};

}  // namespace modelport

#include "cli/torch_front.h"

#include <torch/version.h>  // TORCH_VERSION only: nothing of libtorch is linked
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "modelport/error.h"
#include "modelport/loaders.h"

namespace modelport {
namespace torch_front {
namespace {

std::vector<char*>& command_line() {
  static std::vector<char*> argv;
  return argv;
}

std::vector<std::filesystem::path> candidates() {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
  if (ec) return {};
  return {dir / "modelport-torch", dir / MODELPORT_LIBEXEC_FROM_BIN / "modelport-torch"};
}

// Replaces this process with modelport-torch, same arguments. Nothing has been written yet: the
// export's files are created only after the model is loaded.
[[noreturn]] void reexec(const std::string& path, const char* what) {
  std::vector<std::string> looked;
  for (auto& c : candidates()) {
    if (::access(c.c_str(), X_OK) != 0) {
      looked.push_back(c.lexically_normal().string());
      continue;
    }
    if (command_line().empty()) throw Error(path + ": " + what + " needs libtorch, which this program does not link");
    // libtorch links OpenBLAS, whose worker threads busy-wait (sched_yield) for about 2^28 cycles
    // after they start before they sleep: a tenth of a CPU-second an export never uses, taken from
    // the loader and the hash threads. 2^4 cycles makes them sleep at once; a user's setting wins.
    ::setenv("OPENBLAS_THREAD_TIMEOUT", "4", /*overwrite=*/0);
    std::fflush(stdout);
    std::fflush(stderr);
    ::execv(c.c_str(), command_line().data());
    throw Error(c.string() + ": cannot run (" + std::strerror(errno) + "), needed for " + what + " of " + path);
  }
  std::string where;
  for (auto& l : looked) where += (where.empty() ? "" : " or ") + l;
  throw Error(path + ": " + what + " needs modelport-torch, which is not installed (looked for " + where + ")");
}

}  // namespace

void remember_command_line(int argc, char** argv) {
  command_line().assign(argv, argv + argc);
  command_line().push_back(nullptr);
}

}  // namespace torch_front

Model load_torchscript(const std::string& path, const LoadOptions&) {
  torch_front::reexec(path, "loading a TorchScript model");
}
SourceReport inspect_torchscript(const std::string& path, const LoadOptions&) {
  torch_front::reexec(path, "inspecting a TorchScript model");
}
std::vector<NamedTensor> run_torchscript(const std::string& path, const std::vector<NamedTensor>&) {
  torch_front::reexec(path, "running a TorchScript model");
}

struct TorchScriptSession::Impl {};
TorchScriptSession::TorchScriptSession(const std::string& path) {
  torch_front::reexec(path, "running a TorchScript model");
}
TorchScriptSession::~TorchScriptSession() = default;
std::vector<NamedTensor> TorchScriptSession::run(const std::vector<NamedTensor>&) { return {}; }
Tensor TorchScriptSession::attribute(const std::string&) { return {}; }

std::vector<std::string> torchscript_supported_ops() {
  torch_front::reexec("modelport ops", "listing the TorchScript ops");
}
std::string torchscript_library_version() { return TORCH_VERSION; }

}  // namespace modelport

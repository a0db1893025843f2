#include "verify/ort_runner.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "modelport/error.h"
#include "util/npy.h"
#include "util/subprocess.h"

namespace modelport {
namespace fs = std::filesystem;

std::string ort_runner_script() {
  if (const char* p = std::getenv("MODELPORT_ORT_RUNNER")) return p;
  return std::string(MODELPORT_SOURCE_DIR) + "/tools/ort_run.js";
}

namespace {
// A private scratch directory removed when it goes out of scope.
struct ScratchDir {
  fs::path path;
  ScratchDir() {
    std::string tmpl = (fs::temp_directory_path() / "modelport-ort-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw Error("cannot create a temporary directory");
    path = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};
}  // namespace

std::vector<NamedTensor> run_onnxruntime(const std::string& model_path, const std::vector<NamedTensor>& inputs) {
  std::string script = ort_runner_script();
  if (!fs::exists(script)) throw Error(script + ": ONNX Runtime runner not found (set MODELPORT_ORT_RUNNER)");
  ScratchDir dir;
  std::vector<std::string> argv = {"node", script, model_path, "--outdir", (dir.path / "out").string()};
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::string f = (dir.path / ("input_" + std::to_string(i) + ".npy")).string();
    write_npy(f, inputs[i].tensor);
    argv.push_back("--input");
    argv.push_back(inputs[i].name + "=" + f);
  }
  ProcessResult r = run_process(argv);
  if (r.exit_code != 0) {
    std::string msg = r.err.empty() ? "exit code " + std::to_string(r.exit_code) : r.err;
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == '\r')) msg.pop_back();
    if (auto nl = msg.find('\n'); nl != std::string::npos) msg = msg.substr(0, nl);
    throw Error(msg);
  }
  auto j = nlohmann::json::parse(r.out);
  std::vector<NamedTensor> out;
  for (auto& o : j["outputs"]) out.push_back({o["name"].get<std::string>(), read_npy(o["file"].get<std::string>())});
  return out;
}

}  // namespace modelport

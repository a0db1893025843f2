#include "verify/ort_runner.h"

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "util/npy.h"
#include "util/scratch_dir.h"
#include "util/subprocess.h"
#include "verify/runtime_dir.h"

namespace modelport {
namespace fs = std::filesystem;

namespace {

// $ENV (one script), else the runner found by find_runner (runtime_dir.h); throws `Exc` naming
// where it looked when there is none.
template <class Exc>
std::string tool_script(const char* env, const std::string& name, const std::string& what) {
  if (const char* p = std::getenv(env); p && *p) {
    if (!fs::exists(p)) throw Exc(std::string(p) + ": " + what + " runner not found (set by " + env + ")");
    return p;
  }
  std::string found = find_runner(name);
  if (!found.empty()) return found;
  std::string looked;
  for (const std::string& d : runtime_dir_candidates()) looked += (looked.empty() ? "" : ", ") + d;
  throw Exc(name + ": " + what + " runner not found in " + (looked.empty() ? "no directory" : looked) +
            " (set MODELPORT_RUNTIME_DIR to an install's share/modelport or a checkout's tools/)");
}

// The runners end with one line "<script>: <cause>" on failure; libraries may print before it.
std::string failure_line(const std::string& err, int exit_code) {
  std::string last;
  size_t at = 0;
  while (at < err.size()) {
    size_t nl = err.find('\n', at);
    std::string line = err.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.rfind("ort_run: ", 0) == 0 || line.rfind("tfjs_run: ", 0) == 0) return line;
    if (!line.empty()) last = line;
    if (nl == std::string::npos) break;
    at = nl + 1;
  }
  return last.empty() ? "exit code " + std::to_string(exit_code) : last;
}

struct NodeRun {
  int exit_code = 0;
  std::string message;   // first line of stderr when exit_code != 0
  nlohmann::json result;  // stdout when exit_code == 0
  std::vector<NamedTensor> outputs;
};

// Runs `node SCRIPT MODEL --input NAME=FILE.npy ... --outdir DIR` (the protocol of tools/ort_run.js
// and tools/tfjs_run.js) and reads the outputs it lists.
NodeRun run_node_script(const std::string& script, const std::string& model, const std::vector<NamedTensor>& inputs,
                        const std::string& scratch_prefix) {
  ScratchDir dir(scratch_prefix);
  std::vector<std::string> argv = {"node", script, model, "--outdir", (dir.path() / "out").string()};
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::string f = (dir.path() / ("input_" + std::to_string(i) + ".npy")).string();
    write_npy(f, inputs[i].tensor);
    argv.push_back("--input");
    argv.push_back(inputs[i].name + "=" + f);
  }
  ProcessResult r = run_process(argv);
  NodeRun run;
  run.exit_code = r.exit_code;
  if (r.exit_code != 0) {
    run.message = failure_line(r.err, r.exit_code);
    return run;
  }
  try {
    run.result = nlohmann::json::parse(r.out);
    for (auto& o : run.result.at("outputs"))
      run.outputs.push_back({o.at("name").get<std::string>(), read_npy(o.at("file").get<std::string>())});
  } catch (const nlohmann::json::exception& e) {
    throw Error(script + ": unexpected report (" + e.what() + ")");
  }
  return run;
}

}  // namespace

std::string ort_runner_script() { return tool_script<Error>("MODELPORT_ORT_RUNNER", "ort_run.js", "ONNX Runtime"); }

std::vector<NamedTensor> run_onnxruntime(const std::string& model_path, const std::vector<NamedTensor>& inputs) {
  std::string script = ort_runner_script();
  NodeRun r = run_node_script(script, model_path, inputs, "modelport-ort");
  if (r.exit_code != 0) throw Error(r.message);
  return std::move(r.outputs);
}

TfjsRun run_tfjs(const std::string& model_json, const std::vector<NamedTensor>& inputs) {
  std::string script = tool_script<ReferenceUnavailable>("MODELPORT_TFJS_RUNNER", "tfjs_run.js", "TensorFlow.js");
  NodeRun r = run_node_script(script, model_json, inputs, "modelport-tfjs");
  if (r.exit_code != 0) {
    std::string why = r.message;
    if (why.rfind("tfjs_run: ", 0) == 0) why = why.substr(10);
    throw ReferenceUnavailable(why);
  }
  return {std::move(r.outputs), r.result.value("runtime", std::string("@tensorflow/tfjs"))};
}

}  // namespace modelport

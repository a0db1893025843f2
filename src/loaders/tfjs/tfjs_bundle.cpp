// verify's reference for a TensorFlow.js model is tfjs running the model itself: model.json as it
// is, plus the "modelport" block tools/tfjs_run.js reads (ONNX input/output name -> tfjs tensor),
// with the weight shards linked beside it.
#include <filesystem>
#include <fstream>

#include "loaders/keras/config_json.h"
#include "util/mapped_file.h"
#include "loaders/tfjs/tfjs_loader.h"
#include "modelport/error.h"

namespace modelport {
namespace fs = std::filesystem;

namespace {

std::string bare(const std::string& tensor) {
  return tensor.size() > 2 && tensor.compare(tensor.size() - 2, 2, ":0") == 0 ? tensor.substr(0, tensor.size() - 2)
                                                                               : tensor;
}

}  // namespace

void write_tfjs_source(const std::string& path, const LoadOptions& opts, const std::string& dir) {
  Model m = load_tfjs(path, opts);  // the ONNX names, and the tfjs tensors they come from
  tfjs::json doc = keras::parse_config_json(read_file(path), path, "model.json");
  tfjs::json mp = {{"inputs", tfjs::json::array()}, {"outputs", tfjs::json::array()}};
  for (size_t i = 0; i < m.graph->inputs.size() && i < m.source_input_names.size(); ++i)
    mp["inputs"].push_back({{"name", m.graph->inputs[i]->name}, {"tensor", bare(m.source_input_names[i])}});
  for (size_t i = 0; i < m.graph->outputs.size() && i < m.source_output_names.size(); ++i)
    mp["outputs"].push_back({{"name", m.graph->outputs[i]->name}, {"tensor", bare(m.source_output_names[i])}});
  doc["modelport"] = mp;
  fs::path src_dir = fs::absolute(fs::path(path)).parent_path();
  for (auto& group : doc["weightsManifest"])
    for (auto& p : group["paths"]) {
      fs::path rel = p.get<std::string>();
      for (auto& part : rel)
        if (part == "..") throw ReferenceUnavailable(path + ": weight shard path '" + rel.string() + "' leaves the model's directory");
      if (rel.is_absolute()) throw ReferenceUnavailable(path + ": weight shard path '" + rel.string() + "' is absolute");
      fs::path link = fs::path(dir) / rel;
      fs::create_directories(link.parent_path());
      fs::remove(link);
      fs::create_symlink(src_dir / rel, link);
    }
  std::ofstream out(fs::path(dir) / "model.json");
  out << doc.dump();
  if (!out) throw Error(dir + "/model.json: cannot write the tfjs bundle");
}

}  // namespace modelport

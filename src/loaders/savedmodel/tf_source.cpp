#include "tf_source.h"

#include <sys/stat.h>

#include <algorithm>

#include "util/mapped_file.h"
#include "modelport/error.h"

namespace modelport::tf {
namespace {

bool is_dir(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}
bool exists(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0;
}
std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

}  // namespace

std::string TfSource::tensorflow_version() const {
  return meta ? meta->meta_info_def().tensorflow_version() : std::string();
}

std::vector<std::string> tag_sets(const SavedModel& sm) {
  std::vector<std::string> out;
  for (auto& mg : sm.meta_graphs()) {
    std::vector<std::string> tags(mg.meta_info_def().tags().begin(), mg.meta_info_def().tags().end());
    out.push_back(tags.empty() ? "(no tags)" : join(tags, ","));
  }
  return out;
}

TfSource open_source(const std::string& path, Format format, const std::string& tag) {
  TfSource src;
  src.path = path;
  if (format == Format::SavedModel) {
    src.saved_model = true;
    src.pb_path = is_dir(path) ? path + "/saved_model.pb" : path;
    std::string bytes = read_file(src.pb_path);
    src.saved = std::make_shared<SavedModel>();
    if (!src.saved->ParseFromString(bytes)) throw Error(src.pb_path + ": not a valid SavedModel protobuf");
    if (src.saved->meta_graphs_size() == 0) throw Error(src.pb_path + ": SavedModel has no meta graphs");
    for (auto& mg : src.saved->meta_graphs()) {
      auto& tags = mg.meta_info_def().tags();
      if (std::find(tags.begin(), tags.end(), tag) != tags.end()) {
        src.meta = &mg;
        break;
      }
    }
    if (!src.meta) {
      if (src.saved->meta_graphs_size() == 1 && tag == "serve") {
        src.meta = &src.saved->meta_graphs(0);
        src.warnings.push_back("no meta graph tagged 'serve'; using the only one (" + tag_sets(*src.saved)[0] + ")");
      } else {
        throw Error(path + ": no meta graph tagged '" + tag + "' (available: " + join(tag_sets(*src.saved), "; ") + ")");
      }
    }
    src.graph = &src.meta->graph_def();
  } else if (format == Format::GraphDef) {
    src.pb_path = path;
    std::string bytes = read_file(path);
    src.frozen = std::make_shared<GraphDef>();
    if (!src.frozen->ParseFromString(bytes)) throw Error(path + ": not a valid GraphDef protobuf");
    src.graph = src.frozen.get();
  } else {
    throw Error(path + ": not a TensorFlow model format");
  }
  return src;
}

void open_variables(TfSource& src) {
  if (!src.saved_model || src.bundle) return;
  std::string dir = is_dir(src.path) ? src.path : src.path.substr(0, src.path.find_last_of('/') + 1);
  std::string prefix = dir + "/variables/variables";
  if (!exists(prefix + ".index")) return;
  src.bundle = TensorBundle::open(prefix);
}

Signature make_signature(const std::string& name, const SignatureDef& def) {
  Signature s;
  s.name = name;
  s.def = &def;
  for (auto& [k, info] : def.inputs()) s.inputs.push_back({k, &info});
  for (auto& [k, info] : def.outputs()) s.outputs.push_back({k, &info});
  auto by_key = [](const SignatureIo& a, const SignatureIo& b) { return a.key < b.key; };
  std::sort(s.inputs.begin(), s.inputs.end(), by_key);
  std::sort(s.outputs.begin(), s.outputs.end(), by_key);
  return s;
}

std::vector<Signature> signatures(const MetaGraphDef& meta) {
  std::vector<Signature> out;
  for (auto& [name, def] : meta.signature_def()) {
    if (name == "__saved_model_init_op") continue;
    out.push_back(make_signature(name, def));
  }
  std::sort(out.begin(), out.end(), [](const Signature& a, const Signature& b) { return a.name < b.name; });
  return out;
}

Signature find_signature(const TfSource& src, const std::string& name) {
  auto all = signatures(*src.meta);
  for (auto& s : all)
    if (s.name == name) return s;
  std::vector<std::string> names;
  for (auto& s : all) names.push_back(s.name);
  if (names.empty()) throw Error(src.path + ": the SavedModel has no signatures");
  throw Error(src.path + ": no signature '" + name + "' (available: " + join(names, ", ") + ")");
}

}  // namespace modelport::tf

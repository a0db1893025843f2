#include "cli/manifest.h"

#include <google/protobuf/stubs/common.h>
#include <onnx/common/version.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "cli/git_revision.h"
#include "modelport/error.h"
#include "util/digest.h"

namespace modelport::cli {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

json io_entries(const std::vector<Value*>& vals, const std::vector<std::string>& source_names) {
  json arr = json::array();
  for (size_t i = 0; i < vals.size(); ++i) {
    const Value* v = vals[i];
    json dims = json::array(), symbols = json::array();
    for (auto& d : v->shape.dims) {
      if (d.is_fixed()) dims.push_back(d.value);
      else if (d.is_symbol()) {
        dims.push_back(d.symbol);
        symbols.push_back(d.symbol);
      } else dims.push_back(nullptr);
    }
    json e = {{"name", v->name}, {"dtype", dtype_name(v->dtype)}, {"dims", v->shape.rank_known ? dims : json(nullptr)},
              {"symbols", symbols}};
    if (i < source_names.size() && !source_names[i].empty()) e["source_name"] = source_names[i];
    arr.push_back(e);
  }
  return arr;
}

std::string utc_now() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

json os_info() {
  utsname u{};
  uname(&u);
  std::string pretty;
  std::ifstream rel("/etc/os-release");
  for (std::string line; std::getline(rel, line);)
    if (line.rfind("PRETTY_NAME=", 0) == 0) {
      pretty = line.substr(12);
      if (pretty.size() >= 2 && pretty.front() == '"') pretty = pretty.substr(1, pretty.size() - 2);
    }
  return {{"system", u.sysname}, {"release", u.release}, {"machine", u.machine}, {"distribution", pretty}};
}

std::string protobuf_version() {
  int v = GOOGLE_PROTOBUF_VERSION;
  return std::to_string(v / 1000000) + "." + std::to_string(v / 1000 % 1000) + "." + std::to_string(v % 1000);
}

}  // namespace

json build_manifest(const ManifestInputs& in) {
  const Model& m = *in.model;
  PathDigest src = digest_path(in.source_path);
  json files = json::array();
  for (auto& f : in.result.files) {
    PathDigest d = digest_path(f);
    files.push_back({{"path", fs::relative(f, in.out_dir).generic_string()}, {"size", d.size}, {"sha256", d.sha256},
                     {"role", files.empty() ? "model" : "external_data"}});
  }
  for (auto& f : in.included) {
    PathDigest d = digest_path((fs::path(in.out_dir) / f).string());
    files.push_back({{"path", f}, {"size", d.size}, {"sha256", d.sha256}, {"role", "included"}});
  }
  json libs = {{"onnx", onnx::LAST_RELEASE_VERSION}, {"protobuf", protobuf_version()}};
  for (auto& [k, v] : loader_library_versions()) libs[k] = v;
  json j = {
      {"schema_version", kManifestSchemaVersion},
      {"created", utc_now()},
      {"tool", {{"name", "modelport"}, {"version", MODELPORT_VERSION}, {"git_revision", git_revision()}}},
      {"source",
       {{"path", fs::absolute(in.source_path).lexically_normal().string()},
        {"size", src.size},
        {"sha256", src.sha256},
        {"format", format_name(in.format)},
        {"producer", {{"name", m.producer_name}, {"version", m.producer_version}}},
        {"description", m.description}}},
      {"export",
       {{"opset", in.emit.opset},
        {"external_data", in.result.used_external_data},
        {"inputs", io_entries(m.graph->inputs, m.source_input_names)},
        {"outputs", io_entries(m.graph->outputs, m.source_output_names)},
        {"options", in.options}}},
      {"files", files},
      {"libraries", libs},
      {"os", os_info()},
      {"ops", in.result.op_histogram},
      {"node_count", in.result.node_count},
      {"warnings", m.warnings},
      {"verification", in.verification ? *in.verification : json(nullptr)},
  };
  return j;
}

void write_json_file(const std::string& path, const json& j) {
  std::string tmp = path + ".tmp-" + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump(2) << "\n";
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);
      throw Error(path + ": cannot write");
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw Error(path + ": cannot write (" + ec.message() + ")");
  }
}

}  // namespace modelport::cli

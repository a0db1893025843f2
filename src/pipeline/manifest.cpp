#include "pipeline/manifest.h"

#include <google/protobuf/stubs/common.h>
#include <leveldb/db.h>
#include <openssl/crypto.h>
#include <onnx/common/version.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "pipeline/git_revision.h"

namespace modelport {
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

json checks_json(const EmitChecks& c) {
  json j = {{"onnx_checker", c.onnx_checker}};
  if (!c.reason.empty()) j["reason"] = c.reason;
  return j;
}

json build_manifest(const ManifestInputs& in) {
  const Model& m = *in.model;
  json files = json::array();
  for (auto& f : in.result.files) {
    auto it = in.written.find(f);
    PathDigest d = it != in.written.end() ? it->second : digest_path(f);
    files.push_back({{"path", fs::relative(f, in.out_dir).generic_string()}, {"size", d.size}, {"sha256", d.sha256},
                     {"role", files.empty() ? "model" : "external_data"}});
  }
  json state = json::array();
  for (size_t i = 0; i < m.state.size() && i < in.state_files.size(); ++i) {
    const StateTensor& st = m.state[i];
    const std::string& f = in.state_files[i];
    auto it = in.written.find(f);
    PathDigest d = it != in.written.end() ? it->second : digest_path(f);
    std::string rel = fs::relative(f, in.out_dir).generic_string();
    files.push_back({{"path", rel}, {"size", d.size}, {"sha256", d.sha256}, {"role", "initial_state"}});
    state.push_back({{"source", st.source}, {"input", st.input}, {"output", st.output},
                     {"dtype", dtype_name(st.initial.dtype)}, {"dims", st.initial.dims}, {"initial_value", rel}});
  }
  for (auto& f : in.included) {
    PathDigest d = digest_path((fs::path(in.out_dir) / f).string());
    files.push_back({{"path", f}, {"size", d.size}, {"sha256", d.sha256}, {"role", "included"}});
  }
  json j = {
      {"schema_version", kManifestSchemaVersion},
      {"created", utc_now()},
      {"tool", {{"name", "modelport"}, {"version", MODELPORT_VERSION}, {"git_revision", git_revision()}}},
      {"source",
       {{"path", fs::absolute(in.source_path).lexically_normal().string()},
        {"size", in.source_digest.size},
        {"sha256", in.source_digest.sha256},
        {"format", format_name(in.format)},
        {"producer", {{"name", m.producer_name}, {"version", m.producer_version}}},
        {"description", m.description}}},
      {"export",
       {{"opset", in.emit.opset},
        {"external_data", in.result.used_external_data},
        {"checks", checks_json(in.result.checks)},
        {"inputs", io_entries(m.graph->inputs, m.source_input_names)},
        {"outputs", io_entries(m.graph->outputs, m.source_output_names)},
        {"state", state},
        {"options", in.options}}},
      {"files", files},
      {"libraries", linked_library_versions()},
      {"os", os_info()},
      {"ops", in.result.op_histogram},
      {"node_count", in.result.node_count},
      {"warnings", m.warnings},
      {"verification", in.verification ? *in.verification : json(nullptr)},
  };
  return j;
}

std::map<std::string, std::string> linked_library_versions() {
  std::map<std::string, std::string> libs = {
      {"onnx", onnx::LAST_RELEASE_VERSION},
      {"protobuf", protobuf_version()},
      {"openssl", OpenSSL_version(OPENSSL_VERSION_STRING)},
      {"leveldb", std::to_string(leveldb::kMajorVersion) + "." + std::to_string(leveldb::kMinorVersion)}};
  for (auto& [k, v] : loader_library_versions()) libs[k] = v;
  return libs;
}

}  // namespace modelport

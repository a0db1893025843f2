#include "pipeline/output_plan.h"

#include <filesystem>

#include "modelport/error.h"

namespace modelport {
namespace fs = std::filesystem;

namespace {

fs::path resolved(const std::string& p) {
  std::error_code ec;
  fs::path r = fs::weakly_canonical(fs::absolute(p), ec);
  if (ec) r = fs::absolute(p).lexically_normal();
  if (r.filename().empty()) r = r.parent_path();  // "out/" -> "out"
  return r;
}

// True when `inner` is `outer` or lies below it.
bool within(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin();
  for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
    if (o->empty()) continue;  // trailing separator
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  return fs::exists(a, ec) && fs::exists(b, ec) && fs::equivalent(a, b, ec);
}

}  // namespace

OutputPlan plan_outputs(const std::string& output, const std::string& manifest, bool write_manifest,
                        bool has_includes) {
  if (output.empty()) throw UsageError("no output path given");
  OutputPlan p;
  p.package = fs::is_directory(output) || output.back() == '/';
  if (has_includes && !p.package) throw UsageError("--include needs -o to name a package directory (e.g. -o out/)");
  if (p.package && !manifest.empty()) throw UsageError("--manifest cannot be used with a package directory");
  p.dir = p.package ? output : fs::absolute(output).parent_path().string();
  p.model = p.package ? (fs::path(output) / "model.onnx").string() : output;
  p.data = p.model + ".data";
  if (write_manifest)
    p.manifest = p.package ? (fs::path(output) / "manifest.json").string() : (manifest.empty() ? output + ".json" : manifest);
  return p;
}

std::string state_file(const OutputPlan& plan, const std::string& input) {
  return fs::path(plan.model).replace_extension("").string() + "." + input + ".npy";
}

void refuse_source_collisions(const OutputPlan& plan, const std::vector<std::string>& sources) {
  std::vector<std::pair<std::string, const char*>> outs = {{plan.model, "model"}, {plan.data, "external data file"}};
  if (!plan.manifest.empty()) outs.push_back({plan.manifest, "manifest"});
  if (plan.package) outs.push_back({plan.dir, "package directory"});
  for (auto& f : plan.state) outs.push_back({f, "initial state file"});
  for (auto& src : sources) {
    if (src.empty()) continue;
    fs::path s = resolved(src);
    bool src_is_dir = fs::is_directory(s);
    for (auto& [out, role] : outs) {
      fs::path o = resolved(out);
      bool is_dir_out = plan.package && out == plan.dir;
      if (o == s || same_file(out, src))
        throw UsageError(out + ": refusing to write the " + role + " over the source " + src);
      if (is_dir_out && within(s, o))
        throw UsageError(out + ": refusing to write a package into a directory that contains the source " + src);
      if (src_is_dir && within(o, s))
        throw UsageError(out + ": refusing to write the " + role + " inside the source directory " + src);
    }
  }
}

}  // namespace modelport

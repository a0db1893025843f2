// modelport::convert: load -> checks -> passes -> emit -> [verify] -> manifest, one transaction.
#include "modelport/convert.h"

#include <filesystem>
#include <future>

#include "modelport/error.h"
#include "passes/cleanup.h"
#include "passes/fixed_axes.h"
#include "passes/fuse_ops.h"
#include "pipeline/manifest.h"
#include "pipeline/output_plan.h"
#include "util/digest.h"
#include "util/npy.h"
#include "util/output_transaction.h"

namespace modelport {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

std::vector<ConvertResult::Io> io_list(const std::vector<Value*>& vals) {
  std::vector<ConvertResult::Io> out;
  for (auto* v : vals) out.push_back({v->name, dtype_name(v->dtype), v->shape.str()});
  return out;
}

// The package-relative name an --include item gets.
fs::path include_name(const std::string& item) {
  fs::path name = fs::path(item).lexically_normal().filename();
  if (name.empty()) name = fs::path(item).lexically_normal().parent_path().filename();
  return name;
}

// Every file the conversion reads: none of them may be written over.
std::vector<std::string> source_paths(const std::string& source, const ConvertOptions& o) {
  std::vector<std::string> s = {source};
  for (auto& [cls, file] : o.load.keras_configs) s.push_back(file);
  if (o.verify) {
    for (auto& [name, file] : o.verify_options.input_data) s.push_back(file);
    for (auto& [name, file] : o.verify_options.expected) s.push_back(file);
  }
  return s;
}

}  // namespace

std::map<std::string, std::string> library_versions() { return linked_library_versions(); }

ConvertResult convert(const std::string& source, const ConvertOptions& o) {
  auto progress = [&](const char* phase, uint64_t done = 0, uint64_t total = 0) {
    if (o.on_progress) o.on_progress(Progress{phase, done, total});
  };
  OutputPlan plan = plan_outputs(o.output, o.manifest_path, o.write_manifest, !o.include.empty());
  Format detected = detect_format(source);  // also reports a missing or unreadable source
  Format fmt = o.format == Format::Unknown ? detected : o.format;
  const std::vector<std::string> sources = source_paths(source, o);
  refuse_source_collisions(plan, sources);

  // The source is hashed on a second thread while it loads.
  std::future<PathDigest> source_digest;
  if (o.write_manifest) source_digest = std::async(std::launch::async, [source] {
      hash_in_background();
      return digest_path(source);
    });

  progress("load");
  Model model = load_model(source, fmt, o.load);
  if (!model.state.empty()) {  // the state files' names are known only now
    for (auto& st : model.state) plan.state.push_back(state_file(plan, st.input));
    refuse_source_collisions(plan, sources);
  }
  // Checked on the graph as loaded: folding later turns fixed shape computations into constants.
  for (auto& w : find_fixed_symbolic_axes(*model.graph)) model.warnings.push_back(source + ": " + w);
  progress("passes");
  cleanup_graph(*model.graph);
  fuse_ops(*model.graph, o.emit.opset);  // single ops of the requested opset (Gelu, Attention)
  if (o.on_warning)
    for (auto& w : model.warnings) o.on_warning(w);
  if (o.on_ir) o.on_ir(model.graph->dump());

  OutputTransaction tx;
  tx.set_progress([&](uint64_t done, uint64_t total) { progress("write", done, total); });
  if (plan.package && !fs::exists(plan.dir)) tx.make_dir(plan.dir);
  progress("emit");
  EmitResult r = emit_onnx(model, plan.model, o.emit, tx);
  if (o.on_warning)
    for (auto& w : r.warnings) o.on_warning(w);

  // Initial values of the module state: MODEL.<input>.npy beside the model (the manifest lists them).
  const std::vector<std::string>& state_files = plan.state;
  for (size_t i = 0; i < model.state.size(); ++i)
    tx.create(state_files[i]).write(npy_bytes(model.state[i].initial, state_files[i]));

  std::vector<std::string> included;
  if (plan.package) {
    auto carry = [&](const std::string& item) {
      if (!fs::exists(item)) throw UsageError("--include " + item + ": no such file or directory");
      fs::path name = include_name(item);
      fs::path dst = fs::path(plan.dir) / name;
      bool taken = fs::exists(dst);
      for (auto& f : r.files) taken = taken || fs::path(f) == dst;
      if (taken || name == "manifest.json") throw UsageError("--include " + item + ": the package already has " + name.string());
      tx.copy_in(item, dst.string());
      included.push_back(name.generic_string());
    };
    for (auto& item : o.include) carry(item);
    fs::path assets = fs::path(source) / "assets";
    if (fmt == Format::SavedModel && fs::is_directory(assets) && !fs::exists(fs::path(plan.dir) / "assets"))
      carry(assets.string());
  }
  tx.finish_files();

  ConvertResult res;
  if (o.verify) {
    progress("verify");
    VerifyOptions vo = o.verify_options;
    vo.load = o.load;
    res.verification = verify_export(source, fmt, tx.preview_path(plan.model), vo);
  }
  for (auto& f : tx.files()) res.sha256[f->path()] = f->sha256();
  if (o.write_manifest) {
    progress("manifest");
    tx.set_progress(nullptr);  // the write progress is the model's
    ManifestInputs mi;
    mi.source_path = source;
    mi.source_digest = source_digest.get();
    mi.format = fmt;
    mi.model = &model;
    mi.emit = o.emit;
    mi.result = r;
    for (auto& f : tx.files()) mi.written[f->path()] = PathDigest{f->sha256(), f->pos()};
    mi.out_dir = plan.dir;
    mi.options = o.recorded_options;
    mi.included = included;
    mi.state_files = state_files;
    json verification = res.verification ? res.verification->to_json() : json(nullptr);
    mi.verification = res.verification ? &verification : nullptr;
    tx.create(plan.manifest).write(build_manifest(mi).dump(2, ' ', false, json::error_handler_t::replace) + "\n");
    res.manifest_path = plan.manifest;
  }
  tx.commit();

  res.format = fmt;
  res.model_path = plan.model;
  res.files = r.files;
  res.files.insert(res.files.end(), state_files.begin(), state_files.end());
  res.used_external_data = r.used_external_data;
  res.node_count = r.node_count;
  res.checks = r.checks;
  res.op_histogram = r.op_histogram;
  res.inputs = io_list(model.graph->inputs);
  res.outputs = io_list(model.graph->outputs);
  res.warnings = model.warnings;
  for (auto& w : r.warnings) res.warnings.push_back(w);
  return res;
}

}  // namespace modelport

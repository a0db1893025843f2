// Dispatches to the loader of each format. Linked with every loader library.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <new>

#include "modelport/error.h"
#include "modelport/loaders.h"
#include "util/scratch_dir.h"
#include "verify/ort_runner.h"

namespace modelport {

namespace {
// Loaders report bad input as Error; anything else escaping one (a library's exception on a
// malformed file, std::bad_alloc) still becomes a one-line error naming the file.
template <class F>
auto guarded(const std::string& path, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw Error(path + ": out of memory while reading the model (see --max-tensor-bytes)");
  } catch (const std::exception& e) {
    std::string why = e.what();
    if (auto nl = why.find('\n'); nl != std::string::npos) why.resize(nl);
    throw Error(path + ": malformed model (" + why + ")");
  }
}

Model load_switch(const std::string& path, Format format, const LoadOptions& opts) {
  switch (format) {
    case Format::TorchScript: return load_torchscript(path, opts);
    case Format::SavedModel: case Format::GraphDef: return load_savedmodel(path, format, opts);
    case Format::KerasH5: case Format::KerasV3: return load_keras(path, format, opts);
    case Format::Tfjs: return load_tfjs(path, opts);
    case Format::Unknown: break;
  }
  throw Error(path + ": unknown model format");
}

SourceReport inspect_switch(const std::string& path, Format format, const LoadOptions& opts) {
  switch (format) {
    case Format::TorchScript: return inspect_torchscript(path, opts);
    case Format::SavedModel: case Format::GraphDef: return inspect_savedmodel(path, format, opts);
    case Format::KerasH5: case Format::KerasV3: return inspect_keras(path, format, opts);
    case Format::Tfjs: return inspect_tfjs(path, opts);
    case Format::Unknown: break;
  }
  throw Error(path + ": unknown model format");
}

}  // namespace

Model load_model(const std::string& path, Format format, const LoadOptions& opts) {
  return guarded(path, [&] { return load_switch(path, format, opts); });
}

SourceReport inspect_model(const std::string& path, Format format, const LoadOptions& opts) {
  return guarded(path, [&] { return inspect_switch(path, format, opts); });
}

namespace {

class TorchReference : public SourceReference {
 public:
  explicit TorchReference(std::string path) : path_(std::move(path)) {}
  std::string name() const override { return "libtorch"; }
  std::string version() const override { return torchscript_library_version(); }
  // One module instance across runs, so that a stateful module's attributes carry over.
  std::vector<NamedTensor> run(const std::vector<NamedTensor>& inputs) override { return session().run(inputs); }
  std::optional<Tensor> state(const std::string& source) override { return session().attribute(source); }
  void reset() override { session_.reset(); }

 private:
  TorchScriptSession& session() {
    if (!session_) session_ = std::make_unique<TorchScriptSession>(path_);
    return *session_;
  }
  std::string path_;
  std::unique_ptr<TorchScriptSession> session_;
};

// The model written once as a tfjs bundle in a scratch directory, run by tools/tfjs_run.js.
class TfjsReference : public SourceReference {
 public:
  TfjsReference(const std::string& path, Format format, const LoadOptions& opts) : dir_("modelport-tfjs-model") {
    // MODELPORT_TFJS_BUNDLE_DIR keeps a copy of what tfjs is handed (for looking into a mismatch).
    const char* keep = std::getenv("MODELPORT_TFJS_BUNDLE_DIR");
    for (const std::string& d : {dir_.path().string(), std::string(keep ? keep : "")}) {
      if (d.empty()) continue;
      std::filesystem::create_directories(d);
      if (format == Format::KerasH5 || format == Format::KerasV3) write_tfjs_keras(path, format, opts, d);
      else if (format == Format::Tfjs) write_tfjs_source(path, opts, d);
      else write_tfjs_tf(path, format, opts, d);
    }
  }
  std::string name() const override { return "@tensorflow/tfjs"; }
  std::string version() const override { return version_; }
  std::vector<NamedTensor> run(const std::vector<NamedTensor>& inputs) override {
    TfjsRun r = run_tfjs((dir_.path() / "model.json").string(), inputs);
    version_ = r.runtime.substr(std::min(r.runtime.size(), r.runtime.find(' ') + 1));  // "@tensorflow/tfjs 4.22.0 (cpu)"
    return std::move(r.outputs);
  }

 private:
  ScratchDir dir_;
  std::string version_;
};

}  // namespace

std::unique_ptr<SourceReference> open_reference(const std::string& path, Format format, const LoadOptions& opts) {
  switch (format) {
    case Format::TorchScript: return std::make_unique<TorchReference>(path);
    case Format::SavedModel: case Format::GraphDef: case Format::KerasH5: case Format::KerasV3: case Format::Tfjs:
      return guarded(path, [&]() -> std::unique_ptr<SourceReference> {
        return std::make_unique<TfjsReference>(path, format, opts);
      });
    case Format::Unknown: break;
  }
  return nullptr;
}

std::vector<std::string> supported_source_ops(Format format) {
  switch (format) {
    case Format::TorchScript: return torchscript_supported_ops();
    case Format::SavedModel: case Format::GraphDef: return savedmodel_supported_ops();
    case Format::KerasH5: case Format::KerasV3: return keras_supported_layers();
    case Format::Tfjs: return tfjs_supported_ops();
    case Format::Unknown: break;
  }
  return {};
}

std::map<std::string, std::string> loader_library_versions() {
  std::map<std::string, std::string> v = keras_library_versions();
  v["libtorch"] = torchscript_library_version();
  return v;
}

}  // namespace modelport

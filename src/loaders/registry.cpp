// Dispatches to the loader of each format. Linked with every loader library.
#include <new>

#include "modelport/error.h"
#include "modelport/loaders.h"

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
    case Format::Unknown: break;
  }
  throw Error(path + ": unknown model format");
}

SourceReport inspect_switch(const std::string& path, Format format, const LoadOptions& opts) {
  switch (format) {
    case Format::TorchScript: return inspect_torchscript(path, opts);
    case Format::SavedModel: case Format::GraphDef: return inspect_savedmodel(path, format, opts);
    case Format::KerasH5: case Format::KerasV3: return inspect_keras(path, format, opts);
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

std::optional<std::vector<NamedTensor>> run_source_model(const std::string& path, Format format,
                                                         const std::vector<NamedTensor>& inputs) {
  if (format == Format::TorchScript) return run_torchscript(path, inputs);
  return std::nullopt;
}

std::vector<std::string> supported_source_ops(Format format) {
  switch (format) {
    case Format::TorchScript: return torchscript_supported_ops();
    case Format::SavedModel: case Format::GraphDef: return savedmodel_supported_ops();
    case Format::KerasH5: case Format::KerasV3: return keras_supported_layers();
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

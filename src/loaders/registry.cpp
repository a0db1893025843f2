// Dispatches to the loader of each format. Linked with every loader library.
#include "modelport/error.h"
#include "modelport/loaders.h"

namespace modelport {

Model load_model(const std::string& path, Format format, const LoadOptions& opts) {
  switch (format) {
    case Format::TorchScript: return load_torchscript(path, opts);
    case Format::SavedModel: case Format::GraphDef: return load_savedmodel(path, format, opts);
    case Format::KerasH5: case Format::KerasV3: return load_keras(path, format, opts);
    case Format::Unknown: break;
  }
  throw Error(path + ": unknown model format");
}

SourceReport inspect_model(const std::string& path, Format format, const LoadOptions& opts) {
  switch (format) {
    case Format::TorchScript: return inspect_torchscript(path, opts);
    case Format::SavedModel: case Format::GraphDef: return inspect_savedmodel(path, format, opts);
    case Format::KerasH5: case Format::KerasV3: return inspect_keras(path, format, opts);
    case Format::Unknown: break;
  }
  throw Error(path + ": unknown model format");
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

// Format detection by content. Extensions are never trusted: a TorchScript zip may be named
// ".dat" and some ".keras" files are HDF5.
#include <zip.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "modelport/error.h"
#include "modelport/loaders.h"
#include "util/zip_limits.h"

namespace modelport {
namespace fs = std::filesystem;

const char* format_name(Format f) {
  switch (f) {
    case Format::TorchScript: return "torchscript";
    case Format::SavedModel: return "savedmodel";
    case Format::GraphDef: return "graphdef";
    case Format::KerasH5: return "keras_h5";
    case Format::KerasV3: return "keras_v3";
    case Format::Tfjs: return "tfjs";
    case Format::Unknown: break;
  }
  return "unknown";
}

std::optional<Format> parse_format(std::string_view s) {
  for (Format f : {Format::TorchScript, Format::SavedModel, Format::GraphDef, Format::KerasH5, Format::KerasV3,
                   Format::Tfjs})
    if (s == format_name(f)) return f;
  if (s == "keras") return Format::KerasH5;  // refined by content in the CLI
  return std::nullopt;
}

namespace {

const char* kKnownFormats =
    "expected a TorchScript archive, a SavedModel directory, a frozen GraphDef .pb, a Keras .h5/.keras file, or a "
    "TensorFlow.js model.json";

Format detect_zip(const std::string& path) {
  int err = 0;
  std::unique_ptr<zip_t, decltype(&zip_discard)> za(zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &err),
                                                    &zip_discard);
  if (!za) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, err);
    std::string why = zip_error_strerror(&ze);
    zip_error_fini(&ze);
    throw Error(path + ": corrupt or truncated zip archive (" + why + ")");
  }
  std::error_code ec;
  check_zip_entries(path, za.get(), std::filesystem::file_size(path, ec));  // zip bombs are refused before any loader reads an entry
  // PyTorch files of every kind go to the TorchScript loader, which names what a non-TorchScript
  // one is (torch.save pickle, torch.export .pt2, legacy model.json TorchScript).
  bool has_pkl = false, has_keras_config = false, has_keras_weights = false, pytorch = false, has_code = false,
       legacy_ts = false;
  zip_int64_t n = zip_get_num_entries(za.get(), 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    const char* name_c = zip_get_name(za.get(), static_cast<zip_uint64_t>(i), 0);
    if (!name_c) continue;
    std::string name = name_c;
    auto ends_with = [&](const std::string& s) {
      return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
    };
    if (ends_with("/data.pkl") || ends_with("/constants.pkl") || name == "data.pkl") has_pkl = true;
    if (ends_with("archive_format") || name == "serialized_exported_program.json") pytorch = true;
    if (ends_with("/model.json")) legacy_ts = true;
    if (name.find("/code/") != std::string::npos) has_code = true;
    if (name == "config.json") has_keras_config = true;
    if (name == "model.weights.h5") has_keras_weights = true;
  }
  if (has_pkl || pytorch || (legacy_ts && has_code)) return Format::TorchScript;
  if (has_keras_config && has_keras_weights) return Format::KerasV3;
  throw Error(path + ": zip archive is neither a TorchScript archive nor a Keras .keras archive");
}

// A binary GraphDef starts with field 1 (repeated NodeDef node, wire type 2) whose first field is
// the node name (field 1, wire type 2); a SavedModel starts with field 1 varint
// (saved_model_schema_version) or field 2 (meta_graphs).
Format detect_protobuf(const std::string& path, const std::array<unsigned char, 16>& b, size_t n) {
  if (n >= 3 && b[0] == 0x0a) {
    size_t i = 1;
    while (i < n && (b[i] & 0x80)) ++i;  // skip the varint length
    if (i + 1 < n && b[i + 1] == 0x0a) return Format::GraphDef;
  }
  if (fs::path(path).filename() == "saved_model.pb" && n >= 2 && (b[0] == 0x08 || b[0] == 0x12))
    return Format::SavedModel;
  throw Error(path + ": not a recognized model format (" + kKnownFormats + ")");
}

// A JSON object naming "modelTopology" or "weightsManifest" among its keys: a TensorFlow.js
// model.json (whose loader parses it in full and says what is wrong with it).
Format detect_json(const std::string& path, std::ifstream& in) {
  in.clear();
  in.seekg(0);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.find("\"modelTopology\"") != std::string::npos || text.find("\"weightsManifest\"") != std::string::npos)
    return Format::Tfjs;
  throw Error(path + ": JSON file is not a TensorFlow.js model.json (no \"modelTopology\" or \"weightsManifest\")");
}

bool is_pytorch_tar(std::ifstream& in) {
  std::string head(512, '\0');
  in.clear();
  in.seekg(0);
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  if (in.gcount() < 512 || head.compare(257, 5, "ustar") != 0) return false;
  std::string first = head.substr(0, head.find('\0'));
  return first == "sys_info" || first == "pickle" || first == "storages" || first == "tensors";
}

}  // namespace

Format detect_format(const std::string& path) {
  std::error_code ec;
  auto st = fs::status(path, ec);
  if (ec || !fs::exists(st)) throw Error(path + ": no such file or directory");
  if (fs::is_directory(st)) {
    if (fs::exists(fs::path(path) / "saved_model.pb")) return Format::SavedModel;
    if (fs::exists(fs::path(path) / "saved_model.pbtxt"))
      throw Error(path + ": text-format SavedModels (saved_model.pbtxt) are not supported; save it as saved_model.pb");
    throw Error(path + ": directory is not a SavedModel (no saved_model.pb inside)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open for reading");
  std::array<unsigned char, 16> b{};
  in.read(reinterpret_cast<char*>(b.data()), b.size());
  size_t n = static_cast<size_t>(in.gcount());
  if (n == 0) throw Error(path + ": file is empty");
  static const unsigned char kHdf5[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  if (n >= 8 && std::equal(kHdf5, kHdf5 + 8, b.begin())) return Format::KerasH5;
  if (n >= 4 && b[0] == 'P' && b[1] == 'K' && (b[2] == 3 || b[2] == 5) && (b[3] == 4 || b[3] == 6))
    return detect_zip(path);
  size_t first = 0;
  while (first < n && (b[first] == ' ' || b[first] == '\t' || b[first] == '\n' || b[first] == '\r')) ++first;
  if (first < n && b[first] == '{') return detect_json(path, in);
  // A pickle (protocol 2+): torch.save's legacy non-zip format or a plain pickle of a model.
  if (n >= 2 && b[0] == 0x80 && b[1] >= 2 && b[1] <= 5) return Format::TorchScript;
  // PyTorch 0.1-0.3 torch.save: a tar archive whose first member is sys_info/pickle/storages/tensors.
  if (is_pytorch_tar(in)) return Format::TorchScript;
  return detect_protobuf(path, b, n);
}

}  // namespace modelport

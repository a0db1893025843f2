#include "loaders/torchscript/archive_triage.h"

#include <zip.h>

#include <fstream>
#include <memory>
#include <vector>

#include "modelport/error.h"

namespace modelport::ts {
namespace {

const char* kSaveAdvice =
    "save the module with torch.jit.script/trace (torch.jit.script(model).save(\"model.pt\")) and convert that";

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The entry name without its archive's top directory ("resnet/data.pkl" -> "data.pkl").
std::string in_archive(const std::string& name) {
  size_t slash = name.find('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

// What a pickle's top-level object is, from its first opcodes (protocol 2+: PROTO n, then the
// object): "OrderedDict", "dict", "list", "tuple", a "module.Class" for a GLOBAL, or "".
std::string pickle_top(const std::string& p) {
  size_t i = 0;
  if (p.size() >= 2 && static_cast<unsigned char>(p[0]) == 0x80) i = 2;  // PROTO
  if (i >= p.size()) return "";
  char op = p[i];
  if (op == '}') return "dict";
  if (op == ']') return "list";
  if (op == ')' || op == '(') return "tuple";
  if (op == 'c') {  // GLOBAL "module\nname\n"
    size_t a = p.find('\n', i + 1);
    size_t b = a == std::string::npos ? a : p.find('\n', a + 1);
    if (b == std::string::npos || b - i > 400) return "";
    std::string module = p.substr(i + 1, a - i - 1), name = p.substr(a + 1, b - a - 1);
    if (module == "collections" && name == "OrderedDict") return "OrderedDict";
    return module + "." + name;
  }
  return "";
}

// A state dict holds tensors (torch._utils._rebuild_tensor_v2) by parameter name.
[[noreturn]] void refuse_pickle(const std::string& path, const std::string& data, const std::string& container) {
  std::string top = pickle_top(data);
  bool tensors = data.find("_rebuild_tensor") != std::string::npos || data.find("_rebuild_parameter") != std::string::npos;
  std::string what;
  if (top == "OrderedDict" && tensors)
    what = "a PyTorch state dict (torch.save(model.state_dict()), weights by parameter name without the model)";
  else if (top == "dict" && tensors)
    what = "a torch.save pickle of a dict of tensors (a state dict or training checkpoint), not a model";
  else if (!top.empty() && top != "OrderedDict" && top != "dict" && top != "list" && top != "tuple")
    what = "a torch.save pickle of a Python object (" + top + ") that needs its Python code to load, not a TorchScript archive";
  else
    what = "a torch.save pickle" + (top.empty() ? std::string() : " of a " + top) + ", not a TorchScript archive";
  throw Error(path + ": " + what + " (" + container + "): " + kSaveAdvice);
}

std::string read_entry(zip_t* za, zip_int64_t index, size_t limit) {
  std::unique_ptr<zip_file_t, decltype(&zip_fclose)> f(zip_fopen_index(za, static_cast<zip_uint64_t>(index), 0),
                                                      &zip_fclose);
  if (!f) return "";
  std::string out(limit, '\0');
  zip_int64_t n = zip_fread(f.get(), out.data(), limit);
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

void triage_zip(const std::string& path) {
  int err = 0;
  std::unique_ptr<zip_t, decltype(&zip_discard)> za(zip_open(path.c_str(), ZIP_RDONLY, &err), &zip_discard);
  if (!za) return;  // libtorch names the corruption
  bool code = false, constants = false, model_json = false, pt2 = false, aoti = false;
  zip_int64_t data_pkl = -1;
  zip_int64_t n = zip_get_num_entries(za.get(), 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    const char* c = zip_get_name(za.get(), static_cast<zip_uint64_t>(i), 0);
    if (!c) continue;
    std::string name = c, rel = in_archive(name);
    if (rel.rfind("code/", 0) == 0) code = true;
    if (rel == "constants.pkl") constants = true;
    if (rel == "data.pkl" || name == "data.pkl") data_pkl = i;
    if (rel == "model.json" || name == "model.json") model_json = true;
    // torch.export.save: 2.1-2.5 wrote serialized_exported_program.json at the root; from 2.6 the
    // PT2 archive (archive_format = "pt2", models/*.json); AOTInductor packages add data/aotinductor/.
    if (name == "serialized_exported_program.json" || rel == "archive_format" || name == "archive_format" ||
        (rel.rfind("models/", 0) == 0 && ends_with(rel, ".json")))
      pt2 = true;
    if (rel.rfind("data/aotinductor/", 0) == 0 || ends_with(name, ".so")) aoti = true;
  }
  if (aoti)
    throw Error(path + ": an AOTInductor .pt2 package (compiled native code, which modelport never runs); torch.export "
                "and AOTInductor archives are not supported yet: " + kSaveAdvice);
  if (pt2)
    throw Error(path + ": a torch.export .pt2 archive (ExportedProgram); torch.export archives are not supported yet: " +
                kSaveAdvice);
  if (model_json && data_pkl < 0)
    throw Error(path + ": a legacy TorchScript archive (PyTorch 1.0-1.3, model.json), which libtorch " +
                "1.13 cannot read: load it with an older PyTorch and save it again with torch.jit.save");
  if (data_pkl >= 0 && !code && !constants) refuse_pickle(path, read_entry(za.get(), data_pkl, 1 << 20), "zip format");
}

}  // namespace

void refuse_non_torchscript(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string head(1 << 16, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  if (head.size() >= 4 && head.compare(0, 2, "PK") == 0) return triage_zip(path);
  // Legacy torch.save (before 1.6, or _use_new_zipfile_serialization=False): stacked pickles, the
  // first being the magic number 0x1950a86a20f9469cfc6c (LONG1, 10 bytes, little-endian), then the
  // protocol version, sys_info, and the object itself.
  static const std::string kMagic = "\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19";
  if (head.size() > 2 && static_cast<unsigned char>(head[0]) == 0x80 && head.compare(2, kMagic.size(), kMagic) == 0) {
    size_t pos = 0;
    for (int k = 0; k < 3 && pos != std::string::npos; ++k) pos = head.find(".\x80", pos + 1);
    refuse_pickle(path, pos == std::string::npos ? "" : head.substr(pos + 1), "legacy non-zip format");
  }
  if (head.size() > 2 && static_cast<unsigned char>(head[0]) == 0x80)
    refuse_pickle(path, head, "plain pickle");
  // PyTorch 0.1-0.3 torch.save: a tar of sys_info, pickle, storages, tensors.
  if (head.size() >= 262 && head.compare(257, 5, "ustar") == 0 &&
      (head.rfind("sys_info", 0) == 0 || head.rfind("pickle", 0) == 0 || head.rfind("storages", 0) == 0 ||
       head.rfind("tensors", 0) == 0))
    throw Error(path + ": a PyTorch 0.1-0.3 torch.save tar archive, not a TorchScript archive: " + kSaveAdvice);
}

}  // namespace modelport::ts

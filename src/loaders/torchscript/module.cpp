#include "loaders/torchscript/module.h"

#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/passes/constant_pooling.h>
#include <torch/csrc/jit/passes/constant_propagation.h>
#include <torch/csrc/jit/passes/dead_code_elimination.h>
#include <torch/csrc/jit/passes/freeze_module.h>
#include <torch/csrc/jit/passes/inliner.h>
#include <torch/csrc/jit/passes/lower_tuples.h>
#include <torch/csrc/jit/passes/remove_mutation.h>
#include <torch/csrc/jit/serialization/import.h>

#include <filesystem>
#include <fstream>

#include "loaders/torchscript/archive_triage.h"
#include "loaders/torchscript/newer_schemas.h"
#include "modelport/error.h"

namespace modelport::ts {
namespace {

// libtorch messages span many lines (with C++ stack traces): keep the first meaningful one.
std::string first_line(const std::string& msg) {
  size_t pos = 0;
  while (pos < msg.size()) {
    size_t nl = msg.find('\n', pos);
    std::string line = msg.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? msg.size() : nl + 1;
    size_t b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos) continue;
    line = line.substr(b);
    if (line.rfind("Exception raised from", 0) == 0) continue;
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == ':')) line.pop_back();
    if (line.size() > 200) line = line.substr(0, 200) + "...";
    return line;
  }
  return "unknown error";
}

bool looks_like_zip(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  char magic[4] = {};
  f.read(magic, 4);
  return f.gcount() == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
}

std::string read_format_version(const std::string& path) {
  try {
    caffe2::serialize::PyTorchStreamReader reader(path);
    return std::to_string(reader.version());
  } catch (const std::exception&) {
    return "";
  }
}

std::string class_name_of(const torch::jit::Module& m) {
  std::string n = m.type()->name() ? m.type()->name()->qualifiedName() : "";
  // Drop "__torch__." and mangling ("___torch_mangle_12.").
  if (n.rfind("__torch__.", 0) == 0) n = n.substr(10);
  for (size_t p; (p = n.find("___torch_mangle_")) != std::string::npos;) {
    size_t dot = n.find('.', p);
    n.erase(p, dot == std::string::npos ? std::string::npos : dot - p + 1);
  }
  return n;
}

}  // namespace

PreparedModule prepare_module(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw Error(path + ": no such file");
  if (std::filesystem::is_directory(path, ec)) throw Error(path + ": is a directory, not a TorchScript archive");
  refuse_non_torchscript(path);
  register_newer_schemas();
  PreparedModule pm;
  torch::jit::Module module;
  pm.weights = ArchiveWeights::open(path);
  try {
    module = torch::jit::load(pm.weights->reader(), c10::Device(c10::kCPU));
    pm.weights->pin(module);
  } catch (const c10::Error& e) {
    std::string why = first_line(e.what_without_backtrace());
    if (looks_like_zip(path)) throw Error(path + ": truncated or corrupt TorchScript archive (" + why + ")");
    throw Error(path + ": not a TorchScript archive (" + why + ")");
  } catch (const std::exception& e) {
    throw Error(path + ": cannot load TorchScript archive (" + first_line(e.what()) + ")");
  }
  pm.class_name = class_name_of(module);
  pm.format_version = read_format_version(path);
  try {
    if (!module.find_method("forward")) throw Error(path + ": TorchScript module has no forward() method");
    module.eval();
    pm.module = torch::jit::freeze_module(module, {}, /*freezeInterfaces=*/true, /*preserveParameters=*/false);
    auto method = pm.module.get_method("forward");
    for (auto& a : method.function().getSchema().arguments())
      if (a.name() != "self") pm.arg_names.push_back(a.name());
    pm.graph = method.graph()->copy();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(path + ": cannot freeze the TorchScript module (" + first_line(e.what()) + ")");
  }
  auto& g = pm.graph;
  if (!g->inputs().empty() && g->inputs()[0]->type()->kind() == c10::TypeKind::ClassType) pm.first_arg = 1;
  try {
    torch::jit::Inline(*g);
    torch::jit::LowerSimpleTuples(g);
    torch::jit::RemoveListMutation(g);
    torch::jit::RemoveTensorMutation(g);
    torch::jit::ConstantPropagation(g);
    torch::jit::ConstantPooling(g);
    torch::jit::EliminateDeadCode(g);
  } catch (const std::exception& e) {
    throw Error(path + ": cannot simplify the TorchScript graph (" + first_line(e.what()) + ")");
  }
  return pm;
}

}  // namespace modelport::ts

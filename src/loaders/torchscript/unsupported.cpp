#include "loaders/torchscript/unsupported.h"

#include "loaders/torchscript/context.h"
#include "loaders/torchscript/registry.h"

namespace modelport::ts {
namespace {

struct Seen {
  int64_t count = 0;
  std::string first;
};

void walk(const jit::Block* b, std::map<std::string, Seen>& out, bool only_missing) {
  for (const jit::Node* n : b->nodes()) {
    std::string kind = n->kind().toQualString();
    // prim::If / prim::Loop: lowered by the driver (control_flow.cpp)
    bool handled = kind == "prim::If" || kind == "prim::Loop" || find_lowering(kind);
    if (!only_missing || !handled) {
      Seen& s = out[kind];
      if (s.count++ == 0 || s.first.empty()) s.first = source_location(n);
    }
    for (const jit::Block* sub : n->blocks()) walk(sub, out, only_missing);
  }
}

}  // namespace

std::vector<std::string> find_unsupported(const jit::Graph& g) {
  std::map<std::string, Seen> seen;
  walk(g.block(), seen, true);
  std::vector<std::string> out;
  for (auto& [kind, s] : seen)
    out.push_back(kind + " x" + std::to_string(s.count) + (s.first.empty() ? "" : " (first at " + s.first + ")"));
  return out;
}

std::map<std::string, int64_t> op_histogram(const jit::Graph& g) {
  std::map<std::string, Seen> seen;
  walk(g.block(), seen, false);
  std::map<std::string, int64_t> out;
  for (auto& [kind, s] : seen) out[kind] = s.count;
  return out;
}

std::string unsupported_message(const std::string& path, const std::vector<std::string>& unsupported) {
  std::string msg = path + ": unsupported TorchScript ops: ";
  for (size_t i = 0; i < unsupported.size(); ++i) msg += (i ? ", " : "") + unsupported[i];
  return msg;
}

}  // namespace modelport::ts

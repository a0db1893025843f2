#include "cli/ops_listing.h"

#include <sstream>

#include "emit/op_forms.h"
#include "modelport/emit.h"
#include "modelport/loaders.h"

namespace modelport::cli {
namespace {

struct SourceFamily {
  const char* title;
  Format format;
};
constexpr SourceFamily kFamilies[] = {
    {"TorchScript", Format::TorchScript},
    {"TensorFlow (SavedModel / GraphDef / TensorFlow.js graph model)", Format::SavedModel},
    {"Keras layers (.h5 / .keras / TensorFlow.js layers model)", Format::KerasH5},
};

// The ONNX ops worth listing: those whose form depends on the opset, or that need a newer opset
// than the oldest we write. Everything else is written as is at every supported opset.
std::vector<OpInfo> opset_sensitive_ops() {
  std::vector<OpInfo> out;
  for (auto& o : emitter_op_table())
    if (!o.notes.empty() || (o.min_opset > kMinOpset && o.min_opset <= kMaxOpset)) out.push_back(o);
  return out;
}

}  // namespace

std::string op_table_text() {
  std::ostringstream os;
  for (auto& f : kFamilies) {
    auto ops = supported_source_ops(f.format);
    os << f.title << " (" << ops.size() << "):\n";
    for (auto& op : ops) os << "  " << op << "\n";
  }
  os << "ONNX ops whose form depends on the opset (minimum opset; form at older opsets):\n";
  for (auto& o : opset_sensitive_ops())
    os << "  " << o.op << " >= " << o.min_opset << (o.notes.empty() ? "" : "  (" + o.notes + ")") << "\n";
  return os.str();
}

std::string op_table_markdown() {
  std::ostringstream os;
  for (auto& f : kFamilies) {
    auto ops = supported_source_ops(f.format);
    os << "**" << f.title << "** (" << ops.size() << "): ";
    if (ops.empty()) os << "not supported by this build yet.";
    for (size_t i = 0; i < ops.size(); ++i) os << (i ? ", " : "") << "`" << ops[i] << "`";
    os << "\n\n";
  }
  os << "**ONNX ops whose form depends on the opset** (opsets " << kMinOpset << ".." << kMaxOpset
     << "; every other ONNX op is written as is):\n\n"
     << "| ONNX op | minimum opset | at older opsets |\n|---|---|---|\n";
  for (auto& o : opset_sensitive_ops())
    os << "| " << o.op << " | " << o.min_opset << " | " << (o.notes.empty() ? "" : o.notes) << " |\n";
  return os.str();
}

}  // namespace modelport::cli

#include "cli/inspect_onnx.h"

#include <onnx/onnx_pb.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace modelport::cli {
namespace {

void count_nodes(const onnx::GraphProto& g, std::map<std::string, int64_t>& hist, int64_t& total) {
  for (auto& n : g.node()) {
    ++total;
    ++hist[n.domain().empty() ? n.op_type() : n.domain() + "." + n.op_type()];
    for (auto& a : n.attribute()) {
      if (a.has_g()) count_nodes(a.g(), hist, total);
      for (auto& sg : a.graphs()) count_nodes(sg, hist, total);
    }
  }
}

nlohmann::json value_infos(const google::protobuf::RepeatedPtrField<onnx::ValueInfoProto>& vis) {
  nlohmann::json arr = nlohmann::json::array();
  for (auto& vi : vis) {
    std::string shape = "[";
    const auto& tt = vi.type().tensor_type();
    for (int i = 0; i < tt.shape().dim_size(); ++i) {
      const auto& d = tt.shape().dim(i);
      shape += (i ? "," : "") + (d.has_dim_value() ? std::to_string(d.dim_value())
                                                   : d.dim_param().empty() ? std::string("?") : d.dim_param());
    }
    arr.push_back({{"name", vi.name()},
                   {"elem_type", onnx::TensorProto_DataType_Name(tt.elem_type())},
                   {"shape", tt.has_shape() ? shape + "]" : "[*]"}});
  }
  return arr;
}

}  // namespace

std::optional<nlohmann::json> inspect_onnx(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (in.peek() != 0x08) return std::nullopt;  // ModelProto field 1 (ir_version, varint) comes first
  onnx::ModelProto m;
  if (!m.ParseFromIstream(&in) || !m.has_graph() || m.ir_version() <= 0) return std::nullopt;
  std::map<std::string, int64_t> hist;
  int64_t nodes = 0;
  count_nodes(m.graph(), hist, nodes);
  nlohmann::json opsets = nlohmann::json::object();
  for (auto& o : m.opset_import()) opsets[o.domain().empty() ? "ai.onnx" : o.domain()] = o.version();
  return nlohmann::json{{"ok", true},
                        {"command", "inspect"},
                        {"source", path},
                        {"format", "onnx"},
                        {"ir_version", m.ir_version()},
                        {"opsets", opsets},
                        {"producer", {{"name", m.producer_name()}, {"version", m.producer_version()}}},
                        {"inputs", value_infos(m.graph().input())},
                        {"outputs", value_infos(m.graph().output())},
                        {"initializers", m.graph().initializer_size()},
                        {"node_count", nodes},
                        {"ops", hist}};
}

}  // namespace modelport::cli

// A TensorFlow model handed to TensorFlow.js for verify, as a tfjs graph model: the nodes the
// export's outputs need, flat (function calls inlined, flat_graph.h) and frozen (variables become
// Const nodes), in the proto3 JSON form of GraphDef that tfjs-converter reads, with every Const's
// value in the weights. Inputs are Placeholders named as the TF tensors the export feeds.
#include <map>
#include <optional>
#include <set>

#include <google/protobuf/util/json_util.h>

#include "flat_graph.h"
#include "io_plan.h"
#include "modelport/error.h"
#include "modelport/loaders.h"
#include "tf_source.h"
#include "tf_types.h"
#include "util/tfjs_weights.h"
#include "variables.h"

namespace modelport {
namespace {
using nlohmann::json;

json attr_json(const tf::AttrValue& a, const std::string& where) {
  std::string s;
  if (!google::protobuf::util::MessageToJsonString(a, &s).ok())
    throw ReferenceUnavailable(where + ": an attribute cannot be written as JSON");
  return json::parse(s);
}

// tfjs "node" / "node:k" for a flat tensor name "node:k".
std::string tfjs_tensor(const std::string& t) {
  auto [node, k] = tf::split_tensor_name(t);
  return k == 0 ? node : node + ":" + std::to_string(k);
}

// Ops tfjs knows under another name, or needs not know (pure renames: the math is the same).
const std::map<std::string, std::string>& tfjs_op_names() {
  static const std::map<std::string, std::string> m = {
      {"ReadVariableOp", "Identity"}, {"CheckNumerics", "Identity"}, {"PreventGradient", "Identity"},
      {"BiasAddV1", "BiasAdd"},       {"BatchMatMulV3", "BatchMatMulV2"}, {"Inv", "Reciprocal"},
      {"PlaceholderV2", "Placeholder"}};
  return m;
}

std::string tf_type_name(DType dt) {
  std::string d = tfjs_dtype(dt);
  return d == "float32" ? "DT_FLOAT" : d == "int32" ? "DT_INT32" : "DT_BOOL";
}

// The value of a scalar fixed in the graph: a Const (not fed), possibly behind Identity nodes.
std::optional<int64_t> fixed_scalar(const tf::FlatGraph& fg, const tf::TfSource& src, const std::set<std::string>& fed,
                                    const std::string& tensor) {
  const tf::FlatNode* n = fg.find(tf::split_tensor_name(tensor).first);
  while (n && !fed.count(n->name) && (n->op == "Identity" || n->op == "Snapshot") && !n->inputs.empty())
    n = fg.find(tf::split_tensor_name(n->inputs[0]).first);
  if (!n || fed.count(n->name) || n->op != "Const" || !n->attrs) return std::nullopt;
  auto a = n->attrs->find("value");
  if (a == n->attrs->end()) return std::nullopt;
  Tensor t = tf::tensor_from_proto(a->second.tensor(), src.keepalive(), src.pb_path + ": node " + n->name);
  if (t.numel() != 1) return std::nullopt;
  return t.as_int(0);
}

// tfjs-converter 4.22 maps MatrixBandPart's num_upper to input 1, num_lower's: it computes
// band_part(x, num_lower, num_lower). Its result is TF's only when both bounds are one tensor or
// constants that agree (equal, or both negative: keep all).
void check_band_part(const tf::FlatNode& n, const tf::FlatGraph& fg, const tf::TfSource& src,
                     const std::set<std::string>& fed) {
  if (n.op != "MatrixBandPart" || n.inputs.size() < 3 || n.inputs[1] == n.inputs[2]) return;
  auto lower = fixed_scalar(fg, src, fed, n.inputs[1]), upper = fixed_scalar(fg, src, fed, n.inputs[2]);
  if (lower && upper && (*lower == *upper || (*lower < 0 && *upper < 0))) return;
  throw ReferenceUnavailable("TensorFlow.js 4.22's MatrixBandPart reads num_lower as num_upper too (node " + n.name +
                             ": num_lower " + (lower ? std::to_string(*lower) : n.inputs[1]) + ", num_upper " +
                             (upper ? std::to_string(*upper) : n.inputs[2]) + ")");
}

}  // namespace

void write_tfjs_tf(const std::string& path, Format format, const LoadOptions& opts, const std::string& dir) {
  tf::TfSource src = tf::open_source(path, format, opts.tag);
  tf::FlatGraph fg(*src.graph, src.pb_path);
  tf::IoPlan plan = tf::plan_io(src, fg, opts);
  tf::open_variables(src);
  tf::VariableResolver vars(src);
  auto nodes = tf::needed_nodes(src, fg, plan);

  TfjsWeightWriter w;
  json weights = json::array();
  json graph_nodes = json::array();
  std::set<std::string> fed;
  json io = {{"inputs", json::array()}, {"outputs", json::array()}};
  for (auto& in : plan.inputs) {
    auto [node, k] = tf::split_tensor_name(in.tensor);
    if (k != 0)
      throw ReferenceUnavailable("input '" + in.name + "' is output " + std::to_string(k) + " of node " + node +
                                 ", which a tfjs graph model cannot be fed");
    if (tfjs_dtype(in.dtype).empty())
      throw ReferenceUnavailable("input '" + in.name + "' is " + dtype_name(in.dtype) + ", which tfjs has not");
    bool nchw = std::find(opts.inputs_as_nchw.begin(), opts.inputs_as_nchw.end(), in.name) != opts.inputs_as_nchw.end();
    io["inputs"].push_back({{"name", in.name}, {"tensor", node}, {"nchw", nchw}});
    if (!fed.insert(node).second) continue;
    json attr = {{"dtype", {{"type", tf_type_name(in.dtype)}}}};
    graph_nodes.push_back({{"name", node}, {"op", "Placeholder"}, {"attr", attr}});
  }
  for (auto& o : plan.outputs) io["outputs"].push_back({{"name", o.name}, {"tensor", tfjs_tensor(o.tensor)}});

  for (const tf::FlatNode* n : nodes) {
    if (fed.count(n->name)) continue;
    check_band_part(*n, fg, src, fed);
    std::string where = src.pb_path + ": node " + n->name;
    auto renamed = tfjs_op_names().find(n->op);
    json node = {{"name", n->name}, {"op", renamed == tfjs_op_names().end() ? n->op : renamed->second}};
    json inputs = json::array();
    for (auto& i : n->inputs) inputs.push_back(tfjs_tensor(i));
    if (!inputs.empty()) node["input"] = inputs;
    json attr = json::object();
    Tensor value;
    bool is_const = false;
    if (n->op == "Const") {
      auto a = n->attrs ? n->attrs->find("value") : tf::AttrMap::const_iterator();
      if (!n->attrs || a == n->attrs->end()) throw Error(where + ": Const without a value");
      value = tf::tensor_from_proto(a->second.tensor(), src.keepalive(), where);
      is_const = true;
    } else if (n->op == "VarHandleOp" || n->op == "VariableV2" || n->op == "Variable") {
      value = vars.value(*n);
      is_const = true;
    } else if (n->attrs) {
      for (auto& [k, v] : *n->attrs)
        if (k.rfind("_", 0) != 0) attr[k] = attr_json(v, where);
    }
    if (is_const) {
      node["op"] = "Const";
      json spec = w.add(n->name, value);
      attr["dtype"] = {{"type", spec["dtype"] == "float32" ? "DT_FLOAT" : spec["dtype"] == "int32" ? "DT_INT32" : "DT_BOOL"}};
      spec.erase("offset");
      weights.push_back(spec);
    }
    if (!attr.empty()) node["attr"] = attr;
    graph_nodes.push_back(node);
  }
  w.write_bundle(dir, "graph-model",
                 {{"node", graph_nodes}, {"library", json::object()}, {"versions", json::object()}},
                 json::array({{{"paths", json::array({"weights.bin"})}, {"weights", weights}}}), io);
}

}  // namespace modelport

// A TensorFlow model handed to TensorFlow.js for verify, as a tfjs graph model: the nodes the
// export's outputs need, flat (function calls inlined, flat_graph.h) and frozen (variables become
// Const nodes), in the proto3 JSON form of GraphDef that tfjs-converter reads, with every Const's
// value in the weights. Inputs are Placeholders named as the TF tensors the export feeds.
#include <map>
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

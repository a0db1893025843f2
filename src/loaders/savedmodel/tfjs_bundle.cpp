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

// The dtype attribute of a Const whose value went to the weights as `spec`.
json const_dtype_attr(const json& spec) {
  return {{"type", spec["dtype"] == "float32" ? "DT_FLOAT" : spec["dtype"] == "int32" ? "DT_INT32" : "DT_BOOL"}};
}

// Functions named by func attributes (If/StatelessIf branches, While/StatelessWhile cond and body).
void add_called_functions(const google::protobuf::Map<std::string, tf::AttrValue>& attrs, std::vector<std::string>& out) {
  for (auto& [k, v] : attrs) {
    if (v.has_func() && !v.func().name().empty()) out.push_back(v.func().name());
    if (v.has_list())
      for (auto& f : v.list().func()) out.push_back(f.name());
  }
}

// tfjs's function library for the functions the flat graph still calls (control flow keeps its
// branches and bodies as functions), and those they call. tfjs looks a Const up in the weights by
// its node name, in function bodies too, so each body Const becomes a weight named
// "<function>/<node>" (unique across the model) and its uses follow the new name.
json function_library(const tf::TfSource& src, std::vector<std::string> pending, TfjsWeightWriter& w, json& weights) {
  std::map<std::string, const tf::FunctionDef*> lib;
  for (auto& f : src.graph->library().function()) lib[f.signature().name()] = &f;
  std::set<std::string> done;
  json functions = json::array();
  while (!pending.empty()) {
    std::string name = pending.back();
    pending.pop_back();
    if (!done.insert(name).second) continue;
    auto it = lib.find(name);
    if (it == lib.end()) throw ReferenceUnavailable("function " + name + " is not in the graph's library");
    const tf::FunctionDef& f = *it->second;
    for (auto& a : f.signature().input_arg())
      if (a.type() == tf::DT_RESOURCE)
        throw ReferenceUnavailable("function " + name + " takes a variable (a resource) as an argument, which a tfjs graph model cannot");
    std::map<std::string, std::string> renamed;
    for (auto& n : f.node_def())
      if (n.op() == "Const") renamed[n.name()] = name + "/" + n.name();
    auto rename = [&renamed](const std::string& ref) {
      bool control = !ref.empty() && ref[0] == '^';
      std::string body = control ? ref.substr(1) : ref;
      auto colon = body.find(':');
      auto r = renamed.find(body.substr(0, colon));
      if (r == renamed.end()) return ref;
      return (control ? "^" : "") + r->second + (colon == std::string::npos ? "" : body.substr(colon));
    };
    std::string sig;
    if (!google::protobuf::util::MessageToJsonString(f.signature(), &sig).ok())
      throw ReferenceUnavailable("function " + name + ": its signature cannot be written as JSON");
    json nodes = json::array();
    for (auto& n : f.node_def()) {
      std::string where = src.pb_path + ": function " + name + ", node " + n.name();
      add_called_functions(n.attr(), pending);
      auto op = tfjs_op_names().find(n.op());
      json node = {{"name", rename(n.name())}, {"op", op == tfjs_op_names().end() ? n.op() : op->second}};
      json inputs = json::array();
      for (auto& i : n.input()) inputs.push_back(rename(i));
      if (!inputs.empty()) node["input"] = inputs;
      json attr = json::object();
      if (n.op() == "Const") {
        auto v = n.attr().find("value");
        if (v == n.attr().end()) throw Error(where + ": Const without a value");
        json spec = w.add(node["name"], tf::tensor_from_proto(v->second.tensor(), src.keepalive(), where));
        attr["dtype"] = const_dtype_attr(spec);
        spec.erase("offset");
        weights.push_back(spec);
      } else {
        for (auto& [k, v] : n.attr())
          if (k.rfind("_", 0) != 0) attr[k] = attr_json(v, where);
      }
      if (!attr.empty()) node["attr"] = attr;
      nodes.push_back(node);
    }
    json ret = json::object();
    for (auto& [k, v] : f.ret()) ret[k] = rename(v);
    functions.push_back({{"signature", json::parse(sig)}, {"nodeDef", nodes}, {"ret", ret}});
  }
  return functions.empty() ? json::object() : json{{"function", functions}};
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
  std::vector<std::string> called;  // functions the flat graph's control-flow nodes call
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
      add_called_functions(*n->attrs, called);
    }
    if (is_const) {
      node["op"] = "Const";
      json spec = w.add(n->name, value);
      attr["dtype"] = const_dtype_attr(spec);
      spec.erase("offset");
      weights.push_back(spec);
    }
    if (!attr.empty()) node["attr"] = attr;
    graph_nodes.push_back(node);
  }
  json library = function_library(src, called, w, weights);
  w.write_bundle(dir, "graph-model",
                 {{"node", graph_nodes}, {"library", library}, {"versions", json::object()}},
                 json::array({{{"paths", json::array({"weights.bin"})}, {"weights", weights}}}), io);
}

}  // namespace modelport

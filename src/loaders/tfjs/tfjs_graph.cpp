// TensorFlow.js graph models: modelTopology is a GraphDef in proto3 JSON whose Const nodes get
// their values from the weights (keyed by node name); inputs and outputs come from the model's
// signature ("signature" or "userDefinedMetadata.signature"), else as for a frozen GraphDef.
#include <google/protobuf/util/json_util.h>

#include <map>

#include "loaders/tfjs/tfjs_loader.h"
#include "modelport/error.h"

namespace modelport::tfjs {
namespace {

template <class Message>
void parse_json(const json& j, Message* out, const std::string& where) {
  google::protobuf::util::JsonParseOptions o;
  o.ignore_unknown_fields = true;
  auto st = google::protobuf::util::JsonStringToMessage(j.dump(), out, o);
  if (!st.ok()) {
    std::string why = st.ToString();
    if (auto nl = why.find('\n'); nl != std::string::npos) why.resize(nl);
    throw Error(where + " (" + why + ")");
  }
}

void set_const_value(tf::NodeDef& n, const Tensor& t) {
  tf::TensorProto& p = *(*n.mutable_attr())["value"].mutable_tensor();
  p.Clear();
  tf::DataType dt = t.dtype == DType::Float32 ? tf::DT_FLOAT : t.dtype == DType::Int32 ? tf::DT_INT32
                  : t.dtype == DType::Bool ? tf::DT_BOOL : tf::DT_STRING;
  p.set_dtype(dt);
  for (int64_t d : t.dims) p.mutable_tensor_shape()->add_dim()->set_size(d);
  if (t.dtype == DType::String) {
    for (auto& s : t.strings) p.add_string_val(s);
  } else {
    p.set_tensor_content(std::string(reinterpret_cast<const char*>(t.raw()), t.nbytes()));
  }
  (*n.mutable_attr())["dtype"].set_type(dt);
}

const json* signature_of(const json& doc) {
  if (doc.contains("signature") && doc["signature"].is_object() && !doc["signature"].empty()) return &doc["signature"];
  if (doc.contains("userDefinedMetadata") && doc["userDefinedMetadata"].is_object()) {
    const json& u = doc["userDefinedMetadata"];
    if (u.contains("signature") && u["signature"].is_object() && !u["signature"].empty()) return &u["signature"];
  }
  return nullptr;
}

}  // namespace

tf::TfSource graph_source(TfjsModel& m) {
  tf::TfSource src;
  src.path = m.path;
  src.pb_path = m.path;
  src.frozen = std::make_shared<tf::GraphDef>();
  parse_json(m.doc["modelTopology"], src.frozen.get(), m.path + ": modelTopology is not a GraphDef in JSON");
  src.graph = src.frozen.get();

  std::map<std::string, tf::NodeDef*> by_name;
  for (auto& n : *src.frozen->mutable_node()) by_name[n.name()] = &n;
  size_t unused = 0;
  for (auto& [name, t] : m.weights.list) {
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      ++unused;
      continue;
    }
    if (it->second->op() != "Const")
      throw Error(m.path + ": weight '" + name + "' is for node '" + name + "' of op " + it->second->op() +
                  ", not a Const");
    set_const_value(*it->second, t);
  }
  m.weights.list.clear();
  if (unused) src.warnings.push_back(std::to_string(unused) + " weight(s) of the manifest match no graph node; ignored");

  if (const json* sig = signature_of(m.doc)) {
    auto def = std::make_shared<tf::SignatureDef>();
    parse_json(*sig, def.get(), m.path + ": the model's signature is not a SignatureDef in JSON");
    if (def->outputs_size() > 0 && def->inputs_size() == 0) {
      // Outputs only: the inputs are the graph's Placeholders, as for a frozen GraphDef.
      for (auto& n : src.frozen->node()) {
        if (n.op() != "Placeholder") continue;
        tf::TensorInfo& info = (*def->mutable_inputs())[n.name()];
        info.set_name(n.name() + ":0");
        if (auto t = n.attr().find("dtype"); t != n.attr().end()) info.set_dtype(t->second.type());
        if (auto sh = n.attr().find("shape"); sh != n.attr().end()) *info.mutable_tensor_shape() = sh->second.shape();
      }
    }
    if (def->outputs_size() > 0) src.graph_signature = def;
  }
  return src;
}

}  // namespace modelport::tfjs

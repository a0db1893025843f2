// Lowering of tf.keras's TensorFlowOpLayer: a raw TensorFlow op used on Keras tensors (TF 2.0-2.3
// functional models). Its config holds the op's NodeDef in proto3 JSON ("node_def") and the values
// of its inputs that are not Keras tensors ("constants", by input index). The op goes through the
// TensorFlow loader's op table: a one-op graph whose inputs are fed the layer's tensors.
#include <google/protobuf/util/json_util.h>

#include <cmath>
#include <memory>

#include "loaders/keras/layers.h"
#include "loaders/savedmodel/converter.h"
#include "loaders/savedmodel/flat_graph.h"
#include "loaders/savedmodel/tf_types.h"
#include "modelport/error.h"

namespace modelport::keras {
namespace {

// The dtype of constant input `i` of `op` (JSON keeps only the numbers): the index type for an
// op's trailing axis/shape/permutation input or its indices, else the op's T, else what the
// values look like.
DType constant_dtype(const tf::NodeDef& op, size_t i, size_t n_inputs, bool integral) {
  auto type_of = [&](const char* attr) -> DType {
    auto it = op.attr().find(attr);
    return it == op.attr().end() ? DType::Undefined : tf::from_tf_dtype(it->second.type());
  };
  if (op.op() == "Split" && i == 0) return DType::Int32;  // Split(axis, value)
  if (i + 1 == n_inputs && i > 0)
    for (const char* a : {"Tidx", "Tshape", "Tpaddings", "Tperm", "Tmultiples", "Tdim", "Taxis"})
      if (DType d = type_of(a); d != DType::Undefined) return d;
  if (i > 0)
    for (const char* a : {"Tindices", "Index"})
      if (DType d = type_of(a); d != DType::Undefined) return d;
  if (DType d = type_of("T"); d != DType::Undefined) return d;
  return integral ? DType::Int32 : DType::Float32;
}

void flatten(const json& v, std::vector<double>& out, std::vector<int64_t>& dims, size_t depth, Ctx& c) {
  if (v.is_number() || v.is_boolean()) {
    out.push_back(v.is_boolean() ? (v.get<bool>() ? 1.0 : 0.0) : v.get<double>());
    return;
  }
  if (!v.is_array()) c.fail("TensorFlowOpLayer constant holds " + v.dump().substr(0, 40) + ", expected numbers");
  if (dims.size() <= depth) dims.push_back((int64_t)v.size());
  else if (dims[depth] != (int64_t)v.size()) c.fail("TensorFlowOpLayer constant is a ragged list");
  for (auto& e : v) flatten(e, out, dims, depth + 1, c);
}

}  // namespace

Outs lower_tensorflow_op_layer(Ctx& c, const LayerCall& l) {
  auto gd = std::make_shared<tf::GraphDef>();
  tf::NodeDef* op = gd->add_node();
  google::protobuf::util::JsonParseOptions o;
  o.ignore_unknown_fields = true;
  auto st = google::protobuf::util::JsonStringToMessage(l.cfg.at("node_def").dump(), op, o);
  if (!st.ok()) {
    std::string why = st.ToString();
    if (auto nl = why.find('\n'); nl != std::string::npos) why.resize(nl);
    c.fail("TensorFlowOpLayer node_def is not a NodeDef (" + why + ")");
  }
  const json& consts = l.cfg.value("constants", json::object());
  std::string op_name = l.name;
  op->set_name(op_name);
  size_t n_inputs = 0;
  while (n_inputs < (size_t)op->input_size() && op->input((int)n_inputs).rfind('^', 0) != 0) ++n_inputs;
  while ((size_t)op->input_size() > n_inputs) op->mutable_input()->RemoveLast();  // control inputs
  std::vector<std::pair<std::string, Value*>> feeds;
  size_t next = 0;
  for (size_t i = 0; i < n_inputs; ++i) {
    std::string in = op_name + "/input_" + std::to_string(i);
    tf::NodeDef* ph = gd->add_node();
    ph->set_name(in);
    ph->set_op("Placeholder");
    op->set_input((int)i, in);
    Value* v;
    auto k = consts.is_object() ? consts.find(std::to_string(i)) : consts.end();
    if (k != consts.end()) {
      std::vector<double> vals;
      std::vector<int64_t> dims;
      flatten(*k, vals, dims, 0, c);
      bool integral = true;
      for (double d : vals) integral &= std::floor(d) == d;
      DType dt = constant_dtype(*op, i, n_inputs, integral);
      if (dt == DType::Undefined) c.fail("TensorFlowOpLayer constant " + std::to_string(i) + " has a type modelport lacks");
      v = c.constant(tensor_from_doubles(dt, dims, vals), "constant_" + std::to_string(i));
    } else {
      if (next >= l.inputs.size())
        c.fail("TensorFlowOpLayer " + op->op() + " reads " + std::to_string(n_inputs) + " inputs, the layer gets " +
               std::to_string(l.inputs.size()) + " tensors and " + std::to_string(consts.size()) + " constants");
      v = l.inputs[next++];
    }
    feeds.push_back({in + ":0", v});
  }
  int64_t n_out = 1;
  for (const char* a : {"num_split", "num"})
    if (auto it = op->attr().find(a); it != op->attr().end() && (op->op() == "Split" || op->op() == "SplitV" || op->op() == "Unpack"))
      n_out = it->second.i();
  std::vector<std::string> outs;
  for (int64_t k = 0; k < n_out; ++k) outs.push_back(op_name + ":" + std::to_string(k));
  try {
    tf::FlatGraph fg(*gd, "node_def");  // errors read "... TensorFlowOpLayer <op> node_def: <cause>"
    tf::Converter cv(fg, c.g, "node_def", gd);
    for (auto& [t, v] : feeds) cv.feed(t, v);
    Outs r = cv.convert(outs);
    for (auto& w : cv.warnings) c.warn(w);
    return r;
  } catch (const Error& e) {
    c.fail("TensorFlowOpLayer " + op->op() + " " + e.what());
  }
}

}  // namespace modelport::keras

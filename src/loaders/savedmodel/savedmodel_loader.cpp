// Entry points of the TensorFlow loader: SavedModel directories and frozen GraphDefs.
#include <algorithm>
#include <sstream>

#include "converter.h"
#include "flat_graph.h"
#include "io_plan.h"
#include "modelport/error.h"
#include "modelport/loaders.h"
#include "modelport/passes.h"
#include "ops/infer.h"
#include "ops/translators.h"
#include "side_effects.h"
#include "tf_source.h"
#include "tf_types.h"
#include "variables.h"

namespace modelport {
namespace {

std::string format_shape(const Shape& s) { return s.str(); }

}  // namespace

namespace tf {

Model convert_tf_source(TfSource& src, const LoadOptions& opts) {
  const std::string& path = src.path;
  tf::FlatGraph fg(*src.graph, src.pb_path);
  tf::IoPlan plan = tf::plan_io(src, fg, opts);
  tf::open_variables(src);
  tf::VariableResolver vars(src);

  Model m;
  m.source_path = path;
  m.source_format = src.saved_model ? "savedmodel" : "graphdef";
  m.producer_name = "tensorflow";
  m.producer_version = src.tensorflow_version();
  m.description = src.saved_model ? "TensorFlow SavedModel, signature '" + plan.signature + "'" : "TensorFlow GraphDef";
  if (src.saved_model) {
    m.metadata["tf_signature"] = plan.signature;
    m.metadata["tf_tag"] = opts.tag;
  }
  m.warnings = src.warnings;
  m.warnings.insert(m.warnings.end(), plan.warnings.begin(), plan.warnings.end());
  for (auto& w : tf::check_side_effects(src, fg, tf::needed_nodes(src, fg, plan),
                                        src.saved_model ? "signature '" + plan.signature + "'" : "the graph"))
    m.warnings.push_back(w);
  Graph& g = *m.graph;

  tf::Converter cv(fg, g, src.pb_path, src.keepalive());
  cv.variable_value = [&](const tf::FlatNode& n) { return vars.value(n); };
  for (auto& in : plan.inputs) {
    if (in.dtype == DType::Undefined || in.dtype == DType::String)
      throw Error(path + ": input '" + in.name + "' has a type that cannot be converted");
    bool nchw = std::find(opts.inputs_as_nchw.begin(), opts.inputs_as_nchw.end(), in.name) != opts.inputs_as_nchw.end();
    if (!nchw) {
      cv.feed(in.tensor, g.add_input(in.name, in.dtype, in.shape));
    } else {
      // The ONNX input is channel-first; TF sees it channel-last again (optimize_transposes then
      // cancels this Transpose against the first conv's).
      if (!in.shape.rank_known || in.shape.rank() < 3)
        throw Error(path + ": --inputs-as-nchw '" + in.name + "' needs an input of known rank >= 3");
      size_t r = in.shape.rank();
      std::vector<int64_t> to_first{0, int64_t(r) - 1}, to_last{0};
      for (size_t i = 1; i + 1 < r; ++i) to_first.push_back(int64_t(i));
      for (size_t i = 2; i < r; ++i) to_last.push_back(int64_t(i));
      to_last.push_back(1);
      Shape first;
      first.rank_known = true;
      for (auto p : to_first) first.dims.push_back(in.shape.dims[size_t(p)]);
      Value* v = g.add_input(in.name, in.dtype, first);
      Value* t = g.op("Transpose", {v}, {{"perm", to_last}}, in.name + "_nhwc");
      ops::infer_node(*t->producer, cv.shape_values());
      cv.feed(in.tensor, t);
    }
    m.source_input_names.push_back(in.tensor);
  }
  std::vector<std::string> tensors;
  for (auto& o : plan.outputs) tensors.push_back(o.tensor);
  std::vector<Value*> vals = cv.convert(tensors);
  for (size_t i = 0; i < vals.size(); ++i) {
    const tf::IoPoint& o = plan.outputs[i];
    Value* v = g.add_output(vals[i], o.name);
    if (v->name != o.name)
      m.warnings.push_back("output '" + o.name + "' is named '" + v->name + "': an input or an earlier output has that name");
    if (v->dtype == DType::Undefined) v->dtype = o.dtype;
    if (!v->shape.rank_known) ops::assume_shape(*v, o.shape);
    m.source_output_names.push_back(o.tensor);
  }
  g.remove_dead();
  m.warnings.insert(m.warnings.end(), cv.warnings.begin(), cv.warnings.end());
  optimize_transposes(g);
  g.remove_dead();
  refine_shapes(g);  // the outputs' shapes, with the inputs' symbols
  return m;
}

SourceReport inspect_tf_source(TfSource& src, const LoadOptions& opts) {
  tf::FlatGraph fg(*src.graph, src.pb_path);
  tf::open_variables(src);

  SourceReport r;
  r.format = src.saved_model ? "savedmodel" : "graphdef";
  r.producer_name = "tensorflow";
  r.producer_version = src.tensorflow_version();
  if (src.bundle) r.parameter_count = src.bundle->parameter_count();

  if (src.saved_model) {
    std::string tags;
    for (auto& t : tf::tag_sets(*src.saved)) tags += (tags.empty() ? "" : "; ") + t;
    r.extra["tags"] = tags;
    std::string names;
    for (auto& s : tf::signatures(*src.meta)) {
      names += (names.empty() ? "" : ", ") + s.name;
      std::ostringstream os;
      auto io = [&](const std::vector<tf::SignatureIo>& v) {
        for (size_t i = 0; i < v.size(); ++i)
          os << (i ? ", " : "") << v[i].key << " (" << v[i].info->name() << ") "
             << dtype_name(tf::from_tf_dtype(v[i].info->dtype()))
             << format_shape(tf::shape_from_proto(v[i].info->tensor_shape()));
      };
      os << "inputs: ";
      io(s.inputs);
      os << "; outputs: ";
      io(s.outputs);
      if (!s.def->method_name().empty()) os << "; method: " << s.def->method_name();
      r.extra["signature " + s.name] = os.str();
    }
    r.extra["signatures"] = names;
    if (src.meta->has_object_graph_def()) r.extra["object_graph_nodes"] = std::to_string(src.meta->object_graph_def().nodes_size());
  }
  r.extra["functions"] = std::to_string(fg.function_count());

  // The chosen signature's inputs/outputs and the ops it needs; the whole graph when it cannot be
  // planned (the reason goes to extra["note"]).
  std::vector<const tf::FlatNode*> nodes;
  try {
    tf::IoPlan plan = tf::plan_io(src, fg, opts);
    for (auto& in : plan.inputs) r.inputs.push_back({in.name, dtype_name(in.dtype), in.shape.str()});
    for (auto& o : plan.outputs) r.outputs.push_back({o.name, dtype_name(o.dtype), o.shape.str()});
    nodes = tf::needed_nodes(src, fg, plan);
    if (src.saved_model) r.extra["signature"] = plan.signature;
  } catch (const Error& e) {
    r.extra["note"] = e.what();
    for (auto& n : fg.nodes()) nodes.push_back(&n);
  }
  std::map<std::string, std::pair<int, std::string>> bad;
  for (auto* n : nodes) {
    if (!n->attrs) continue;
    if (!src.bundle && n->op == "Const") {  // frozen graph: weights are constants
      auto v = n->attrs->find("value");
      if (v != n->attrs->end() && tf::from_tf_dtype(v->second.tensor().dtype()) != DType::String) {
        int64_t c = 1;
        for (auto& d : v->second.tensor().tensor_shape().dim()) c *= d.size();
        r.parameter_count += c;
      }
    }  // Identity/IdentityN stand-ins made by function inlining
    r.source_ops[n->op]++;
    if (!tf::op_table().count(n->op)) {
      auto& b = bad[n->op];
      if (b.first++ == 0) b.second = n->name;
    }
  }
  for (auto& [op, b] : bad) r.unsupported.push_back(op + " x" + std::to_string(b.first) + " (first: " + b.second + ")");
  // A graph that converts shows its outputs' inferred shapes (as export writes them), not only the
  // signature's.
  if (r.unsupported.empty() && !r.extra.count("note")) {
    try {
      Model m = convert_tf_source(src, opts);
      for (size_t i = 0; i < r.outputs.size() && i < m.graph->outputs.size(); ++i)
        r.outputs[i].shape = m.graph->outputs[i]->shape.str();
    } catch (const Error&) {
      // the plan's shapes stay; export reports the cause
    }
  }
  return r;
}

}  // namespace tf

Model load_savedmodel(const std::string& path, Format format, const LoadOptions& opts) {
  tf::TfSource src = tf::open_source(path, format, opts.tag);
  return tf::convert_tf_source(src, opts);
}

SourceReport inspect_savedmodel(const std::string& path, Format format, const LoadOptions& opts) {
  tf::TfSource src = tf::open_source(path, format, opts.tag);
  return tf::inspect_tf_source(src, opts);
}

std::vector<std::string> savedmodel_supported_ops() {
  std::vector<std::string> out;
  for (auto& [op, fn] : tf::op_table()) out.push_back(op);
  return out;  // std::map: already sorted
}

}  // namespace modelport

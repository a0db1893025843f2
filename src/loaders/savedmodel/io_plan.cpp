#include "io_plan.h"

#include <algorithm>
#include <map>
#include <set>

#include "converter.h"
#include "ops/translators.h"
#include "modelport/error.h"
#include "tf_types.h"

namespace modelport::tf {
namespace {

// Unknown dims become symbols: "batch" for dim 0, "<input>_dim<i>" otherwise.
Shape symbolic(Shape s, const std::string& input) {
  for (size_t i = 0; i < s.dims.size(); ++i)
    if (!s.dims[i].is_fixed()) s.dims[i] = Dim::sym(i == 0 ? "batch" : input + "_dim" + std::to_string(i));
  return s;
}

void apply_overrides(IoPlan& plan, const LoadOptions& opts, const std::string& where) {
  for (auto& spec : opts.inputs) {
    IoPoint* p = nullptr;
    for (auto& in : plan.inputs)
      if (in.name == spec.name || canonical_tensor(spec.name) == in.tensor) p = &in;
    if (!p) {
      std::string names;
      for (auto& in : plan.inputs) names += (names.empty() ? "" : ", ") + in.name;
      throw Error(where + ": --input '" + spec.name + "' is not an input (inputs: " + names + ")");
    }
    if (spec.dtype) p->dtype = *spec.dtype;
    if (spec.shape) p->shape = *spec.shape;
  }
}

bool parses_examples(const std::vector<const FlatNode*>& nodes) {
  for (auto* n : nodes)
    if (n->op == "ParseExample" || n->op == "ParseExampleV2" || n->op == "ParseSingleExample") return true;
  return false;
}

IoPlan signature_plan(const Signature& sig) {
  IoPlan plan;
  plan.signature = sig.name;
  for (auto& io : sig.inputs) {
    DType dt = from_tf_dtype(io.info->dtype());
    Shape s = io.info->has_tensor_shape() ? symbolic(shape_from_proto(io.info->tensor_shape()), io.key) : Shape();
    plan.inputs.push_back({io.key, canonical_tensor(io.info->name()), dt, s});
  }
  for (auto& io : sig.outputs)
    plan.outputs.push_back({io.key, canonical_tensor(io.info->name()), from_tf_dtype(io.info->dtype()),
                            io.info->has_tensor_shape() ? shape_from_proto(io.info->tensor_shape()) : Shape()});
  return plan;
}

bool convertible(const TfSource& src, const FlatGraph& fg, const Signature& sig) {
  try {
    IoPlan p = signature_plan(sig);
    for (auto& in : p.inputs)
      if (in.dtype == DType::String) return false;
    return !parses_examples(needed_nodes(src, fg, p));
  } catch (const Error&) {
    return false;
  }
}

// Placeholders carry "dtype"; other ops' (first) output type is usually "T", "out_type" or "DstT".
DType attr_dtype(const FlatNode& n) {
  if (!n.attrs) return DType::Undefined;
  for (const char* k : {"dtype", "T", "out_type", "DstT"})
    if (auto a = n.attrs->find(k); a != n.attrs->end() && a->second.value_case() == AttrValue::kType)
      return from_tf_dtype(a->second.type());
  return DType::Undefined;
}

std::string strip_zero(const std::string& t) {
  return t.size() > 2 && t.compare(t.size() - 2, 2, ":0") == 0 ? t.substr(0, t.size() - 2) : t;
}

// Without --output: the graph's sinks (nodes nobody reads) that compute something from a Placeholder
// with supported ops; bookkeeping (save/restore, init, training updates) and the rest are left out,
// and the warning says which were taken and why others were not.
std::vector<std::string> guess_outputs(const TfSource& src, const FlatGraph& fg, std::vector<std::string>& warn) {
  static const std::set<std::string> skip = {"NoOp", "Const", "Placeholder", "Assign", "AssignVariableOp",
                                             "AssignAddVariableOp", "AssignSubVariableOp", "SaveV2", "RestoreV2",
                                             "VariableV2", "VarHandleOp", "MergeV2Checkpoints", "ShardedFilename"};
  std::set<std::string> used;
  for (auto& n : fg.nodes())
    for (auto& in : n.inputs) used.insert(split_tensor_name(in).first);
  std::vector<std::string> outs, left;
  for (auto& n : src.graph->node()) {
    if (used.count(n.name()) || skip.count(n.op())) continue;
    if (n.name().rfind("save/", 0) == 0 || n.name().rfind("init", 0) == 0) continue;
    std::string why;
    try {
      Graph scratch;
      Converter probe(fg, scratch, src.path, nullptr);
      auto nodes = probe.reachable({n.name()});
      bool fed = false;
      for (auto* r : nodes) {
        fed |= r->op == "Placeholder" || r->op == "PlaceholderV2" || r->op == "PlaceholderWithDefault";
        if (why.empty() && !op_table().count(r->op)) why = "unsupported op " + r->op;
      }
      if (why.empty() && !fed) why = "reads no input";
    } catch (const Error& e) {
      why = "cannot be traced";
    }
    if (why.empty()) outs.push_back(n.name());
    else left.push_back(n.name() + " (" + why + ")");
  }
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (auto& e : v) s += (s.empty() ? "" : ", ") + e;
    return s;
  };
  if (outs.empty())
    throw Error(src.path + ": cannot guess the graph outputs" + (left.empty() ? "" : " (sinks: " + join(left) + ")") +
                "; name them with --output");
  warn.push_back("no --output given; exporting the graph's sinks: " + join(outs) +
                 (left.empty() ? "" : " (left out: " + join(left) + ")"));
  return outs;
}

IoPlan graphdef_plan(const TfSource& src, const FlatGraph& fg, const LoadOptions& opts, std::vector<std::string>& warn) {
  IoPlan plan;
  std::vector<std::string> outs = opts.outputs;
  if (outs.empty()) outs = guess_outputs(src, fg, warn);
  for (auto& o : outs) {
    const FlatNode* n = fg.find(split_tensor_name(canonical_tensor(o)).first);
    plan.outputs.push_back({strip_zero(o), canonical_tensor(o), n ? attr_dtype(*n) : DType::Undefined, Shape()});
  }

  std::vector<std::string> ins;
  for (auto& spec : opts.inputs) ins.push_back(spec.name);
  if (ins.empty()) {
    Converter probe(fg, *std::make_shared<Graph>(), src.path, nullptr);
    std::vector<std::string> tensors;
    for (auto& o : plan.outputs) tensors.push_back(o.tensor);
    for (auto* n : probe.reachable(tensors))
      if (n->op == "Placeholder") ins.push_back(n->name);
  }
  for (auto& i : ins) {
    std::string t = canonical_tensor(i);
    const FlatNode* n = fg.find(split_tensor_name(t).first);
    if (!n) throw Error(src.path + ": --input '" + i + "' is not a node of the graph");
    IoPoint p{strip_zero(i), t, DType::Undefined, Shape()};
    p.dtype = attr_dtype(*n);
    if (n->attrs) {
      if (auto a = n->attrs->find("shape"); a != n->attrs->end()) {
        p.shape = symbolic(shape_from_proto(a->second.shape()), p.name);
      } else if (auto o = n->attrs->find("_output_shapes"); o != n->attrs->end()) {
        int k = split_tensor_name(t).second;
        if (k < o->second.list().shape_size()) p.shape = symbolic(shape_from_proto(o->second.list().shape(k)), p.name);
      }
    }
    plan.inputs.push_back(std::move(p));
  }
  return plan;
}

// A string input that the graph decodes itself (DecodeWav, AudioSpectrogram, Mfcc, DecodeJpeg...)
// rather than parsing tf.Example protos: refused, naming the ops the graph decodes it with.
void refuse_decoded_strings(const TfSource& src, const IoPlan& plan, const std::vector<const FlatNode*>& needed,
                            const std::string& where, const std::string& advice) {
  std::string string_in;
  for (auto& in : plan.inputs)
    if (in.dtype == DType::String) string_in = in.name;
  if (string_in.empty() || parses_examples(needed)) return;
  std::map<std::string, int> bad;
  for (auto* n : needed)
    if (!op_table().count(n->op)) bad[n->op]++;
  std::string ops;
  for (auto& [op, k] : bad) ops += (ops.empty() ? "" : ", ") + op + (k > 1 ? " x" + std::to_string(k) : "");
  throw Error(src.path + ": " + where + "input '" + string_in +
              "' is a string tensor, which ONNX models made here cannot take" +
              (ops.empty() ? std::string() : "; the graph decodes it with unsupported ops: " + ops) + " (" + advice +
              ")");
}

}  // namespace

std::vector<const FlatNode*> needed_nodes(const TfSource& src, const FlatGraph& fg, const IoPlan& plan) {
  Graph scratch;
  Converter probe(fg, scratch, src.pb_path, nullptr);
  for (auto& in : plan.inputs) probe.feed(in.tensor, nullptr);
  std::vector<std::string> tensors;
  for (auto& o : plan.outputs) tensors.push_back(o.tensor);
  std::vector<const FlatNode*> nodes = probe.reachable(tensors);
  // TF1 while loops: reachable() stops at their Exit nodes; add what the loops compute.
  std::set<const FlatNode*> have(nodes.begin(), nodes.end());
  for (size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i]->op == "Exit")
      for (const FlatNode* n : frame_nodes(fg, probe.frame_of(*nodes[i])))
        if (have.insert(n).second) nodes.push_back(n);
  return nodes;
}

IoPlan plan_io(const TfSource& src, const FlatGraph& fg, const LoadOptions& opts) {
  std::vector<std::string> warn;
  IoPlan plan;
  if (!src.saved_model && !src.graph_signature) {
    plan = graphdef_plan(src, fg, opts, warn);
    refuse_decoded_strings(src, plan, needed_nodes(src, fg, plan), "", "name the decoded tensor as the input with --input");
  } else {
    Signature sig = src.saved_model ? find_signature(src, opts.signature)
                                    : make_signature("signature", *src.graph_signature);
    plan = signature_plan(sig);
    auto needed = needed_nodes(src, fg, plan);
    refuse_decoded_strings(src, plan, needed, "signature '" + sig.name + "' ",
                           "export a signature that takes the decoded tensors");
    bool string_in = std::any_of(plan.inputs.begin(), plan.inputs.end(),
                                 [](const IoPoint& in) { return in.dtype == DType::String; });
    if (string_in || parses_examples(needed)) {
      std::string ok;
      if (src.meta)
        for (auto& s : signatures(*src.meta))
          if (convertible(src, fg, s)) ok += (ok.empty() ? "" : ", ") + s.name;
      throw Error(src.path + ": signature '" + sig.name +
                  "' is fed serialized tf.Example protos (ParseExample), which cannot be converted; " +
                  (ok.empty() ? std::string("no signature can be") : "signatures that can: " + ok));
    }
    // --output renames the signature's outputs in order (their keys, sorted), as for every format.
    if (opts.outputs.size() > plan.outputs.size()) {
      std::string keys;
      for (auto& o : plan.outputs) keys += (keys.empty() ? "" : ", ") + o.name;
      throw UsageError(src.path + ": " + std::to_string(opts.outputs.size()) + " --output names given but signature '" +
                       sig.name + "' has " + std::to_string(plan.outputs.size()) + " output(s): " + keys);
    }
    for (size_t i = 0; i < opts.outputs.size(); ++i) plan.outputs[i].name = opts.outputs[i];
  }
  apply_overrides(plan, opts, src.path);
  plan.warnings = std::move(warn);
  return plan;
}

}  // namespace modelport::tf

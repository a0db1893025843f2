// IR Model -> onnx::ModelProto skeleton (large initializers left out, streamed by the writer),
// optional check, then write.
#include <algorithm>
#include <onnx/checker.h>
#include <onnx/common/version.h>
#include <onnx/shape_inference/implementation.h>

#include <map>
#include <unordered_set>

#include "emit/emit_context.h"
#include "emit/onnx_writer.h"
#include "emit/op_forms.h"
#include "emit/ort_float64.h"
#include "modelport/emit.h"
#include "util/output_transaction.h"

namespace modelport {
namespace emit {
namespace {

// IR version that goes with an opset (onnx/helper.py VERSION_TABLE).
int ir_version_for(int opset) {
  if (opset <= 8) return 3;
  if (opset == 9) return 4;
  if (opset == 10) return 5;
  if (opset == 11) return 6;
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  if (opset <= 22) return 10;
  return 11;
}

// ai.onnx.ml version for an opset: 3 (onnx 1.12's newest) up to 19, then the one released with it.
int ml_opset_for(int opset) {
  if (opset <= 19) return 3;
  if (opset == 20) return 4;
  return 5;
}

void count_names(const Graph& g, std::map<std::string, int>& counts) {
  for (auto& v : g.values()) ++counts[v->name];
  for (auto& n : g.nodes()) ++counts[n->name];
  for_each_subgraph(g, [&](Graph& sg) { count_names(sg, counts); });
}

void set_value_info(onnx::ValueInfoProto* vi, const Value* v, const std::string& name) {
  vi->set_name(name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  if (v->dtype != DType::Undefined) tt->set_elem_type(onnx_dtype(v->dtype));
  if (!v->shape.rank_known) return;  // unknown rank: no shape field
  auto* shape = tt->mutable_shape();
  for (auto& d : v->shape.dims) {
    auto* dp = shape->add_dim();
    if (d.is_fixed()) dp->set_dim_value(d.value);
    else if (d.is_symbol()) dp->set_dim_param(d.symbol);
  }
}

// Op type counts of the written graph, subgraphs included.
void count_ops(const onnx::GraphProto& g, std::map<std::string, int64_t>& hist) {
  for (auto& n : g.node()) {
    ++hist[n.domain().empty() ? n.op_type() : n.domain() + "." + n.op_type()];
    for (auto& a : n.attribute()) {
      if (a.has_g()) count_ops(a.g(), hist);
      for (auto& sg : a.graphs()) count_ops(sg, hist);
    }
  }
}

std::string one_line(std::string s) {
  for (auto& ch : s)
    if (ch == '\n' || ch == '\r') ch = ' ';
  std::string out;
  for (char ch : s)
    if (!(ch == ' ' && !out.empty() && out.back() == ' ')) out += ch;
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

class ModelEmitter {
 public:
  ModelEmitter(const Model& model, int opset) {
    sh_.opset = opset;
    count_names(*model.graph, name_counts_);
    for (auto& [n, c] : name_counts_) sh_.taken.insert(n);
    sh_.emit_subgraph = [this](const Graph& g, onnx::GraphProto* gp) { emit_graph(g, gp, false); };
  }

  void emit_graph(const Graph& g, onnx::GraphProto* gp, bool is_main) {
    EmitCtx ctx(sh_, gp);
    gp->set_name(g.name);
    // ONNX names are SSA over the whole model (a subgraph may not shadow an outer name). IR names
    // are unique only along a graph's parent chain, so subgraph values whose name occurs
    // elsewhere (a sibling branch, or an outer value named after the subgraph was built) are
    // written under a fresh name.
    if (!is_main)
      for (auto& v : g.values())
        if (name_counts_[v->name] > 1 && !sh_.renamed.count(v.get())) sh_.renamed[v.get()] = ctx.fresh(v->name);
    for (auto* v : g.inputs) set_value_info(gp->add_input(), v, ctx.name(v));
    for (auto* v : g.constants()) {
      if (v->uses().empty()) continue;  // only constants somebody reads
      const Tensor& t = *v->constant;
      size_t expect = static_cast<size_t>(t.numel()) * dtype_size(t.dtype);
      if (t.dtype != DType::String && t.nbytes() != expect)
        throw Error("constant '" + v->name + "' has " + std::to_string(t.nbytes()) + " bytes, expected " +
                    std::to_string(expect));
      if (t.dtype != DType::String && t.nbytes() >= kStreamThresholdBytes) {
        // Streamed initializers all live in the main graph; a subgraph reads them from the outer
        // scope (their names are unique in the whole model, see above).
        BigInitializer b;
        tensor_header(t, ctx.name(v), &b.header);
        b.tensor = v->constant;
        sh_.big.push_back(std::move(b));
      } else {
        tensor_to_proto(t, ctx.name(v), gp->add_initializer());
      }
    }
    std::unordered_set<const Node*> own;
    for (auto& n : g.nodes()) {
      own.insert(n.get());
      ctx.set_node(n.get());
      write_node(ctx);
    }
    ctx.set_node(nullptr);
    std::set<std::string> seen;
    std::unordered_set<const Value*> own_inputs(g.inputs.begin(), g.inputs.end());
    for (auto* v : g.outputs) {
      std::string name = ctx.name(v);
      // Outputs must be distinct values produced in (or fed into) this graph; constants, outer-scope
      // values and repeated outputs go through an Identity.
      bool local = (v->producer && own.count(v->producer)) || own_inputs.count(v);
      if (!local || seen.count(name)) name = ctx.add1("Identity", {name}, ctx.fresh(v->name + "_out"));
      seen.insert(name);
      set_value_info(gp->add_output(), v, name);
    }
  }

  EmitShared& shared() { return sh_; }

 private:
  EmitShared sh_;
  std::map<std::string, int> name_counts_;
};

// The checker and shape inference run on a copy of the skeleton (no large payloads) in which the
// streamed initializers appear as external tensors. onnx 1.12's checker only tests that the
// location opens (ifstream(model_dir + location), model_dir empty), so /dev/null serves as the
// placeholder. (onnx >= 1.13 rejects absolute locations: there, pass a model_dir instead.)
onnx::ModelProto probe_model(const onnx::ModelProto& m, const std::vector<BigInitializer>& big) {
  onnx::ModelProto probe = m;
  for (auto& b : big) {
    onnx::TensorProto* t = probe.mutable_graph()->add_initializer();
    *t = b.header;
    t->set_data_location(onnx::TensorProto::EXTERNAL);
    auto* e = t->add_external_data();
    e->set_key("location");
    e->set_value("/dev/null");
  }
  return probe;
}

bool output_type_missing(const onnx::ValueInfoProto& vi) {
  const auto& tt = vi.type().tensor_type();
  return !tt.has_elem_type() || tt.elem_type() == 0 || !tt.has_shape();
}

// Graph outputs the IR left untyped get the type/shape inferred on `probe` (same outputs, same order).
void copy_output_types(onnx::ModelProto& m, const onnx::ModelProto& probe) {
  for (int i = 0; i < m.graph().output_size() && i < probe.graph().output_size(); ++i) {
    auto* tt = m.mutable_graph()->mutable_output(i)->mutable_type()->mutable_tensor_type();
    const auto& it = probe.graph().output(i).type().tensor_type();
    if ((!tt->has_elem_type() || tt->elem_type() == 0) && it.elem_type() != 0) tt->set_elem_type(it.elem_type());
    if (!tt->has_shape() && it.has_shape()) *tt->mutable_shape() = it.shape();
  }
}

bool any_output_untyped(const onnx::ModelProto& m) {
  bool missing = false;
  for (auto& o : m.graph().output()) missing |= output_type_missing(o);
  return missing;
}

// Shape inference (strict when `check`), then the checker when `check`. Only for opsets the linked
// onnx knows (<= kMaxCheckedOpset).
void infer_and_check(onnx::ModelProto& m, const std::vector<BigInitializer>& big, bool check) {
  if (!check && !any_output_untyped(m)) return;
  onnx::ModelProto probe = probe_model(m, big);
  try {
    onnx::shape_inference::InferShapes(probe, onnx::OpSchemaRegistry::Instance(),
                                       onnx::ShapeInferenceOptions(/*check_type=*/check, /*error_mode=*/check ? 1 : 0));
  } catch (const std::exception& e) {
    if (check) throw Error("ONNX shape inference: " + one_line(e.what()));
  }
  copy_output_types(m, probe);
  if (!check) return;
  // onnx 1.12's checker wants a shape on every main-graph input/output; an unknown rank has no
  // encoding other than "no shape", so the probe gets an empty one (the written model does not).
  auto* g = probe.mutable_graph();
  for (auto* list : {g->mutable_input(), g->mutable_output()})
    for (auto& vi : *list)
      if (vi.type().has_tensor_type() && !vi.type().tensor_type().has_shape())
        vi.mutable_type()->mutable_tensor_type()->mutable_shape();
  try {
    onnx::checker::check_model(probe);
  } catch (const std::exception& e) {
    throw Error("ONNX checker: " + one_line(e.what()));
  }
}

// Names read by any node (subgraphs included) or listed as a graph output.
void collect_read_names(const onnx::GraphProto& g, std::set<std::string>& names) {
  for (auto& n : g.node()) {
    for (auto& in : n.input()) names.insert(in);
    for (auto& a : n.attribute()) {
      if (a.has_g()) collect_read_names(a.g(), names);
      for (auto& sg : a.graphs()) collect_read_names(sg, names);
    }
  }
  for (auto& o : g.output()) names.insert(o.name());
}

void prune_initializers(onnx::GraphProto& g, const std::set<std::string>& read) {
  auto* inits = g.mutable_initializer();
  inits->erase(std::remove_if(inits->begin(), inits->end(), [&](auto& t) { return !read.count(t.name()); }),
               inits->end());
  for (auto& n : *g.mutable_node())
    for (auto& a : *n.mutable_attribute()) {
      if (a.has_g()) prune_initializers(*a.mutable_g(), read);
      for (auto& sg : *a.mutable_graphs()) prune_initializers(sg, read);
    }
}

// Op forms may turn a constant input into an attribute (e.g. ReduceMean axes below opset 18);
// the constant is then read by nobody and is dropped rather than written.
void drop_unread_initializers(onnx::ModelProto& m, std::vector<BigInitializer>& big) {
  std::set<std::string> read;
  collect_read_names(m.graph(), read);
  prune_initializers(*m.mutable_graph(), read);
  big.erase(std::remove_if(big.begin(), big.end(), [&](auto& b) { return !read.count(b.header.name()); }),
            big.end());
}

// Errors of the op forms and of onnx's checks name the node; the source file goes in front.
template <class F>
void naming_source(const Model& model, F&& f) {
  try {
    f();
  } catch (const Error& e) {
    if (model.source_path.empty()) throw;
    throw Error(model.source_path + ": " + e.what(), e.exit_code());
  }
}

// The model skeleton at opts.opset; streamed initializers and warnings go to `big` / `warnings`.
onnx::ModelProto build_model(const Model& model, const EmitOptions& opts, std::vector<BigInitializer>& big,
                             std::vector<std::string>& warnings) {
  onnx::ModelProto m;
  m.set_ir_version(ir_version_for(opts.opset));
  m.set_producer_name("modelport");
  m.set_producer_version(MODELPORT_VERSION);
  if (!model.description.empty()) m.set_doc_string(model.description);
  std::map<std::string, std::string> meta = model.metadata;
  auto put = [&](const char* k, const std::string& v) {
    if (!v.empty()) meta[k] = v;
  };
  put("source_file", model.source_path);
  auto joined = [](const std::vector<std::string>& v) {
    std::string out;
    for (auto& x : v) out += (out.empty() ? "" : ",") + x;
    return out;
  };
  put("source_input_names", joined(model.source_input_names));
  put("source_output_names", joined(model.source_output_names));
  put("source_format", model.source_format);
  put("source_producer", model.producer_name + (model.producer_version.empty() || model.producer_name.empty()
                                                    ? model.producer_version
                                                    : " " + model.producer_version));
  for (auto& [k, v] : meta) {
    auto* p = m.add_metadata_props();
    p->set_key(k);
    p->set_value(v);
  }

  ModelEmitter em(model, opts.opset);
  naming_source(model, [&] { em.emit_graph(*model.graph, m.mutable_graph(), true); });
  // The source-side signature names, where the loader recorded them, on each graph input/output.
  auto note_source = [](auto* vis, const std::vector<std::string>& names) {
    for (int i = 0; i < vis->size() && i < static_cast<int>(names.size()); ++i)
      if (!names[i].empty()) vis->Mutable(i)->set_doc_string("source name: " + names[i]);
  };
  note_source(m.mutable_graph()->mutable_input(), model.source_input_names);
  note_source(m.mutable_graph()->mutable_output(), model.source_output_names);
  if (!model.description.empty()) m.mutable_graph()->set_doc_string(model.description);
  EmitShared& sh = em.shared();
  if (std::string w = ort_float64_gaps(*model.graph); !w.empty()) sh.warnings.push_back(w);

  auto* op = m.add_opset_import();
  op->set_domain("");
  op->set_version(opts.opset);
  for (auto& d : sh.domains) {
    auto* o = m.add_opset_import();
    o->set_domain(d);
    o->set_version(d == "ai.onnx.ml" ? ml_opset_for(opts.opset) : 1);
  }

  drop_unread_initializers(m, sh.big);
  big = std::move(sh.big);
  warnings = std::move(sh.warnings);
  return m;
}

// Inference on the model written at kMaxCheckedOpset, for the output types of a newer-opset model.
// Returns false when the model cannot be written there (ops newer than kMaxCheckedOpset).
bool infer_at_checked_opset(const Model& model, const EmitOptions& opts, onnx::ModelProto& probe) {
  EmitOptions older = opts;
  older.opset = kMaxCheckedOpset;
  std::vector<BigInitializer> big;
  std::vector<std::string> warnings;
  try {
    probe = probe_model(build_model(model, older, big, warnings), big);
    onnx::shape_inference::InferShapes(probe, onnx::OpSchemaRegistry::Instance(),
                                       onnx::ShapeInferenceOptions(/*check_type=*/false, /*error_mode=*/0));
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

}  // namespace
}  // namespace emit

EmitResult emit_onnx(const Model& model, const std::string& out_path, const EmitOptions& opts) {
  OutputTransaction tx;
  EmitResult r = emit_onnx(model, out_path, opts, tx);
  tx.commit();
  return r;
}

EmitResult emit_onnx(const Model& model, const std::string& out_path, const EmitOptions& opts, OutputTransaction& tx) {
  using namespace emit;
  if (opts.opset < kMinOpset || opts.opset > kMaxOpset)
    throw UsageError("opset " + std::to_string(opts.opset) + " is not supported (supported: " +
                     std::to_string(kMinOpset) + ".." + std::to_string(kMaxOpset) + ")");
  if (!model.graph) throw Error("model has no graph");

  std::vector<BigInitializer> big;
  std::vector<std::string> warnings;
  onnx::ModelProto m = build_model(model, opts, big, warnings);
  EmitResult r;
  if (opts.opset <= kMaxCheckedOpset) {
    naming_source(model, [&] { infer_and_check(m, big, opts.check); });
    r.checks.onnx_checker = opts.check;
    if (!opts.check) r.checks.reason = "checks turned off";
  } else {
    r.checks.reason = "onnx " + std::string(onnx::LAST_RELEASE_VERSION) + " knows opsets up to " +
                      std::to_string(kMaxCheckedOpset) + ": its checker and shape inference cannot judge opset " +
                      std::to_string(opts.opset);
    // Untyped graph outputs get their types from the same model written at kMaxCheckedOpset (the
    // forms compute the same values); onnx 1.12 inference on the newer forms would use older
    // schemas (e.g. ReduceMean-13 ignores an axes input) and get shapes wrong.
    onnx::ModelProto probe;
    if (any_output_untyped(m) && infer_at_checked_opset(model, opts, probe)) copy_output_types(m, probe);
    // Outputs still without an element type carry no type at all: ONNX Runtime infers them (it
    // rejects element type 0).
    for (auto& o : *m.mutable_graph()->mutable_output())
      if (o.type().tensor_type().elem_type() == 0) o.clear_type();
  }

  r.used_external_data = opts.external_data && !big.empty();  // nothing to put in a .data file otherwise
  if (!r.used_external_data && !big.empty()) {
    uint64_t size = inline_model_size(m, big);
    if (size > kInlineLimitBytes) {
      r.used_external_data = true;
      warnings.push_back("model is " + std::to_string(size >> 20) +
                         " MiB, over protobuf's 2 GiB limit: weights written to external data");
    }
  }
  r.files = write_model(m, big, out_path, r.used_external_data, tx);
  count_ops(m.graph(), r.op_histogram);
  for (auto& [op, n] : r.op_histogram) r.node_count += n;
  r.warnings = std::move(warnings);
  return r;
}

}  // namespace modelport

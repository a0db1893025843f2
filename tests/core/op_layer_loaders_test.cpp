// The op layer against what the loaders build: every model the op-case tables and make_test_models
// hold, loaded by its loader, must use only ops that have an entry (ops::find), and no value may
// carry a shape or dtype the op layer would not give it (a loader setting shapes by hand, or a rule
// weaker than what a loader knows, fails here and names the op).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "modelport/error.h"
#include "modelport/loaders.h"
#include "ops/keras/keras_cases.h"
#include "ops/op_def.h"
#include "ops/infer.h"
#include "ops/shape_values.h"
#include "ops/tf/tf_cases.h"
#include "ops/torchscript/ts_cases.h"
#include "support/test_support.h"

namespace modelport {
namespace {
namespace fs = std::filesystem;
using namespace modelport::test;

struct Findings {
  std::map<std::string, std::set<std::string>> no_entry;  // op -> models
  std::map<std::string, std::string> weaker;              // op -> first example
  int models = 0, nodes = 0;
};

std::string dims_str(const Shape& s) { return s.rank_known ? s.str() : "?"; }

// Whether `inferred` says all `stored` says: the same rank and every fixed or symbolic dim.
bool covers(const Shape& inferred, const Shape& stored) {
  if (!stored.rank_known) return true;
  if (!inferred.rank_known || inferred.rank() != stored.rank()) return false;
  for (size_t i = 0; i < stored.rank(); ++i) {
    const Dim &s = stored.dims[i], &d = inferred.dims[i];
    if ((s.is_fixed() || s.is_symbol()) && !(d.is_fixed() == s.is_fixed() && d.value == s.value && d.symbol == s.symbol))
      return false;
  }
  return true;
}

std::ofstream* dump_file() {
  static std::ofstream* f = std::getenv("MODELPORT_SHAPE_DUMP") ? new std::ofstream(std::getenv("MODELPORT_SHAPE_DUMP")) : nullptr;
  return f;
}

// A shape a loader records with ops::assume_shape that the op's rule cannot give from these models:
// an in-place write into a slice (src/loaders/torchscript/ops/inplace.cpp), Concat(w[:s], part,
// w[t:]) along the written axis, is as large as w, which the pieces' run-time lengths do not say.
// (assume_shape's other uses, narrow with a run-time start, Conv2DBackpropInput and a signature's
// output shape, agree with the rules on the models audited here.)
bool splice_of_whole(const Node& n, const Value* o) {
  if (n.op != "Concat" || n.inputs.size() != 3) return false;
  const Node *head = n.input(0)->producer, *tail = n.input(2)->producer;
  return head && tail && head->op == "Slice" && tail->op == "Slice" && head->input(0) == tail->input(0) &&
         o->shape == head->input(0)->shape;
}

void audit(const Graph& g, const std::string& model, Findings& f) {
  ShapeValues sv;
  if (auto* d = dump_file())
    for (auto& np : g.nodes())
      for (size_t i = 0; i < np->outputs.size(); ++i)
        if (np->outputs[i])
          *d << model << " " << np->op << " " << i << " " << dims_str(np->outputs[i]->shape) << " "
             << dtype_name(np->outputs[i]->dtype) << "\n";
  for (auto& np : g.nodes()) {
    Node& n = *np;
    for_each_subgraph_of(n, [&](Graph& sg) { audit(sg, model, f); });
    ++f.nodes;
    if (!n.domain.empty()) continue;
    const ops::OpDef* def = ops::find(n.op);
    if (!def) {
      f.no_entry[n.op].insert(model);
      continue;
    }
    std::optional<std::vector<Shape>> shapes;
    // As refine_output_shapes: only Loop's input 0 (the trip count) may be absent.
    if (def->shape && !n.inputs.empty() && (n.input(0) || n.op == "Loop")) shapes = def->shape(n, sv);
    for (size_t i = 0; i < n.outputs.size(); ++i) {
      const Value* o = n.outputs[i];
      if (!o) continue;
      Shape inferred = shapes && i < shapes->size() ? (*shapes)[i] : Shape();
      std::string why;
      if (!covers(inferred, o->shape) && !splice_of_whole(n, o))
        why = "output " + std::to_string(i) + " is " + dims_str(o->shape) + ", the rule gives " + dims_str(inferred);
      else if (o->dtype != DType::Undefined && ops::output_dtype(n, i) != o->dtype)
        why = "output " + std::to_string(i) + " is " + dtype_name(o->dtype) + ", the type rule gives " +
              dtype_name(ops::output_dtype(n, i));
      if (!why.empty() && !f.weaker.count(n.op)) f.weaker[n.op] = model + ": " + why;
    }
    sv.record(n);
  }
}

void load_and_audit(const std::string& path, Format format, const LoadOptions& opts, Findings& f) {
  try {
    Model m = load_model(path, format, opts);
    ++f.models;
    audit(*m.graph, fs::path(path).filename().string(), f);
  } catch (const Error&) {
    // Models made to be refused (unsupported ops, bad files) build nothing to check.
  }
}

Findings audit_all() {
  Findings f;
  std::string dir = test_models_dir();
  for (auto& e : fs::directory_iterator(dir)) {
    std::string ext = e.path().extension().string();
    if (ext != ".pt" && ext != ".h5" && ext != ".keras" && ext != ".pb") continue;
    std::string p = e.path().string();
    Format format;
    try {
      format = detect_format(p);
    } catch (const Error&) {
      continue;
    }
    load_and_audit(p, format, LoadOptions{}, f);
  }
  for (const ts_ops::Case& c : ts_ops::read_table().cases)
    if (!c.refused)
      for (const std::string& file : c.files) load_and_audit(file, Format::TorchScript, ts_ops::load_options(c), f);
  for (const keras_ops::Case& c : keras_ops::read_table()) load_and_audit(c.file, detect_format(c.file), LoadOptions{}, f);
  std::string scratch = scratch_dir("op_layer_loaders");
  for (const tf_ops::Case& c : tf_ops::cases()) {
    LoadOptions opts;
    std::string pb = tf_ops::write_graph(c, scratch, opts);
    load_and_audit(pb, Format::GraphDef, opts, f);
  }
  return f;
}

const Findings& findings() {
  static const Findings f = audit_all();
  return f;
}

TEST(OpLayerLoaders, EveryBuiltOpHasAnEntry) {
  const Findings& f = findings();
  EXPECT_GT(f.models, 150);
  std::printf("[op_layer] %d models, %d nodes\n", f.models, f.nodes);
  for (auto& [op, models] : f.no_entry) ADD_FAILURE() << op << " has no op-layer entry (built for " << *models.begin() << ")";
}

TEST(OpLayerLoaders, NoShapeOrDtypeBeyondTheRules) {
  const Findings& f = findings();
  ASSERT_GT(f.models, 150);
  for (auto& [op, example] : f.weaker) ADD_FAILURE() << op << ": " << example;
}

}  // namespace
}  // namespace modelport

#include "ops/torchscript/ts_cases.h"

#include <gtest/gtest.h>
#include <torch/csrc/jit/ir/irparser.h>
#include <torch/csrc/jit/passes/inliner.h>
#include <torch/csrc/jit/passes/normalize_ops.h>
#include <torch/csrc/jit/runtime/operator.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <cctype>

#include "ops/op_case_support.h"
#include "support/test_support.h"
#include "support/torch_support.h"

namespace modelport::test::ts_ops {
using json = nlohmann::json;

const std::vector<std::string> kGroups = {"activation", "existing", "math", "nn", "pytorch2", "scalar", "shape"};

Table read_table() {
  Table t;
  json j = read_case_manifest("ts_ops/cases.json");
  if (!j.is_object()) return t;
  for (auto& r : j["cases"]) {
    Case c;
    c.name = r["name"];
    c.group = r["group"];
    for (auto& f : r["files"]) c.files.push_back(test_models_dir() + "/" + f.get<std::string>());
    c.ops = r["ops"].get<std::vector<std::string>>();
    c.aliases = r["aliases"].get<std::map<std::string, std::string>>();
    c.dropped = r["dropped"].get<std::vector<std::string>>();
    for (auto& i : r["inputs"]) {
      Input in{i["name"], *parse_dtype(i["dtype"].get<std::string>()), {}, i["low"], i["high"]};
      for (auto& d : i["dims"]) in.dims.push_back(d.is_string() ? d.get<std::string>() : std::to_string(d.get<int64_t>()));
      c.inputs.push_back(in);
    }
    for (auto& [sym, two] : r["sizes"].items()) c.sizes[sym] = {two[0].get<int64_t>(), two[1].get<int64_t>()};
    c.atol = r["atol"];
    c.rtol = r["rtol"];
    c.min_opset = r["min_opset"];
    if (!r["refused"].is_null()) c.refused = r["refused"].get<std::string>();
    if (r.contains("reference") && !r["reference"].is_null())
      c.reference = test_models_dir() + "/" + r["reference"].get<std::string>();
    t.cases.push_back(std::move(c));
  }
  t.unavailable = j["unavailable"].get<std::map<std::string, std::string>>();
  EXPECT_FALSE(t.cases.empty()) << "ts_ops/cases.json lists no cases";
  return t;
}

namespace {
bool is_symbol(const std::string& d) { return !d.empty() && !std::isdigit(static_cast<unsigned char>(d[0])); }
}  // namespace

LoadOptions load_options(const Case& c) {
  LoadOptions o;
  for (auto& in : c.inputs) {
    std::vector<Dim> dims;
    for (auto& d : in.dims) dims.push_back(is_symbol(d) ? Dim::sym(d) : Dim::fixed(std::stoll(d)));
    o.inputs.push_back(InputSpec{in.name, in.dtype, Shape(dims)});
  }
  return o;
}

std::vector<Tensor> make_inputs(const Case& c, int which) {
  auto gen = at::detail::createCPUGenerator(seed_of(c.name, which));
  std::vector<Tensor> out;
  for (auto& in : c.inputs) {
    std::vector<int64_t> dims;
    for (auto& d : in.dims) dims.push_back(is_symbol(d) ? (which ? c.sizes.at(d).second : c.sizes.at(d).first) : std::stoll(d));
    at::Tensor t;
    if (dtype_is_float(in.dtype)) t = torch::randn(dims, gen).to(to_torch(Tensor::scalar(in.dtype, 0)).scalar_type());
    else if (in.dtype == DType::Bool) t = torch::randint(0, 2, dims, gen) > 0;
    else t = torch::randint(in.low, in.high, dims, gen).to(to_torch(Tensor::scalar(in.dtype, 0)).scalar_type());
    out.push_back(from_torch(t));
  }
  return out;
}

}  // namespace modelport::test::ts_ops

namespace modelport::test::ts_ops {

std::set<std::string> saved_graph_ops(const std::string& file) {
  torch::jit::Module m = torch::jit::load(file);
  auto g = m.get_method("forward").graph()->copy();
  torch::jit::Inline(*g);
  std::set<std::string> ops;
  std::function<void(const torch::jit::Block*)> walk = [&](const torch::jit::Block* b) {
    for (const torch::jit::Node* n : b->nodes()) {
      ops.insert(n->kind().toQualString());
      for (const torch::jit::Block* sub : n->blocks()) walk(sub);
    }
  };
  walk(g->block());
  return ops;
}

std::string normalized_op(const std::string& op) {
  auto g = std::make_shared<torch::jit::Graph>();
  torch::jit::parseIR("graph(%x : Tensor):\n  %y : Tensor = " + op + "(%x)\n  return (%y)\n", g.get());
  torch::jit::NormalizeOps(g);
  for (const torch::jit::Node* n : g->nodes()) return n->kind().toQualString();
  return "";
}

bool libtorch_has_operator(const std::string& op) {
  return !torch::jit::getAllOperatorsFor(c10::Symbol::fromQualString(op)).empty();
}

}  // namespace modelport::test::ts_ops

// Every registered source op (modelport::supported_source_ops, `modelport ops`) has a case in its
// format's op-case table, and every claim of the tables is true: the case's model contains the op.
// This is the one place that maps op -> case; a failure lists every op without one.
//   TorchScript: tests/ops/torchscript/cases_*.py. A case proves an op when the graph modelport
//   loads (frozen, inlined) contains it; an alias spelling (aten::clip) when libtorch's NormalizeOps
//   rewrites it and the case's graph holds what it becomes; an op freezing removes (aten::detach)
//   when the saved graph holds it and the frozen one does not. Ops that are no operator of the
//   linked libtorch are listed as unavailable, and checked to be so.
//   TensorFlow: tests/ops/tf/tf_cases_*.cpp. A case proves the ops `inspect` finds in its GraphDef;
//   ops only real SavedModels have (variables) point at the test that checks those files, and the
//   op must be in the fixture's graph. Ops without a case yet are listed in tf_case_table.cpp.
//   Keras: tests/ops/keras/cases_*.py. A case proves the layer classes `inspect` finds in its file.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <set>

#include "modelport/loaders.h"
#include "ops/keras/keras_cases.h"
#include "ops/tf/tf_cases.h"
#include "ops/torchscript/ts_cases.h"
#include "support/test_support.h"

using namespace modelport;
using namespace modelport::test;

namespace {

using OpToCases = std::map<std::string, std::vector<std::string>>;

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// Fails listing every registered op without a case (other than `pending`, the format's list of ops
// known to have none yet, which must not contain covered ops) and every case op that is not registered.
void expect_complete(const std::string& format, const std::vector<std::string>& registered, const OpToCases& cases,
                     const std::vector<std::pair<std::string, std::string>>& pending = {}) {
  std::vector<std::string> missing, stale;
  std::map<std::string, std::string> todo(pending.begin(), pending.end());
  for (auto& [op, why] : todo) {
    EXPECT_FALSE(cases.count(op)) << format << ": " << op << " has a case now: drop it from the not-yet-covered list";
    std::printf("[op_coverage] %s: no case yet: %s (%s)\n", format.c_str(), op.c_str(), why.c_str());
  }
  for (auto& op : registered)
    if (!cases.count(op) && !todo.count(op)) missing.push_back(op);
  std::set<std::string> reg(registered.begin(), registered.end());
  for (auto& [op, names] : cases)
    if (!reg.count(op)) stale.push_back(op + " (" + join(names) + ")");
  EXPECT_TRUE(missing.empty()) << format << ": " << missing.size() << " registered ops without a case: " << join(missing);
  EXPECT_TRUE(stale.empty()) << format << ": cases claim ops that are not registered: " << join(stale);
  std::printf("[op_coverage] %s: %zu registered ops, %zu with a case, %zu without one yet\n", format.c_str(),
              registered.size(), registered.size() - missing.size() - todo.size(), todo.size());
}

bool gtest_exists(const std::string& full_name) {
  auto* ut = ::testing::UnitTest::GetInstance();
  for (int i = 0; i < ut->total_test_suite_count(); ++i) {
    const ::testing::TestSuite* s = ut->GetTestSuite(i);
    for (int j = 0; j < s->total_test_count(); ++j)
      if (std::string(s->name()) + "." + s->GetTestInfo(j)->name() == full_name) return true;
  }
  return false;
}

// Every op of `claimed` must be in `found` (the source ops inspect reports for the case's model).
void expect_claims(const std::string& case_name, const std::vector<std::string>& claimed,
                   const std::map<std::string, int64_t>& found, OpToCases& cases) {
  for (auto& op : claimed) {
    EXPECT_TRUE(found.count(op)) << case_name << ": " << op << " is not in the case's model";
    cases[op].push_back(case_name);
  }
}

TEST(OpCoverage, TorchScript) {
  ts_ops::Table table = ts_ops::read_table();
  OpToCases cases;
  std::set<std::string> groups;
  for (const ts_ops::Case& c : table.cases) {
    SCOPED_TRACE(c.name);
    groups.insert(c.group);
    std::map<std::string, int64_t> loaded;  // the ops of the graph modelport lowers, over all files
    std::set<std::string> saved;
    for (auto& f : c.files) {
      for (auto& [op, n] : inspect_model(f, Format::TorchScript, ts_ops::load_options(c)).source_ops) loaded[op] += n;
      if (!c.dropped.empty())
        for (auto& op : ts_ops::saved_graph_ops(f)) saved.insert(op);
    }
    for (const std::string& op : c.ops) {
      cases[op].push_back(c.name);
      if (auto a = c.aliases.find(op); a != c.aliases.end()) {
        EXPECT_EQ(ts_ops::normalized_op(op), a->second) << op << " is claimed to be an alias of " << a->second;
        EXPECT_TRUE(loaded.count(a->second)) << op << ": the case's graph lacks " << a->second;
      } else if (std::find(c.dropped.begin(), c.dropped.end(), op) != c.dropped.end()) {
        EXPECT_TRUE(saved.count(op)) << op << ": the case's saved graph lacks it";
        EXPECT_FALSE(loaded.count(op)) << op << ": freezing keeps it: make it an ordinary claim";
      } else {
        EXPECT_TRUE(loaded.count(op)) << op << ": not in the graph of its case";
      }
    }
  }
  for (auto& [op, why] : table.unavailable) {
    EXPECT_FALSE(ts_ops::libtorch_has_operator(op)) << op << " is an operator of this libtorch now: give it a case";
    cases[op].push_back("unavailable: " + why);
  }
  EXPECT_EQ(groups, std::set<std::string>(ts_ops::kGroups.begin(), ts_ops::kGroups.end()))
      << "every cases_<group>.py needs its group in ts_ops::kGroups (one test each)";
  expect_complete("TorchScript", supported_source_ops(Format::TorchScript), cases);
}

TEST(OpCoverage, TensorFlow) {
  OpToCases cases;
  std::string scratch = scratch_dir("op_coverage_tf");
  for (const tf_ops::Case& c : tf_ops::cases()) {
    sm::GraphDefBuilder b;
    tf_ops::build_graph(c, b);
    LoadOptions o;
    for (auto& in : c.inputs) o.inputs.push_back(InputSpec{in.name, std::nullopt, std::nullopt});
    o.outputs = c.outputs;
    expect_claims(c.name, c.ops, inspect_model(b.save(), Format::GraphDef, o).source_ops, cases);
    std::map<std::string, int64_t> nodes;
    for (auto& n : b.g.node()) nodes[n.op()]++;
    expect_claims(c.name, c.structural, nodes, cases);
  }
  for (const tf_ops::Elsewhere& e : tf_ops::elsewhere()) {
    EXPECT_TRUE(gtest_exists(e.test)) << e.op << ": no test " << e.test;
    if (!e.shared_dir.empty() && shared_fixtures().empty()) {
      std::printf("[op_coverage] TensorFlow: %s not checked to be in %s (no ../shared/fixtures)\n", e.op.c_str(),
                  e.shared_dir.c_str());
    } else if (!e.shared_dir.empty()) {
      std::string dir = shared_fixtures() + "/savedmodel/" + e.shared_dir;
      EXPECT_TRUE(inspect_model(dir, Format::SavedModel, {}).source_ops.count(e.op)) << e.op << " is not in " << dir;
    }
    cases[e.op].push_back(e.test);
  }
  expect_complete("TensorFlow", supported_source_ops(Format::SavedModel), cases, tf_ops::not_yet_covered());
}

TEST(OpCoverage, Keras) {
  OpToCases cases;
  std::set<std::string> groups;
  for (const keras_ops::Case& c : keras_ops::read_table()) {
    groups.insert(c.group);
    expect_claims(c.name, c.ops, inspect_model(c.file, detect_format(c.file), {}).source_ops, cases);
  }
  EXPECT_EQ(groups, std::set<std::string>(keras_ops::kGroups.begin(), keras_ops::kGroups.end()))
      << "every cases_<group>.py needs its group in keras_ops::kGroups (one test each)";
  expect_complete("Keras", supported_source_ops(Format::KerasH5), cases);
}

}  // namespace

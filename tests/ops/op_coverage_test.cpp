// Every registered source op (modelport::supported_source_ops, `modelport ops`) has a case in its
// format's op-case table, and every claim of the tables is true: the case's model contains the op.
// This is the one place that maps op -> case; a failure lists every op without one.
//   TorchScript: tests/ops/torchscript/cases_*.py. A case proves an op when the graph modelport
//   loads (frozen, inlined) contains it; an alias spelling (aten::clip) when libtorch's NormalizeOps
//   rewrites it and the case's graph holds what it becomes; an op freezing removes (aten::detach)
//   when the saved graph holds it and the frozen one does not. Ops that are no operator of the
//   linked libtorch are listed as unavailable, and checked to be so.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <set>

#include "modelport/loaders.h"
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

}  // namespace

// The TorchScript op-case table as written by make_ts_op_cases.py (test models dir, ts_ops/cases.json).
#pragma once
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "modelport/ir.h"
#include "modelport/loaders.h"

namespace modelport::test::ts_ops {

// The cases_<group>.py files, one test each (op_coverage_test.cpp checks the table has exactly these).
extern const std::vector<std::string> kGroups;

struct Input {
  std::string name;
  DType dtype = DType::Float32;
  std::vector<std::string> dims;  // an integer, or a symbol of `sizes`
  int64_t low = 0, high = 5;      // integer inputs: uniform in [low, high)
};

struct Case {
  std::string name, group;
  std::vector<std::string> files;             // absolute paths
  std::vector<std::string> ops;               // the source ops it proves (aliases and dropped included)
  std::map<std::string, std::string> aliases; // alias op -> the op libtorch's compiler writes instead
  std::vector<std::string> dropped;           // ops libtorch's freezing removes
  std::vector<Input> inputs;
  std::map<std::string, std::pair<int64_t, int64_t>> sizes;  // symbol -> its two sizes
  double atol = 0, rtol = 0;
  int min_opset = 11;
  std::optional<std::string> refused;         // conversion must fail with this text
  std::string reference;                      // absolute path of the file libtorch runs instead ("": files)
};

struct Table {
  std::vector<Case> cases;
  std::map<std::string, std::string> unavailable;  // op -> why no case can exist with this libtorch
};

Table read_table();  // a missing/unreadable table is a test failure (and an empty table)

// --input specs for the case: symbolic dims stay symbols.
LoadOptions load_options(const Case& c);
// Seeded random inputs at sizes[which] of every symbol (which = 0 or 1).
std::vector<Tensor> make_inputs(const Case& c, int which);

// libtorch facts the coverage test checks claims against:
std::set<std::string> saved_graph_ops(const std::string& file);  // forward(), inlined, not frozen
std::string normalized_op(const std::string& op);  // what libtorch's NormalizeOps pass makes of `op`
bool libtorch_has_operator(const std::string& op);

}  // namespace modelport::test::ts_ops

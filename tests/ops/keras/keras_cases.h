// The Keras op-case table as written by make_keras_op_cases.py (test models dir, keras_ops/cases.json).
#pragma once
#include <string>
#include <vector>

namespace modelport::test::keras_ops {

struct Case {
  std::string name, group;
  std::string file;                           // absolute path of the .h5 / .keras file
  std::vector<std::string> ops;               // the layer classes it proves
  std::vector<std::string> inputs, outputs;   // .npy files: inputs and torch's outputs
  double atol = 0, rtol = 0;
  int min_opset = 11;
};

// The cases_<group>.py files, one test each (op_coverage_test.cpp checks the table has exactly these).
extern const std::vector<std::string> kGroups;

std::vector<Case> read_table();  // a missing/unreadable or empty table is a test failure

}  // namespace modelport::test::keras_ops

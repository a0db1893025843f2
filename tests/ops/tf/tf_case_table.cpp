// The TensorFlow op-case table: the cases of tf_cases_*.cpp, the ops other tests prove, and the
// registered ops that have no case yet.
#include "ops/tf/tf_cases.h"

namespace modelport::test::tf_ops {

void add_math_cases(std::vector<Case>& out);
void add_nn_cases(std::vector<Case>& out);
void add_array_cases(std::vector<Case>& out);
void add_index_cases(std::vector<Case>& out);
void add_layout_cases(std::vector<Case>& out);
void add_select_cases(std::vector<Case>& out);
void add_scatter_cases(std::vector<Case>& out);
void add_matrix_cases(std::vector<Case>& out);
void add_sequence_cases(std::vector<Case>& out);
void add_control_cases(std::vector<Case>& out);
void add_image_cases(std::vector<Case>& out);
void add_rnn_cases(std::vector<Case>& out);

const std::vector<Case>& cases() {
  static const std::vector<Case> all = [] {
    std::vector<Case> v;
    add_math_cases(v);
    add_nn_cases(v);
    add_array_cases(v);
    add_index_cases(v);
    add_layout_cases(v);
    add_select_cases(v);
    add_scatter_cases(v);
    add_matrix_cases(v);
    add_sequence_cases(v);
    add_control_cases(v);
    add_image_cases(v);
    add_rnn_cases(v);
    return v;
  }();
  return all;
}

const std::vector<Elsewhere>& elsewhere() {
  static const std::vector<Elsewhere> v = {
      {"Conv2DBackpropInput", "GraphDefOps.Conv2DBackpropInputMatchesReference", ""},
      {"ResizeBilinear", "GraphDefOps.ResizeBilinearAndNearestMatchTfKernels", ""},
      {"ResizeNearestNeighbor", "GraphDefOps.ResizeBilinearAndNearestMatchTfKernels", ""},
      // Variables exist only in SavedModels with their checkpoint: the shared fixtures' expected values.
      {"VariableV2", "SavedModelE2E.HalfPlusTwoTf1", "tfserving_half_plus_two_cpu"},
      // The test renames that fixture's VariableV2 nodes to Variable (and asserts it renamed some).
      {"Variable", "SavedModelE2E.HalfPlusTwoTf1WithReferenceVariables", ""},
      {"VarHandleOp", "SavedModelE2E.HalfPlusTwoTf2", "tfserving_half_plus_two_tf2_cpu"},
      {"ReadVariableOp", "SavedModelE2E.HalfPlusTwoTf2", "tfserving_half_plus_two_tf2_cpu"},
  };
  return v;
}

const std::vector<std::pair<std::string, std::string>>& not_yet_covered() {
  static const std::vector<std::pair<std::string, std::string>> v = {
  };
  return v;
}

}  // namespace modelport::test::tf_ops

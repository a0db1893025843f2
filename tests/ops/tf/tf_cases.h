// The TensorFlow op-case table. A case is a small frozen GraphDef built in C++
// (tests/savedmodel/graphdef_builder.h) with a reference that computes TF's documented semantics
// with libtorch's ATen (TF kernels' padding, rounding and layout rules written out explicitly).
// tf_ops_test.cpp converts and runs every case; op_coverage_test.cpp checks that each claimed op is
// in the case's graph and that every registered TF op has a case. Ops that only real SavedModels
// exercise (variables) point at the shared-fixture test that checks their numbers (`Elsewhere`).
#pragma once
#include <ATen/ATen.h>
#include <ATen/TensorIndexing.h>

#include <functional>
#include <string>
#include <vector>

#include "modelport/loaders.h"
#include "savedmodel/graphdef_builder.h"

namespace modelport::test::tf_ops {

// A Placeholder (op "Placeholder" unless `op` says otherwise). A negative dim is symbolic: -1 is
// tried at sizes 2 and 3, -2 at 5 and 7 (every -1 of every input is the same axis).
struct Input {
  std::string name;
  std::vector<int64_t> dims;
  tf::DataType dtype = tf::DT_FLOAT;
  // N(0,1) / |N(0,1)| + 0.5 / ints in [-4, 5) / the same with 0 replaced by 3 (divisors) /
  // uniform in (-0.95, 0.95) (asin, atanh)
  enum Domain { Normal, Positive, SmallInt, NonZeroInt, Unit } domain = Normal;
  std::string op = "Placeholder";
};

using Tensors = std::vector<at::Tensor>;

struct Case {
  std::string name;
  std::vector<std::string> ops;                       // the TF ops it proves (as lowered nodes)
  // Ops the case holds where `inspect` (which counts the nodes lowered for the outputs) does not
  // look: fed placeholders, a NoOp that is only a control dependency. Checked in the GraphDef.
  std::vector<std::string> structural;
  std::vector<Input> inputs;
  std::function<void(sm::GraphDefBuilder&)> build;    // the nodes after the placeholders
  std::vector<std::string> outputs;                   // tensors exported, in order
  std::function<Tensors(const Tensors&)> reference;   // TF's semantics, in ATen
  double atol = 1e-5, rtol = 1e-4;
  int min_opset = 11;
  int max_opset = 0;  // 0: the newest; lower only where ONNX Runtime has no kernel for the newer op (say why)
  std::string why;                                    // justifies a larger tolerance or a max_opset
};

// A registered op proven by another test on real files (which that test compares with known values).
struct Elsewhere {
  std::string op;
  std::string test;         // Suite.Name of the gtest that checks it
  std::string shared_dir;   // a SavedModel under ../shared/fixtures/savedmodel whose graph has it ("" if none)
};

const std::vector<Case>& cases();
const std::vector<Elsewhere>& elsewhere();

// Registered TF ops without a case yet (each with the reason), shown by op_coverage_test.cpp:
// the list may only shrink.
const std::vector<std::pair<std::string, std::string>>& not_yet_covered();

// Builds the case's graph (placeholders first) into `b`.
void build_graph(const Case& c, sm::GraphDefBuilder& b);
// Writes the case's graph to `dir`/<name>.pb (the path returned) and the options that load it.
std::string write_graph(const Case& c, const std::string& dir, LoadOptions& opts);
// Seeded inputs at size index `which` (0 or 1) of every symbolic axis.
Tensors make_inputs(const Case& c, int which);

// Helpers for the tables: tf::DataType attributes and constants of other dtypes.
void set_type(tf::NodeDef* n, const std::string& key, tf::DataType t);
tf::NodeDef* const_scalar_i(sm::GraphDefBuilder& b, const std::string& name, int32_t v);
// A [rows, v.size() / rows] int32 constant.
tf::NodeDef* const_matrix_i(sm::GraphDefBuilder& b, const std::string& name, int64_t rows, const std::vector<int32_t>& v);

}  // namespace modelport::test::tf_ops

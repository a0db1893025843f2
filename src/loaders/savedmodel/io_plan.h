// Which tensors become the ONNX inputs and outputs: from a SavedModel signature, or from
// --input/--output for a frozen GraphDef.
#pragma once
#include <string>
#include <vector>

#include "flat_graph.h"
#include "modelport/loaders.h"
#include "tf_source.h"

namespace modelport::tf {

struct IoPoint {
  std::string name;    // ONNX name
  std::string tensor;  // TF tensor "node:k"
  DType dtype = DType::Undefined;
  Shape shape;
};
struct IoPlan {
  std::string signature;  // SavedModel only
  std::vector<IoPoint> inputs, outputs;
  std::vector<std::string> warnings;
};

// Throws Error (naming convertible signatures when the chosen one is fed tf.Example protos).
IoPlan plan_io(const TfSource& src, const FlatGraph& fg, const LoadOptions& opts);

// Ops in `fg` needed to compute `plan`'s outputs from its inputs (dependency order, then the nodes of
// the TF1 while loops among them: frame_nodes).
std::vector<const FlatNode*> needed_nodes(const TfSource& src, const FlatGraph& fg, const IoPlan& plan);

}  // namespace modelport::tf

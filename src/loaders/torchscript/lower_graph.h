// Drives the lowering of a prepared forward() graph into the IR: inputs, nodes (prim::If /
// prim::Loop go to control_flow.cpp), outputs.
#pragma once

#include "loaders/torchscript/context.h"
#include "loaders/torchscript/module.h"
#include "modelport/loaders.h"

namespace modelport::ts {

struct InputDecl {
  std::string name;         // IR input name
  std::string source_name;  // forward() argument name
  DType dtype = DType::Float32;
  Shape shape;              // may be unknown (inspect only)
  bool dtype_known = true;  // false: nothing recorded and no --input dtype (inspect only)
  std::string recorded;     // where dtype/shape came from without --input ("" when given or unknown)
};

// Input names/dtypes/shapes from the options, else from what the archive records (input_inference.h).
// Throws on bad options, and with `refuse_unknown` when an input's dtype or rank is recorded nowhere,
// naming each such input and the --input to give.
std::vector<InputDecl> declare_inputs(const std::string& path, const PreparedModule& pm, const LoadOptions& opts,
                                      bool refuse_unknown = true);

// Lowers the nodes of `b` into c.g (binding their outputs in c).
void lower_block(Ctx& c, const jit::Block* b);

// Lowers pm.graph into model.graph (inputs, nodes, outputs named per opts).
void lower_graph(const std::string& path, const PreparedModule& pm, const LoadOptions& opts, Model& model);

}  // namespace modelport::ts

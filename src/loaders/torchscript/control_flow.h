// prim::If and prim::Loop. An If whose condition is a load-time constant (or whose other branch
// only raises) is lowered inline; otherwise each block becomes a subgraph of an ONNX If / Loop.
#pragma once

#include "loaders/torchscript/context.h"

namespace modelport::ts {

void lower_if(Ctx& c, const jit::Node* n);
void lower_loop(Ctx& c, const jit::Node* n);

}  // namespace modelport::ts

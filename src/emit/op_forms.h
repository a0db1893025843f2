// The emitter's op forms (op_forms.cpp): which ops it can write and from which opset. The CLI prints it and the
// README's op table is generated from it.
#pragma once

#include <string>
#include <vector>

namespace modelport {

struct OpInfo {
  std::string op;      // ONNX op type (default domain)
  int min_opset = 0;   // lowest opset the emitter can write it at (since_version of its first
                       // form, or kMinOpset when the emitter decomposes it for older opsets)
  std::string notes;   // how it is written at older opsets, empty when written as is
};

// Every op of the default domain the emitter knows, sorted by name.
std::vector<OpInfo> emitter_op_table();

namespace emit {
class EmitCtx;
// Writes the context's current node at the context's opset (one form per op, picked by opset).
// Throws Error "<op> needs opset >= N (requested M)" when no form fits.
void write_node(EmitCtx& ctx);
// The lowest opset at which the emitter writes `op` as a node of its own rather than as a
// decomposition (0: never). Passes that fuse patterns into one op ask this instead of comparing
// opsets themselves.
int single_node_opset(const std::string& op);
}  // namespace emit

}  // namespace modelport

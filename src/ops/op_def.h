// The op layer: one entry per ONNX op the converter reasons about. An entry says what the op is,
// independent of any source format and of the opset:
//   - its layout trait (may a Transpose move across it),
//   - its shape rule (output shapes from input shapes and known shape values),
//   - its constant evaluation (output from constant inputs),
//   - its type rule (output dtypes),
//   - its shape-value rule (what an int64 output holding dims is, e.g. Shape, Gather, Concat).
// The opset forms of an op are the emitter's (src/emit/op_forms.cpp), the only code that knows opsets.
// Passes and loaders ask this layer instead of keeping their own op lists. The entries are grouped by
// family in src/ops/<family>_ops.cpp; registry.cpp assembles them into one table.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "modelport/ir.h"

namespace modelport {

class ShapeValues;
struct DimValues;

namespace ops {

enum class Layout {
  Opaque,       // no trait a pass may use
  Elementwise,  // each output element from the same element of input 0; other inputs are scalars
                // (bounds, alpha) and attributes hold no axes: Relu, Cast, Clip
  Broadcast,    // elementwise over numpy-broadcast inputs: Add, Equal, Where
};

using ShapeRule = std::function<std::optional<std::vector<Shape>>(const Node&, const ShapeValues&)>;
using EvalRule = std::function<std::optional<Tensor>(const Node&, const std::vector<const Tensor*>&)>;
using ValueRule = std::function<std::optional<DimValues>(const Node&, const ShapeValues&)>;
using TypeRule = std::function<DType(const Node&, size_t output)>;

struct OpDef {
  std::string name;
  Layout layout = Layout::Opaque;
  ShapeRule shape;   // one Shape per output (fewer: the rest unknown); empty when nothing is known
  EvalRule eval;     // single-output ops; nullopt when it does not fold (dtype, size, bad input)
  ValueRule values;  // for ops whose int64 output can hold dims
  TypeRule type;     // output dtypes; empty: every output has input 0's dtype
};

// Type rules shared by several entries.
DType bool_type(const Node&, size_t);
DType int64_type(const Node&, size_t);

// The entry for an op of the default domain, or nullptr.
const OpDef* find(const std::string& op);
// Every entry, sorted by name.
const std::vector<OpDef>& all();

bool is_elementwise(const std::string& op);  // Layout::Elementwise
bool is_broadcast(const std::string& op);    // Layout::Broadcast

// The families, each adding its entries (registry.cpp calls them all).
using Table = std::vector<OpDef>;
void add_elementwise_ops(Table& t);
void add_shape_ops(Table& t);
void add_reduce_ops(Table& t);
void add_nn_ops(Table& t);
void add_index_ops(Table& t);
void add_control_ops(Table& t);
void add_quant_ops(Table& t);  // quant_ops.cpp: QuantizeLinear, DequantizeLinear, MatMulInteger

}  // namespace ops
}  // namespace modelport

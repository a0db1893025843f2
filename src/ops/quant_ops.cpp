// Quantization ops: QuantizeLinear / DequantizeLinear (shaped as their input; the integer type is
// the zero point's, uint8 without one; the float type the scale's) and MatMulInteger (numpy matmul
// shape, int32). None folds: a DequantizeLinear of constant int8 weights stays, so a runtime sees
// the quantized form (QDQ) and can run it on integer kernels.
#include "ops/op_def.h"
#include "ops/shape_support.h"

namespace modelport {
namespace ops {

void add_quant_ops(Table& t) {
  t.push_back({"QuantizeLinear", Layout::Opaque, same_shape, nullptr, nullptr, [](const Node& n, size_t) {
                 return n.inputs.size() > 2 && n.input(2) ? n.input(2)->dtype : DType::UInt8;
               }});
  t.push_back({"DequantizeLinear", Layout::Opaque, same_shape, nullptr, nullptr,
               [](const Node& n, size_t) { return n.input(1) ? n.input(1)->dtype : DType::Float32; }});
  t.push_back({"MatMulInteger", Layout::Opaque,
               [](const Node& n, const ShapeValues&) -> Shapes {
                 return n.input(1) ? one(matmul_shape(n.input(0)->shape, n.input(1)->shape)) : std::nullopt;
               },
               nullptr, nullptr, [](const Node&, size_t) { return DType::Int32; }});
}

}  // namespace ops
}  // namespace modelport

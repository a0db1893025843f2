// IR tensors -> onnx::TensorProto.
#include "emit/emit_context.h"

namespace modelport::emit {

int onnx_dtype(DType t) {
  if (t == DType::Undefined) throw Error("tensor with undefined dtype cannot be written to ONNX");
  return static_cast<int>(onnx_type_code(t));
}

void tensor_header(const Tensor& t, const std::string& name, onnx::TensorProto* out) {
  out->set_name(name);
  out->set_data_type(onnx_dtype(t.dtype));
  for (auto d : t.dims) out->add_dims(d);
}

void tensor_to_proto(const Tensor& t, const std::string& name, onnx::TensorProto* out) {
  tensor_header(t, name, out);
  if (t.dtype == DType::String) {
    for (auto& s : t.strings) out->add_string_data(s);
    return;
  }
  // IR buffers are already little-endian row-major, which is what raw_data holds; float16 and
  // bfloat16 are 2 bytes per element and bool 1 byte, as in the IR.
  size_t expect = static_cast<size_t>(t.numel()) * dtype_size(t.dtype);
  if (t.nbytes() != expect)
    throw Error("constant '" + name + "' has " + std::to_string(t.nbytes()) + " bytes, expected " +
                std::to_string(expect));
  if (expect) out->set_raw_data(t.raw(), t.nbytes());
}

}  // namespace modelport::emit

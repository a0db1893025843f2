// TensorFlow DataType / TensorShapeProto / TensorProto -> modelport IR.
#pragma once
#include <memory>
#include <string>

#include "modelport/ir.h"

namespace modelport::tf {

class TensorProto;
class TensorShapeProto;

// DType for a TensorFlow DataType value (reference types map to their base type); Undefined
// for types modelport has no equivalent of (resource, variant, complex, quantized, ...).
DType from_tf_dtype(int tf_dtype);
// "DT_FLOAT", ... for messages.
std::string tf_dtype_name(int tf_dtype);

// The shape; dims of size -1 become unknown (symbolic names are assigned by the loader).
Shape shape_from_proto(const TensorShapeProto& s);

// A TensorProto's value. Raw tensor_content is aliased (kept alive by `keepalive`), typed value
// lists are expanded (a short list repeats its last element, as TensorFlow does).
// Throws Error("<where>: <cause>").
Tensor tensor_from_proto(const TensorProto& p, const std::shared_ptr<const void>& keepalive,
                         const std::string& where);

}  // namespace modelport::tf

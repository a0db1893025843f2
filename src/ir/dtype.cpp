#include <algorithm>
#include <cctype>

#include "modelport/ir.h"

namespace modelport {

size_t dtype_size(DType t) {
  switch (t) {
    case DType::Float32: case DType::Int32: return 4;
    case DType::Float16: case DType::BFloat16: case DType::Int16: return 2;
    case DType::Float64: case DType::Int64: return 8;
    case DType::Int8: case DType::UInt8: case DType::Bool: return 1;
    case DType::String: case DType::Undefined: return 0;
  }
  return 0;
}

const char* dtype_name(DType t) {
  switch (t) {
    case DType::Float32: return "float32";
    case DType::Float16: return "float16";
    case DType::BFloat16: return "bfloat16";
    case DType::Float64: return "float64";
    case DType::Int8: return "int8";
    case DType::Int16: return "int16";
    case DType::Int32: return "int32";
    case DType::Int64: return "int64";
    case DType::UInt8: return "uint8";
    case DType::Bool: return "bool";
    case DType::String: return "string";
    case DType::Undefined: return "undefined";
  }
  return "undefined";
}

std::optional<DType> parse_dtype(std::string_view s) {
  std::string k(s);
  std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return std::tolower(c); });
  static const std::pair<const char*, DType> table[] = {
      {"float32", DType::Float32}, {"float", DType::Float32},   {"f32", DType::Float32},
      {"float16", DType::Float16}, {"half", DType::Float16},    {"fp16", DType::Float16}, {"f16", DType::Float16},
      {"bfloat16", DType::BFloat16}, {"bf16", DType::BFloat16},
      {"float64", DType::Float64}, {"double", DType::Float64},  {"f64", DType::Float64},
      {"int8", DType::Int8},       {"i8", DType::Int8},
      {"int16", DType::Int16},     {"i16", DType::Int16},
      {"int32", DType::Int32},     {"int", DType::Int32},       {"i32", DType::Int32},
      {"int64", DType::Int64},     {"long", DType::Int64},      {"i64", DType::Int64},
      {"uint8", DType::UInt8},     {"u8", DType::UInt8},
      {"bool", DType::Bool},       {"string", DType::String},
  };
  for (auto& [name, dt] : table)
    if (k == name) return dt;
  return std::nullopt;
}

bool dtype_is_float(DType t) {
  return t == DType::Float32 || t == DType::Float16 || t == DType::BFloat16 || t == DType::Float64;
}

int64_t onnx_type_code(DType t) {
  switch (t) {
    case DType::Float32: return 1;
    case DType::UInt8: return 2;
    case DType::Int8: return 3;
    case DType::Int16: return 5;
    case DType::Int32: return 6;
    case DType::Int64: return 7;
    case DType::String: return 8;
    case DType::Bool: return 9;
    case DType::Float16: return 10;
    case DType::Float64: return 11;
    case DType::BFloat16: return 16;
    case DType::Undefined: break;
  }
  return 0;
}

}  // namespace modelport

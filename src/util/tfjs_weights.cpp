#include "util/tfjs_weights.h"

#include <cstring>
#include <fstream>

#include "modelport/error.h"

namespace modelport {

std::string tfjs_dtype(DType dt) {
  switch (dt) {
    case DType::Float32: case DType::Float16: case DType::BFloat16: case DType::Float64: return "float32";
    case DType::Int8: case DType::Int16: case DType::Int32: case DType::Int64: case DType::UInt8: return "int32";
    case DType::Bool: return "bool";
    default: return "";
  }
}

nlohmann::json TfjsWeightWriter::add(const std::string& name, const Tensor& t) {
  std::string dt = tfjs_dtype(t.dtype);
  if (dt.empty()) throw ReferenceUnavailable("'" + name + "' is a " + dtype_name(t.dtype) + " tensor, which TensorFlow.js cannot hold");
  nlohmann::json spec = {{"name", name}, {"dtype", dt}, {"shape", t.dims}, {"offset", data_.size()}};
  int64_t n = t.numel();
  if (dt == "bool") {
    for (int64_t i = 0; i < n; ++i) data_.push_back(t.as_double(i) != 0 ? 1 : 0);
    return spec;
  }
  size_t at = data_.size();
  data_.resize(at + size_t(n) * 4);
  for (int64_t i = 0; i < n; ++i) {
    uint8_t* dst = data_.data() + at + size_t(i) * 4;
    if (dt == "float32") {
      float f = t.dtype == DType::Float32 ? t.data<float>()[i] : static_cast<float>(t.as_double(i));
      std::memcpy(dst, &f, 4);
    } else {
      int64_t v = t.as_int(i);
      if (v > INT32_MAX || v < INT32_MIN)
        throw ReferenceUnavailable("'" + name + "' holds " + std::to_string(v) + ", outside TensorFlow.js's int32");
      int32_t x = static_cast<int32_t>(v);
      std::memcpy(dst, &x, 4);
    }
  }
  return spec;
}

void TfjsWeightWriter::write_bundle(const std::string& dir, const std::string& format, nlohmann::json topology,
                                    nlohmann::json manifest, nlohmann::json io) const {
  std::string bin = dir + "/weights.bin", model = dir + "/model.json";
  std::ofstream w(bin, std::ios::binary);
  w.write(reinterpret_cast<const char*>(data_.data()), std::streamsize(data_.size()));
  if (!w) throw Error(bin + ": cannot write");
  nlohmann::json j = {{"format", format},
                      {"generatedBy", "modelport verify"},
                      {"modelTopology", std::move(topology)},
                      {"weightsManifest", std::move(manifest)},
                      {"modelport", std::move(io)}};
  std::ofstream m(model);
  m << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);  // names need not be UTF-8
  if (!m) throw Error(model + ": cannot write");
}

}  // namespace modelport

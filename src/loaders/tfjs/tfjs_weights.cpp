#include "loaders/tfjs/tfjs_weights.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "modelport/error.h"
#include "modelport/limits.h"

namespace modelport::tfjs {
namespace fs = std::filesystem;
namespace {

// The lookup tables of tfjs-core io_utils (after http://www.fox-toolkit.org/ftp/fasthalffloatconversion.pdf).
struct HalfTables {
  std::array<uint32_t, 2048> mantissa{};
  std::array<uint32_t, 64> exponent{}, offset{};
  HalfTables() {
    for (uint32_t i = 1; i < 1024; ++i) {
      uint32_t m = i << 13, e = 0;
      while ((m & 0x00800000u) == 0) {
        e -= 0x00800000u;
        m <<= 1;
      }
      m &= ~0x00800000u;
      e += 0x38800000u;
      mantissa[i] = m | e;
    }
    for (uint32_t i = 1024; i < 2048; ++i) mantissa[i] = 0x38000000u + ((i - 1024) << 13);
    exponent[31] = 0x47800000u;
    exponent[32] = 0x80000000u;
    exponent[63] = 0xc7800000u;
    for (uint32_t i = 1; i < 31; ++i) exponent[i] = i << 23;
    for (uint32_t i = 33; i < 63; ++i) exponent[i] = 0x80000000u + ((i - 32) << 23);
    offset.fill(1024);
    offset[0] = offset[32] = 0;
  }
};

size_t quant_bytes(const std::string& q) { return q == "uint8" ? 1 : 2; }

std::string weight_where(const std::string& where, const WeightSpec& s) { return where + ": weight '" + s.name + "'"; }

template <class T>
T read_le(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));  // little-endian host (as tfjs assumes)
  return v;
}

std::vector<uint8_t> read_shard(const fs::path& file, const std::string& where) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) throw Error(where + ": weight shard " + file.string() + " is missing");
  uint64_t n = fs::file_size(file, ec);
  if (ec) throw Error(where + ": cannot read weight shard " + file.string());
  check_declared_bytes(file.string(), "weight shard", n);
  std::ifstream in(file, std::ios::binary);
  std::vector<uint8_t> bytes(n);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), std::streamsize(n)))
    throw Error(where + ": cannot read weight shard " + file.string());
  return bytes;
}

}  // namespace

float half_to_float(uint16_t h) {
  static const HalfTables t;
  uint32_t bits = t.mantissa[t.offset[h >> 10] + (h & 0x3ffu)] + t.exponent[h >> 10];
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

WeightSpec parse_weight_spec(const json& e, const std::string& where) {
  if (!e.is_object() || !e.contains("name") || !e["name"].is_string())
    throw Error(where + ": weightsManifest entry without a string \"name\"");
  WeightSpec s;
  s.name = e["name"].get<std::string>();
  const std::string at = weight_where(where, s);
  if (!e.contains("shape") || !e["shape"].is_array()) throw Error(at + " has no \"shape\" list");
  for (auto& d : e["shape"]) {
    if (!d.is_number_integer() || d.get<int64_t>() < 0) throw Error(at + " has a shape entry that is not a size");
    s.shape.push_back(d.get<int64_t>());
  }
  if (!e.contains("dtype") || !e["dtype"].is_string()) throw Error(at + " has no \"dtype\"");
  s.dtype = e["dtype"].get<std::string>();
  if (s.dtype != "float32" && s.dtype != "int32" && s.dtype != "bool" && s.dtype != "string")
    throw Error(at + " has dtype '" + s.dtype + "' (TensorFlow.js weights are float32, int32, bool or string)");
  if (e.contains("quantization")) {
    const json& q = e["quantization"];
    if (!q.is_object() || !q.contains("dtype") || !q["dtype"].is_string())
      throw Error(at + " has a \"quantization\" without a dtype");
    s.quant = q["dtype"].get<std::string>();
    if (s.quant == "uint8" || s.quant == "uint16") {
      if (!q.contains("scale") || !q["scale"].is_number() || !q.contains("min") || !q["min"].is_number())
        throw Error(at + " is quantised to " + s.quant + " without numeric \"scale\" and \"min\"");
      s.scale = q["scale"].get<double>();
      s.min = q["min"].get<double>();
      if (s.dtype != "float32" && s.dtype != "int32")
        throw Error(at + " of dtype " + s.dtype + " cannot be quantised to " + s.quant);
    } else if (s.quant == "float16") {
      if (s.dtype != "float32") throw Error(at + " of dtype " + s.dtype + " cannot be quantised to float16");
    } else {
      throw Error(at + " has unknown quantization dtype '" + s.quant + "' (tfjs knows uint8, uint16, float16)");
    }
  }
  return s;
}

Tensor decode_weight(const WeightSpec& s, const uint8_t* data, size_t size, size_t& offset, const std::string& where) {
  const std::string at = weight_where(where, s);
  DType dt = s.dtype == "float32" ? DType::Float32 : s.dtype == "int32" ? DType::Int32
           : s.dtype == "bool" ? DType::Bool : DType::String;
  uint64_t n = checked_tensor_bytes(where, "weight '" + s.name + "'", s.shape, dt == DType::String ? DType::Int8 : dt);
  if (dt != DType::String) n /= dtype_size(dt);  // element count
  auto need = [&](uint64_t bytes) {
    if (offset > size || bytes > size - offset)
      throw Error(at + " needs " + std::to_string(bytes) + " bytes but the weight shards hold only " +
                  std::to_string(size - std::min(offset, size)) + " more (truncated or missing shard?)");
  };
  Tensor t;
  t.dtype = dt;
  t.dims = s.shape;
  if (dt == DType::String) {
    for (uint64_t i = 0; i < n; ++i) {
      need(4);
      uint32_t len = read_le<uint32_t>(data + offset);
      offset += 4;
      need(len);
      t.strings.emplace_back(reinterpret_cast<const char*>(data + offset), len);
      offset += len;
    }
    return t;
  }
  std::vector<uint8_t> out(n * dtype_size(dt));
  if (s.quant.empty()) {
    need(out.size());
    if (dt == DType::Bool) {
      for (uint64_t i = 0; i < n; ++i) out[i] = data[offset + i] != 0;
    } else if (!out.empty()) {
      std::memcpy(out.data(), data + offset, out.size());
    }
    offset += out.size();
  } else {
    size_t qb = quant_bytes(s.quant);
    need(n * qb);
    const uint8_t* q = data + offset;
    for (uint64_t i = 0; i < n; ++i) {
      uint32_t v = qb == 1 ? q[i] : read_le<uint16_t>(q + 2 * i);
      if (s.quant == "float16") {
        float f = half_to_float(uint16_t(v));
        std::memcpy(out.data() + 4 * i, &f, 4);
      } else if (dt == DType::Float32) {
        float f = float(double(v) * s.scale + s.min);  // JS computes in double, Float32Array rounds
        std::memcpy(out.data() + 4 * i, &f, 4);
      } else {
        double r = std::floor(double(v) * s.scale + s.min + 0.5);  // Math.round
        int32_t k = r >= 2147483647.0 ? INT32_MAX : r <= -2147483648.0 ? INT32_MIN : int32_t(r);
        std::memcpy(out.data() + 4 * i, &k, 4);
      }
    }
    offset += n * qb;
  }
  t.buffer = Buffer::owned(std::move(out));
  return t;
}

Weights read_weights(const json& manifest, const std::string& model_json) {
  Weights w;
  if (manifest.is_null()) return w;
  if (!manifest.is_array()) throw Error(model_json + ": \"weightsManifest\" is not a list of groups");
  fs::path dir = fs::path(model_json).parent_path();
  for (size_t gi = 0; gi < manifest.size(); ++gi) {
    const json& group = manifest[gi];
    std::string gwhere = model_json + ": weightsManifest group " + std::to_string(gi);
    if (!group.is_object() || !group.contains("paths") || !group["paths"].is_array() || !group.contains("weights") ||
        !group["weights"].is_array())
      throw Error(gwhere + " needs \"paths\" and \"weights\" lists");
    std::vector<WeightSpec> specs;
    for (auto& e : group["weights"]) specs.push_back(parse_weight_spec(e, model_json));
    std::vector<uint8_t> data;
    for (auto& p : group["paths"]) {
      if (!p.is_string()) throw Error(gwhere + " has a shard path that is not a string");
      std::vector<uint8_t> shard = read_shard(dir / p.get<std::string>(), model_json);
      check_declared_bytes(model_json, "weight shards", uint64_t(data.size()) + shard.size());
      data.insert(data.end(), shard.begin(), shard.end());
    }
    size_t offset = 0;
    for (auto& s : specs) w.list.emplace_back(s.name, decode_weight(s, data.data(), data.size(), offset, model_json));
    if (offset != data.size())
      throw Error(gwhere + ": its shards hold " + std::to_string(data.size()) + " bytes but its weights take " +
                  std::to_string(offset) + " (a wrong or corrupted shard?)");
  }
  return w;
}

}  // namespace modelport::tfjs

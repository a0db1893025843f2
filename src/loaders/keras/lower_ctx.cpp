#include <algorithm>
#include <cmath>
#include <cstring>
#include <string_view>

#include "loaders/keras/lower.h"
#include "modelport/error.h"
#include "modelport/tensor_ops.h"
#include "ops/infer.h"

namespace modelport::keras {

Value* LayerCall::in(size_t i) const {
  if (i >= inputs.size() || !inputs[i])
    throw Error(name + " (" + class_name + "): expected at least " + std::to_string(i + 1) + " input(s)");
  return inputs[i];
}

Node* Ctx::node(const std::string& op, std::vector<Value*> ins, size_t outs, std::map<std::string, Attribute> attrs) {
  Node* n = g.add_node(op, std::move(ins), outs, std::move(attrs), layer.empty() ? op : layer + "/" + op);
  n->source = layer;
  ops::infer_node(*n, shape_values);
  return n;
}

Value* Ctx::op(const std::string& op, std::vector<Value*> ins, std::map<std::string, Attribute> attrs) {
  return node(op, std::move(ins), 1, std::move(attrs))->outputs[0];
}

Value* Ctx::constant(const Tensor& t, const std::string& hint) {
  // Equal constants become one initializer. Small ones are keyed on their bytes; a large one (a
  // weight) only on where its bytes are, which finds a shared layer's weights without hashing
  // every weight of the model.
  constexpr size_t kHashBytesUpTo = size_t(64) << 10;
  bool cacheable = t.buffer && t.nbytes() > 0;
  bool by_content = t.nbytes() <= kHashBytesUpTo;
  size_t h = 0;
  if (cacheable) {
    h = by_content ? std::hash<std::string_view>()(std::string_view(reinterpret_cast<const char*>(t.raw()), t.nbytes()))
                   : std::hash<const void*>()(t.raw()) ^ t.nbytes();
    auto range = const_cache.equal_range(h);
    for (auto it = range.first; it != range.second; ++it) {
      const Tensor& o = *it->second->constant;
      if (o.dtype != t.dtype || o.dims != t.dims) continue;
      if (o.raw() == t.raw() || (by_content && std::memcmp(o.raw(), t.raw(), t.nbytes()) == 0)) return it->second;
    }
  }
  Value* v = g.add_constant(layer.empty() ? hint : layer + "/" + hint, t);
  if (cacheable) const_cache.emplace(h, v);
  return v;
}

Value* Ctx::cast(Value* x, DType to) {
  return op("Cast", {x}, {{"to", onnx_type_code(to)}});
}

Value* Ctx::i64(const std::vector<int64_t>& v) { return constant(Tensor::i64(v), "const"); }
Value* Ctx::scalar(float v) { return constant(Tensor::f32_scalar(v), "const"); }
Value* Ctx::f32(const std::vector<float>& v, std::vector<int64_t> dims, const std::string& hint) {
  return constant(Tensor::from_vector(DType::Float32, v, std::move(dims)), hint);
}

int Ctx::rank(const Value* v) const { return v->shape.rank_known ? (int)v->shape.rank() : -1; }

int Ctx::need_rank(const Value* v) const {
  int r = rank(v);
  if (r < 0) fail("input rank is unknown");
  return r;
}

Value* Ctx::transpose(Value* x, const std::vector<int64_t>& perm) {
  if (std::string why = permutation_problem(perm, x->shape); !why.empty()) fail("axis order " + why);
  return op("Transpose", {x}, {{"perm", perm}});
}

Value* Ctx::to_channels_first(Value* x) {
  int r = need_rank(x);
  std::vector<int64_t> perm{0, r - 1};
  for (int i = 1; i < r - 1; ++i) perm.push_back(i);
  return transpose(x, perm);
}

Value* Ctx::to_channels_last(Value* x) {
  int r = need_rank(x);
  std::vector<int64_t> perm{0};
  for (int i = 2; i < r; ++i) perm.push_back(i);
  perm.push_back(1);
  return transpose(x, perm);
}

void Ctx::fail(const std::string& cause) const { throw Error(path + ": layer " + layer + ": " + cause); }

// ---------------------------------------------------------------- tensors
Tensor to_float32(const Tensor& t) {
  if (t.dtype == DType::Float32) return t;
  std::vector<float> v((size_t)t.numel());
  if (t.dtype == DType::Float16) {
    const uint16_t* h = t.data<uint16_t>();
    for (size_t i = 0; i < v.size(); ++i) {
      uint32_t sign = (h[i] & 0x8000u) << 16, exp = (h[i] >> 10) & 0x1f, man = h[i] & 0x3ff, bits;
      if (exp == 0) {
        if (man == 0) {
          bits = sign;
        } else {  // subnormal
          exp = 127 - 15 + 1;
          while (!(man & 0x400)) { man <<= 1; --exp; }
          bits = sign | (exp << 23) | ((man & 0x3ff) << 13);
        }
      } else if (exp == 31) {
        bits = sign | 0x7f800000u | (man << 13);
      } else {
        bits = sign | ((exp + 112) << 23) | (man << 13);
      }
      std::memcpy(&v[i], &bits, 4);
    }
  } else {
    for (size_t i = 0; i < v.size(); ++i) v[i] = (float)t.as_double((int64_t)i);
  }
  return Tensor::from_vector(DType::Float32, v, t.dims);
}

std::vector<float> floats(const Tensor& t) {
  Tensor f = to_float32(t);
  return std::vector<float>(f.data<float>(), f.data<float>() + f.numel());
}

std::string dims_str(const std::vector<int64_t>& dims) {
  std::string s;
  for (auto x : dims) s += (s.empty() ? "" : ",") + std::to_string(x);
  return "[" + s + "]";
}

// ---------------------------------------------------------------- config
std::string json_error_text(const json::exception& e) {
  std::string what = e.what();
  auto end = what.find("] ");
  return what.rfind("[json.exception.", 0) == 0 && end != std::string::npos ? what.substr(end + 2) : what;
}

int64_t config_int(const json& v) {
  // Thrown as a JSON type error, so that the callers' handlers add the file, the layer and the
  // field, as they do for any other config value of the wrong type.
  auto refuse = [&v](const char* why) {
    return json::type_error::create(302, "config value " + v.dump().substr(0, 40) + why, nullptr);
  };
  constexpr double kMax = 9007199254740992.0;  // 2^53
  double d = 0;
  if (v.is_number_unsigned()) d = v.get<uint64_t>() > uint64_t(kMax) ? kMax * 2 : double(v.get<uint64_t>());
  else if (v.is_number_integer()) d = double(std::clamp<int64_t>(v.get<int64_t>(), -int64_t(kMax) * 2, int64_t(kMax) * 2));
  else if (v.is_number_float()) d = v.get<double>();
  else throw refuse(" is not an integer");
  if (!(d >= -kMax && d <= kMax) || d != std::floor(d)) throw refuse(" is not an integer within +-2^53");
  return int64_t(d);
}

std::vector<int64_t> ints(const json& v, size_t n) {
  std::vector<int64_t> out;
  if (v.is_number()) return std::vector<int64_t>(n, config_int(v));
  if (v.is_array())
    for (auto& e : v) out.push_back(e.is_number() ? config_int(e) : 0);
  while (out.size() < n) out.push_back(out.empty() ? 1 : out.back());
  return out;
}

float num(const json& cfg, const char* key, float def) {
  auto it = cfg.find(key);
  if (it == cfg.end() || it->is_null()) return def;
  if (it->is_number()) return it->get<float>();
  // Keras 3 may serialize a scalar as {"class_name": "__tensor__", "config": {"value": ...}}.
  if (it->is_object() && it->contains("config")) {
    const json& v = (*it)["config"].value("value", json());
    if (v.is_number()) return v.get<float>();
    if (v.is_array() && !v.empty() && v[0].is_number()) return v[0].get<float>();
  }
  return def;
}

bool flag(const json& cfg, const char* key, bool def) {
  auto it = cfg.find(key);
  return it == cfg.end() || !it->is_boolean() ? def : it->get<bool>();
}

std::string str(const json& cfg, const char* key, const std::string& def) {
  auto it = cfg.find(key);
  return it == cfg.end() || !it->is_string() ? def : it->get<std::string>();
}

}  // namespace modelport::keras

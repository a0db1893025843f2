// Lowering Keras layers to graph IR: the context every per-layer lowering function receives.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "loaders/keras/keras_weights.h"
#include "modelport/ir.h"
#include "modelport/tensor_ops.h"
#include "ops/shape_values.h"

namespace modelport::keras {

using json = nlohmann::json;

class Ctx;

// One call of a layer on its inputs.
struct LayerCall {
  std::string name;        // layer name (prefixed with enclosing model names when nested)
  std::string class_name;
  const json& cfg;         // the layer's "config"
  std::vector<Value*> inputs;
  std::map<std::string, std::vector<Value*>> kwargs;  // tensors passed by keyword (initial_state)
  const WeightScope& scope;
  LayerKey key;
  json options = json::object();  // the call's other keyword arguments (use_causal_mask, ...)

  // Weights in Keras order (read on each call; Ctx::constant dedupes them for shared layers).
  std::vector<Tensor> weights(const std::string& part = "") const { return scope.layer(key, part); }
  Value* in(size_t i = 0) const;
};

using LowerFn = std::vector<Value*> (*)(Ctx&, const LayerCall&);

// The one table: Keras class name -> lowering. nullptr when unknown.
LowerFn find_lowering(const std::string& class_name);
// A class Keras itself defines (lowered or not yet); false for Lambda and custom layers.
bool is_builtin_keras_layer(const std::string& class_name);

class Ctx {
 public:
  Ctx(Graph& g, int keras_major, std::string path) : g(g), keras_major(keras_major), path(std::move(path)) {}

  Graph& g;
  int keras_major;                 // 2 or 3 (activation semantics differ slightly)
  std::string path;                // source file, for errors
  std::string layer;               // layer being lowered (node names and sources)
  std::vector<std::string> warnings;
  std::map<const Value*, Value*> masks;  // Masking output -> bool mask [N,T]
  ShapeValues shape_values;               // what the op layer knows about int64 shape values
  std::multimap<size_t, Value*> const_cache;  // content hash -> constant (shared layers reuse weights)

  // A node with one output. Every node gets its outputs' dtypes and shapes from the op layer
  // (ops::infer_node), as the other loaders' nodes do.
  Value* op(const std::string& op, std::vector<Value*> ins, std::map<std::string, Attribute> attrs = {});
  Node* node(const std::string& op, std::vector<Value*> ins, size_t outs, std::map<std::string, Attribute> attrs = {});
  Value* i64(const std::vector<int64_t>& v);   // 1-D int64 constant
  Value* cast(Value* x, DType to);             // Cast ("to" is an ONNX TensorProto type number)
  Value* scalar(float v);                      // float32 scalar constant
  Value* constant(const Tensor& t, const std::string& hint);  // identical weights share one constant
  Value* f32(const std::vector<float>& v, std::vector<int64_t> dims, const std::string& hint);

  // The rank of `v`'s shape, -1 when unknown.
  int rank(const Value* v) const;
  // Requires a known rank (throws a one-line error naming the layer otherwise).
  int need_rank(const Value* v) const;

  // channels_last <-> channels_first around channel-first ONNX ops.
  Value* to_channels_first(Value* x);
  Value* to_channels_last(Value* x);
  Value* transpose(Value* x, const std::vector<int64_t>& perm);

  [[noreturn]] void fail(const std::string& cause) const;
  void warn(const std::string& msg) { warnings.push_back(layer + ": " + msg); }
};

// Activation by Keras name ("relu", "hard_sigmoid", ...) or serialized dict; throws if unknown.
Value* apply_activation(Ctx& c, const json& activation, Value* x);
bool is_known_activation(const json& activation);
// Activations an ONNX RNN op can apply (layers_rnn.cpp).
bool is_rnn_activation(const json& activation);
// A name keras.activations defines (lowered or not); false for custom functions.
bool is_builtin_activation(const std::string& name);
std::string activation_name(const json& activation);

// Weight tensor helpers.
Tensor to_float32(const Tensor& t);
std::vector<float> floats(const Tensor& t);
std::string dims_str(const std::vector<int64_t>& dims);  // "[2,3]", for messages about weight shapes

// A JSON access error without its "[json.exception.type_error.302] " prefix.
std::string json_error_text(const json::exception& e);

// Config helpers.
// An integer from a config (a size, an axis, an index): a JSON integer, or a float holding one,
// within +-2^53. Anything else throws json::type_error naming the value: converting a float beyond int64 would be
// undefined behaviour, and no real size comes near 2^53 (sums and small products stay in range).
int64_t config_int(const json& v);
std::vector<int64_t> ints(const json& v, size_t n);  // int or list -> n ints
float num(const json& cfg, const char* key, float def);
bool flag(const json& cfg, const char* key, bool def);
std::string str(const json& cfg, const char* key, const std::string& def);

}  // namespace modelport::keras

// Keras built-in activations (keras.activations) as IR.
#include <cmath>
#include <set>

#include "loaders/keras/lower.h"

namespace modelport::keras {
namespace {

using ActFn = Value* (*)(Ctx&, Value*);

Value* clip(Ctx& c, Value* x, float lo, float hi) { return c.op("Clip", {x, c.scalar(lo), c.scalar(hi)}); }

Value* hard_sigmoid(Ctx& c, Value* x) {
  // Keras 2: clip(0.2x + 0.5, 0, 1). Keras 3: relu6(x + 3) / 6 = clip(x/6 + 0.5, 0, 1).
  float alpha = c.keras_major >= 3 ? 1.0f / 6.0f : 0.2f;
  return c.op("HardSigmoid", {x}, {{"alpha", alpha}, {"beta", 0.5f}});
}

// x * hard_sigmoid(x): ONNX HardSwish (x * clip(x/6 + 0.5, 0, 1)) is Keras 3's; Keras 2's
// hard_sigmoid has slope 0.2, so its product stays written out.
Value* hard_swish(Ctx& c, Value* x) {
  if (c.keras_major >= 3) return c.op("HardSwish", {x});
  return c.op("Mul", {x, hard_sigmoid(c, x)});
}

Value* gelu(Ctx& c, Value* x) {
  // Exact gelu (Keras default approximate=False): 0.5 * x * (1 + erf(x / sqrt(2))).
  Value* e = c.op("Erf", {c.op("Div", {x, c.scalar(std::sqrt(2.0f))})});
  return c.op("Mul", {c.op("Mul", {x, c.scalar(0.5f)}), c.op("Add", {e, c.scalar(1.0f)})});
}

const std::map<std::string, ActFn>& table() {
  static const std::map<std::string, ActFn> t = {
      {"linear", [](Ctx&, Value* x) { return x; }},
      {"relu", [](Ctx& c, Value* x) { return c.op("Relu", {x}); }},
      {"relu6", [](Ctx& c, Value* x) { return clip(c, x, 0.0f, 6.0f); }},
      {"elu", [](Ctx& c, Value* x) { return c.op("Elu", {x}, {{"alpha", 1.0f}}); }},
      {"selu", [](Ctx& c, Value* x) {
         return c.op("Selu", {x}, {{"alpha", 1.6732632423543772f}, {"gamma", 1.0507009873554805f}});
       }},
      {"sigmoid", [](Ctx& c, Value* x) { return c.op("Sigmoid", {x}); }},
      {"hard_sigmoid", hard_sigmoid},
      {"tanh", [](Ctx& c, Value* x) { return c.op("Tanh", {x}); }},
      {"softmax", [](Ctx& c, Value* x) { return c.op("Softmax", {x}, {{"axis", (int64_t)-1}}); }},
      {"log_softmax", [](Ctx& c, Value* x) { return c.op("LogSoftmax", {x}, {{"axis", (int64_t)-1}}); }},
      {"softplus", [](Ctx& c, Value* x) { return c.op("Softplus", {x}); }},
      {"softsign", [](Ctx& c, Value* x) { return c.op("Softsign", {x}); }},
      {"swish", [](Ctx& c, Value* x) { return c.op("Mul", {x, c.op("Sigmoid", {x})}); }},
      {"silu", [](Ctx& c, Value* x) { return c.op("Mul", {x, c.op("Sigmoid", {x})}); }},
      {"hard_silu", hard_swish},
      {"hard_swish", hard_swish},
      {"mish", [](Ctx& c, Value* x) { return c.op("Mish", {x}); }},
      {"gelu", gelu},
      {"exponential", [](Ctx& c, Value* x) { return c.op("Exp", {x}); }},
      {"leaky_relu", [](Ctx& c, Value* x) { return c.op("LeakyRelu", {x}, {{"alpha", 0.2f}}); }},
  };
  return t;
}

}  // namespace

std::string activation_name(const json& a) {
  if (a.is_null()) return "linear";
  if (a.is_string()) return a.get<std::string>();
  if (a.is_object()) {
    // Keras 3: {"class_name": "function", "config": "relu"}; Keras 2 objects: {"class_name": "ReLU"}.
    if (a.contains("config") && a["config"].is_string()) return a["config"].get<std::string>();
    return keras_snake_case(a.value("class_name", std::string("?")));
  }
  return "?";
}

bool is_known_activation(const json& a) { return table().count(activation_name(a)) != 0; }

bool is_builtin_activation(const std::string& name) {
  static const std::set<std::string> more = {"celu", "glu", "hard_shrink", "hard_tanh", "log_sigmoid", "soft_shrink",
                                             "sparse_plus", "sparsemax", "squareplus", "tanh_shrink", "threshold"};
  return table().count(name) != 0 || more.count(name) != 0;
}

Value* apply_activation(Ctx& c, const json& a, Value* x) {
  std::string name = activation_name(a);
  auto it = table().find(name);
  if (it == table().end()) c.fail("unsupported activation '" + name + "'");
  return it->second(c, x);
}

}  // namespace modelport::keras

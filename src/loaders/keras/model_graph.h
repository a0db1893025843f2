// Turning a Keras model config (Sequential, Functional, nested models) into graph IR.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "loaders/keras/lower.h"
#include "modelport/loaders.h"

namespace modelport::keras {

enum class ModelKind { Sequential, Functional, Custom };
// `entry` is {"class_name": ..., "config": {...}} (a model or a layer entry).
ModelKind model_kind(const json& entry);

// Every layer class the loader cannot lower, with the names of the layers using it.
std::map<std::string, std::vector<std::string>> unsupported_layers(const json& model_entry);
// Whether an entry of unsupported_layers() is a Lambda or custom layer (or a custom activation),
// as opposed to a built-in Keras layer that is not lowered yet.
bool unsupported_is_custom(const std::string& entry);
// Layer class -> count, over the whole (nested) config.
void count_layer_classes(const json& model_entry, std::map<std::string, int64_t>& counts);

struct BuiltModel {
  std::vector<Value*> outputs;
  std::vector<std::string> output_names;  // Keras names: output layer names
};

// Builds `model_entry` on `inputs`; with empty `inputs` (the top level) it creates the graph inputs
// from the model's Input layers, applying `opts` (names, dtypes, shapes, inputs_as_nchw).
BuiltModel build_model(Ctx& c, const json& model_entry, const WeightScope& scope, const std::vector<Value*>& inputs,
                       const std::string& prefix, const LoadOptions& opts);

// tfjs-layers counts the node a nested model gets when it is built on its own Input (a Functional,
// or a Sequential whose first layer declares its input) as that model's node 0; Keras does not save
// that node. Moves every reference to such a nested model by `delta`: +1 for a Keras config handed
// to tfjs, -1 for a tfjs-saved config read as Keras. Nested models are renumbered too.
void renumber_nested_model_calls(json& model_entry, int delta);

// Every layer holding weights: its path (enclosing nested models' names, then its own) and its
// weights in Keras order, read as the lowerings read them.
struct LayerWeights {
  std::vector<std::string> path;
  std::vector<Tensor> weights;
};
void collect_layer_weights(const json& model_entry, const WeightScope& scope, std::vector<LayerWeights>& out,
                           const std::vector<std::string>& prefix = {});

}  // namespace modelport::keras

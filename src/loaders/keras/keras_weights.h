// Where a Keras layer's weights live: the legacy HDF5 `model_weights` group (Keras 2 and Keras 3
// .h5) or a Keras 3 `model.weights.h5` (`layers/<snake_name>/vars/N`).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "loaders/keras/hdf5.h"
#include "modelport/ir.h"

namespace modelport::keras {

// Identifies a layer inside its model: its config name, and the name Keras 3 saved it under
// (snake_case class name, numbered per class in layer order).
struct LayerKey {
  std::string name;
  std::string v3_name;
};

// Keras 3 names a saved layer after its class: "Conv2D" -> "conv2d", "PReLU" -> "p_re_lu".
std::string keras_snake_case(const std::string& class_name);

class WeightScope {
 public:
  virtual ~WeightScope() = default;
  // The layer's weights in Keras order (e.g. kernel, bias). `part` selects a wrapped sub-layer
  // ("forward_layer" / "backward_layer" of a Bidirectional); empty = all of them.
  virtual std::vector<Tensor> layer(const LayerKey& key, const std::string& part = "") const = 0;
  // The scope of a model nested as a layer.
  virtual std::unique_ptr<WeightScope> nested(const LayerKey& key) const = 0;
};

// Legacy HDF5: `group` is the file's model_weights group.
std::unique_ptr<WeightScope> legacy_h5_weights(H5Group group);
// Keras 3 weights file: `root` is the file root of model.weights.h5.
std::unique_ptr<WeightScope> v3_weights(H5Group root);
// Weights listed by name, "<layer>/<weight>" (possibly prefixed by the names of the models a layer
// is nested in), in Keras order: a TensorFlow.js weightsManifest. A layer's weights are the ones
// with its name as a path component other than the last, in list order.
std::unique_ptr<WeightScope> named_weights(std::vector<std::pair<std::string, Tensor>> weights);
// A model without weights (every layer reads as having none).
std::unique_ptr<WeightScope> no_weights();

}  // namespace modelport::keras

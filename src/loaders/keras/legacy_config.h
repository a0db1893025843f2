// Keras config and weight layouts older than the ones the lowerings read. Keras 1.x, Keras 2.0-2.2
// and tf.keras wrote the same model in different shapes (a Sequential config that is a bare list of
// layers, Keras 1 field names such as output_dim / nb_filter / border_mode / dim_ordering, Merge
// layers, per-gate recurrent weights, Theano-ordered kernels). normalize_model_config rewrites a
// config into the current (Keras 2.2.4+) field layout once, before anything reads it; legacy_weights
// converts old weight layouts as Keras' own loader does. Anything of unknown shape gets a one-line
// Error naming the file and the field.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "loaders/keras/keras_weights.h"

namespace modelport::keras {

using json = nlohmann::json;

// `model` is {"class_name": ..., "config": ...} as read from the file; `where` names it in errors
// ("<file>: model_config").
void normalize_model_config(json& model, const std::string& where);

// Keras 1 weight layouts (per-gate LSTM/GRU weights, channels-first or Conv1D-as-2D kernels) and
// Theano-flipped kernels, rewritten to the current layout. `model` is the normalized config (layer
// classes and fields by name); `keras_major` and `backend` are the file's. Returns `inner` itself
// when nothing needs converting.
std::unique_ptr<WeightScope> legacy_weights(std::unique_ptr<WeightScope> inner, const json& model, int keras_major,
                                            const std::string& backend);

}  // namespace modelport::keras

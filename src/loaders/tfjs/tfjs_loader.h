// The TensorFlow.js loader's two paths: layers models through the Keras lowering, graph models
// through the GraphDef lowering.
#pragma once

#include "loaders/savedmodel/tf_source.h"
#include "loaders/tfjs/tfjs_model.h"
#include "modelport/loaders.h"

namespace modelport::tfjs {

Model load_layers_model(TfjsModel& m, const LoadOptions& opts);

// The graph model as a frozen GraphDef source: modelTopology parsed as proto3 JSON, every weight
// put into its Const node, and the model's signature (if any) naming inputs and outputs.
tf::TfSource graph_source(TfjsModel& m);

}  // namespace modelport::tfjs

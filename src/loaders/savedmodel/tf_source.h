// Opening a TensorFlow model: a SavedModel directory (saved_model.pb + variables/) or a frozen
// GraphDef .pb; choosing the MetaGraphDef by tag and the SignatureDef by name.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bundle.h"
#include "modelport/loaders.h"
#include "tf_saved_model.pb.h"

namespace modelport::tf {

struct TfSource {
  std::string path;      // as given
  std::string pb_path;   // the .pb actually parsed (named in errors)
  bool saved_model = false;
  std::shared_ptr<SavedModel> saved;      // SavedModel only
  std::shared_ptr<GraphDef> frozen;       // GraphDef only
  const MetaGraphDef* meta = nullptr;     // SavedModel only: the chosen meta graph
  const GraphDef* graph = nullptr;
  std::shared_ptr<const TensorBundle> bundle;  // nullptr when there are no variables
  // GraphDef only: a signature naming the graph's inputs and outputs (TensorFlow.js graph models).
  std::shared_ptr<const SignatureDef> graph_signature;
  std::vector<std::string> warnings;

  std::shared_ptr<const void> keepalive() const {
    return saved ? std::shared_ptr<const void>(saved) : std::shared_ptr<const void>(frozen);
  }
  std::string tensorflow_version() const;
};

// Parses the model and picks the meta graph for `tag` (SavedModel). Variables are opened lazily by
// open_variables(). Throws Error("<path>: <cause>").
TfSource open_source(const std::string& path, Format format, const std::string& tag);
void open_variables(TfSource& src);

// "serve", "serve,gpu"... of every meta graph.
std::vector<std::string> tag_sets(const SavedModel& sm);

struct SignatureIo {
  std::string key;          // signature key (the ONNX name)
  const TensorInfo* info;
};
struct Signature {
  std::string name;
  const SignatureDef* def = nullptr;
  std::vector<SignatureIo> inputs, outputs;  // sorted by key
};
// `def` as a Signature named `name` (inputs and outputs sorted by key).
Signature make_signature(const std::string& name, const SignatureDef& def);
// Signatures of the meta graph, in name order (without __saved_model_init_op).
std::vector<Signature> signatures(const MetaGraphDef& meta);
// The one named `name`; throws Error listing the available signatures when missing.
Signature find_signature(const TfSource& src, const std::string& name);

// Converts / describes an opened source: load_savedmodel and inspect_savedmodel, and the
// TensorFlow.js loader for graph models (a GraphDef it builds from model.json).
Model convert_tf_source(TfSource& src, const LoadOptions& opts);
SourceReport inspect_tf_source(TfSource& src, const LoadOptions& opts);

}  // namespace modelport::tf

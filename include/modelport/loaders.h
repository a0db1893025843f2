// The loader interface: every format's loader turns a file into a modelport::Model (graph IR).
// A format's quirks live only inside its own loader (src/loaders/<format>).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "modelport/ir.h"

namespace modelport {

enum class Format { Unknown, TorchScript, SavedModel, GraphDef, KerasH5, KerasV3, Tfjs };
const char* format_name(Format f);                       // "torchscript", "savedmodel", ...
std::optional<Format> parse_format(std::string_view s);  // inverse of format_name ("auto" -> nullopt)

// Sniffs the file's content (never its extension). Throws Error("<path>: <cause>") for a missing
// or unreadable path, and for content that is no supported format.
Format detect_format(const std::string& path);

// One `--input NAME:DTYPE[DIM,...]`. Every part but the name may be omitted ("x", "x:float32",
// "x[batch,3,224,224]"); a DIM is an integer or a symbol (a symbol makes that axis dynamic).
struct InputSpec {
  std::string name;
  std::optional<DType> dtype;
  std::optional<Shape> shape;
};
// Throws UsageError with a one-line cause.
InputSpec parse_input_spec(const std::string& text);

// How quantized source ops are exported (--quantized): Integer keeps the source's integer arithmetic
// (QuantizeLinear/MatMulInteger/...: the numbers the quantized module computes); Float dequantizes the
// weights and runs float ops (any runtime; the outputs then differ by the quantization error).
enum class QuantizedMode { Integer, Float };

struct LoadOptions {
  std::vector<InputSpec> inputs;       // --input, in the model's argument order
  std::vector<std::string> outputs;    // --output: renames (TorchScript/Keras) or tensor names (GraphDef)
  std::string signature = "serving_default";  // SavedModel
  std::string tag = "serve";                  // SavedModel
  std::vector<std::string> inputs_as_nchw;    // Keras/TF: make these inputs channel-first
  // Keras: custom model class name -> JSON file with a Sequential/Functional config describing its
  // layers (a subclassed model's own config often does not; this is our custom_objects).
  std::map<std::string, std::string> keras_configs;
  QuantizedMode quantized = QuantizedMode::Integer;  // TorchScript quantized ops
};

// What `modelport inspect` shows about a source model without converting it.
struct SourceReport {
  std::string format;
  std::string producer_name, producer_version;
  struct Io { std::string name; std::string dtype; std::string shape; };
  std::vector<Io> inputs, outputs;
  std::map<std::string, int64_t> source_ops;  // source op kind -> count
  int64_t parameter_count = 0;
  std::vector<std::string> unsupported;       // "aten::foo x2 (file.py:12)" ...
  std::map<std::string, std::string> extra;   // format specific (tags, signatures, ...) as text
};

// Loads `path` (already detected as `format`). Throws Error with a one-line cause naming the file.
// An unsupported model gets ONE error listing every unsupported op kind with count and location.
Model load_model(const std::string& path, Format format, const LoadOptions& opts);
SourceReport inspect_model(const std::string& path, Format format, const LoadOptions& opts);

// Per-format entry points (each defined in its own src/loaders/<format>/).
Model load_torchscript(const std::string& path, const LoadOptions& opts);
SourceReport inspect_torchscript(const std::string& path, const LoadOptions& opts);
Model load_savedmodel(const std::string& path, Format format, const LoadOptions& opts);  // SavedModel or GraphDef
SourceReport inspect_savedmodel(const std::string& path, Format format, const LoadOptions& opts);
Model load_keras(const std::string& path, Format format, const LoadOptions& opts);       // KerasH5 or KerasV3
SourceReport inspect_keras(const std::string& path, Format format, const LoadOptions& opts);
Model load_tfjs(const std::string& path, const LoadOptions& opts);  // TensorFlow.js model.json (layers or graph)
SourceReport inspect_tfjs(const std::string& path, const LoadOptions& opts);

// verify's independent reference for a source model: its own framework where this build links it
// (TorchScript: libtorch), else TensorFlow.js (Keras, SavedModel, GraphDef), to which the model is
// handed in tfjs's own terms (a layers or graph model.json written to a scratch directory).
class SourceReference {
 public:
  virtual ~SourceReference() = default;
  virtual std::string name() const = 0;     // "libtorch", "@tensorflow/tfjs"
  virtual std::string version() const = 0;  // "1.13.1", "4.22.0 (cpu)" (known after a run)
  // Outputs in the ONNX model's output order, for inputs named as the ONNX model's.
  // Throws ReferenceUnavailable when the reference cannot run the model.
  virtual std::vector<NamedTensor> run(const std::vector<NamedTensor>& inputs) = 0;
  // Models with state (Model::state): the value of state `source` now (its initial value before
  // the first run), and a return to the initial state. nullopt: the reference keeps no state.
  virtual std::optional<Tensor> state(const std::string& source) { (void)source; return std::nullopt; }
  virtual void reset() {}
};
// nullptr when `format` has no reference at all. Throws ReferenceUnavailable when the model cannot
// be handed to it (the reason), Error when the model itself is bad.
std::unique_ptr<SourceReference> open_reference(const std::string& path, Format format, const LoadOptions& opts);

// The model as a TensorFlow.js bundle in `dir` (model.json + weights.bin, with a "modelport" block
// mapping ONNX input/output names to tfjs tensors: tools/tfjs_run.js). Throws ReferenceUnavailable
// for what tfjs cannot hold (string constants, int64 values beyond int32).
void write_tfjs_keras(const std::string& path, Format format, const LoadOptions& opts, const std::string& dir);
void write_tfjs_tf(const std::string& path, Format format, const LoadOptions& opts, const std::string& dir);
void write_tfjs_source(const std::string& path, const LoadOptions& opts, const std::string& dir);  // Tfjs: itself
std::vector<NamedTensor> run_torchscript(const std::string& path, const std::vector<NamedTensor>& inputs);
// One loaded TorchScript module that keeps its attributes between runs (stateful modules).
class TorchScriptSession {
 public:
  explicit TorchScriptSession(const std::string& path);
  ~TorchScriptSession();
  std::vector<NamedTensor> run(const std::vector<NamedTensor>& inputs);
  Tensor attribute(const std::string& dotted_path);  // a tensor attribute ("inner.h")

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Source op kinds each loader can lower, sorted (for `modelport ops` and README's op table).
std::vector<std::string> supported_source_ops(Format format);
std::vector<std::string> torchscript_supported_ops();
std::vector<std::string> savedmodel_supported_ops();  // TensorFlow ops (SavedModel and GraphDef)
std::vector<std::string> keras_supported_layers();     // Keras layer classes
std::vector<std::string> tfjs_supported_ops();         // both of the above (layers and graph models)

// Versions of the libraries each loader links (for the manifest), e.g. {"libtorch", "1.13.1"}.
std::map<std::string, std::string> loader_library_versions();
std::string torchscript_library_version();
std::map<std::string, std::string> keras_library_versions();

}  // namespace modelport

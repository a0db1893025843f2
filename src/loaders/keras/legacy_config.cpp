#include "loaders/keras/legacy_config.h"

#include <map>

#include "loaders/keras/lower.h"
#include "loaders/keras/model_graph.h"
#include "modelport/error.h"
#include "modelport/tensor_ops.h"

namespace modelport::keras {
namespace {

std::string type_of(const json& v) {
  if (v.is_null()) return "null";
  if (v.is_array()) return "a list";
  if (v.is_object()) return "an object";
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  return "a number";
}

[[noreturn]] void bad(const std::string& where, const std::string& field, const std::string& cause) {
  throw Error(where + ": " + field + ": " + cause);
}

// Keras 1 class names -> current ones (Convolution1D/2D stay: Keras 2 keeps them as aliases).
const std::map<std::string, std::string>& renamed_classes() {
  static const std::map<std::string, std::string> m = {
      {"Convolution3D", "Conv3D"},          {"AtrousConvolution1D", "Conv1D"},
      {"AtrousConvolution2D", "Conv2D"},    {"Deconvolution2D", "Conv2DTranspose"},
      {"SeparableConvolution2D", "SeparableConv2D"},
  };
  return m;
}

// Keras 1 Merge(mode=...) -> the Keras 2 merge layer of that mode.
const std::map<std::string, std::string>& merge_modes() {
  static const std::map<std::string, std::string> m = {
      {"sum", "Add"},          {"mul", "Multiply"}, {"concat", "Concatenate"},
      {"ave", "Average"},      {"max", "Maximum"},  {"dot", "Dot"},
  };
  return m;
}

void move_field(json& cfg, const char* from, const char* to) {
  auto it = cfg.find(from);
  if (it == cfg.end()) return;
  if (!cfg.contains(to)) cfg[to] = *it;
  cfg.erase(from);
}

// Keras 1 field names -> Keras 2 (only where the Keras 2 name is absent).
void keras1_fields(json& cfg, const std::string& cls, const std::string& where) {
  if (cfg.contains("dim_ordering")) {
    const json& d = cfg["dim_ordering"];
    std::string v = d.is_string() ? d.get<std::string>() : "";
    if (v != "tf" && v != "th" && v != "default") bad(where, "dim_ordering", "unknown value " + d.dump());
    if (!cfg.contains("data_format")) cfg["data_format"] = v == "th" ? "channels_first" : "channels_last";
    cfg.erase("dim_ordering");
  }
  move_field(cfg, "border_mode", "padding");
  move_field(cfg, "input_dtype", "dtype");
  move_field(cfg, "inner_activation", "recurrent_activation");
  move_field(cfg, "bias", "use_bias");
  move_field(cfg, "atrous_rate", "dilation_rate");
  if (cls != "Embedding") move_field(cfg, "output_dim", "units");
  if (cls == "Dropout" || cls == "SpatialDropout1D" || cls == "SpatialDropout2D" || cls == "SpatialDropout3D")
    move_field(cfg, "p", "rate");
  move_field(cfg, "nb_filter", "filters");
  if (cfg.contains("nb_row") || cfg.contains("nb_col")) {
    if (!cfg.contains("kernel_size")) cfg["kernel_size"] = {cfg.value("nb_row", json(1)), cfg.value("nb_col", json(1))};
    cfg.erase("nb_row");
    cfg.erase("nb_col");
  }
  if (cfg.contains("kernel_dim1")) {  // Convolution3D
    if (!cfg.contains("kernel_size"))
      cfg["kernel_size"] = {cfg["kernel_dim1"], cfg.value("kernel_dim2", json(1)), cfg.value("kernel_dim3", json(1))};
    for (const char* k : {"kernel_dim1", "kernel_dim2", "kernel_dim3"}) cfg.erase(k);
  }
  auto one = [&](const char* from, const char* to) {  // Keras 1 1-D ints -> [n]
    auto it = cfg.find(from);
    if (it == cfg.end()) return;
    if (!cfg.contains(to)) cfg[to] = it->is_number() ? json::array({*it}) : *it;
    cfg.erase(from);
  };
  one("filter_length", "kernel_size");
  one("subsample_length", "strides");
  one("pool_length", "pool_size");
  one("stride", "strides");
  move_field(cfg, "subsample", "strides");
  // Keras 1 declared a first layer's input by input_dim / input_length instead of batch_input_shape.
  if (!cfg.contains("batch_input_shape") && cfg.contains("input_dim") && cfg["input_dim"].is_number()) {
    json s = json::array({nullptr});
    if (cfg.contains("input_length")) s.push_back(cfg["input_length"]);
    if (cls != "Embedding") s.push_back(cfg["input_dim"]);
    if (cls == "Embedding" && !cfg.contains("input_length")) s.push_back(nullptr);
    cfg["batch_input_shape"] = s;
  }
  if (cls == "BatchNormalization" && cfg.contains("mode")) {
    const json& m = cfg["mode"];
    if (!m.is_number() || config_int(m) != 0)
      bad(where, "mode", "BatchNormalization mode " + m.dump() + " (batch statistics at inference) is not supported");
  }
}

void normalize_layer(json& le, const std::string& where);

void normalize_layers(json& layers, const std::string& where) {
  if (!layers.is_array()) bad(where, "layers", "is " + type_of(layers) + ", expected a list of layers");
  for (size_t i = 0; i < layers.size(); ++i) normalize_layer(layers[i], where + ": layers[" + std::to_string(i) + "]");
}

void normalize_inbound(json& le, const std::string& where) {
  auto it = le.find("inbound_nodes");
  if (it == le.end()) return;
  if (!it->is_array()) bad(where, "inbound_nodes", "is " + type_of(*it) + ", expected a list");
  for (auto& node : *it) {
    if (node.is_object()) continue;  // Keras 3: {"args": [...], "kwargs": {...}}
    if (!node.is_array()) bad(where, "inbound_nodes", "a node is " + type_of(node) + ", expected a list or an object");
    for (auto& ref : node) {
      // Keras 1: [name, node, tensor]; Keras 2: [name, node, tensor, kwargs]; some writers a bare name.
      if (ref.is_string()) ref = json::array({ref, 0, 0});
      if (!ref.is_array() || ref.empty() || !ref[0].is_string())
        bad(where, "inbound_nodes", "an entry is " + ref.dump().substr(0, 80) + ", expected [layer, node, tensor]");
      for (size_t k = 1; k < std::min<size_t>(ref.size(), 3); ++k)
        if (!ref[k].is_number_integer())
          bad(where, "inbound_nodes", "an entry is " + ref.dump().substr(0, 80) + ", expected [layer, node, tensor]");
    }
  }
}

void normalize_layer(json& le, const std::string& where) {
  if (!le.is_object()) bad(where, "layer", "is " + type_of(le) + ", expected an object");
  if (!le.contains("class_name") || !le["class_name"].is_string()) bad(where, "class_name", "missing or not a string");
  if (!le.contains("config") || le["config"].is_null()) le["config"] = json::object();
  std::string cls = le["class_name"];
  json& cfg = le["config"];
  if (cls == "Sequential" && cfg.is_array()) cfg = json{{"name", le.value("name", std::string("sequential"))}, {"layers", cfg}};
  if (!cfg.is_object()) bad(where, cls + " config", "is " + type_of(cfg) + ", expected an object");
  if (!le.contains("name") && cfg.contains("name") && cfg["name"].is_string()) le["name"] = cfg["name"];
  if (auto r = renamed_classes().find(cls); r != renamed_classes().end()) le["class_name"] = cls = r->second;
  if (cls == "Merge") {
    const json& mode = cfg.value("mode", json("sum"));
    auto m = mode.is_string() ? merge_modes().find(mode.get<std::string>()) : merge_modes().end();
    if (m == merge_modes().end())
      bad(where, "Merge mode", mode.dump().substr(0, 60) + " cannot be converted (Lambda and custom merges cannot)");
    if (cfg.contains("layers")) bad(where, "Merge layers", "a Sequential Merge of branch models is not supported");
    le["class_name"] = cls = m->second;
    if (cls == "Concatenate") move_field(cfg, "concat_axis", "axis");
    if (cls == "Dot") move_field(cfg, "dot_axes", "axes");
  }
  keras1_fields(cfg, cls, where);
  normalize_inbound(le, where);
  if (cfg.contains("layers")) normalize_layers(cfg["layers"], where + ": " + cls);
  if (cfg.contains("layer")) {  // Bidirectional / TimeDistributed
    normalize_layer(cfg["layer"], where + ": " + cls + ".layer");
    for (const char* k : {"forward_layer", "backward_layer"})
      if (cfg.contains(k) && cfg[k].is_object()) normalize_layer(cfg[k], where + ": " + cls + "." + k);
  }
}

// ------------------------------------------------------------------ weights
void index_layers(const json& entry, std::map<std::string, const json*>& out) {
  auto c = entry.find("config");  // a reference: the index keeps pointers into `entry`
  if (c == entry.end() || !c->is_object() || !c->contains("layers")) return;
  for (auto& le : (*c)["layers"]) {
    std::string name = le.value("name", le["config"].value("name", std::string()));
    out[name] = &le;
    index_layers(le, out);
  }
}

// Concatenates 1-D or 2-D float tensors along their last axis.
Tensor concat_last(const std::vector<Tensor>& ts) {
  int64_t rows = ts[0].dims.size() == 2 ? ts[0].dims[0] : 1, cols = 0;
  std::vector<std::vector<float>> fs;
  for (auto& t : ts) {
    fs.push_back(floats(t));
    cols += t.dims.back();
  }
  std::vector<float> out;
  out.reserve(size_t(rows * cols));
  for (int64_t r = 0; r < rows; ++r)
    for (size_t i = 0; i < ts.size(); ++i) {
      int64_t c = ts[i].dims.back();
      out.insert(out.end(), fs[i].begin() + r * c, fs[i].begin() + (r + 1) * c);
    }
  std::vector<int64_t> dims = ts[0].dims.size() == 2 ? std::vector<int64_t>{rows, cols} : std::vector<int64_t>{cols};
  return Tensor::from_vector(DType::Float32, out, dims);
}

// Reverses the first `nd` axes (Theano's convolution is a true convolution; TF's a correlation).
Tensor flip_spatial(const Tensor& t, size_t nd) {
  Tensor f = to_float32(t);
  std::vector<float> src = floats(f), dst(src.size());
  auto strides = row_major_strides(f.dims);
  std::vector<int64_t> idx(f.dims.size(), 0);
  for (size_t i = 0; i < dst.size(); ++i) {
    int64_t from = 0;
    for (size_t a = 0; a < idx.size(); ++a) from += (a < nd ? f.dims[a] - 1 - idx[a] : idx[a]) * strides[a];
    dst[i] = src[size_t(from)];
    advance_index(idx, f.dims);
  }
  return Tensor::from_vector(DType::Float32, dst, f.dims);
}

class LegacyWeights : public WeightScope {
 public:
  LegacyWeights(std::shared_ptr<WeightScope> inner, std::shared_ptr<std::map<std::string, const json*>> layers,
                int major, bool theano)
      : inner_(std::move(inner)), layers_(std::move(layers)), major_(major), theano_(theano) {}

  std::vector<Tensor> layer(const LayerKey& key, const std::string& part) const override {
    std::vector<Tensor> w = inner_->layer(key, part);
    auto it = layers_->find(key.name);
    if (it == layers_->end() || w.empty()) return w;
    std::string cls = it->second->value("class_name", std::string());
    const json& cfg = (*it->second)["config"];
    return convert(cls, cfg, std::move(w));
  }

  std::unique_ptr<WeightScope> nested(const LayerKey& key) const override {
    return std::make_unique<LegacyWeights>(std::shared_ptr<WeightScope>(inner_->nested(key)), layers_, major_, theano_);
  }

 private:
  std::vector<Tensor> convert(std::string cls, const json& cfg, std::vector<Tensor> w) const {
    if (cls == "Convolution1D" || cls == "Convolution2D") cls = cls == "Convolution1D" ? "Conv1D" : "Conv2D";
    bool cf = cfg.value("data_format", std::string("channels_last")) == "channels_first";
    if (cls == "TimeDistributed" && cfg.contains("layer"))
      return convert(cfg["layer"].value("class_name", std::string()), cfg["layer"]["config"], std::move(w));
    if (major_ == 1) {
      int64_t filters = cfg.value("filters", json(-1)).is_number() ? config_int(cfg.value("filters", json(-1))) : -1;
      const std::vector<int64_t>& d = w[0].dims;
      if (cls == "Conv1D" && d.size() == 4) {
        // Keras 1.1+: (length, 1, in, filters); Keras 1.0: (filters, in, length, 1).
        Tensor k = w[0];
        if (!(d[1] == 1 && d[3] == filters)) k = permute_tensor(k, {2, 3, 1, 0});
        k.dims = {k.dims[0], k.dims[2], k.dims[3]};
        w[0] = k;
      }
      // Keras 1 "th" kernels are (filters, in, k...); the current layout is (k..., in, filters).
      if (cls == "Conv2D" && cf && d.size() == 4) w[0] = permute_tensor(w[0], {2, 3, 1, 0});
      if (cls == "Conv3D" && cf && d.size() == 5) w[0] = permute_tensor(w[0], {2, 3, 4, 1, 0});
      if (cls == "Conv2DTranspose" && d.size() == 4)  // current: (k, k, filters, in)
        w[0] = permute_tensor(w[0], cf ? std::vector<int64_t>{2, 3, 0, 1} : std::vector<int64_t>{0, 1, 3, 2});
      if (cls == "LSTM" && w.size() == 12)  // per gate W, U, b in order i, c, f, o -> i, f, c, o
        w = {concat_last({w[0], w[6], w[3], w[9]}), concat_last({w[1], w[7], w[4], w[10]}),
             concat_last({w[2], w[8], w[5], w[11]})};
      if (cls == "GRU" && w.size() == 9)  // per gate W, U, b in order z, r, h
        w = {concat_last({w[0], w[3], w[6]}), concat_last({w[1], w[4], w[7]}), concat_last({w[2], w[5], w[8]})};
    }
    if (theano_) {
      static const std::map<std::string, size_t> conv_nd = {
          {"Conv1D", 1}, {"Conv2D", 2}, {"Conv3D", 3}, {"Conv2DTranspose", 2}};
      if (auto c = conv_nd.find(cls); c != conv_nd.end() && w[0].dims.size() == c->second + 2)
        w[0] = flip_spatial(w[0], c->second);
    }
    return w;
  }

  std::shared_ptr<WeightScope> inner_;
  std::shared_ptr<std::map<std::string, const json*>> layers_;
  int major_;
  bool theano_;
};

}  // namespace

void normalize_model_config(json& model, const std::string& where) {
  if (!model.is_object()) bad(where, "model", "is " + type_of(model) + ", expected an object with class_name");
  if (!model.contains("class_name") || !model["class_name"].is_string()) bad(where, "class_name", "missing or not a string");
  normalize_layer(model, where);
}

std::unique_ptr<WeightScope> legacy_weights(std::unique_ptr<WeightScope> inner, const json& model, int keras_major,
                                            const std::string& backend) {
  bool theano = backend == "theano";
  if (keras_major != 1 && !theano) return inner;
  auto layers = std::make_shared<std::map<std::string, const json*>>();
  index_layers(model, *layers);
  return std::make_unique<LegacyWeights>(std::shared_ptr<WeightScope>(std::move(inner)), layers, keras_major, theano);
}

}  // namespace modelport::keras

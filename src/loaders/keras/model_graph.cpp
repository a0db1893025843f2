#include "loaders/keras/model_graph.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "loaders/keras/layers.h"
#include "modelport/error.h"

namespace modelport::keras {
namespace {

const json& cfg_of(const json& e) {
  static const json empty = json::object();
  auto it = e.find("config");
  return it != e.end() && it->is_object() ? *it : empty;
}

std::string name_of(const json& e) {
  if (e.contains("name") && e["name"].is_string()) return e["name"];
  return str(cfg_of(e), "name", "");
}

std::string class_of(const json& e) {
  if (!e.is_object()) return "";
  auto it = e.find("class_name");
  return it != e.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// [name, node, tensor] references from input_layers/output_layers (flat, nested list or dict).
struct TensorRef {
  std::string layer;
  int64_t node = 0, tensor = 0;
};
void collect_refs(const json& v, std::vector<TensorRef>& out) {
  if (v.is_array() && !v.empty() && v[0].is_string()) {
    out.push_back({v[0].get<std::string>(), v.size() > 1 ? config_int(v[1]) : 0, v.size() > 2 ? config_int(v[2]) : 0});
  } else if (v.is_array() || v.is_object()) {
    for (auto& e : v) collect_refs(e, out);
  }
}

// Keras 3 call arguments: every {"class_name": "__keras_tensor__"} in order.
void collect_keras_tensors(const json& v, std::vector<TensorRef>& out) {
  if (v.is_object()) {
    if (v.value("class_name", std::string()) == "__keras_tensor__") {
      const json& h = v.at("config").at("keras_history");
      out.push_back({h[0].get<std::string>(), config_int(h[1]), config_int(h[2])});
      return;
    }
    for (auto& e : v) collect_keras_tensors(e, out);
  } else if (v.is_array()) {
    for (auto& e : v) collect_keras_tensors(e, out);
  }
}

struct CallSpec {
  std::vector<TensorRef> args;
  std::map<std::string, std::vector<TensorRef>> kwargs;
  json options = json::object();  // keyword arguments that are not tensors
};

// A Keras 2 tensor reference inside call kwargs: [layer, node, tensor].
bool is_keras2_ref(const json& v) {
  return v.is_array() && v.size() == 3 && v[0].is_string() && v[1].is_number_integer() && v[2].is_number_integer();
}

std::vector<CallSpec> inbound_calls(const json& layer) {
  std::vector<CallSpec> calls;
  const json& nodes = layer.value("inbound_nodes", json::array());
  for (auto& n : nodes) {
    CallSpec cs;
    if (n.is_object()) {  // Keras 3: {"args": [...], "kwargs": {...}}
      collect_keras_tensors(n.value("args", json::array()), cs.args);
      const json kwargs = n.value("kwargs", json::object());  // items() must not outlive it
      for (auto& [k, v] : kwargs.items()) {
        std::vector<TensorRef> refs;
        collect_keras_tensors(v, refs);
        if (!refs.empty()) cs.kwargs[k] = refs;
        else cs.options[k] = v;
      }
    } else if (n.is_array()) {  // Keras 2: [[name, node, tensor, kwargs], ...]
      for (auto& r : n)
        if (r.is_array() && !r.empty() && r[0].is_string())
          cs.args.push_back({r[0].get<std::string>(), r.size() > 1 ? config_int(r[1]) : 0,
                             r.size() > 2 ? config_int(r[2]) : 0});
      // The call's keyword arguments ride on every entry (the same dict): tensors as [layer, node,
      // tensor] (MultiHeadAttention's value / attention_mask), the rest as plain values.
      if (!n.empty() && n[0].is_array() && n[0].size() > 3 && n[0][3].is_object())
        for (auto& [k, v] : n[0][3].items()) {
          if (is_keras2_ref(v)) {
            cs.kwargs[k] = {{v[0].get<std::string>(), config_int(v[1]), config_int(v[2])}};
          } else if (v.is_array() && !v.empty() && std::all_of(v.begin(), v.end(), is_keras2_ref)) {
            for (auto& e : v) cs.kwargs[k].push_back({e[0].get<std::string>(), config_int(e[1]), config_int(e[2])});
          } else {
            cs.options[k] = v;
          }
        }
    }
    calls.push_back(std::move(cs));
  }
  return calls;
}

// Input declared by an InputLayer config (or the first layer of a Sequential).
struct InputDecl {
  std::string name;
  DType dtype = DType::Float32;
  std::vector<json> shape;  // with batch; null = dynamic
};

DType dtype_of(const json& d) {
  std::string s = d.is_string() ? d.get<std::string>() : d.is_object() ? str(cfg_of(d), "name", "float32") : "float32";
  if (s.rfind("mixed_", 0) == 0) return DType::Float32;
  auto t = parse_dtype(s);
  return t ? *t : DType::Float32;
}

bool declared_shape(const json& e, std::vector<json>& shape) {
  const json& cfg = cfg_of(e);
  for (const char* k : {"batch_input_shape", "batch_shape"})
    if (cfg.contains(k) && cfg[k].is_array()) {
      shape.assign(cfg[k].begin(), cfg[k].end());
      return true;
    }
  if (cfg.contains("shape") && cfg["shape"].is_array()) {  // Keras 3 Input(shape=...) without batch
    shape = {json()};
    shape.insert(shape.end(), cfg["shape"].begin(), cfg["shape"].end());
    return true;
  }
  if (e.contains("build_config") && e["build_config"].contains("input_shape") && e["build_config"]["input_shape"].is_array()) {
    shape.assign(e["build_config"]["input_shape"].begin(), e["build_config"]["input_shape"].end());
    return true;
  }
  return false;
}

Value* make_graph_input(Ctx& c, const InputDecl& d, size_t index, const LoadOptions& opts) {
  std::string name = d.name;
  DType dt = d.dtype;
  std::vector<Dim> dims;
  for (size_t i = 0; i < d.shape.size(); ++i) {
    const json& s = d.shape[i];
    if (s.is_number()) dims.push_back(Dim::fixed(config_int(s)));
    else dims.push_back(i == 0 ? Dim::sym("batch") : Dim::sym(name + "_dim" + std::to_string(i)));
  }
  Shape shape(dims);
  if (index < opts.inputs.size()) {
    const InputSpec& spec = opts.inputs[index];
    if (!spec.name.empty()) name = spec.name;
    if (spec.dtype) dt = *spec.dtype;
    if (spec.shape) shape = *spec.shape;
  }
  bool nchw = std::find(opts.inputs_as_nchw.begin(), opts.inputs_as_nchw.end(), name) != opts.inputs_as_nchw.end() ||
              std::find(opts.inputs_as_nchw.begin(), opts.inputs_as_nchw.end(), d.name) != opts.inputs_as_nchw.end();
  if (nchw && shape.rank() >= 3) {
    Shape cf = shape;
    cf.dims.clear();
    cf.dims.push_back(shape.dims[0]);
    cf.dims.push_back(shape.dims.back());
    for (size_t i = 1; i + 1 < shape.rank(); ++i) cf.dims.push_back(shape.dims[i]);
    Value* in = c.g.add_input(name, dt, cf);
    std::string saved = c.layer;
    c.layer = name;
    Value* v = c.to_channels_last(in);
    c.layer = saved;
    return v;
  }
  return c.g.add_input(name, dt, shape);
}

// Keras 3 saves layers under snake_case class names numbered per class, in layer order.
std::vector<std::string> v3_names(const json& layers) {
  std::map<std::string, int> used;
  std::vector<std::string> out;
  for (auto& l : layers) {
    std::string n = keras_snake_case(class_of(l));
    auto it = used.find(n);
    if (it != used.end()) n += "_" + std::to_string(++it->second);
    else used[n] = 0;
    out.push_back(n);
  }
  return out;
}

std::vector<Value*> call_layer(Ctx& c, const json& le, const std::string& v3_name, std::vector<Value*> ins,
                               std::map<std::string, std::vector<Value*>> kwargs, const WeightScope& scope,
                               const std::string& prefix, const LoadOptions& opts, const json& options = json::object()) {
  std::string name = name_of(le), cls = class_of(le);
  LayerKey key{name, v3_name};
  if (model_kind(le) != ModelKind::Custom) {
    auto nested = scope.nested(key);
    return build_model(c, le, *nested, ins, prefix + name + "/", opts).outputs;
  }
  LowerFn fn = find_lowering(cls);
  if (!fn) throw Error(c.path + ": unsupported Keras layer " + name + " (" + cls + ")");
  std::string saved = c.layer;
  c.layer = prefix + name;
  LayerCall call{prefix + name, cls, cfg_of(le), std::move(ins), std::move(kwargs), scope, key, options};
  std::vector<Value*> outs;
  try {
    outs = fn(c, call);
  } catch (const json::exception& e) {  // a config field of a shape the lowering does not read
    c.fail(cls + " config: " + json_error_text(e));
  } catch (const std::logic_error& e) {  // a value the IR refuses (out of range, not a permutation...)
    c.fail(cls + ": " + e.what());
  }
  c.layer = saved;
  return outs;
}

BuiltModel build_sequential(Ctx& c, const json& entry, const WeightScope& scope, const std::vector<Value*>& inputs,
                            const std::string& prefix, const LoadOptions& opts) {
  const json& cfg = cfg_of(entry);
  const json& layers = cfg.is_object() && cfg.contains("layers") ? cfg["layers"] : cfg;  // Keras < 2.2: a list
  if (!layers.is_array() || layers.empty()) throw Error(c.path + ": Sequential model has no layers");
  auto names = v3_names(layers);
  Value* x = nullptr;
  size_t first = 0;
  if (!inputs.empty()) {
    x = inputs[0];
    if (class_of(layers[0]) == "InputLayer") first = 1;
  } else {
    InputDecl d;
    const json& l0 = layers[0];
    if (class_of(l0) == "InputLayer") {
      d.name = name_of(l0);
      first = 1;
    } else {
      d.name = name_of(l0) + "_input";
    }
    d.dtype = dtype_of(cfg_of(l0).value("dtype", json("float32")));
    if (!declared_shape(l0, d.shape)) {
      const json& bis = cfg.value("build_input_shape", json());
      if (bis.is_array()) d.shape.assign(bis.begin(), bis.end());
      else if (entry.contains("build_config") && entry["build_config"].value("input_shape", json()).is_array())
        d.shape.assign(entry["build_config"]["input_shape"].begin(), entry["build_config"]["input_shape"].end());
      else throw Error(c.path + ": Sequential model does not declare its input shape");
    }
    x = make_graph_input(c, d, 0, opts);
  }
  std::vector<Value*> cur{x};
  std::string last = name_of(entry);
  for (size_t i = first; i < layers.size(); ++i) {
    cur = call_layer(c, layers[i], names[i], cur, {}, scope, prefix, opts);
    last = name_of(layers[i]);
  }
  BuiltModel b;
  b.outputs = cur;
  for (size_t i = 0; i < cur.size(); ++i) b.output_names.push_back(i == 0 ? last : last + "_" + std::to_string(i));
  return b;
}

BuiltModel build_functional(Ctx& c, const json& entry, const WeightScope& scope, const std::vector<Value*>& inputs,
                            const std::string& prefix, const LoadOptions& opts) {
  const json& cfg = cfg_of(entry);
  const json& layers = cfg.at("layers");
  auto names = v3_names(layers);
  std::vector<TensorRef> in_refs, out_refs;
  collect_refs(cfg.value("input_layers", json::array()), in_refs);
  collect_refs(cfg.value("output_layers", json::array()), out_refs);
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < layers.size(); ++i) index[name_of(layers[i])] = i;

  // (layer, node) -> output values
  std::map<std::pair<std::string, int64_t>, std::vector<Value*>> produced;
  for (size_t k = 0; k < in_refs.size(); ++k) {
    const TensorRef& r = in_refs[k];
    if (!index.count(r.layer)) throw Error(c.path + ": model input layer " + r.layer + " is not in the config");
    Value* v;
    if (!inputs.empty()) {
      if (k >= inputs.size()) throw Error(c.path + ": nested model " + name_of(entry) + " gets too few inputs");
      v = inputs[k];
    } else {
      const json& le = layers[index[r.layer]];
      InputDecl d;
      d.name = r.layer;
      d.dtype = dtype_of(cfg_of(le).value("dtype", json("float32")));
      if (!declared_shape(le, d.shape)) throw Error(c.path + ": input " + r.layer + " has no declared shape");
      v = make_graph_input(c, d, k, opts);
    }
    produced[{r.layer, r.node}] = {v};
  }
  auto lookup = [&](const TensorRef& r) -> Value* {
    auto it = produced.find({r.layer, r.node});
    if (it == produced.end() || r.tensor >= (int64_t)it->second.size()) return nullptr;
    return it->second[(size_t)r.tensor];
  };
  // Pending calls, lowered as soon as their inputs exist (shared layers may refer forward).
  struct Pending { size_t layer; int64_t node; CallSpec spec; };
  std::vector<Pending> pending;
  for (size_t i = 0; i < layers.size(); ++i) {
    if (class_of(layers[i]) == "InputLayer") continue;
    auto calls = inbound_calls(layers[i]);
    for (size_t n = 0; n < calls.size(); ++n) pending.push_back({i, (int64_t)n, calls[n]});
  }
  while (!pending.empty()) {
    bool progress = false;
    for (size_t p = 0; p < pending.size();) {
      const Pending& pc = pending[p];
      std::vector<Value*> ins;
      bool ready = true;
      for (auto& r : pc.spec.args) {
        ins.push_back(lookup(r));
        ready = ready && ins.back();
      }
      std::map<std::string, std::vector<Value*>> kw;
      for (auto& [k, refs] : pc.spec.kwargs)
        for (auto& r : refs) {
          kw[k].push_back(lookup(r));
          ready = ready && kw[k].back();
        }
      if (!ready) {
        ++p;
        continue;
      }
      const json& le = layers[pc.layer];
      produced[{name_of(le), pc.node}] = call_layer(c, le, names[pc.layer], ins, kw, scope, prefix, opts, pc.spec.options);
      pending.erase(pending.begin() + (std::ptrdiff_t)p);
      progress = true;
    }
    if (!progress) {
      // Name the first missing tensor: produced by a layer that is itself waiting (a cycle), or by none.
      const Pending& pc = pending[0];
      std::string waits_on;
      for (auto& r : pc.spec.args)
        if (!lookup(r) && waits_on.empty()) waits_on = r.layer;
      for (auto& [k, refs] : pc.spec.kwargs)
        for (auto& r : refs)
          if (!lookup(r) && waits_on.empty()) waits_on = r.layer;
      bool cycle = std::any_of(pending.begin(), pending.end(),
                               [&](const Pending& q) { return name_of(layers[q.layer]) == waits_on; });
      if (cycle)
        throw Error(c.path + ": graph cycle: layer " + name_of(layers[pc.layer]) + " waits on layer " + waits_on +
                    ", which waits on it in turn");
      throw Error(c.path + ": layer " + name_of(layers[pc.layer]) + " uses a tensor that no layer produces" +
                  (waits_on.empty() ? "" : " (from " + waits_on + ")"));
    }
  }
  BuiltModel b;
  std::map<std::string, int> seen;
  for (auto& r : out_refs) {
    Value* v = lookup(r);
    if (!v) throw Error(c.path + ": model output " + r.layer + " is never computed");
    b.outputs.push_back(v);
    int k = seen[r.layer]++;
    b.output_names.push_back(k == 0 ? r.layer : r.layer + "_" + std::to_string(k));
  }
  return b;
}

void walk_unsupported(const json& entry, std::map<std::string, std::vector<std::string>>& out) {
  const json& cfg = cfg_of(entry);
  const json& layers = cfg.contains("layers") ? cfg["layers"] : cfg.is_array() ? cfg : json::array();
  for (auto& le : layers) {
    std::string cls = class_of(le), name = name_of(le);
    const json& lc = cfg_of(le);
    if (cls == "InputLayer") continue;
    if (model_kind(le) != ModelKind::Custom) {
      walk_unsupported(le, out);
      continue;
    }
    if (!find_lowering(cls)) {
      out[cls].push_back(name);
      continue;
    }
    std::string inner = class_of(lc.value("layer", json::object()));
    if (cls == "Bidirectional" || cls == "TimeDistributed") {
      bool ok = cls == "Bidirectional" ? (inner == "LSTM" || inner == "GRU" || inner == "SimpleRNN" || is_conv_lstm(inner))
                                       : find_lowering(inner) != nullptr;
      if (!ok) out[cls + "(" + inner + ")"].push_back(name);
    }
    // ONNX RNN ops apply the activations of these; ConvLSTM's are built from graph ops.
    bool rnn = cls == "SimpleRNN" || cls == "LSTM" || cls == "GRU" || (cls == "Bidirectional" && !is_conv_lstm(inner));
    const json& rc = cls == "Bidirectional" && lc.contains("layer") ? cfg_of(lc["layer"]) : lc;
    for (const char* k : {"activation", "recurrent_activation"}) {
      const json& a = rc.value(k, json());
      if (a.is_null() || (rnn ? is_rnn_activation(a) : is_known_activation(a))) continue;
      out[cls + " " + k + " " + activation_name(a)].push_back(name);
    }
  }
}

void walk_counts(const json& entry, std::map<std::string, int64_t>& counts) {
  const json& cfg = cfg_of(entry);
  const json& layers = cfg.contains("layers") ? cfg["layers"] : cfg.is_array() ? cfg : json::array();
  for (auto& le : layers) {
    counts[class_of(le)]++;
    if (model_kind(le) != ModelKind::Custom) walk_counts(le, counts);
  }
}

}  // namespace

ModelKind model_kind(const json& e) {
  std::string cls = class_of(e);
  const json& cfg = cfg_of(e);
  if (cls == "Sequential") return ModelKind::Sequential;
  if (cls == "Functional" || cls == "Model") return ModelKind::Functional;
  if (cls == "InputLayer" || find_lowering(cls)) return ModelKind::Custom;
  // A subclass of Sequential/Functional keeps their config layout.
  if (cfg.contains("layers") && cfg["layers"].is_array()) {
    if (cfg.contains("input_layers")) return ModelKind::Functional;
    return ModelKind::Sequential;
  }
  return ModelKind::Custom;
}

bool unsupported_is_custom(const std::string& entry) {
  auto sp = entry.find(' ');
  if (sp != std::string::npos)  // "<class> <field> <activation>"
    return !is_builtin_activation(entry.substr(entry.rfind(' ') + 1));
  auto paren = entry.find('(');
  if (paren != std::string::npos) {  // "<wrapper>(<inner>)"
    std::string inner = entry.substr(paren + 1, entry.size() - paren - 2);
    return inner == "Lambda" || !is_builtin_keras_layer(inner);
  }
  return !is_builtin_keras_layer(entry);
}

std::map<std::string, std::vector<std::string>> unsupported_layers(const json& model_entry) {
  std::map<std::string, std::vector<std::string>> out;
  walk_unsupported(model_entry, out);
  return out;
}

void count_layer_classes(const json& model_entry, std::map<std::string, int64_t>& counts) {
  walk_counts(model_entry, counts);
}

BuiltModel build_model(Ctx& c, const json& entry, const WeightScope& scope, const std::vector<Value*>& inputs,
                       const std::string& prefix, const LoadOptions& opts) {
  switch (model_kind(entry)) {
    case ModelKind::Sequential: return build_sequential(c, entry, scope, inputs, prefix, opts);
    case ModelKind::Functional: return build_functional(c, entry, scope, inputs, prefix, opts);
    default: break;
  }
  throw Error(c.path + ": model class " + class_of(entry) + " has no layer graph in its config");
}

namespace {
const json* layer_list(const json& model_entry) {
  if (!model_entry.is_object() || !model_entry.contains("config")) return nullptr;
  const json& cfg = model_entry["config"];
  const json* layers = cfg.is_array() ? &cfg : cfg.is_object() && cfg.contains("layers") ? &cfg["layers"] : nullptr;
  return layers && layers->is_array() ? layers : nullptr;
}

bool built_on_input(const json& nested) {
  if (class_of(nested) != "Sequential") return true;
  const json* layers = layer_list(nested);
  if (!layers || layers->empty() || !(*layers)[0].is_object()) return false;
  const json& first = (*layers)[0];
  return class_of(first) == "InputLayer" || cfg_of(first).contains("batch_input_shape");
}
}  // namespace

void renumber_nested_model_calls(json& model_entry, int delta) {
  if (!layer_list(model_entry)) return;
  json& cfg = model_entry["config"];
  json& layers = cfg.is_array() ? cfg : cfg["layers"];
  std::set<std::string> built;
  for (auto& l : layers) {
    if (!l.is_object() || model_kind(l) == ModelKind::Custom) continue;
    renumber_nested_model_calls(l, delta);
    std::string name = name_of(l);
    if (!name.empty() && built_on_input(l)) built.insert(name);
  }
  if (built.empty() || !cfg.is_object()) return;
  auto renumber = [&](json& ref) {  // ["layer", node_index, tensor_index, {kwargs}]
    if (ref.is_array() && ref.size() >= 2 && ref[0].is_string() && built.count(ref[0].get<std::string>()) &&
        ref[1].is_number_integer() && config_int(ref[1]) + delta >= 0)
      ref[1] = config_int(ref[1]) + delta;
  };
  for (auto& l : layers)
    if (l.is_object() && l.contains("inbound_nodes") && l["inbound_nodes"].is_array())
      for (auto& node : l["inbound_nodes"])
        if (node.is_array())
          for (auto& ref : node) renumber(ref);
  if (cfg.contains("output_layers") && cfg["output_layers"].is_array())
    for (auto& ref : cfg["output_layers"]) renumber(ref);
}

void collect_layer_weights(const json& model_entry, const WeightScope& scope, std::vector<LayerWeights>& out,
                           const std::vector<std::string>& prefix) {
  const json& cfg = cfg_of(model_entry);
  const json& layers = cfg.is_object() && cfg.contains("layers") ? cfg["layers"] : cfg;
  if (!layers.is_array()) return;
  auto names = v3_names(layers);
  for (size_t i = 0; i < layers.size(); ++i) {
    const json& le = layers[i];
    LayerKey key{name_of(le), names[i]};
    std::vector<std::string> path = prefix;
    path.push_back(key.name);
    if (model_kind(le) != ModelKind::Custom) {
      collect_layer_weights(le, *scope.nested(key), out, path);
      continue;
    }
    auto w = scope.layer(key);
    if (!w.empty()) out.push_back({std::move(path), std::move(w)});
  }
}

}  // namespace modelport::keras

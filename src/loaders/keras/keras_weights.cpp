#include "loaders/keras/keras_weights.h"

#include <memory>
#include <regex>

namespace modelport::keras {
namespace {

std::vector<std::string> components(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool part_matches(const std::string& weight_name, const std::string& part) {
  if (part.empty()) return true;
  std::string prefix = part == "forward_layer" ? "forward_" : part == "backward_layer" ? "backward_" : part;
  for (auto& c : components(weight_name))
    if (c.rfind(prefix, 0) == 0) return true;
  return false;
}

class LegacyH5Weights : public WeightScope {
 public:
  // Not nested: layers are subgroups of `group` listing their `weight_names`. Nested: `group`
  // belongs to a model used as a layer, and an inner layer's weights are the ones whose name
  // has that layer's name as a path component ("dense_1/kernel:0").
  LegacyH5Weights(H5Group group, bool nested) : group_(std::move(group)), nested_(nested) {}

  std::vector<Tensor> layer(const LayerKey& key, const std::string& part) const override {
    std::vector<Tensor> out;
    if (!nested_) {
      if (!group_.is_group(key.name)) return out;
      H5Group g = group_.group(key.name);
      for (auto& w : g.attr_strings("weight_names"))
        if (part_matches(w, part)) out.push_back(g.dataset(w));
      return out;
    }
    for (auto& w : group_.attr_strings("weight_names")) {
      auto comps = components(w);
      bool mine = false;
      for (size_t i = 0; i + 1 < comps.size(); ++i) mine |= comps[i] == key.name;
      if (mine && part_matches(w, part)) out.push_back(group_.dataset(w));
    }
    return out;
  }

  std::unique_ptr<WeightScope> nested(const LayerKey& key) const override {
    if (!nested_ && group_.is_group(key.name))
      return std::make_unique<LegacyH5Weights>(group_.group(key.name), true);
    return std::make_unique<LegacyH5Weights>(group_, true);
  }

 private:
  H5Group group_;
  bool nested_;
};

class V3Weights : public WeightScope {
 public:
  V3Weights(H5Group root, std::string prefix) : root_(std::move(root)), prefix_(std::move(prefix)) {}

  std::vector<Tensor> layer(const LayerKey& key, const std::string& part) const override {
    std::vector<Tensor> out;
    std::string base = prefix_ + "/" + key.v3_name;
    if (!part.empty()) base += "/" + part;
    for (const char* sub : {"vars", "cell/vars", "layer/vars", "layer/cell/vars"}) {
      std::string dir = base + "/" + sub;
      if (!root_.is_group(dir)) continue;
      for (int i = 0; root_.is_dataset(dir + "/" + std::to_string(i)); ++i)
        out.push_back(root_.dataset(dir + "/" + std::to_string(i)));
    }
    return out;
  }

  std::unique_ptr<WeightScope> nested(const LayerKey& key) const override {
    return std::make_unique<V3Weights>(root_, prefix_ + "/" + key.v3_name + "/layers");
  }

 private:
  H5Group root_;
  std::string prefix_;
};

class NamedWeights : public WeightScope {
 public:
  using List = std::vector<std::pair<std::string, Tensor>>;
  explicit NamedWeights(std::shared_ptr<const List> all) : all_(std::move(all)) {}

  std::vector<Tensor> layer(const LayerKey& key, const std::string& part) const override {
    std::vector<Tensor> out;
    for (auto& [name, t] : *all_)
      if (has_component(name, key.name) && part_matches(name, part)) out.push_back(t);
    return out;
  }

  // Inner layer names are unique within the nested model; a weight name need not carry the
  // model's own name (tfjs writes "<model>/<layer>/<weight>" or just "<layer>/<weight>").
  std::unique_ptr<WeightScope> nested(const LayerKey& key) const override {
    auto mine = std::make_shared<List>();
    for (auto& w : *all_)
      if (has_component(w.first, key.name)) mine->push_back(w);
    if (mine->empty()) return std::make_unique<NamedWeights>(all_);
    return std::make_unique<NamedWeights>(std::move(mine));
  }

 private:
  static bool has_component(const std::string& weight_name, const std::string& layer) {
    auto comps = components(weight_name);
    for (size_t i = 0; i + 1 < comps.size(); ++i)
      if (comps[i] == layer) return true;
    return false;
  }
  std::shared_ptr<const List> all_;
};

class NoWeights : public WeightScope {
 public:
  std::vector<Tensor> layer(const LayerKey&, const std::string&) const override { return {}; }
  std::unique_ptr<WeightScope> nested(const LayerKey&) const override { return std::make_unique<NoWeights>(); }
};

}  // namespace

std::string keras_snake_case(const std::string& class_name) {
  static const std::regex non_word(R"(\W+)"), upper_word("(.)([A-Z][a-z]+)"), lower_upper("([a-z])([A-Z])");
  std::string s = std::regex_replace(class_name, non_word, "");
  s = std::regex_replace(s, upper_word, "$1_$2");
  s = std::regex_replace(s, lower_upper, "$1_$2");
  for (auto& c : s) c = (char)std::tolower((unsigned char)c);
  return s;
}

std::unique_ptr<WeightScope> legacy_h5_weights(H5Group group) {
  return std::make_unique<LegacyH5Weights>(std::move(group), false);
}
std::unique_ptr<WeightScope> v3_weights(H5Group root) { return std::make_unique<V3Weights>(std::move(root), "layers"); }
std::unique_ptr<WeightScope> named_weights(std::vector<std::pair<std::string, Tensor>> weights) {
  return std::make_unique<NamedWeights>(std::make_shared<const NamedWeights::List>(std::move(weights)));
}
std::unique_ptr<WeightScope> no_weights() { return std::make_unique<NoWeights>(); }

}  // namespace modelport::keras

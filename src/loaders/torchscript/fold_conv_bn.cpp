#include "loaders/torchscript/fold_conv_bn.h"

#include <algorithm>
#include <cmath>

namespace modelport::ts {
namespace {

bool const_f32(const Value* v, int64_t numel) {
  return v && v->is_constant() && v->constant->dtype == DType::Float32 && (numel < 0 || v->constant->numel() == numel);
}

}  // namespace

size_t fold_conv_batchnorm(Graph& g) {
  size_t folded = 0;
  for (auto& up : g.nodes()) {
    Node* bn = up.get();
    if (bn->op != "BatchNormalization" || bn->outputs.size() != 1 || bn->inputs.size() != 5) continue;
    Node* conv = bn->inputs[0] ? bn->inputs[0]->producer : nullptr;
    if (!conv || conv->op != "Conv" || g.use_count(conv->outputs[0]) != 1) continue;
    if (std::find(g.outputs.begin(), g.outputs.end(), bn->outputs[0]) != g.outputs.end()) continue;
    Value* w = conv->input(1);
    if (!const_f32(w, -1) || w->constant->dims.empty()) continue;
    int64_t cout = w->constant->dims[0];
    Value* b = conv->input(2);
    if (b && !const_f32(b, cout)) continue;
    bool ok = true;
    for (size_t i = 1; i < 5; ++i) ok &= const_f32(bn->inputs[i], cout);
    if (!ok) continue;
    double eps = bn->attr_float("epsilon", 1e-5f);
    const Tensor& W = *w->constant;
    int64_t per = W.numel() / cout;
    std::vector<float> nw(static_cast<size_t>(W.numel()));
    std::vector<float> nb(static_cast<size_t>(cout));
    const float* wd = W.data<float>();
    const float* gamma = bn->inputs[1]->constant->data<float>();
    const float* beta = bn->inputs[2]->constant->data<float>();
    const float* mean = bn->inputs[3]->constant->data<float>();
    const float* var = bn->inputs[4]->constant->data<float>();
    const float* bd = b ? b->constant->data<float>() : nullptr;
    for (int64_t o = 0; o < cout; ++o) {
      double s = double(gamma[o]) / std::sqrt(double(var[o]) + eps);
      for (int64_t j = 0; j < per; ++j) nw[size_t(o * per + j)] = float(double(wd[o * per + j]) * s);
      nb[size_t(o)] = float(((bd ? double(bd[o]) : 0.0) - double(mean[o])) * s + double(beta[o]));
    }
    Value* w2 = g.add_constant(w->name + "_bnfold", Tensor::from_vector(DType::Float32, nw, W.dims));
    Value* b2 = g.add_constant(w->name + "_bnfold_bias", Tensor::from_vector(DType::Float32, nb, {cout}));
    conv->inputs.resize(3);
    conv->inputs[1] = w2;
    conv->inputs[2] = b2;
    conv->outputs[0]->shape = bn->outputs[0]->shape;
    g.replace_all_uses(bn->outputs[0], conv->outputs[0]);
    ++folded;
  }
  for_each_subgraph(g, [&](Graph& sg) { folded += fold_conv_batchnorm(sg); });  // If/Loop bodies
  return folded;
}

}  // namespace modelport::ts

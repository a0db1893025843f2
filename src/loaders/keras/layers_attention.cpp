// Lowering of keras.layers.MultiHeadAttention (Keras 2.4+ and Keras 3): per-head query/key/value
// projections (EinsumDense kernels [dim, heads, key_dim] + biases [heads, key_dim]), scaled dot
// product attention over the sequence axis, and the output projection (kernel [heads, value_dim,
// out] + bias [out]). Inference only: dropout is the identity.
#include <cmath>

#include "loaders/keras/layers.h"

namespace modelport::keras {
namespace {

// kernel, bias (empty without use_bias) of the four projections, in Keras order: query, key,
// value, attention_output. Legacy .h5 and tfjs list all of them under the layer; a Keras 3 weights
// file keeps each projection's vars under the attribute that holds it (query_dense, or
// _query_dense before Keras 3 gave them public properties).
struct Projection {
  Tensor kernel;
  Tensor bias;
  bool has_bias = false;
};

std::vector<Projection> projections(Ctx& c, const LayerCall& l, bool use_bias) {
  std::vector<Tensor> all = l.weights();
  if (all.empty())
    for (const char* part : {"query_dense", "key_dense", "value_dense", "output_dense"}) {
      auto w = l.weights(part);
      if (w.empty()) w = l.weights(std::string("_") + part);
      all.insert(all.end(), w.begin(), w.end());
    }
  size_t per = use_bias ? 2 : 1;
  if (all.size() != 4 * per)
    c.fail("MultiHeadAttention has " + std::to_string(all.size()) + " weights, expected " + std::to_string(4 * per) +
           " (query, key, value and output kernels" + (use_bias ? " with their biases)" : ")"));
  std::vector<Projection> out(4);
  for (size_t i = 0; i < 4; ++i) {
    out[i].kernel = to_float32(all[i * per]);
    if (use_bias) out[i].bias = to_float32(all[i * per + 1]), out[i].has_bias = true;
  }
  return out;
}

// The tensor passed positionally at `pos` or by keyword `kw`; nullptr when neither.
Value* argument(const LayerCall& l, size_t pos, const char* kw) {
  auto it = l.kwargs.find(kw);
  if (it != l.kwargs.end() && !it->second.empty()) return it->second[0];
  return pos < l.inputs.size() ? l.inputs[pos] : nullptr;
}

}  // namespace

Outs lower_multi_head_attention(Ctx& c, const LayerCall& l) {
  const json& cfg = l.cfg;
  int64_t heads = config_int(cfg.at("num_heads")), key_dim = config_int(cfg.at("key_dim"));
  const json& vd = cfg.value("value_dim", json());
  int64_t value_dim = vd.is_number() && config_int(vd) > 0 ? config_int(vd) : key_dim;
  if (heads <= 0 || key_dim <= 0) c.fail("MultiHeadAttention num_heads and key_dim must be positive");
  bool use_bias = flag(cfg, "use_bias", true);

  Value* query = argument(l, 0, "query");
  Value* value = argument(l, 1, "value");
  Value* key = argument(l, 2, "key");
  if (!query || !value) c.fail("MultiHeadAttention needs query and value inputs");
  if (!key) key = value;
  if (l.inputs.size() > 3) c.fail("MultiHeadAttention: masks passed positionally are not supported (pass attention_mask by keyword)");
  for (Value* v : {query, value, key})
    if (c.need_rank(v) != 3)
      c.fail("MultiHeadAttention over inputs of rank " + std::to_string(c.rank(v)) +
             " is not supported (only [batch, sequence, features])");
  const json& axes = cfg.value("attention_axes", json());
  if (!axes.is_null()) {
    const json& a = axes.is_array() && axes.size() == 1 ? axes[0] : axes;
    if (!a.is_number_integer() || (config_int(a) != 1 && config_int(a) != -2))
      c.fail("MultiHeadAttention attention_axes " + axes.dump() + " is not supported (only the sequence axis)");
  }
  const json& os = cfg.value("output_shape", json());
  if (!os.is_null() && !(os.is_number_integer() || (os.is_array() && os.size() == 1 && os[0].is_number_integer())))
    c.fail("MultiHeadAttention output_shape " + os.dump() + " is not supported (only one output axis)");

  auto w = projections(c, l, use_bias);
  // Shapes the config implies: a damaged file must not be read past.
  int64_t dims[3] = {query->shape.dims[2].is_fixed() ? query->shape.dims[2].value : -1,
                     key->shape.dims[2].is_fixed() ? key->shape.dims[2].value : -1,
                     value->shape.dims[2].is_fixed() ? value->shape.dims[2].value : -1};
  const char* names[4] = {"query", "key", "value", "attention_output"};
  for (int i = 0; i < 3; ++i) {
    int64_t per_head = i == 2 ? value_dim : key_dim;
    const auto& k = w[(size_t)i].kernel.dims;
    if (k.size() != 3 || k[1] != heads || k[2] != per_head || (dims[i] >= 0 && k[0] != dims[i]))
      c.fail(std::string(names[i]) + " kernel has shape " + dims_str(k) + ", expected [" +
             (dims[i] >= 0 ? std::to_string(dims[i]) : "features") + ", " + std::to_string(heads) + ", " +
             std::to_string(per_head) + "]");
    if (use_bias && w[(size_t)i].bias.numel() != heads * per_head)
      c.fail(std::string(names[i]) + " bias has shape " + dims_str(w[(size_t)i].bias.dims) + ", expected [" +
             std::to_string(heads) + ", " + std::to_string(per_head) + "]");
  }
  const auto& ok = w[3].kernel.dims;
  if (ok.size() != 3 || ok[0] != heads || ok[1] != value_dim)
    c.fail(std::string("attention_output kernel has shape ") + dims_str(ok) + ", expected [" + std::to_string(heads) +
           ", " + std::to_string(value_dim) + ", output features]");
  int64_t out_dim = ok[2];
  if (use_bias && w[3].bias.numel() != out_dim)
    c.fail("attention_output bias has shape " + dims_str(w[3].bias.dims) + ", expected [" + std::to_string(out_dim) + "]");

  // x [B,L,F] -> [B,heads,L,per_head]: MatMul with the kernel as [F, heads*per_head].
  auto project = [&](Value* x, const Projection& p, int64_t per_head, const char* hint) {
    Tensor k = p.kernel;
    k.dims = {k.dims[0], heads * per_head};
    Value* y = c.op("MatMul", {x, c.constant(k, std::string(hint) + "_kernel")});
    if (p.has_bias) {
      Tensor b = p.bias;
      b.dims = {heads * per_head};
      y = c.op("Add", {y, c.constant(b, std::string(hint) + "_bias")});
    }
    y = c.op("Reshape", {y, c.i64({0, 0, heads, per_head})});
    return c.transpose(y, {0, 2, 1, 3});
  };
  Value* q = project(query, w[0], key_dim, "query");
  Value* k = project(key, w[1], key_dim, "key");
  Value* v = project(value, w[2], value_dim, "value");
  q = c.op("Mul", {q, c.scalar((float)(1.0 / std::sqrt((double)key_dim)))});
  Value* scores = c.op("MatMul", {q, c.transpose(k, {0, 1, 3, 2})});  // [B,heads,T,S]

  // The attention mask [B,T,S] (true = attend): the attention_mask argument, the Keras masks of
  // query ([B,T,1]) and value / key ([B,1,S]), and the causal mask, all ANDed (Keras's
  // _compute_attention_mask).
  Value* mask = nullptr;
  auto both = [&](Value* m) { mask = mask ? c.op("And", {mask, m}) : m; };
  if (Value* am = argument(l, 99, "attention_mask")) {
    int r = c.need_rank(am);
    if (r < 2 || r > 3) c.fail("MultiHeadAttention attention_mask of rank " + std::to_string(r) + " is not supported (expected [batch, T, S] or [T, S])");
    both(am->dtype == DType::Bool ? am : c.cast(am, DType::Bool));
  }
  for (const char* kw : {"query_mask", "value_mask", "key_mask"})
    if (l.kwargs.count(kw)) c.fail(std::string("MultiHeadAttention: a ") + kw + " argument is not supported");
  if (auto it = c.masks.find(query); it != c.masks.end()) both(c.op("Unsqueeze", {it->second, c.i64({2})}));
  if (auto it = c.masks.find(value); it != c.masks.end()) both(c.op("Unsqueeze", {it->second, c.i64({1})}));
  if (key != value)
    if (auto it = c.masks.find(key); it != c.masks.end()) both(c.op("Unsqueeze", {it->second, c.i64({1})}));
  const json& causal = l.options.value("use_causal_mask", json(false));
  if (!causal.is_boolean()) c.fail("MultiHeadAttention use_causal_mask " + causal.dump() + " is not a boolean");
  if (causal.get<bool>()) {  // row >= column, [T,S]
    auto positions = [&](Value* x) {
      Value* len = c.op("Squeeze", {c.op("Slice", {c.op("Shape", {x}), c.i64({1}), c.i64({2})}), c.i64({0})});
      return c.op("Range", {c.constant(Tensor::i64_scalar(0), "zero"), len, c.constant(Tensor::i64_scalar(1), "one")});
    };
    Value* rows = c.op("Unsqueeze", {positions(query), c.i64({1})});
    both(c.op("GreaterOrEqual", {rows, positions(value)}));
  }
  if (mask) {  // masked scores -1e9 before the softmax (Keras's Softmax with a mask)
    Value* m4 = c.op("Unsqueeze", {mask, c.i64({c.rank(mask) == 2 ? 0 : 1})});
    if (c.rank(m4) == 3) m4 = c.op("Unsqueeze", {m4, c.i64({0})});
    scores = c.op("Where", {m4, scores, c.scalar(-1e9f)});
  }
  Value* probs = c.op("Softmax", {scores}, {{"axis", (int64_t)-1}});
  Value* ctx = c.transpose(c.op("MatMul", {probs, v}), {0, 2, 1, 3});  // [B,T,heads,value_dim]
  ctx = c.op("Reshape", {ctx, c.i64({0, 0, heads * value_dim})});
  Tensor okern = w[3].kernel;
  okern.dims = {heads * value_dim, out_dim};
  Value* y = c.op("MatMul", {ctx, c.constant(okern, "output_kernel")});
  if (w[3].has_bias) y = c.op("Add", {y, c.constant(w[3].bias, "output_bias")});
  if (auto it = c.masks.find(query); it != c.masks.end()) c.masks[y] = it->second;  // Keras keeps the query's mask

  Outs out{y};
  const json& scores_flag = l.options.value("return_attention_scores", json(false));
  if (scores_flag.is_boolean() && scores_flag.get<bool>()) out.push_back(probs);
  return out;
}

}  // namespace modelport::keras

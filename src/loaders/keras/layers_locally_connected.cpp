// Lowering of Keras 2's LocallyConnected1D / LocallyConnected2D (channels_last): a convolution
// whose weights differ at every output position. The three Keras implementations store the same
// function in different layouts:
//   1: kernel [positions, window*channels, filters] (window rows, columns, then channels);
//   2: a dense kernel [in..., channels, out..., filters] of which only window entries count;
//   3: the window entries as a flat list, in the sorted order of their (output index, input index)
//      pairs in a [out*filters, in*channels] sparse matrix.
// All are turned into layout 1 and computed as one Gather of every window (from the input padded
// for 'same') and a per-position MatMul.
#include <algorithm>
#include <tuple>

#include "loaders/keras/layers.h"

namespace modelport::keras {
namespace {

int64_t product(const std::vector<int64_t>& v) {
  int64_t p = 1;
  for (auto x : v) p *= x;
  return p;
}

// Row-major index of `pos` in `dims`, and back.
int64_t ravel(const std::vector<int64_t>& pos, const std::vector<int64_t>& dims) {
  int64_t i = 0;
  for (size_t d = 0; d < dims.size(); ++d) i = i * dims[d] + pos[d];
  return i;
}
std::vector<int64_t> unravel(int64_t i, const std::vector<int64_t>& dims) {
  std::vector<int64_t> pos(dims.size());
  for (size_t d = dims.size(); d-- > 0;) pos[d] = i % dims[d], i /= dims[d];
  return pos;
}

Outs locally_connected(Ctx& c, const LayerCall& l, size_t nd) {
  const json& cfg = l.cfg;
  if (str(cfg, "data_format", "channels_last") != "channels_last")
    c.fail(l.class_name + " with data_format channels_first is not supported");
  Value* x = l.in();
  if (c.need_rank(x) != (int)nd + 2) c.fail(l.class_name + " expects an input of rank " + std::to_string(nd + 2));
  std::vector<int64_t> in;
  for (size_t d = 1; d <= nd + 1; ++d) {
    if (!x->shape.dims[d].is_fixed()) c.fail(l.class_name + " needs fixed spatial and channel sizes (the weights are per position)");
    in.push_back(x->shape.dims[d].value);
  }
  int64_t ch = in.back();
  in.pop_back();
  auto ks = ints(cfg.value("kernel_size", json(1)), nd), st = ints(cfg.value("strides", json(1)), nd);
  std::string padding = str(cfg, "padding", "valid");
  const json impl_j = cfg.value("implementation", json(1));
  int64_t impl = impl_j.is_number_integer() ? config_int(impl_j) : 1;
  if (impl < 1 || impl > 3) c.fail(l.class_name + " implementation " + std::to_string(impl) + " is not 1, 2 or 3");
  if (padding != "valid" && !(padding == "same" && impl != 1))
    c.fail(l.class_name + " padding '" + padding + "' is not supported (Keras allows 'valid', and 'same' with implementation 2 or 3)");
  std::vector<int64_t> out(nd), pad_b(nd), padded(nd);
  for (size_t d = 0; d < nd; ++d) {
    if (ks[d] <= 0 || st[d] <= 0) c.fail(l.class_name + " kernel_size and strides must be positive");
    out[d] = padding == "same" ? (in[d] + st[d] - 1) / st[d] : (in[d] - ks[d]) / st[d] + 1;
    if (out[d] <= 0) c.fail(l.class_name + " kernel is larger than its input");
    pad_b[d] = padding == "same" ? ks[d] / 2 : 0;  // Keras's conv_connected_inputs: window starts at p*s - k/2
    padded[d] = std::max(in[d] + pad_b[d], (out[d] - 1) * st[d] + ks[d]);
  }
  int64_t P = product(out), K = product(ks) * ch, F = config_int(cfg.at("filters"));
  auto w = l.weights();
  if (w.empty()) c.fail(l.class_name + " has no kernel weights");
  std::vector<float> src = floats(w[0]), w1((size_t)(P * K * F), 0.0f);
  const auto& kd = w[0].dims;
  // Every (output position, window offset) in layout-1 order, with the input position it reads
  // (unpadded; outside the input at the borders of 'same') and its index in the padded input.
  struct Tap {
    int64_t p, k, in_index = -1, padded_index = 0;  // in_index -1: outside the input (zero padding)
  };
  std::vector<Tap> taps;
  for (int64_t p = 0; p < P; ++p)
    for (int64_t k = 0; k < product(ks); ++k) {
      auto po = unravel(p, out), kk = unravel(k, ks);
      std::vector<int64_t> pos(nd), ppos(nd);
      bool inside = true;
      for (size_t d = 0; d < nd; ++d) {
        ppos[d] = po[d] * st[d] + kk[d];
        pos[d] = ppos[d] - pad_b[d];
        inside &= pos[d] >= 0 && pos[d] < in[d];
      }
      taps.push_back({p, k, inside ? ravel(pos, in) : -1, ravel(ppos, padded)});
    }
  if (impl == 1) {
    if (kd != std::vector<int64_t>{P, K, F})
      c.fail("kernel has shape " + dims_str(kd) + ", expected " + dims_str({P, K, F}) + " for implementation 1");
    w1 = src;
  } else if (impl == 2) {
    std::vector<int64_t> want = in;
    want.push_back(ch);
    want.insert(want.end(), out.begin(), out.end());
    want.push_back(F);
    if (kd != want) c.fail("kernel has shape " + dims_str(kd) + ", expected " + dims_str(want) + " for implementation 2");
    for (const Tap& t : taps)
      for (int64_t ci = 0; ci < ch && t.in_index >= 0; ++ci)
        for (int64_t f = 0; f < F; ++f)
          w1[(size_t)((t.p * K + t.k * ch + ci) * F + f)] = src[(size_t)(((t.in_index * ch + ci) * P + t.p) * F + f)];
  } else {
    // (output index, input index, slot in layout 1) of every window entry, sorted as Keras sorts them.
    std::vector<std::tuple<int64_t, int64_t, int64_t>> pairs;
    for (const Tap& t : taps)
      for (int64_t ci = 0; ci < ch && t.in_index >= 0; ++ci)
        for (int64_t f = 0; f < F; ++f)
          pairs.emplace_back(t.p * F + f, t.in_index * ch + ci, (t.p * K + t.k * ch + ci) * F + f);
    std::sort(pairs.begin(), pairs.end());
    if ((int64_t)src.size() != (int64_t)pairs.size())
      c.fail("kernel has " + std::to_string(src.size()) + " values, expected " + std::to_string(pairs.size()) +
             " (the window entries) for implementation 3");
    for (size_t i = 0; i < pairs.size(); ++i) w1[(size_t)std::get<2>(pairs[i])] = src[i];
  }

  // Gather indices into the padded input flattened per example: [P, K].
  std::vector<int64_t> idx;
  for (const Tap& t : taps)
    for (int64_t ci = 0; ci < ch; ++ci) idx.push_back(t.padded_index * ch + ci);
  Value* xp = x;
  bool any_pad = false;
  std::vector<int64_t> pads(2 * (nd + 2), 0);
  for (size_t d = 0; d < nd; ++d) {
    pads[d + 1] = pad_b[d];
    pads[nd + 2 + d + 1] = padded[d] - in[d] - pad_b[d];
    any_pad |= pads[d + 1] || pads[nd + 2 + d + 1];
  }
  if (any_pad) xp = c.op("Pad", {x, c.i64(pads)}, {{"mode", std::string("constant")}});
  Value* flat = c.op("Reshape", {xp, c.i64({0, -1})});
  Value* patches = c.op("Gather", {flat, c.constant(Tensor::from_vector(DType::Int64, idx, {P, K}), "window_index")},
                        {{"axis", (int64_t)1}});  // [B,P,K]
  Value* y = c.op("MatMul", {c.transpose(patches, {1, 0, 2}), c.f32(w1, {P, K, F}, "kernel")});  // [P,B,F]
  y = c.transpose(y, {1, 0, 2});
  if (flag(cfg, "use_bias", true) && w.size() > 1) {
    if (w[1].numel() != P * F) c.fail("bias has shape " + dims_str(w[1].dims) + ", expected " + dims_str(out) + " x " + std::to_string(F));
    y = c.op("Add", {y, c.f32(floats(w[1]), {P, F}, "bias")});
  }
  std::vector<int64_t> shape{0};
  shape.insert(shape.end(), out.begin(), out.end());
  shape.push_back(F);
  y = c.op("Reshape", {y, c.i64(shape)});
  return {apply_activation(c, cfg.value("activation", json("linear")), y)};
}

}  // namespace

Outs lower_locally_connected1d(Ctx& c, const LayerCall& l) { return locally_connected(c, l, 1); }
Outs lower_locally_connected2d(Ctx& c, const LayerCall& l) { return locally_connected(c, l, 2); }

}  // namespace modelport::keras

// TF matrix products, softmax, bias, convolutions, pooling and batch norm (NHWC unless stated).
#include <limits>

#include "ops/tf/tf_cases.h"

namespace modelport::test::tf_ops {
namespace {
using B = sm::GraphDefBuilder;

std::vector<float> ramp(size_t n, float scale, float shift = 0.f) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = std::sin(float(i) * 1.7f + shift) * scale;
  return v;
}
at::Tensor tensor(const std::vector<float>& v, std::vector<int64_t> dims) {
  return at::from_blob(const_cast<float*>(v.data()), dims, at::kFloat).clone();
}

// TF SAME padding of one spatial dim: out = ceil(in / s), the total padding split with the extra
// element after (tensorflow/core/framework/kernel_shape_util.cc).
std::pair<int64_t, int64_t> same_pads(int64_t in, int64_t k, int64_t s, int64_t d) {
  int64_t out = (in + s - 1) / s, eff = (k - 1) * d + 1;
  int64_t total = std::max<int64_t>((out - 1) * s + eff - in, 0);
  return {total / 2, total - total / 2};
}
// Channel-last <-> channel-first views of a rank-r tensor.
at::Tensor first(const at::Tensor& t) {
  std::vector<int64_t> p{0, t.dim() - 1};
  for (int64_t i = 1; i + 1 < t.dim(); ++i) p.push_back(i);
  return t.permute(p);
}
at::Tensor last(const at::Tensor& t) {
  std::vector<int64_t> p{0};
  for (int64_t i = 2; i < t.dim(); ++i) p.push_back(i);
  p.push_back(1);
  return t.permute(p).contiguous();
}
// Channel-last x padded for a SAME window (k, s, d per spatial dim), channel first.
at::Tensor same_padded_first(const at::Tensor& x, std::vector<int64_t> k, std::vector<int64_t> s, std::vector<int64_t> d,
                             double value = 0.0) {
  std::vector<int64_t> p;  // constant_pad_nd: last dim first
  for (size_t i = k.size(); i-- > 0;) {
    auto pr = same_pads(x.size(int64_t(1 + i)), k[i], s[i], d[i]);
    p.insert(p.end(), {pr.first, pr.second});
  }
  return at::constant_pad_nd(first(x), p, value);
}

void conv_attrs(tf::NodeDef* n, const char* padding, std::vector<int64_t> strides, std::vector<int64_t> dilations = {1, 1, 1, 1}) {
  B::set_str(n, "padding", padding);
  B::set_ints(n, "strides", strides);
  B::set_ints(n, "dilations", dilations);
  set_type(n, "T", tf::DT_FLOAT);
}

}  // namespace

void add_nn_cases(std::vector<Case>& out) {
  Case mm;
  mm.name = "matmul";
  mm.ops = {"MatMul", "BatchMatMul", "BatchMatMulV2", "BatchMatMulV3", "Einsum"};
  mm.min_opset = 12;  // Einsum is an opset-12 op (refused below with that message)
  mm.inputs = {{"x", {-1, 4}}, {"p", {-1, 3, 4}}, {"q", {-1, 4, 2}}};
  mm.outputs = {"mm", "mm_tb", "bmm", "bmm2", "bmm3", "einsum"};
  static const auto w = ramp(20, 1.f), w2 = ramp(8, 1.f, 0.3f);
  mm.build = [](B& b) {
    b.const_f("w", {4, 5}, w);
    b.const_f("wt", {5, 4}, w);  // another matrix, read transposed
    b.const_f("w2t", {2, 4}, w2);
    b.node("mm", "MatMul", {"x", "w"});
    B::set_bool(b.node("mm_tb", "MatMul", {"x", "wt"}), "transpose_b", true);
    b.node("bmm", "BatchMatMul", {"p", "q"});
    B::set_bool(b.node("bmm2", "BatchMatMulV2", {"p", "w2t"}), "adj_y", true);  // broadcast over the batch
    tf::NodeDef* v3 = b.node("bmm3", "BatchMatMulV3", {"q", "p"});
    B::set_bool(v3, "adj_x", true);
    B::set_bool(v3, "adj_y", true);
    tf::NodeDef* e = b.node("einsum", "Einsum", {"p", "q"});
    B::set_str(e, "equation", "bij,bjk->bik");
    B::set_int(e, "N", 2);
  };
  mm.reference = [](const Tensors& in) {
    auto &x = in[0], &p = in[1], &q = in[2];
    at::Tensor W = tensor(w, {4, 5}), Wt = tensor(w, {5, 4}), W2t = tensor(w2, {2, 4});
    return Tensors{x.matmul(W), x.matmul(Wt.t()), p.matmul(q), p.matmul(W2t.t()),
                   q.transpose(1, 2).matmul(p.transpose(1, 2)), at::einsum("bij,bjk->bik", {p, q})};
  };
  out.push_back(mm);

  Case sm;
  sm.name = "softmax_bias";
  sm.ops = {"Softmax", "LogSoftmax", "BiasAdd", "BiasAddV1"};
  sm.inputs = {{"x", {-1, 3, 4}}, {"img", {-1, 4, -2, -2}}};
  sm.outputs = {"softmax", "log_softmax", "bias", "bias_nchw", "bias_v1"};
  static const std::vector<float> bias = {0.5f, -1.f, 2.f, 0.25f};
  sm.build = [](B& b) {
    b.node("softmax", "Softmax", {"x"});
    b.node("log_softmax", "LogSoftmax", {"x"});
    b.const_f("b", {4}, bias);
    b.node("bias", "BiasAdd", {"x", "b"});  // NHWC: the last dim
    B::set_str(b.node("bias_nchw", "BiasAdd", {"img", "b"}), "data_format", "NCHW");
    b.node("bias_v1", "BiasAddV1", {"x", "b"});
  };
  sm.reference = [](const Tensors& in) {
    at::Tensor bt = tensor(bias, {4});
    return Tensors{in[0].softmax(-1), in[0].log_softmax(-1), in[0] + bt, in[1] + bt.view({1, 4, 1, 1}), in[0] + bt};
  };
  out.push_back(sm);

  // Convolutions: HWIO filters (depthwise: [kh, kw, C, M] -> output channel c * M + m).
  Case conv;
  conv.name = "conv";
  conv.ops = {"Conv2D", "DepthwiseConv2dNative"};
  conv.inputs = {{"x", {-1, -2, -2, 3}}};
  // same_d2: SAME with dilations on an image of unknown size (stride 1: the pads do not depend on it).
  conv.outputs = {"same", "same_s2", "valid_d2", "dw_same", "dw_valid_s2", "same_d2", "dw_same_d2"};
  static const auto f = ramp(3 * 3 * 3 * 4, 0.4f), fd = ramp(3 * 3 * 3 * 2, 0.4f, 1.f);
  conv.build = [](B& b) {
    b.const_f("f", {3, 3, 3, 4}, f);
    b.const_f("fd", {3, 3, 3, 2}, fd);
    conv_attrs(b.node("same", "Conv2D", {"x", "f"}), "SAME", {1, 1, 1, 1});
    conv_attrs(b.node("same_s2", "Conv2D", {"x", "f"}), "SAME", {1, 2, 2, 1});
    conv_attrs(b.node("valid_d2", "Conv2D", {"x", "f"}), "VALID", {1, 1, 1, 1}, {1, 2, 2, 1});
    conv_attrs(b.node("dw_same", "DepthwiseConv2dNative", {"x", "fd"}), "SAME", {1, 1, 1, 1});
    conv_attrs(b.node("dw_valid_s2", "DepthwiseConv2dNative", {"x", "fd"}), "VALID", {1, 2, 2, 1});
    conv_attrs(b.node("same_d2", "Conv2D", {"x", "f"}), "SAME", {1, 1, 1, 1}, {1, 2, 2, 1});
    conv_attrs(b.node("dw_same_d2", "DepthwiseConv2dNative", {"x", "fd"}), "SAME", {1, 1, 1, 1}, {1, 2, 2, 1});
  };
  conv.reference = [](const Tensors& in) {
    const at::Tensor& x = in[0];
    at::Tensor W = tensor(f, {3, 3, 3, 4}).permute({3, 2, 0, 1});
    at::Tensor Wd = tensor(fd, {3, 3, 3, 2}).permute({2, 3, 0, 1}).reshape({6, 1, 3, 3});
    at::Tensor xc = first(x);
    auto conv2d = [](const at::Tensor& in, const at::Tensor& w, int64_t s, int64_t d, int64_t groups) {
      std::vector<int64_t> stride{s, s}, pad{0, 0}, dil{d, d};
      return last(at::conv2d(in, w, at::Tensor(), at::IntArrayRef(stride), at::IntArrayRef(pad), at::IntArrayRef(dil),
                             groups));
    };
    return Tensors{conv2d(same_padded_first(x, {3, 3}, {1, 1}, {1, 1}), W, 1, 1, 1),
                   conv2d(same_padded_first(x, {3, 3}, {2, 2}, {1, 1}), W, 2, 1, 1), conv2d(xc, W, 1, 2, 1),
                   conv2d(same_padded_first(x, {3, 3}, {1, 1}, {1, 1}), Wd, 1, 1, 3), conv2d(xc, Wd, 2, 1, 3),
                   conv2d(same_padded_first(x, {3, 3}, {1, 1}, {2, 2}), W, 1, 2, 1),
                   conv2d(same_padded_first(x, {3, 3}, {1, 1}, {2, 2}), Wd, 1, 2, 3)};
  };
  out.push_back(conv);

  // Grappler's / tfjs-converter's fused ops: the conv or MatMul, then fused_ops[0] (BiasAdd, or
  // FusedBatchNorm with args scale, offset, mean, variance and attr epsilon), then the activation
  // fused_ops[1] (Prelu takes the next argument as alpha); tfjs's Prelu is x < 0 ? alpha * x : x.
  Case fused;
  fused.name = "fused_ops";
  fused.ops = {"_FusedConv2D", "FusedDepthwiseConv2dNative", "_FusedDepthwiseConv2dNative", "_FusedMatMul", "Prelu"};
  fused.inputs = {{"x", {-1, -2, -2, 3}}, {"v", {-1, 4}}};
  // The u_* outputs are the same three computations as TF writes them before grappler fuses them
  // (Conv2D/MatMul, BiasAdd or FusedBatchNormV3, activation): fused and unfused match one reference.
  fused.outputs = {"c_relu", "c_prelu", "c_bn_relu6", "c_leaky", "dw_elu", "dw_relu6", "mm_sigmoid", "mm_tanh", "prelu",
                   "u_relu", "u_bn_relu6", "u_mm_sigmoid"};
  static const auto ff = ramp(3 * 3 * 3 * 4, 0.4f), fdw = ramp(3 * 3 * 3 * 2, 0.4f, 1.f), fw = ramp(20, 1.f, 2.f),
                    fb4 = ramp(4, 0.5f, 0.7f), fb6 = ramp(6, 0.5f, 0.2f), fb5 = ramp(5, 0.5f, 0.9f),
                    alpha = ramp(4, 0.3f, 0.4f), fvar = std::vector<float>{0.5f, 1.5f, 2.f, 0.25f};
  fused.build = [](B& b) {
    b.const_f("f", {3, 3, 3, 4}, ff);
    b.const_f("fd", {3, 3, 3, 2}, fdw);
    b.const_f("w", {5, 4}, fw);  // read transposed
    b.const_f("b4", {4}, fb4);
    b.const_f("b6", {6}, fb6);
    b.const_f("b5", {5}, fb5);
    b.const_f("alpha", {4}, alpha);
    b.const_f("var", {4}, fvar);
    auto fuse = [&](const char* name, const char* op, std::vector<std::string> in, std::vector<std::string> ops,
                    bool conv = true) {
      tf::NodeDef* n = b.node(name, op, in);
      if (conv) conv_attrs(n, "SAME", {1, 1, 1, 1});
      auto* l = (*n->mutable_attr())["fused_ops"].mutable_list();
      for (auto& o : ops) l->add_s(o);
      B::set_int(n, "num_args", int64_t(in.size()) - 2);
      return n;
    };
    fuse("c_relu", "_FusedConv2D", {"x", "f", "b4"}, {"BiasAdd", "Relu"});
    fuse("c_prelu", "_FusedConv2D", {"x", "f", "b4", "alpha"}, {"BiasAdd", "Prelu"});
    B::set_float(fuse("c_bn_relu6", "_FusedConv2D", {"x", "f", "alpha", "b4", "b4", "var"}, {"FusedBatchNorm", "Relu6"}),
                 "epsilon", 0.001f);
    B::set_float(fuse("c_leaky", "_FusedConv2D", {"x", "f", "b4"}, {"BiasAdd", "LeakyRelu"}), "leakyrelu_alpha", 0.3f);
    fuse("dw_elu", "FusedDepthwiseConv2dNative", {"x", "fd", "b6"}, {"BiasAdd", "Elu"});
    fuse("dw_relu6", "_FusedDepthwiseConv2dNative", {"x", "fd", "b6"}, {"BiasAdd", "Relu6"});  // grappler's name
    B::set_bool(fuse("mm_sigmoid", "_FusedMatMul", {"v", "w", "b5"}, {"BiasAdd", "Sigmoid"}, false), "transpose_b", true);
    B::set_bool(fuse("mm_tanh", "_FusedMatMul", {"v", "w", "b5"}, {"BiasAdd", "Tanh"}, false), "transpose_b", true);
    b.node("prelu", "Prelu", {"v", "alpha"});
    conv_attrs(b.node("u_conv", "Conv2D", {"x", "f"}), "SAME", {1, 1, 1, 1});
    b.node("u_bias", "BiasAdd", {"u_conv", "b4"});
    b.node("u_relu", "Relu", {"u_bias"});
    tf::NodeDef* ubn = b.node("u_bn", "FusedBatchNormV3", {"u_conv", "alpha", "b4", "b4", "var"});
    B::set_bool(ubn, "is_training", false);
    B::set_float(ubn, "epsilon", 0.001f);
    b.node("u_bn_relu6", "Relu6", {"u_bn"});
    B::set_bool(b.node("u_mm", "MatMul", {"v", "w"}), "transpose_b", true);
    b.node("u_mm_bias", "BiasAdd", {"u_mm", "b5"});
    b.node("u_mm_sigmoid", "Sigmoid", {"u_mm_bias"});
  };
  fused.reference = [](const Tensors& in) {
    const at::Tensor &x = in[0], &v = in[1];
    at::Tensor W = tensor(ff, {3, 3, 3, 4}).permute({3, 2, 0, 1});
    at::Tensor Wd = tensor(fdw, {3, 3, 3, 2}).permute({2, 3, 0, 1}).reshape({6, 1, 3, 3});
    at::Tensor b4 = tensor(fb4, {4}), b6 = tensor(fb6, {6}), b5 = tensor(fb5, {5}), a = tensor(alpha, {4});
    auto conv = [&](const at::Tensor& w, int64_t groups) {
      std::vector<int64_t> one{1, 1}, zero{0, 0};
      return last(at::conv2d(same_padded_first(x, {3, 3}, {1, 1}, {1, 1}), w, at::Tensor(), at::IntArrayRef(one),
                             at::IntArrayRef(zero), at::IntArrayRef(one), groups));
    };
    auto prelu = [](const at::Tensor& t, const at::Tensor& al) { return at::where(t < 0, t * al, t); };
    at::Tensor c = conv(W, 1);
    at::Tensor mm = v.matmul(tensor(fw, {5, 4}).t()) + b5;
    at::Tensor bn = (c - b4) * (a / (tensor(fvar, {4}) + 0.001f).sqrt()) + b4;
    return Tensors{at::relu(c + b4), prelu(c + b4, a), bn.clamp(0, 6), at::leaky_relu(c + b4, 0.3),
                   at::elu(conv(Wd, 3) + b6), (conv(Wd, 3) + b6).clamp(0, 6), at::sigmoid(mm), at::tanh(mm), prelu(v, a),
                   at::relu(c + b4), bn.clamp(0, 6), at::sigmoid(mm)};
  };
  out.push_back(fused);

  // Pooling: SAME max pooling ignores the padding; SAME average pooling divides by the number of
  // real (unpadded) elements in each window (TF's kernels).
  Case pool;
  pool.name = "pool";
  pool.ops = {"MaxPool", "AvgPool"};
  pool.inputs = {{"x", {-1, -2, -2, 3}}};
  pool.outputs = {"max_same", "max_valid", "avg_same", "avg_valid"};
  pool.build = [](B& b) {
    auto window = [&](const char* name, const char* op, const char* padding, std::vector<int64_t> k, std::vector<int64_t> s) {
      tf::NodeDef* n = b.node(name, op, {"x"});
      B::set_str(n, "padding", padding);
      B::set_ints(n, "ksize", k);
      B::set_ints(n, "strides", s);
    };
    window("max_same", "MaxPool", "SAME", {1, 3, 3, 1}, {1, 2, 2, 1});
    window("max_valid", "MaxPool", "VALID", {1, 2, 3, 1}, {1, 1, 2, 1});
    window("avg_same", "AvgPool", "SAME", {1, 3, 3, 1}, {1, 2, 2, 1});
    window("avg_valid", "AvgPool", "VALID", {1, 2, 2, 1}, {1, 2, 1, 1});
  };
  pool.reference = [](const Tensors& in) {
    const at::Tensor& x = in[0];
    double inf = std::numeric_limits<double>::infinity();
    at::Tensor xc = first(x);
    at::Tensor sums = at::avg_pool2d(same_padded_first(x, {3, 3}, {2, 2}, {1, 1}), 3, 2) * 9.0;
    at::Tensor counts = at::avg_pool2d(same_padded_first(at::ones_like(x), {3, 3}, {2, 2}, {1, 1}), 3, 2) * 9.0;
    return Tensors{last(at::max_pool2d(same_padded_first(x, {3, 3}, {2, 2}, {1, 1}, -inf), 3, 2)),
                   last(at::max_pool2d(xc, {2, 3}, {1, 2})), last(sums / counts), last(at::avg_pool2d(xc, 2, {2, 1}))};
  };
  out.push_back(pool);

  // MaxPoolWithArgmax: the max pool and the flat NHWC index of each maximum, (y * W + x) * C + c,
  // plus b * H * W * C with include_batch_in_index (the padding never counts). SAME 3x3 stride 2
  // on odd sizes pads 1 on each side, so ATen's symmetric padding gives TF's windows.
  Case mpa;
  mpa.name = "max_pool_with_argmax";
  mpa.ops = {"MaxPoolWithArgmax"};
  mpa.inputs = {{"x", {-1, -2, -2, 3}}};
  mpa.outputs = {"same", "same:1", "valid_batch", "valid_batch:1"};
  mpa.build = [](B& b) {
    auto window = [&](const char* name, const char* padding, std::vector<int64_t> k, std::vector<int64_t> s) {
      tf::NodeDef* n = b.node(name, "MaxPoolWithArgmax", {"x"});
      B::set_str(n, "padding", padding);
      B::set_ints(n, "ksize", k);
      B::set_ints(n, "strides", s);
      return n;
    };
    window("same", "SAME", {1, 3, 3, 1}, {1, 2, 2, 1});
    B::set_bool(window("valid_batch", "VALID", {1, 2, 2, 1}, {1, 2, 2, 1}), "include_batch_in_index", true);
  };
  mpa.reference = [](const Tensors& in) {
    const at::Tensor& x = in[0];
    int64_t n = x.size(0), h = x.size(1), w = x.size(2), ch = x.size(3);
    at::Tensor chan = at::arange(ch, at::kLong).view({1, 1, 1, ch}), batch = at::arange(n, at::kLong).view({n, 1, 1, 1});
    auto pool = [&](int64_t k, int64_t s, int64_t pad, bool with_batch) {
      auto [y, plane] = at::max_pool2d_with_indices(first(x), {k, k}, {s, s}, {pad, pad});  // plane: y * W + x
      at::Tensor idx = last(plane) * ch + chan;
      if (with_batch) idx = idx + batch * (h * w * ch);
      return std::make_pair(last(y), idx);
    };
    auto [same, same_i] = pool(3, 2, 1, false);
    auto [valid, valid_i] = pool(2, 2, 0, true);
    return Tensors{same, same_i, valid, valid_i};
  };
  out.push_back(mpa);

  // ExtractImagePatches: [B, oh, ow, kh * kw * C], each patch flattened as (row, col, channel),
  // rates dilating the window, zeros in the SAME padding (tf.image.extract_patches).
  Case patches;
  patches.name = "extract_image_patches";
  patches.ops = {"ExtractImagePatches"};
  patches.inputs = {{"x", {-1, -2, -2, 3}}, {"z", {-1, 6, 7, 2}}};  // z: SAME with rates needs known H, W
  patches.outputs = {"same_s2", "valid_rate", "same_rate"};
  patches.build = [](B& b) {
    auto extract = [&](const char* name, const char* padding, std::vector<int64_t> k, std::vector<int64_t> s,
                       std::vector<int64_t> r) -> tf::NodeDef& {
      tf::NodeDef* n = b.node(name, "ExtractImagePatches", {"x"});
      B::set_str(n, "padding", padding);
      B::set_ints(n, "ksizes", k);
      B::set_ints(n, "strides", s);
      B::set_ints(n, "rates", r);
      return *n;
    };
    extract("same_s2", "SAME", {1, 3, 3, 1}, {1, 2, 2, 1}, {1, 1, 1, 1});
    extract("valid_rate", "VALID", {1, 2, 3, 1}, {1, 1, 2, 1}, {1, 2, 1, 1});
    extract("same_rate", "SAME", {1, 2, 2, 1}, {1, 1, 1, 1}, {1, 2, 2, 1}).set_input(0, "z");
  };
  patches.reference = [](const Tensors& in) {
    auto extract = [&](const at::Tensor& x, std::vector<int64_t> k, std::vector<int64_t> s, std::vector<int64_t> r,
                       bool same) {
      at::Tensor xc = same ? same_padded_first(x, k, s, r) : first(x).contiguous();
      at::Tensor cols = at::im2col(xc, k, r, {0, 0}, s);  // [B, C * kh * kw, L], (c, ky, kx)
      int64_t oh = (xc.size(2) - (k[0] - 1) * r[0] - 1) / s[0] + 1, ow = (xc.size(3) - (k[1] - 1) * r[1] - 1) / s[1] + 1;
      int64_t n = x.size(0), ch = x.size(3), kk = k[0] * k[1];
      return cols.view({n, ch, kk, oh, ow}).permute({0, 3, 4, 2, 1}).reshape({n, oh, ow, kk * ch});
    };
    return Tensors{extract(in[0], {3, 3}, {2, 2}, {1, 1}, true), extract(in[0], {2, 3}, {1, 2}, {2, 1}, false),
                   extract(in[1], {2, 2}, {1, 1}, {2, 2}, true)};
  };
  out.push_back(patches);

  // FusedBatchNorm in inference: (x - mean) / sqrt(var + epsilon) * scale + offset, channel last.
  Case bn;
  bn.name = "fused_batch_norm";
  bn.ops = {"FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"};
  bn.inputs = {{"x", {-1, -2, 2, 3}}};
  bn.outputs = {"bn1", "bn2", "bn3"};
  static const std::vector<float> scale = {1.5f, -0.5f, 2.f}, offset = {0.1f, 0.2f, -0.3f}, mean = {0.3f, -0.2f, 0.f},
                                  var = {0.5f, 2.f, 1.f};
  bn.build = [](B& b) {
    b.const_f("scale", {3}, scale);
    b.const_f("offset", {3}, offset);
    b.const_f("mean", {3}, mean);
    b.const_f("var", {3}, var);
    const char* ops[] = {"FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"};
    for (int i = 0; i < 3; ++i) {
      tf::NodeDef* n = b.node("bn" + std::to_string(i + 1), ops[i], {"x", "scale", "offset", "mean", "var"});
      B::set_bool(n, "is_training", false);
      B::set_float(n, "epsilon", 0.001f * float(i + 1));
    }
  };
  bn.reference = [](const Tensors& in) {
    Tensors r;
    for (int i = 0; i < 3; ++i)
      r.push_back((in[0] - tensor(mean, {3})) / (tensor(var, {3}) + 0.001 * (i + 1)).sqrt() * tensor(scale, {3}) +
                  tensor(offset, {3}));
    return r;
  };
  out.push_back(bn);

  // 3-D convolution and pooling (NDHWC, DHWIO filters): SAME and VALID, strides and dilations per
  // spatial dim, SAME average pooling dividing by the real elements of each window.
  Case v;
  v.name = "conv_pool_3d";
  v.ops = {"Conv3D", "MaxPool3D", "AvgPool3D"};
  v.inputs = {{"x", {-1, -2, 5, 5, 2}}};
  v.outputs = {"conv_same", "conv_valid", "max_same", "avg_same", "avg_valid"};
  static const auto f3 = ramp(2 * 3 * 3 * 2 * 3, 0.4f, 0.5f);
  v.build = [](B& b) {
    b.const_f("f", {2, 3, 3, 2, 3}, f3);
    // data_format as TF writes it (tfjs reads it; the other tests leave NHWC to the default)
    tf::NodeDef* same = b.node("conv_same", "Conv3D", {"x", "f"});
    conv_attrs(same, "SAME", {1, 1, 2, 1, 1});
    B::set_str(same, "data_format", "NDHWC");
    tf::NodeDef* valid = b.node("conv_valid", "Conv3D", {"x", "f"});
    conv_attrs(valid, "VALID", {1, 2, 1, 1, 1}, {1, 1, 2, 1, 1});
    B::set_str(valid, "data_format", "NDHWC");
    auto window = [&](const char* name, const char* op, const char* padding, std::vector<int64_t> k, std::vector<int64_t> s) {
      tf::NodeDef* n = b.node(name, op, {"x"});
      B::set_str(n, "data_format", "NDHWC");
      B::set_str(n, "padding", padding);
      B::set_ints(n, "ksize", k);
      B::set_ints(n, "strides", s);
      set_type(n, "T", tf::DT_FLOAT);
    };
    window("max_same", "MaxPool3D", "SAME", {1, 2, 3, 3, 1}, {1, 2, 2, 1, 1});
    window("avg_same", "AvgPool3D", "SAME", {1, 3, 2, 3, 1}, {1, 1, 2, 2, 1});
    window("avg_valid", "AvgPool3D", "VALID", {1, 2, 2, 2, 1}, {1, 2, 1, 2, 1});
  };
  v.reference = [](const Tensors& in) {
    const at::Tensor& x = in[0];
    double inf = std::numeric_limits<double>::infinity();
    at::Tensor W = tensor(f3, {2, 3, 3, 2, 3}).permute({4, 3, 0, 1, 2});
    auto conv3d = [&](const at::Tensor& xin, std::vector<int64_t> s, std::vector<int64_t> d) {
      std::vector<int64_t> zero{0, 0, 0};
      return last(at::conv3d(xin, W, at::Tensor(), s, zero, d));
    };
    at::Tensor sums = at::avg_pool3d(same_padded_first(x, {3, 2, 3}, {1, 2, 2}, {1, 1, 1}), {3, 2, 3}, {1, 2, 2}) * 18.0;
    at::Tensor counts =
        at::avg_pool3d(same_padded_first(at::ones_like(x), {3, 2, 3}, {1, 2, 2}, {1, 1, 1}), {3, 2, 3}, {1, 2, 2}) * 18.0;
    return Tensors{conv3d(same_padded_first(x, {2, 3, 3}, {1, 2, 1}, {1, 1, 1}), {1, 2, 1}, {1, 1, 1}),
                   conv3d(first(x), {2, 1, 1}, {1, 2, 1}),
                   last(at::max_pool3d(same_padded_first(x, {2, 3, 3}, {2, 2, 1}, {1, 1, 1}, -inf), {2, 3, 3}, {2, 2, 1})),
                   last(sums / counts), last(at::avg_pool3d(first(x), {2, 2, 2}, {2, 1, 2}))};
  };
  out.push_back(v);

  // tf.nn.local_response_normalization: x / (bias + alpha * sum of x^2 over channels c - r..c + r)^beta,
  // with TF's defaults (r 5, bias 1, alpha 1, beta 0.5) and others.
  Case lrn;
  lrn.name = "lrn";
  lrn.ops = {"LRN"};
  lrn.inputs = {{"x", {-1, 3, -2, 7}}};
  lrn.outputs = {"lrn_default", "lrn_r2"};
  lrn.build = [](B& b) {
    b.node("lrn_default", "LRN", {"x"});
    tf::NodeDef* n = b.node("lrn_r2", "LRN", {"x"});
    B::set_int(n, "depth_radius", 2);
    B::set_float(n, "bias", 2.f);
    B::set_float(n, "alpha", 0.1f);
    B::set_float(n, "beta", 0.75f);
  };
  lrn.reference = [](const Tensors& in) {
    auto ref = [&](int64_t r, double bias, double alpha, double beta) {
      at::Tensor sums = at::constant_pad_nd(in[0].pow(2), {r, r}).unfold(-1, 2 * r + 1, 1).sum(-1);
      return in[0] / (bias + alpha * sums).pow(beta);
    };
    return Tensors{ref(5, 1, 1, 0.5), ref(2, 2, 0.1, 0.75)};
  };
  out.push_back(lrn);

  // Grappler's _FusedBatchNormEx: inference FusedBatchNormV3, plus the side input, then Relu (or
  // Identity, the default).
  Case bnx;
  bnx.name = "fused_batch_norm_ex";
  bnx.ops = {"_FusedBatchNormEx"};
  bnx.inputs = {{"x", {-1, -2, 2, 3}}, {"side", {-1, -2, 2, 3}}};
  bnx.outputs = {"bn_side_relu", "bn_identity"};
  bnx.build = [](B& b) {
    b.const_f("scale", {3}, scale);
    b.const_f("offset", {3}, offset);
    b.const_f("mean", {3}, mean);
    b.const_f("var", {3}, var);
    tf::NodeDef* n = b.node("bn_side_relu", "_FusedBatchNormEx", {"x", "scale", "offset", "mean", "var", "side"});
    B::set_int(n, "num_side_inputs", 1);
    B::set_str(n, "activation_mode", "Relu");
    B::set_float(n, "epsilon", 0.002f);
    B::set_bool(n, "is_training", false);
    tf::NodeDef* m = b.node("bn_identity", "_FusedBatchNormEx", {"x", "scale", "offset", "mean", "var"});
    B::set_bool(m, "is_training", false);
  };
  bnx.reference = [](const Tensors& in) {
    auto norm = [&](double eps) {
      return (in[0] - tensor(mean, {3})) / (tensor(var, {3}) + eps).sqrt() * tensor(scale, {3}) + tensor(offset, {3});
    };
    return Tensors{at::relu(norm(0.002) + in[1]), norm(0.0001)};
  };
  out.push_back(bnx);

  // tf.nn.conv3d_transpose's op Conv3DBackpropInputV2: the gradient of a forward Conv3D (SAME or
  // VALID, strided) with respect to its input of size input_sizes, computed here by ATen's
  // convolution backward on the (SAME-)padded forward input, the padding then cut off.
  Case bp;
  bp.name = "conv3d_backprop_input";
  bp.ops = {"Conv3DBackpropInputV2"};
  bp.inputs = {{"dy", {2, 4, 3, 3, 3}}, {"dy2", {2, 2, 3, 2, 3}}};
  bp.outputs = {"same", "valid"};
  static const auto fb = ramp(2 * 3 * 3 * 2 * 3, 0.4f, 0.9f);
  bp.build = [](B& b) {
    b.const_f("f", {2, 3, 3, 2, 3}, fb);
    b.const_i("sizes", {2, 4, 5, 6, 2});
    tf::NodeDef* same = b.node("same", "Conv3DBackpropInputV2", {"sizes", "f", "dy"});
    conv_attrs(same, "SAME", {1, 1, 2, 2, 1}, {1, 1, 1, 1, 1});
    tf::NodeDef* valid = b.node("valid", "Conv3DBackpropInputV2", {"sizes", "f", "dy2"});
    conv_attrs(valid, "VALID", {1, 2, 1, 2, 1}, {1, 1, 1, 1, 1});
  };
  bp.reference = [](const Tensors& in) {
    at::Tensor W = tensor(fb, {2, 3, 3, 2, 3}).permute({4, 3, 0, 1, 2}).contiguous();
    auto grad = [&](const at::Tensor& dy, std::vector<int64_t> s, std::vector<int64_t> pads) {  // pads: begin, end per dim
      std::vector<int64_t> sizes{2, 2, 4 + pads[0] + pads[1], 5 + pads[2] + pads[3], 6 + pads[4] + pads[5]};
      std::vector<int64_t> zero{0, 0, 0}, one{1, 1, 1};
      at::Tensor g = std::get<0>(at::convolution_backward(first(dy).contiguous(), at::zeros(sizes), W, at::OptionalIntArrayRef(), s, zero,
                                                          one, false, zero, 1, {true, false, false}));
      for (int64_t i = 0; i < 3; ++i) g = g.narrow(2 + i, pads[size_t(2 * i)], g.size(2 + i) - pads[size_t(2 * i)] - pads[size_t(2 * i + 1)]);
      return last(g);
    };
    auto d = same_pads(4, 2, 1, 1), h = same_pads(5, 3, 2, 1), w = same_pads(6, 3, 2, 1);
    return Tensors{grad(in[0], {1, 2, 2}, {d.first, d.second, h.first, h.second, w.first, w.second}),
                   grad(in[1], {2, 1, 2}, {0, 0, 0, 0, 0, 0})};
  };
  out.push_back(bp);
}

}  // namespace modelport::test::tf_ops

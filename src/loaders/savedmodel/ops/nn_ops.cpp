// Activations, Softmax, BiasAdd, convolutions, pooling, batch norm. TF's channel-last (NHWC)
// layout is handled by wrapping the ONNX (channel-first) op in Transposes; the transpose_opt pass
// removes the pairs that cancel.
#include <cmath>

#include "translators.h"
#include "ops/infer.h"

namespace modelport::tf {
namespace {

template <const char* Op>
std::vector<Value*> activation(OpCtx& c) { return {c.op(Op, {c.input(0)})}; }
constexpr char kRelu[] = "Relu", kSigmoid[] = "Sigmoid", kTanh[] = "Tanh", kSoftplus[] = "Softplus",
               kSoftsign[] = "Softsign";

std::vector<Value*> relu6(OpCtx& c) {
  Value* x = c.input(0);
  return {c.op("Clip", {x, c.c_scalar(x->dtype, 0), c.c_scalar(x->dtype, 6)})};
}
std::vector<Value*> elu(OpCtx& c) { return {c.op("Elu", {c.input(0)}, {{"alpha", 1.0f}})}; }
std::vector<Value*> selu(OpCtx& c) {
  return {c.op("Selu", {c.input(0)}, {{"alpha", 1.6732632423543772f}, {"gamma", 1.0507009873554805f}})};
}
std::vector<Value*> leaky_relu(OpCtx& c) {
  return {c.op("LeakyRelu", {c.input(0)}, {{"alpha", c.attr_float("alpha", 0.2f)}})};
}
template <const char* Op>
std::vector<Value*> softmax(OpCtx& c) {
  return {c.op(Op, {c.input(0)}, {{"axis", int64_t(-1)}})};
}
constexpr char kSoftmax[] = "Softmax", kLogSoftmax[] = "LogSoftmax";

bool channels_last(OpCtx& c) { return c.attr_str("data_format", "NHWC").rfind("NC", 0) != 0; }

// Channel-last <-> channel-first permutations for rank r.
std::vector<int64_t> to_first_perm(size_t r) {
  std::vector<int64_t> p{0, int64_t(r) - 1};
  for (size_t i = 1; i + 1 < r; ++i) p.push_back(int64_t(i));
  return p;
}
std::vector<int64_t> to_last_perm(size_t r) {
  std::vector<int64_t> p{0};
  for (size_t i = 2; i < r; ++i) p.push_back(int64_t(i));
  p.push_back(1);
  return p;
}

std::vector<Value*> bias_add(OpCtx& c) {
  Value *x = c.input(0), *b = c.input(1);
  if (!channels_last(c)) {
    if (!x->shape.rank_known) c.fail("NCHW BiasAdd needs a known input rank");
    std::vector<int64_t> shape{-1};
    for (size_t i = 2; i < x->shape.rank(); ++i) shape.push_back(1);
    Value* r = c.op("Reshape", {b, c.c_i64(shape)});
    b = r;
  }
  return {c.op("Add", {x, b})};
}

// Spatial geometry of a conv/pool in channel-first terms.
struct Window {
  std::vector<int64_t> kernel, strides, dilations, pads;  // pads: begins then ends
  bool auto_same = false;
};

// `attr4` values are given in the node's data format; returns the spatial entries.
std::vector<int64_t> spatial(const std::vector<int64_t>& v, bool last, size_t nsp, int64_t def) {
  if (v.empty()) return std::vector<int64_t>(nsp, def);
  std::vector<int64_t> out;
  for (size_t i = 0; i < nsp; ++i) out.push_back(v[last ? 1 + i : 2 + i]);
  return out;
}

Window window(OpCtx& c, const Shape& xs_first, std::vector<int64_t> kernel, bool last) {
  size_t nsp = kernel.size();
  Window w;
  w.kernel = std::move(kernel);
  w.strides = spatial(c.attr_ints("strides"), last, nsp, 1);
  w.dilations = spatial(c.attr_ints("dilations"), last, nsp, 1);
  std::string padding = c.attr_str("padding", "VALID");
  w.pads.assign(2 * nsp, 0);
  if (padding == "EXPLICIT") {
    auto ep = c.attr_ints("explicit_paddings");
    if (ep.size() != 2 * (nsp + 2)) c.fail("bad explicit_paddings");
    for (size_t i = 0; i < nsp; ++i) {
      size_t d = last ? 1 + i : 2 + i;
      w.pads[i] = ep[2 * d];
      w.pads[nsp + i] = ep[2 * d + 1];
    }
  } else if (padding == "SAME") {
    // TF's SAME pads (out - 1) * s + eff - in in total, the extra one at the end. With stride 1 that
    // is eff - 1 whatever the size, so only a strided axis of unknown size needs ONNX's auto_pad.
    for (size_t i = 0; i < nsp; ++i) {
      const Dim* d = xs_first.rank_known && xs_first.rank() == nsp + 2 ? &xs_first.dims[2 + i] : nullptr;
      int64_t s = w.strides[i], eff = (w.kernel[i] - 1) * w.dilations[i] + 1, total = eff - 1;
      if (d && d->is_fixed()) {
        int64_t in = d->value, out = (in + s - 1) / s;
        total = std::max<int64_t>((out - 1) * s + eff - in, 0);
      } else if (s != 1) {
        w.auto_same = true;
      }
      w.pads[i] = total / 2;
      w.pads[nsp + i] = total - total / 2;
    }
    bool dilated = std::any_of(w.dilations.begin(), w.dilations.end(), [](int64_t v) { return v != 1; });
    if (w.auto_same && dilated)
      c.fail("SAME padding with both strides > 1 and dilations > 1 needs the spatial size known (ONNX Runtime's Conv "
             "does not dilate with auto_pad); give the input's size with --input");
  } else if (padding != "VALID") {
    c.fail("unsupported padding '" + padding + "'");
  }
  return w;
}

void window_attrs(const Window& w, std::map<std::string, Attribute>& a, bool dilations) {
  a["kernel_shape"] = w.kernel;
  a["strides"] = w.strides;
  if (dilations) a["dilations"] = w.dilations;
  if (w.auto_same) a["auto_pad"] = std::string("SAME_UPPER");
  else a["pads"] = w.pads;
}

// Runs `body` on the channel-first view of input 0 and returns the result in the node's layout.
template <class F>
Value* channel_first(OpCtx& c, Value* x, F body) {
  bool last = channels_last(c);
  if (!last) return body(x);
  if (!x->shape.rank_known) c.fail("channel-last input needs a known rank");
  size_t r = x->shape.rank();
  Value* y = body(c.transpose(x, to_first_perm(r)));
  return c.transpose(y, to_last_perm(r));
}

std::vector<Value*> conv(OpCtx& c, bool depthwise) {
  Value *x = c.input(0), *f = c.input(1);
  bool last = channels_last(c);
  if (!f->shape.rank_known || f->shape.rank() < 3 || !f->shape.all_fixed()) c.fail("filter shape must be known");
  size_t nsp = f->shape.rank() - 2;
  std::vector<int64_t> fd;
  for (auto& d : f->shape.dims) fd.push_back(d.value);
  int64_t cin = fd[nsp], cout = fd[nsp + 1];
  // TF filter [k..., in, out] -> ONNX [out, in, k...]; depthwise [k..., C, M] -> [C*M, 1, k...].
  std::vector<int64_t> perm{int64_t(nsp) + 1, int64_t(nsp)};
  if (depthwise) perm = {int64_t(nsp), int64_t(nsp) + 1};
  for (size_t i = 0; i < nsp; ++i) perm.push_back(int64_t(i));
  std::vector<int64_t> wdims{depthwise ? cin * cout : cout, depthwise ? 1 : cin};
  for (size_t i = 0; i < nsp; ++i) wdims.push_back(fd[i]);
  Value* w;
  if (f->constant) {
    Tensor t = permute_tensor(*f->constant, perm);
    t.dims = wdims;
    w = c.g.add_constant(f->name, std::move(t));
  } else {
    w = c.op("Reshape", {c.transpose(f, perm), c.c_i64(wdims)});
  }
  std::vector<int64_t> kernel(fd.begin(), fd.begin() + long(nsp));
  return {channel_first(c, x, [&](Value* xf) {
    Window win = window(c, xf->shape, kernel, last);
    int64_t group = 1;
    if (depthwise) group = cin;
    else if (xf->shape.rank_known && xf->shape.dims[1].is_fixed() && cin > 0 && xf->shape.dims[1].value != cin)
      group = xf->shape.dims[1].value / cin;
    std::map<std::string, Attribute> a{{"group", group}};
    window_attrs(win, a, true);
    return c.op("Conv", {xf, w}, a);
  })};
}
std::vector<Value*> conv2d(OpCtx& c) { return conv(c, false); }
std::vector<Value*> depthwise_conv2d(OpCtx& c) { return conv(c, true); }

template <bool Max>
std::vector<Value*> pool(OpCtx& c) {
  Value* x = c.input(0);
  bool last = channels_last(c);
  auto ksize = c.attr_ints("ksize");
  if (ksize.size() < 4) c.fail("bad ksize");
  std::vector<int64_t> kernel = spatial(ksize, last, ksize.size() - 2, 1);
  return {channel_first(c, x, [&](Value* xf) {
    Window win = window(c, xf->shape, kernel, last);
    std::map<std::string, Attribute> a;
    window_attrs(win, a, false);
    if (!Max) a["count_include_pad"] = int64_t(0);
    return c.op(Max ? "MaxPool" : "AveragePool", {xf}, a);
  })};
}

// MaxPoolWithArgmax(input NHWC) {ksize, strides, padding, Targmax = int64,
// include_batch_in_index = false}: ONNX MaxPool's Indices flatten the NCHW input,
// i = ((b * C + c) * H + y) * W + x; TF's argmax flattens NHWC, (y * W + x) * C + c, plus
// b * H * W * C when include_batch_in_index. Padding never counts in either.
std::vector<Value*> max_pool_with_argmax(OpCtx& c) {
  Value* x = c.input(0);
  if (!x->shape.rank_known || x->shape.rank() != 4) c.fail("input must have rank 4 (NHWC)");
  auto ksize = c.attr_ints("ksize");
  if (ksize.size() != 4) c.fail("ksize must have 4 entries");
  Value* xf = c.transpose(x, {0, 3, 1, 2});
  Window win = window(c, xf->shape, spatial(ksize, true, 2, 1), true);
  std::map<std::string, Attribute> a;
  window_attrs(win, a, false);
  Node* pool = c.add("MaxPool", {xf}, 2, a);
  Value* shape = c.op("Shape", {xf});
  Value* channels = c.op("Slice", {shape, c.c_i64({1}), c.c_i64({2})});
  Value* plane = c.op("ReduceProd", {c.op("Slice", {shape, c.c_i64({2}), c.c_i64({4})})}, {{"keepdims", int64_t(1)}});
  Value* i = pool->outputs[1];
  Value* bc = c.op("Div", {i, plane});  // b * C + c
  Value* tf_index = c.op("Add", {c.op("Mul", {c.op("Mod", {i, plane}), channels}), c.op("Mod", {bc, channels})});
  if (c.attr_bool("include_batch_in_index", false)) {
    Value* batch = c.op("Div", {bc, channels});
    tf_index = c.op("Add", {tf_index, c.op("Mul", {batch, c.op("Mul", {plane, channels})})});
  }
  DType t = c.attr_type("Targmax");
  if (t != DType::Undefined && t != DType::Int64) tf_index = c.cast(tf_index, t);
  return {c.transpose(pool->outputs[0], {0, 2, 3, 1}), c.transpose(tf_index, {0, 2, 3, 1})};
}

// ExtractImagePatches(images NHWC) {ksizes, strides, rates, padding}: [B, oh, ow, kh * kw * C],
// each patch flattened as (row, col, channel), zeros where it reaches into SAME padding. A grouped
// Conv whose one-hot filter copies tap (ky, kx) of channel c to output channel c * K + ky * kw + kx
// (K = kh * kw); the channels are then reordered to (ky, kx, c). Exact: every other product is 0.
std::vector<Value*> extract_image_patches(OpCtx& c) {
  Value* x = c.input(0);
  if (!x->shape.rank_known || x->shape.rank() != 4) c.fail("images must have rank 4 (NHWC)");
  const Dim& ch = x->shape.dims[3];
  if (!ch.is_fixed()) c.fail("the channel count must be known");
  if (x->dtype != DType::Float32) c.fail(std::string("images of type ") + dtype_name(x->dtype) + " are not supported (float32 only)");
  auto ksizes = c.attr_ints("ksizes"), rates = c.attr_ints("rates");
  if (ksizes.size() != 4 || ksizes[0] != 1 || ksizes[3] != 1) c.fail("ksizes must be [1, rows, cols, 1]");
  if (!rates.empty() && (rates.size() != 4 || rates[0] != 1 || rates[3] != 1)) c.fail("rates must be [1, rows, cols, 1]");
  int64_t kh = ksizes[1], kw = ksizes[2], k = kh * kw, channels = ch.value;
  std::vector<float> filter(size_t(channels * k * k), 0.f);
  for (int64_t o = 0; o < channels * k; ++o) filter[size_t(o * k + o % k)] = 1.f;  // [C * K, 1, kh, kw]
  Value* w = c.g.add_constant(c.node.name + "/patch_filter", Tensor::from_vector(DType::Float32, filter, {channels * k, 1, kh, kw}));
  Value* xf = c.transpose(x, {0, 3, 1, 2});
  std::vector<int64_t> r = spatial(rates, true, 2, 1);
  Window win = window(c, xf->shape, {(kh - 1) * r[0] + 1, (kw - 1) * r[1] + 1}, true);  // SAME pads of the dilated window
  if (win.auto_same && (r[0] > 1 || r[1] > 1))
    c.fail("SAME padding with strides > 1 and rates > 1 needs the image height and width known (ONNX Runtime's Conv "
           "does not dilate with auto_pad)");
  win.kernel = {kh, kw};
  win.dilations = r;
  std::map<std::string, Attribute> a{{"group", channels}};
  window_attrs(win, a, true);
  Value* y = c.transpose(c.op("Conv", {xf, w}, a), {0, 2, 3, 1});  // [B, oh, ow, C * K]
  y = c.op("Reshape", {y, c.c_i64({0, 0, 0, channels, k})});
  y = c.transpose(y, {0, 1, 2, 4, 3});
  return {c.op("Reshape", {y, c.c_i64({0, 0, 0, k * channels})})};
}

std::vector<Value*> fused_batch_norm(OpCtx& c) {
  if (c.attr_bool("is_training", true)) c.fail("is_training=true (training-mode batch norm) is not supported");
  Value* x = c.input(0);
  float eps = c.attr_float("epsilon", 0.0001f);
  Value* y = channel_first(c, x, [&](Value* xf) {
    return c.op("BatchNormalization", {xf, c.input(1), c.input(2), c.input(3), c.input(4)}, {{"epsilon", eps}});
  });
  return {y, c.input(3), c.input(4), c.input(3), c.input(4), nullptr};
}

// LRN(input NHWC) {depth_radius, bias, alpha, beta}: x / (bias + alpha * sum of squares over
// channels c - r..c + r)^beta. ONNX LRN divides alpha by its window size 2r + 1: alpha is scaled
// back. Always channel last.
std::vector<Value*> lrn(OpCtx& c) {
  Value* x = c.input(0);
  if (!x->shape.rank_known || x->shape.rank() != 4) c.fail("input must have rank 4");
  int64_t size = 2 * c.attr_int("depth_radius", 5) + 1;
  std::map<std::string, Attribute> a{{"size", size},
                                     {"alpha", c.attr_float("alpha", 1.f) * float(size)},
                                     {"beta", c.attr_float("beta", 0.5f)},
                                     {"bias", c.attr_float("bias", 1.f)}};
  return {c.transpose(c.op("LRN", {c.transpose(x, to_first_perm(4))}, a), to_last_perm(4))};
}

// Conv2DBackpropInput / Conv3DBackpropInputV2(input_sizes, filter [k..., out_c, in_c],
// out_backprop) -> ConvTranspose. The forward conv's geometry (pads from the forward input size
// `input_sizes`) gives the pads; the remainder up to input_sizes becomes output_padding, so the
// result has exactly input_sizes.
std::vector<Value*> conv_backprop_input(OpCtx& c) {
  Value *f = c.input(1), *dy = c.input(2);
  bool last = channels_last(c);
  std::vector<int64_t> sizes = c.const_ints(0, "input_sizes");
  if (!f->shape.rank_known || f->shape.rank() < 4 || !f->shape.all_fixed()) c.fail("filter shape must be known");
  const size_t nsp = f->shape.rank() - 2, r = nsp + 2;
  if (sizes.size() != r) c.fail("input_sizes must have " + std::to_string(r) + " entries");
  std::vector<int64_t> fd;
  for (auto& d : f->shape.dims) fd.push_back(d.value);
  int64_t cin = fd[nsp];  // forward conv: in = our output channels, out = dy channels
  // TF filter [k..., Cres, Cdy] -> ONNX ConvTranspose W [Cdy, Cres, k...] (no flip needed).
  std::vector<int64_t> perm{int64_t(nsp) + 1, int64_t(nsp)};
  for (size_t i = 0; i < nsp; ++i) perm.push_back(int64_t(i));
  Value* w;
  if (f->constant) w = c.g.add_constant(f->name, permute_tensor(*f->constant, perm));
  else w = c.transpose(f, perm);
  // The forward input (= our output) in channel-first order.
  std::vector<int64_t> res_first = sizes;
  if (last) {
    res_first = {sizes[0], sizes[r - 1]};
    res_first.insert(res_first.end(), sizes.begin() + 1, sizes.end() - 1);
  }
  if (res_first[1] != cin) c.fail("input_sizes channels do not match the filter");
  std::vector<int64_t> kernel(fd.begin(), fd.begin() + long(nsp));
  return {channel_first(c, dy, [&](Value* dyf) {
    Window win = window(c, Shape::of(res_first), kernel, last);
    std::vector<int64_t> out_pad(nsp, 0);
    for (size_t i = 0; i < nsp; ++i) {
      int64_t H = res_first[2 + i], s = win.strides[i], eff = (kernel[i] - 1) * win.dilations[i] + 1;
      int64_t pb = win.pads[i], pe = win.pads[nsp + i];
      int64_t in = (H + pb + pe - eff) / s + 1;  // the forward conv's output size (dy's spatial size)
      if (dyf->shape.rank_known && dyf->shape.rank() == r && dyf->shape.dims[2 + i].is_fixed() &&
          dyf->shape.dims[2 + i].value != in)
        c.fail("out_backprop spatial size does not match input_sizes");
      out_pad[i] = H - ((in - 1) * s + eff - pb - pe);
      if (out_pad[i] < 0 || out_pad[i] >= std::max(s, win.dilations[i])) c.fail("inconsistent input_sizes");
    }
    std::map<std::string, Attribute> a{{"kernel_shape", kernel}, {"strides", win.strides},
                                       {"dilations", win.dilations}, {"pads", win.pads}};
    if (out_pad != std::vector<int64_t>(nsp, 0)) a["output_padding"] = out_pad;
    Value* y = c.op("ConvTranspose", {dyf, w}, a);
    // input_sizes fixes the spatial dims, which ONNX derives from dy's only when those are fixed.
    std::vector<Dim> dims{Dim::unknown()};
    for (size_t i = 1; i < r; ++i) dims.push_back(Dim::fixed(res_first[i]));
    ops::assume_shape(*y, Shape(dims));
    return y;
  })};
}

// ResizeBilinear / ResizeNearestNeighbor(images NHWC, size [h, w]) -> Resize with `sizes`. TF's
// kernels: align_corners maps with (in-1)/(out-1) and rounds (roundf: halves away from zero) for
// nearest; half_pixel_centers is (x+0.5)*s-0.5 for bilinear but (x+0.5)*s floored for nearest
// (ONNX tf_half_pixel_for_nn); otherwise x*s floored (asymmetric).
template <bool Linear>
std::vector<Value*> resize(OpCtx& c) {
  Value* x = c.input(0);
  bool align = c.attr_bool("align_corners", false), half = c.attr_bool("half_pixel_centers", false);
  if (align && half) c.fail("align_corners and half_pixel_centers are mutually exclusive");
  if (!x->shape.rank_known || x->shape.rank() != 4) c.fail("images must have rank 4");
  std::map<std::string, Attribute> a{{"mode", std::string(Linear ? "linear" : "nearest")}};
  a["coordinate_transformation_mode"] =
      std::string(align ? "align_corners" : half ? (Linear ? "half_pixel" : "tf_half_pixel_for_nn") : "asymmetric");
  if (!Linear) a["nearest_mode"] = std::string(align ? "round_prefer_ceil" : "floor");
  // TF computes ResizeBilinear in float and returns float32 whatever the image type; ONNX Resize
  // keeps the input type (an int32 image would be truncated).
  if (Linear && x->dtype != DType::Float32) x = c.cast(x, DType::Float32);
  // images are always NHWC: transpose to NCHW and back.
  Value* xf = c.transpose(x, to_first_perm(4));
  const Dim &n = xf->shape.dims[0], &ch = xf->shape.dims[1];
  Value* sizes;
  if (const Tensor* st = c.const_input(1)) {
    auto hw = st->to_int_vector();
    if (hw.size() != 2) c.fail("size must have 2 entries");
    if (n.is_fixed() && ch.is_fixed()) sizes = c.c_i64({n.value, ch.value, hw[0], hw[1]});
    else {
      Value* shp = c.op("Shape", {xf});
      Value* nc = c.op("Slice", {shp, c.c_i64({0}), c.c_i64({2})});
      sizes = c.op("Concat", {nc, c.c_i64(hw)}, {{"axis", int64_t(0)}});
    }
  } else {
    Value* shp = c.op("Shape", {xf});
    Value* nc = c.op("Slice", {shp, c.c_i64({0}), c.c_i64({2})});
    sizes = c.op("Concat", {nc, c.to_i64(c.input(1))}, {{"axis", int64_t(0)}});
  }
  Value* y = c.op("Resize", {xf, nullptr, nullptr, sizes}, a);
  return {c.transpose(y, to_last_perm(4))};
}
}  // namespace

void register_nn_ops(OpTable& t) {
  t["Relu"] = activation<kRelu>;
  t["Sigmoid"] = activation<kSigmoid>;
  t["Tanh"] = activation<kTanh>;
  t["Softplus"] = activation<kSoftplus>;
  t["Softsign"] = activation<kSoftsign>;
  t["Relu6"] = relu6;
  t["Elu"] = elu;
  t["Selu"] = selu;
  t["LeakyRelu"] = leaky_relu;
  t["Softmax"] = softmax<kSoftmax>;
  t["LogSoftmax"] = softmax<kLogSoftmax>;
  t["BiasAdd"] = t["BiasAddV1"] = bias_add;
  t["Conv2D"] = t["Conv3D"] = conv2d;  // the filter's rank gives the spatial dims
  t["DepthwiseConv2dNative"] = depthwise_conv2d;
  t["Conv2DBackpropInput"] = t["Conv3DBackpropInputV2"] = conv_backprop_input;
  t["ResizeBilinear"] = resize<true>;
  t["ResizeNearestNeighbor"] = resize<false>;
  t["MaxPool"] = t["MaxPool3D"] = pool<true>;
  t["MaxPoolWithArgmax"] = max_pool_with_argmax;
  t["ExtractImagePatches"] = extract_image_patches;
  t["AvgPool"] = t["AvgPool3D"] = pool<false>;
  t["LRN"] = lrn;
  t["FusedBatchNorm"] = t["FusedBatchNormV2"] = t["FusedBatchNormV3"] = fused_batch_norm;
}

}  // namespace modelport::tf

// Image resampling ops that ONNX Resize does not express exactly: ResizeBicubic (TF samples its
// cubic kernel from a 1024-step table, with its own edge rules) and ResizeArea (box averaging over
// fractional pixel areas), both as two constant weight matrices, and CropAndResize (bilinear or
// nearest samples of normalised boxes, gathered with GatherND). Images are NHWC; all return
// float32 as TF does.
#include <algorithm>
#include <cmath>

#include "translators.h"

namespace modelport::tf {
namespace {

// TF's resize scale: (in - 1) / (out - 1) with align_corners (and out > 1), else in / out.
float resize_scale(int64_t in, int64_t out, bool align) {
  return align && out > 1 ? float(in - 1) / float(out - 1) : float(in) / float(out);
}

// ResizeArea's weights along one axis (resize_area_op.cc), divided by the scale: output o covers
// input [o * s, (o + 1) * s); each input cell i weighs the length of its overlap (indices
// clamped to the image). Row-major [out, in], or [in, out] when `transposed`.
std::vector<float> area_weights(int64_t in, int64_t out, bool align, bool /*half*/, bool transposed) {
  float s = resize_scale(in, out, align);
  std::vector<float> w(size_t(in * out), 0.f);
  for (int64_t o = 0; o < out; ++o) {
    float lo = float(o) * s, hi = float(o + 1) * s;
    for (int64_t i = int64_t(std::floor(lo)); i < int64_t(std::ceil(hi)); ++i) {
      float part = float(i) < lo ? (float(i + 1) > hi ? s : float(i + 1) - lo) : (float(i + 1) > hi ? hi - float(i) : 1.f);
      int64_t b = std::min(in - 1, std::max<int64_t>(0, i));
      w[size_t(transposed ? b * out + o : o * in + b)] += part / s;
    }
  }
  return w;
}

// ResizeBicubic's weights along one axis (resize_bicubic_op.cc): Keys' kernel (a = -0.5 with
// half_pixel_centers, else -0.75) read from TF's table at the nearest of 1024 steps, taps
// floor(loc) - 1 .. + 2 clamped to the edge; with half_pixel_centers the taps outside the image
// weigh 0 and the rest are renormalised.
std::vector<float> bicubic_weights(int64_t in, int64_t out, bool align, bool half, bool transposed) {
  constexpr int64_t kTable = 1024;
  float s = resize_scale(in, out, align), a = half ? -0.5f : -0.75f;
  auto near = [a](float d) { return ((a + 2) * d - (a + 3)) * d * d + 1; };        // |d| <= 1
  auto far = [a](float d) { return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a; };  // 1 <= |d| <= 2
  std::vector<float> w(size_t(in * out), 0.f);
  for (int64_t o = 0; o < out; ++o) {
    float loc = half ? (float(o) + 0.5f) * s - 0.5f : float(o) * s;
    int64_t base = int64_t(std::floor(loc));
    float t = float(std::lrint((loc - float(base)) * float(kTable))) / float(kTable);
    float taps[4] = {far(t + 1), near(t), near(1 - t), far(2 - t)}, sum = 0.f;
    for (int k = 0; k < 4; ++k) {
      int64_t i = base - 1 + k;
      if (half && (i < 0 || i >= in)) taps[k] = 0.f;
      sum += taps[k];
    }
    for (int k = 0; k < 4; ++k) {
      int64_t b = std::min(in - 1, std::max<int64_t>(0, base - 1 + k));
      w[size_t(transposed ? b * out + o : o * in + b)] += half ? taps[k] / sum : taps[k];
    }
  }
  return w;
}

using AxisWeights = std::vector<float> (*)(int64_t in, int64_t out, bool align, bool half, bool transposed);

// out = Wh . image . Ww^T per channel of images NHWC resized to the constant `size` [h, w]; the
// image's height and width must be known.
std::vector<Value*> separable_resize(OpCtx& c, AxisWeights weights, bool half) {
  Value* x = c.input(0);
  if (!x->shape.rank_known || x->shape.rank() != 4) c.fail("images must have rank 4");
  const Dim &h = x->shape.dims[1], &w = x->shape.dims[2];
  if (!h.is_fixed() || !w.is_fixed()) c.fail("the image height and width must be known (weights are built when converting)");
  std::vector<int64_t> size = c.const_ints(1, "size");
  if (size.size() != 2 || size[0] < 1 || size[1] < 1) c.fail("size must hold 2 positive entries");
  bool align = c.attr_bool("align_corners", false);
  if (align && half) c.fail("align_corners and half_pixel_centers are mutually exclusive");
  if (x->dtype != DType::Float32) x = c.cast(x, DType::Float32);
  Value* wh = c.g.add_constant(c.node.name + "/rows", Tensor::from_vector(DType::Float32, weights(h.value, size[0], align, half, false),
                                                                          {size[0], h.value}));
  Value* ww = c.g.add_constant(c.node.name + "/cols", Tensor::from_vector(DType::Float32, weights(w.value, size[1], align, half, true),
                                                                          {w.value, size[1]}));
  Value* y = c.op("MatMul", {c.op("MatMul", {wh, c.transpose(x, {0, 3, 1, 2})}), ww});  // [B, C, h, w]
  return {c.transpose(y, {0, 2, 3, 1})};
}

// ResizeArea(images, size) {align_corners} (no half-pixel form).
std::vector<Value*> resize_area(OpCtx& c) { return separable_resize(c, area_weights, false); }

// ResizeBicubic(images, size) {align_corners, half_pixel_centers}.
std::vector<Value*> resize_bicubic(OpCtx& c) {
  return separable_resize(c, bicubic_weights, c.attr_bool("half_pixel_centers", false));
}

// Column `k` of boxes [N, 4] as [N, 1].
Value* box_column(OpCtx& c, Value* boxes, int64_t k) {
  return c.op("Slice", {boxes, c.c_i64({k}), c.c_i64({k + 1}), c.c_i64({1})});
}

// Sample positions of one axis, [N, n] (crop_and_resize_op.cc): lo * (size - 1) + i * (hi - lo) *
// (size - 1) / (n - 1), or the box centre when n is 1.
Value* sample_positions(OpCtx& c, Value* lo, Value* hi, Value* size_m1, int64_t n) {
  auto f = [&](double v) { return c.c_scalar(DType::Float32, v); };
  if (n == 1) return c.op("Mul", {c.op("Mul", {f(0.5), c.op("Add", {lo, hi})}), size_m1});
  Value* step = c.op("Div", {c.op("Mul", {c.op("Sub", {hi, lo}), size_m1}), f(double(n - 1))});
  std::vector<float> steps(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) steps[size_t(i)] = float(i);
  Value* idx = c.g.add_constant(c.node.name + "/steps", Tensor::from_vector(DType::Float32, steps, {1, n}));
  return c.op("Add", {c.op("Mul", {lo, size_m1}), c.op("Mul", {idx, step})});
}

// CropAndResize(image [B, H, W, C], boxes [N, 4] (y1, x1, y2, x2 normalised), box_ind [N],
// crop_size [h, w]) {method = bilinear | nearest, extrapolation_value = 0}: [N, h, w, C]; samples
// outside the image take extrapolation_value.
std::vector<Value*> crop_and_resize(OpCtx& c) {
  Value *image = c.input(0), *boxes = c.input(1);
  std::string method = c.attr_str("method", "bilinear");
  if (method != "bilinear" && method != "nearest") c.fail("method '" + method + "' is not bilinear or nearest");
  std::vector<int64_t> crop = c.const_ints(3, "crop_size");
  if (crop.size() != 2 || crop[0] < 1 || crop[1] < 1) c.fail("crop_size must hold 2 positive entries");
  if (image->dtype != DType::Float32) image = c.cast(image, DType::Float32);
  if (boxes->dtype != DType::Float32) boxes = c.cast(boxes, DType::Float32);
  auto f = [&](double v) { return c.c_scalar(DType::Float32, v); };
  Value* shape = c.op("Shape", {image});
  auto size_m1 = [&](int64_t axis) {
    Value* d = c.op("Slice", {shape, c.c_i64({axis}), c.c_i64({axis + 1})});
    return c.op("Sub", {c.cast(d, DType::Float32), f(1)});
  };
  Value *hm1 = size_m1(1), *wm1 = size_m1(2);
  Value* ys = sample_positions(c, box_column(c, boxes, 0), box_column(c, boxes, 2), hm1, crop[0]);  // [N, h]
  Value* xs = sample_positions(c, box_column(c, boxes, 1), box_column(c, boxes, 3), wm1, crop[1]);  // [N, w]
  auto inside = [&](Value* v, Value* m1) {
    return c.op("And", {c.op("GreaterOrEqual", {v, f(0)}), c.op("LessOrEqual", {v, m1})});
  };
  auto unsq = [&](Value* v, std::vector<int64_t> axes) { return c.op("Unsqueeze", {v, c.c_i64(axes)}); };
  Value* valid = c.op("And", {unsq(inside(ys, hm1), {2, 3}), unsq(inside(xs, wm1), {1, 3})});  // [N, h, w, 1]
  // [N, h, w, 1] index parts, expanded and joined into GatherND tuples (batch, y, x).
  Value* grid = c.op("Concat", {c.op("Slice", {c.op("Shape", {boxes}), c.c_i64({0}), c.c_i64({1})}), c.c_i64({crop[0], crop[1], 1})},
                     {{"axis", int64_t(0)}});
  Value* batch = c.op("Expand", {unsq(c.to_i64(c.input(2)), {1, 2, 3}), grid});
  auto index = [&](Value* v, Value* m1) {  // clamped into the image, int64
    return c.cast(c.op("Max", {c.op("Min", {v, m1}), f(0)}), DType::Int64);
  };
  auto gather = [&](Value* yi, Value* xi) {
    Value* tuple = c.op("Concat", {batch, c.op("Expand", {unsq(yi, {2, 3}), grid}), c.op("Expand", {unsq(xi, {1, 3}), grid})},
                        {{"axis", int64_t(3)}});
    return c.op("GatherND", {image, tuple});
  };
  Value* y;
  if (method == "nearest") {  // roundf: the positions that count are >= 0, so floor(v + 0.5)
    auto nearest = [&](Value* v, Value* m1) { return index(c.op("Floor", {c.op("Add", {v, f(0.5)})}), m1); };
    y = gather(nearest(ys, hm1), nearest(xs, wm1));
  } else {
    Value *top = c.op("Floor", {ys}), *left = c.op("Floor", {xs});
    Value *ty = index(top, hm1), *by = index(c.op("Ceil", {ys}), hm1);
    Value *lx = index(left, wm1), *rx = index(c.op("Ceil", {xs}), wm1);
    Value* y_lerp = unsq(c.op("Sub", {ys, top}), {2, 3});
    Value* x_lerp = unsq(c.op("Sub", {xs, left}), {1, 3});
    auto lerp = [&](Value* a, Value* b, Value* t) { return c.op("Add", {a, c.op("Mul", {c.op("Sub", {b, a}), t})}); };
    Value* upper = lerp(gather(ty, lx), gather(ty, rx), x_lerp);
    Value* lower = lerp(gather(by, lx), gather(by, rx), x_lerp);
    y = lerp(upper, lower, y_lerp);
  }
  return {c.op("Where", {valid, y, f(c.attr_float("extrapolation_value", 0.f))})};
}

}  // namespace

void register_image_ops(OpTable& t) {
  t["ResizeArea"] = resize_area;
  t["ResizeBicubic"] = resize_bicubic;
  t["CropAndResize"] = crop_and_resize;
}

}  // namespace modelport::tf

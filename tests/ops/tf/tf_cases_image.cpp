// TF image resampling ops that are not ONNX Resize's modes one for one: ResizeBicubic (TF's cubic
// table), ResizeArea (fractional box averages) and CropAndResize (normalised boxes). NHWC.
#include <algorithm>
#include <cmath>

#include "ops/tf/tf_cases.h"

namespace modelport::test::tf_ops {
namespace {
using B = sm::GraphDefBuilder;

// TF's ResizeBicubic along one axis as an [out, in] weight matrix (resize_bicubic_op.cc): Keys'
// kernel (a = -0.5 with half_pixel_centers, else -0.75) sampled from a table of 1024 steps, taps
// at floor(loc) - 1 .. + 2 clamped to the edge; with half_pixel_centers the taps outside are
// dropped and the weights renormalised.
at::Tensor bicubic_weights(int64_t in, int64_t out, bool align, bool half) {
  float scale = align && out > 1 ? float(in - 1) / float(out - 1) : float(in) / float(out);
  float a = half ? -0.5f : -0.75f;
  auto near = [a](float d) { return ((a + 2) * d - (a + 3)) * d * d + 1; };        // |d| <= 1
  auto far = [a](float d) { return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a; };  // 1 < |d| < 2
  at::Tensor w = at::zeros({out, in}, at::kDouble);
  for (int64_t o = 0; o < out; ++o) {
    float loc = half ? (float(o) + 0.5f) * scale - 0.5f : float(o) * scale;
    int64_t base = int64_t(std::floor(loc));
    float t = float(std::lrint((loc - float(base)) * 1024.f)) / 1024.f;
    float taps[4] = {far(1 + t), near(t), near(1 - t), far(2 - t)}, sum = 0.f;
    for (int k = 0; k < 4; ++k) {
      int64_t i = base - 1 + k, bounded = std::min(in - 1, std::max<int64_t>(0, i));
      if (half && bounded != i) taps[k] = 0.f;
      sum += taps[k];
    }
    for (int k = 0; k < 4; ++k) {
      int64_t bounded = std::min(in - 1, std::max<int64_t>(0, base - 1 + k));
      w[o][bounded] += double(half ? taps[k] / sum : taps[k]);
    }
  }
  return w;
}
at::Tensor tf_bicubic(const at::Tensor& x, int64_t oh, int64_t ow, bool align, bool half) {
  at::Tensor wy = bicubic_weights(x.size(1), oh, align, half), wx = bicubic_weights(x.size(2), ow, align, half);
  return at::einsum("yh,bhwc,xw->byxc", {wy, x.to(at::kDouble), wx}).to(at::kFloat);
}

// TF's ResizeArea along one axis as an [out, in] matrix (resize_area_op.cc): output o averages
// input [o * s, (o + 1) * s), each cell weighted by its overlap, indices clamped to the image.
at::Tensor area_matrix(int64_t in, int64_t out, bool align) {
  double s = align && out > 1 ? double(in - 1) / double(out - 1) : double(in) / double(out);
  at::Tensor w = at::zeros({out, in}, at::kDouble);
  for (int64_t o = 0; o < out; ++o) {
    double lo = double(o) * s, hi = double(o + 1) * s;
    for (int64_t i = int64_t(std::floor(lo)); i < int64_t(std::ceil(hi)); ++i) {
      double overlap = std::min(double(i + 1), hi) - std::max(double(i), lo);
      w[o][std::min(in - 1, std::max<int64_t>(0, i))] += overlap / s;
    }
  }
  return w;
}
at::Tensor tf_area(const at::Tensor& x, int64_t oh, int64_t ow, bool align) {
  at::Tensor wy = area_matrix(x.size(1), oh, align), wx = area_matrix(x.size(2), ow, align);
  return at::einsum("yh,bhwc,xw->byxc", {wy, x.to(at::kDouble), wx}).to(at::kFloat);
}

// TF's CropAndResize (crop_and_resize_op.cc), element by element: sample (i, j) of box n is at
// y1 * (H - 1) + i * (y2 - y1) * (H - 1) / (h - 1) (the centre when h is 1), likewise x;
// bilinear between floor and ceil, or the nearest pixel (roundf); outside the image: `extra`.
at::Tensor tf_crop(const at::Tensor& img, const std::vector<float>& boxes, const std::vector<int32_t>& ind, int64_t ch,
                   int64_t cw, bool nearest, float extra) {
  int64_t n = int64_t(ind.size()), H = img.size(1), W = img.size(2), C = img.size(3);
  at::Tensor out = at::full({n, ch, cw, C}, extra);
  auto pos = [](float lo, float hi, int64_t size, int64_t k, int64_t count) {
    if (count == 1) return 0.5f * (lo + hi) * float(size - 1);
    return lo * float(size - 1) + float(k) * ((hi - lo) * float(size - 1) / float(count - 1));
  };
  for (int64_t b = 0; b < n; ++b) {
    const float* bx = &boxes[size_t(4 * b)];
    at::Tensor im = img[ind[size_t(b)]];
    for (int64_t i = 0; i < ch; ++i) {
      float y = pos(bx[0], bx[2], H, i, ch);
      if (y < 0 || y > float(H - 1)) continue;
      for (int64_t j = 0; j < cw; ++j) {
        float x = pos(bx[1], bx[3], W, j, cw);
        if (x < 0 || x > float(W - 1)) continue;
        if (nearest) {
          out[b][i][j] = im[int64_t(std::round(y))][int64_t(std::round(x))];
          continue;
        }
        int64_t t = int64_t(std::floor(y)), bo = int64_t(std::ceil(y)), l = int64_t(std::floor(x)), r = int64_t(std::ceil(x));
        float dy = y - float(t), dx = x - float(l);
        at::Tensor top = im[t][l] + (im[t][r] - im[t][l]) * dx, bottom = im[bo][l] + (im[bo][r] - im[bo][l]) * dx;
        out[b][i][j] = top + (bottom - top) * dy;
      }
    }
  }
  return out;
}

}  // namespace

void add_image_cases(std::vector<Case>& out) {
  // ResizeBicubic in its three coordinate modes (legacy x * in/out, align_corners, half-pixel),
  // upsampling and downsampling (5/3, 7/4: sample positions between TF's table steps).
  Case bic;
  bic.name = "resize_bicubic";
  bic.ops = {"ResizeBicubic"};
  bic.inputs = {{"x", {-1, 5, 7, 3}}};
  bic.outputs = {"legacy", "align", "half", "down_half", "down_legacy"};
  bic.build = [](B& b) {
    b.const_i("up", {10, 14});
    b.const_i("up_align", {9, 13});
    b.const_i("down", {3, 4});
    b.node("legacy", "ResizeBicubic", {"x", "up"});
    B::set_bool(b.node("align", "ResizeBicubic", {"x", "up_align"}), "align_corners", true);
    B::set_bool(b.node("half", "ResizeBicubic", {"x", "up"}), "half_pixel_centers", true);
    B::set_bool(b.node("down_half", "ResizeBicubic", {"x", "down"}), "half_pixel_centers", true);
    b.node("down_legacy", "ResizeBicubic", {"x", "down"});
  };
  bic.reference = [](const Tensors& in) {
    const at::Tensor& x = in[0];
    return Tensors{tf_bicubic(x, 10, 14, false, false), tf_bicubic(x, 9, 13, true, false), tf_bicubic(x, 10, 14, false, true),
                   tf_bicubic(x, 3, 4, false, true), tf_bicubic(x, 3, 4, false, false)};
  };
  out.push_back(bic);

  // ResizeArea: 6x8 -> 3x4 is the mean of each 2x2 block (checked against avg_pool2d); 6x8 -> 4x5
  // and align_corners weigh the cells by their fractional overlaps.
  Case area;
  area.name = "resize_area";
  area.ops = {"ResizeArea"};
  area.inputs = {{"x", {-1, 6, 8, 3}}};
  area.outputs = {"blocks", "fractional", "align"};
  area.build = [](B& b) {
    b.const_i("half", {3, 4});
    b.const_i("odd", {4, 5});
    b.node("blocks", "ResizeArea", {"x", "half"});
    b.node("fractional", "ResizeArea", {"x", "odd"});
    B::set_bool(b.node("align", "ResizeArea", {"x", "odd"}), "align_corners", true);
  };
  area.reference = [](const Tensors& in) {
    const at::Tensor& x = in[0];
    at::Tensor blocks = at::avg_pool2d(x.permute({0, 3, 1, 2}), 2).permute({0, 2, 3, 1});
    return Tensors{blocks, tf_area(x, 4, 5, false), tf_area(x, 4, 5, true)};
  };
  out.push_back(area);

  // CropAndResize: boxes inside, reaching outside (extrapolation_value), flipped (y1 > y2) and
  // from the second image; bilinear and nearest; a one-row crop samples the box centre.
  static const std::vector<float> boxes = {0.1f, 0.2f, 0.8f, 0.9f, -0.3f, 0.f, 0.6f, 1.4f, 0.9f, 0.7f, 0.2f, 0.1f,
                                           0.f, 0.f, 1.f, 1.f};
  static const std::vector<int32_t> box_ind = {0, 1, 0, 1};
  Case crop;
  crop.name = "crop_and_resize";
  crop.ops = {"CropAndResize"};
  crop.inputs = {{"img", {2, -2, -2, 3}}};
  crop.outputs = {"bilinear", "nearest", "centre_row"};
  crop.build = [](B& b) {
    b.const_f("boxes", {4, 4}, boxes);
    b.const_i("box_ind", box_ind);
    b.const_i("size34", {3, 4});
    b.const_i("size12", {1, 2});
    B::set_float(b.node("bilinear", "CropAndResize", {"img", "boxes", "box_ind", "size34"}), "extrapolation_value", -2.f);
    B::set_str(b.node("nearest", "CropAndResize", {"img", "boxes", "box_ind", "size34"}), "method", "nearest");
    b.node("centre_row", "CropAndResize", {"img", "boxes", "box_ind", "size12"});
  };
  crop.reference = [](const Tensors& in) {
    return Tensors{tf_crop(in[0], boxes, box_ind, 3, 4, false, -2.f), tf_crop(in[0], boxes, box_ind, 3, 4, true, 0.f),
                   tf_crop(in[0], boxes, box_ind, 1, 2, false, 0.f)};
  };
  out.push_back(crop);
}

}  // namespace modelport::test::tf_ops

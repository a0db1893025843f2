// F.interpolate as TorchScript records it: aten::upsample_* (output_size or scale_factors
// overloads) -> Resize. Sizes computed from symbolic dims stay in the graph (Shape/Gather/Mul);
// scale factors become Resize's `scales` input so the output follows the input size at run time.
//   nearest          asymmetric + nearest_mode floor   (torch: src = floor(dst / scale))
//   nearest-exact    half_pixel + round_prefer_ceil    (torch: src = floor((dst + 0.5) / scale))
//   linear/cubic     align_corners, or pytorch_half_pixel; cubic_coeff_a = -0.75 as torch
#include <cmath>

#include "loaders/torchscript/ops/graph_build.h"
#include "loaders/torchscript/registry.h"

namespace modelport::ts {
namespace {

struct Kind {
  std::string mode;  // nearest | linear | cubic
  bool exact = false;
  size_t n = 2;      // spatial rank
};

Kind kind_of(Ctx& c) {
  std::string k = c.node->kind().toUnqualString();
  Kind r;
  r.n = k.find("1d") != std::string::npos ? 1 : k.find("3d") != std::string::npos ? 3 : 2;
  r.exact = k.find("exact") != std::string::npos;
  r.mode = k.find("nearest") != std::string::npos ? "nearest" : k.find("bicubic") != std::string::npos ? "cubic" : "linear";
  return r;
}

void lower_upsample(Ctx& c) {
  Kind k = kind_of(c);
  Value* x = c.tensor(0);
  if (x->shape.rank_known && x->shape.rank() != k.n + 2)
    c.fail("expected a rank-" + std::to_string(k.n + 2) + " input, got rank " + std::to_string(x->shape.rank()));
  bool align = false;
  if (auto a = c.arg_index("align_corners")) align = c.bool_arg(*a);
  if (align && k.mode == "nearest") c.fail("align_corners is only valid for linear/cubic modes");

  // Either the output size or per-axis scale factors.
  std::optional<LVal> size;
  std::vector<double> scales;
  if (auto sf = c.arg_index("scale_factors")) {  // .vec overload
    const LVal& s = c.in(*sf);
    if (!s.is_none()) {
      if (!s.is_seq()) c.fail("scale_factors must be a constant float list");
      for (auto& v : s.items) {
        if (!v.is_number()) c.fail("scale_factors must be constants, got " + v.describe());
        scales.push_back(v.number());
      }
      if (scales.size() == 1) scales.assign(k.n, scales[0]);
    }
    auto os = c.arg_index("output_size");
    if (scales.empty()) {
      if (!os || c.in(*os).is_none()) c.fail("neither output_size nor scale_factors is given");
      size = c.in(*os);
    }
  } else {  // (self, output_size, [align_corners,] scales_*...): sizes unless every scale is given
    size = c.in(1);
    for (size_t i = 0; i < c.num_inputs(); ++i) {
      std::string name = c.node->schema().arguments()[i].name();
      if (name.rfind("scales", 0) != 0) continue;
      if (c.in(i).is_none()) { scales.clear(); break; }
      scales.push_back(c.double_arg(i));
    }
    if (scales.size() != k.n) scales.clear();
    else size.reset();
  }
  if (!scales.empty() && scales.size() != k.n)
    c.fail("expected " + std::to_string(k.n) + " scale factors, got " + std::to_string(scales.size()));

  std::map<std::string, Attribute> attrs = {{"mode", k.mode}};
  if (k.mode == "nearest") {
    attrs["coordinate_transformation_mode"] = std::string(k.exact ? "half_pixel" : "asymmetric");
    attrs["nearest_mode"] = std::string(k.exact ? "round_prefer_ceil" : "floor");
  } else {
    attrs["coordinate_transformation_mode"] = std::string(align ? "align_corners" : "pytorch_half_pixel");
    if (k.mode == "cubic") attrs["cubic_coeff_a"] = -0.75f;
  }

  Value* o;
  if (size) {
    std::vector<LVal> items;
    if (size->kind == LVal::Kind::Int) items.assign(k.n, *size);
    else if (size->is_seq()) items = size->items;
    else c.fail("output_size must be an int list, got " + size->describe());
    if (items.size() == 1 && k.n > 1) items.assign(k.n, items[0]);
    if (items.size() != k.n) c.fail("output_size must have " + std::to_string(k.n) + " values");
    std::vector<LVal> full = {c.dim_of(x, 0), c.dim_of(x, 1)};
    full.insert(full.end(), items.begin(), items.end());
    o = c.op("Resize", {x, nullptr, nullptr, c.ints_tensor(LVal::list(full))}, attrs);
  } else {
    std::vector<float> s = {1.0f, 1.0f};
    for (size_t i = 0; i < k.n; ++i) {
      if (scales[i] <= 0) c.fail("scale factors must be positive");
      s.push_back(float(scales[i]));
    }
    o = c.op("Resize", {x, nullptr, c.g.add_constant("scales", Tensor::f32(s))}, attrs);
  }
  c.out(o);
}

}  // namespace

void register_resize_ops(Registry& r) {
  for (const char* k : {"aten::upsample_nearest1d", "aten::upsample_nearest2d", "aten::upsample_nearest3d",
                        "aten::_upsample_nearest_exact1d", "aten::_upsample_nearest_exact2d",
                        "aten::_upsample_nearest_exact3d", "aten::upsample_linear1d", "aten::upsample_bilinear2d",
                        "aten::upsample_trilinear3d", "aten::upsample_bicubic2d"})
    r[k] = lower_upsample;
}

}  // namespace modelport::ts

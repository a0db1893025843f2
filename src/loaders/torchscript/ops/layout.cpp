// Layout ops: pixel_shuffle (DepthToSpace CRD) / pixel_unshuffle and channel_shuffle (Reshape +
// Transpose, sizes from Shape when dims are symbolic), swapaxes/swapdims/movedim, einsum, and
// uninitialized creation (new_empty/empty_like/empty are written as zeros).
#include "loaders/torchscript/ops/graph_build.h"
#include "loaders/torchscript/registry.h"

namespace modelport::ts {
namespace {


void need_rank4(Ctx& c, Value* x) {
  if (c.need_rank(x, c.node->kind().toUnqualString()) != 4) c.fail("only 4-D (N, C, H, W) inputs are supported");
}

// pixel_shuffle(self, upscale_factor)
void lower_pixel_shuffle(Ctx& c) {
  Value* x = c.tensor(0);
  need_rank4(c, x);
  int64_t r = c.int_arg(1);
  const auto& d = x->shape.dims;
  if (d[1].is_fixed() && d[1].value % (r * r)) c.fail("channels must be divisible by upscale_factor^2");
  Value* o = c.op("DepthToSpace", {x}, {{"blocksize", r}, {"mode", std::string("CRD")}});
  c.out(o);
}

// pixel_unshuffle(self, downscale_factor): (N, C, H, W) -> (N, C*r*r, H/r, W/r), channel c*r*r + i*r + j.
void lower_pixel_unshuffle(Ctx& c) {
  Value* x = c.tensor(0);
  need_rank4(c, x);
  int64_t r = c.int_arg(1);
  LVal h = gb::iop(c, "Div", c.dim_of(x, 2), LVal::of_int(r)), w = gb::iop(c, "Div", c.dim_of(x, 3), LVal::of_int(r));
  LVal ch = gb::iop(c, "Mul", c.dim_of(x, 1), LVal::of_int(r * r));
  Value* six = c.op("Reshape", {x, c.ints_tensor(LVal::list({LVal::of_int(0), LVal::of_int(0), h, LVal::of_int(r), w, LVal::of_int(r)}))});
  Value* t = gb::transpose(c, six, {0, 1, 3, 5, 2, 4});
  Value* o = c.op("Reshape", {t, c.ints_tensor(LVal::list({LVal::of_int(0), ch, h, w}))});
  c.out(o);
}

// channel_shuffle(self, groups): (N, g, C/g, *) -> swap g and C/g -> (N, C, *)
void lower_channel_shuffle(Ctx& c) {
  Value* x = c.tensor(0);
  size_t rank = c.need_rank(x, "channel_shuffle");
  if (rank < 3) c.fail("channel_shuffle needs an input of rank >= 3");
  int64_t g = c.int_arg(1);
  if (x->shape.dims[1].is_fixed() && x->shape.dims[1].value % g) c.fail("groups must divide the channel count");
  LVal cg = gb::iop(c, "Div", c.dim_of(x, 1), LVal::of_int(g));
  Value* four = c.op("Reshape", {x, c.ints_tensor(LVal::list({LVal::of_int(0), LVal::of_int(g), cg, LVal::of_int(-1)}))});
  Value* t = gb::transpose(c, four, {0, 2, 1, 3});
  c.out(c.op("Reshape", {t, gb::shape_of(c, x)}));
}

// swapaxes/swapdims(self, dim0, dim1)
void lower_swapaxes(Ctx& c) {
  Value* x = c.tensor(0);
  size_t r = c.need_rank(x, "swapaxes");
  std::vector<int64_t> perm;
  for (int64_t i = 0; i < int64_t(r); ++i) perm.push_back(i);
  std::swap(perm[size_t(c.norm_dim(c.int_arg(1), r))], perm[size_t(c.norm_dim(c.int_arg(2), r))]);
  c.out(gb::transpose(c, x, perm));
}

// movedim(self, source, destination): int or int[] each.
void lower_movedim(Ctx& c) {
  Value* x = c.tensor(0);
  int64_t r = int64_t(c.need_rank(x, "movedim"));
  auto src = c.ints_arg(1, 1), dst = c.ints_arg(2, 1);
  if (src.size() != dst.size()) c.fail("movedim needs as many destinations as sources");
  std::vector<int64_t> perm(size_t(r), -1);
  std::vector<bool> used(size_t(r), false);
  for (size_t i = 0; i < src.size(); ++i) {
    int64_t s = c.norm_dim(src[i], size_t(r)), d = c.norm_dim(dst[i], size_t(r));
    if (perm[size_t(d)] != -1 || used[size_t(s)]) c.fail("repeated dim in movedim");
    perm[size_t(d)] = s;
    used[size_t(s)] = true;
  }
  int64_t next = 0;
  for (auto& p : perm) {
    if (p != -1) continue;
    while (used[size_t(next)]) ++next;
    p = next;
    used[size_t(next)] = true;
  }
  c.out(gb::transpose(c, x, perm));
}

// einsum(equation, tensors, path=None) -> Einsum (opset 12)
void lower_einsum(Ctx& c) {
  std::string eq;
  for (char ch : c.string_arg(0))
    if (ch != ' ') eq += ch;
  const LVal& list = c.in(1);
  if (!list.is_seq() || list.items.empty()) c.fail("einsum needs a tensor list");
  std::vector<Value*> xs;
  for (auto& l : list.items) xs.push_back(c.tensor_of(l));
  if (eq.find("->") == std::string::npos) c.fail("einsum equations without '->' are not supported; give the output subscripts");
  c.out(c.op("Einsum", xs, {{"equation", eq}}));
}

// new_empty(self, size, dtype?, ...), empty_like(self, dtype?, ...), empty(size, dtype?, ...): zeros.
void lower_empty(Ctx& c) {
  std::string k = c.node->kind().toUnqualString();
  std::optional<DType> dt;
  if (auto i = c.arg_index("dtype")) dt = c.opt_dtype_arg(*i);
  Value* shape;
  if (k == "empty_like") {
    Value* x = c.tensor(0);
    shape = gb::shape_of(c, x);
    if (!dt) dt = x->dtype;
  } else {
    size_t si = k == "new_empty" ? 1 : 0;
    if (k == "new_empty" && !dt) dt = c.tensor(0)->dtype;
    const LVal& l = c.in(si);
    shape = c.ints_tensor(l);
  }
  DType t = dt.value_or(DType::Float32);
  c.out(c.op("ConstantOfShape", {shape}, {{"value", Tensor::from_vector(t, std::vector<uint8_t>(dtype_size(t), 0), {1})}}));
}

}  // namespace

void register_layout_ops(Registry& r) {
  r["aten::pixel_shuffle"] = lower_pixel_shuffle;
  r["aten::pixel_unshuffle"] = lower_pixel_unshuffle;
  r["aten::channel_shuffle"] = r["aten::native_channel_shuffle"] = lower_channel_shuffle;
  r["aten::swapaxes"] = r["aten::swapdims"] = lower_swapaxes;
  r["aten::movedim"] = r["aten::moveaxis"] = lower_movedim;
  r["aten::einsum"] = lower_einsum;
  r["aten::new_empty"] = r["aten::empty_like"] = r["aten::empty"] = lower_empty;
}

}  // namespace modelport::ts

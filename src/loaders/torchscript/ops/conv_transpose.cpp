// Transposed convolutions -> ConvTranspose. torch's weight is (C_in, C_out / groups, k...), as
// ONNX's; output = (in - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1.
#include "loaders/torchscript/ops/conv_transpose.h"
#include "loaders/torchscript/registry.h"

namespace modelport::ts {
namespace {

struct Args {
  size_t x = 0, w = 1, b = 2, stride, padding, output_padding, groups, dilation;
};

void emit_conv_transpose(Ctx& c, const Args& a) {
  Value* x = c.tensor(a.x);
  Value* w = c.tensor(a.w);
  if (!w->shape.rank_known || w->shape.rank() < 3) c.fail("the weight must have a known shape (rank >= 3)");
  size_t n = w->shape.rank() - 2;
  if (x->shape.rank_known && x->shape.rank() != n + 2)
    c.fail("input rank " + std::to_string(x->shape.rank()) + " does not match a " + std::to_string(n) + "-D transposed convolution");
  std::vector<int64_t> k;
  for (size_t i = 0; i < n; ++i) {
    if (!w->shape.dims[i + 2].is_fixed()) c.fail("the kernel size must be static");
    k.push_back(w->shape.dims[i + 2].value);
  }
  auto strides = c.ints_arg(a.stride, n), pad = c.ints_arg(a.padding, n), out_pad = c.ints_arg(a.output_padding, n),
       dil = c.ints_arg(a.dilation, n);
  int64_t groups = c.int_arg(a.groups);
  if (strides.size() != n || pad.size() != n || out_pad.size() != n || dil.size() != n)
    c.fail("stride/padding/output_padding/dilation must have " + std::to_string(n) + " values");
  std::vector<int64_t> pads = pad;
  pads.insert(pads.end(), pad.begin(), pad.end());
  std::vector<Value*> ins = {x, w};
  if (!c.in(a.b).is_none()) ins.push_back(c.tensor(a.b));
  Value* o = c.op("ConvTranspose", ins,
                  {{"kernel_shape", k}, {"strides", strides}, {"pads", pads}, {"dilations", dil},
                   {"output_padding", out_pad}, {"group", groups}});
  c.out(o);
}

// conv_transposeNd(input, weight, bias, stride=1, padding=0, output_padding=0, groups=1, dilation=1)
void lower_conv_transpose(Ctx& c) {
  Args a;
  a.stride = 3, a.padding = 4, a.output_padding = 5, a.groups = 6, a.dilation = 7;
  emit_conv_transpose(c, a);
}

}  // namespace

void lower_convolution_transposed(Ctx& c) {
  Args a;
  a.stride = 3, a.padding = 4, a.dilation = 5, a.output_padding = 7, a.groups = 8;
  emit_conv_transpose(c, a);
}

void register_conv_transpose_ops(Registry& r) {
  r["aten::conv_transpose1d"] = r["aten::conv_transpose2d"] = r["aten::conv_transpose3d"] = lower_conv_transpose;
}

}  // namespace modelport::ts

// Convolutions and batch normalization.
#include "loaders/torchscript/ops/conv_transpose.h"
#include "loaders/torchscript/registry.h"

namespace modelport::ts {
namespace {

struct ConvArgs {
  size_t x = 0, w = 1, b = 2, stride = 3, padding = 4, dilation = 5, groups = 6;
};

void emit_conv(Ctx& c, const ConvArgs& a) {
  Value* x = c.tensor(a.x);
  Value* w = c.tensor(a.w);
  if (!w->shape.rank_known || w->shape.rank() < 3)
    c.fail("the convolution weight must have a known shape (rank >= 3)");
  size_t n = w->shape.rank() - 2;
  std::vector<int64_t> k;
  for (size_t i = 0; i < n; ++i) {
    if (!w->shape.dims[i + 2].is_fixed()) c.fail("the convolution kernel size must be static");
    k.push_back(w->shape.dims[i + 2].value);
  }
  auto strides = c.ints_arg(a.stride, n);
  auto dilations = c.ints_arg(a.dilation, n);
  int64_t groups = c.int_arg(a.groups);
  std::vector<int64_t> pads;
  if (c.in(a.padding).kind == LVal::Kind::String) {
    std::string mode = c.string_arg(a.padding);
    if (mode == "valid") {
      pads.assign(2 * n, 0);
    } else if (mode == "same") {
      pads.assign(2 * n, 0);
      for (size_t i = 0; i < n; ++i) {
        if (strides[i] != 1) c.fail("padding='same' needs stride 1");
        int64_t total = dilations[i] * (k[i] - 1);
        pads[i] = total / 2;
        pads[i + n] = total - total / 2;
      }
    } else {
      c.fail("unknown padding mode '" + mode + "'");
    }
  } else {
    auto p = c.ints_arg(a.padding, n);
    pads = p;
    pads.insert(pads.end(), p.begin(), p.end());
  }
  std::vector<Value*> ins = {x, w};
  if (!c.in(a.b).is_none()) ins.push_back(c.tensor(a.b));
  Value* o = c.op("Conv", ins,
                  {{"kernel_shape", k}, {"strides", strides}, {"pads", pads}, {"dilations", dilations}, {"group", groups}});
  if (x->shape.rank_known && x->shape.rank() != n + 2)
    c.fail("input rank " + std::to_string(x->shape.rank()) + " does not match a " + std::to_string(n) + "-D convolution");
  c.out(o);
}

void lower_conv(Ctx& c) { emit_conv(c, ConvArgs{}); }

// aten::_convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding,
//                    groups, benchmark, deterministic, cudnn_enabled[, allow_tf32])
void lower_convolution(Ctx& c) {
  size_t transposed = 6, groups = 8;
  if (c.node->kind() == c10::Symbol::fromQualString("aten::convolution")) groups = 8;
  if (c.bool_arg(transposed)) return lower_convolution_transposed(c);
  ConvArgs a;
  a.groups = groups;
  emit_conv(c, a);
}

// aten::batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled)
void lower_batch_norm(Ctx& c) {
  Value* x = c.tensor(0);
  if (c.in(3).is_none() || c.in(4).is_none()) c.fail("batch_norm without running statistics is not supported");
  if (c.bool_arg(5)) c.fail("batch_norm in training mode: call model.eval() before saving");
  Value* mean = c.tensor(3);
  Value* var = c.tensor(4);
  if (!mean->shape.rank_known || mean->shape.rank() != 1 || !mean->shape.dims[0].is_fixed())
    c.fail("batch_norm running_mean must be a 1-D constant");
  int64_t ch = mean->shape.dims[0].value;
  DType dt = mean->dtype;
  auto fill = [&](size_t i, float v) {
    if (!c.in(i).is_none()) return c.tensor(i);
    return c.g.add_constant(v == 1.0f ? "bn_ones" : "bn_zeros",
                            Tensor::from_vector(DType::Float32, std::vector<float>(size_t(ch), v), {ch}));
  };
  Value* scale = fill(1, 1.0f);
  Value* bias = fill(2, 0.0f);
  if (dt != DType::Float32) {
    scale = c.cast(scale, dt);
    bias = c.cast(bias, dt);
  }
  Value* o = c.op("BatchNormalization", {x, scale, bias, mean, var},
                  {{"epsilon", float(c.double_arg(7))}, {"momentum", float(1.0 - c.double_arg(6))}});
  c.out(o);
}

}  // namespace

void register_conv_ops(Registry& r) {
  r["aten::conv1d"] = r["aten::conv2d"] = r["aten::conv3d"] = lower_conv;
  r["aten::_convolution_mode"] = lower_conv;  // (input, weight, bias, stride, padding: str, dilation, groups)
  r["aten::_convolution"] = lower_convolution;
  r["aten::convolution"] = lower_convolution;
  r["aten::batch_norm"] = lower_batch_norm;
}

}  // namespace modelport::ts

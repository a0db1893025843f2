// Further activations: prelu, mish, celu, selu, hardshrink/softshrink, logsigmoid, glu.
#include "loaders/torchscript/ops/graph_build.h"
#include "loaders/torchscript/registry.h"

namespace modelport::ts {
namespace {

using gb::bin;
using gb::un;

// prelu(self, weight): weight (C,) applies along dim 1; ONNX PRelu broadcasts slope to X from
// the right, so a per-channel slope becomes (C, 1, ..., 1).
void lower_prelu(Ctx& c) {
  Value* x = c.tensor(0);
  Value* w = c.tensor(1);
  bool scalar = w->shape.rank_known && (w->shape.rank() == 0 || (w->shape.dims[0].is_fixed() && w->shape.dims[0].value == 1));
  size_t r = c.need_rank(x, "prelu");
  if (!scalar && r > 2) {
    std::vector<int64_t> s = {-1};
    s.resize(r - 1, 1);
    std::vector<Dim> d = {w->shape.rank_known && w->shape.rank() == 1 ? w->shape.dims[0] : Dim::unknown()};
    d.resize(r - 1, Dim::fixed(1));
    w = c.op("Reshape", {w, c.c_i64(s)});
  }
  c.out(c.op("PRelu", {x, w}));
}

void lower_mish(Ctx& c) { c.out(un(c, "Mish", c.tensor(0))); }

// celu(x, alpha=1) -> Celu (the emitter decomposes it where the opset lacks it)
void lower_celu(Ctx& c) {
  Value* x = c.tensor(0);
  double alpha = c.num_inputs() > 1 ? c.double_arg(1) : 1.0;
  if (alpha == 0) c.fail("celu with alpha=0 is undefined");
  c.out(c.op("Celu", {x}, {{"alpha", float(alpha)}}));
}

void lower_selu(Ctx& c) { c.out(un(c, "Selu", c.tensor(0))); }  // ONNX's default alpha/gamma are torch's

// hardshrink(x, lambd=0.5) / softshrink(x, lambd=0.5) -> Shrink
void lower_shrink(Ctx& c) {
  Value* x = c.tensor(0);
  float l = c.num_inputs() > 1 ? float(c.double_arg(1)) : 0.5f;
  bool soft = std::string(c.node->kind().toUnqualString()) == "softshrink";
  c.out(c.op("Shrink", {x}, {{"lambd", l}, {"bias", soft ? l : 0.0f}}));
}

// logsigmoid(x) = -softplus(-x)
void lower_logsigmoid(Ctx& c) {
  Value* x = c.tensor(0);
  c.out(un(c, "Neg", un(c, "Softplus", un(c, "Neg", x))));
}

// glu(self, dim=-1) = a * sigmoid(b) with a, b the two halves along dim.
void lower_glu(Ctx& c) {
  Value* x = c.tensor(0);
  size_t r = c.need_rank(x, "glu");
  int64_t d = c.norm_dim(c.num_inputs() > 1 ? c.int_arg(1) : -1, r);
  Node* n = c.node_op("Split", {x}, 2, {{"axis", d}, {"num_outputs", int64_t(2)}});
  const Dim& full = x->shape.dims[size_t(d)];
  if (full.is_fixed() && full.value % 2) c.fail("glu needs an even size along dim " + std::to_string(d));
  c.out(bin(c, "Mul", n->outputs[0], un(c, "Sigmoid", n->outputs[1])));
}

}  // namespace

void register_activation_more_ops(Registry& r) {
  r["aten::prelu"] = r["aten::_prelu_kernel"] = lower_prelu;
  r["aten::mish"] = r["aten::mish_"] = lower_mish;
  r["aten::celu"] = r["aten::celu_"] = lower_celu;
  r["aten::selu"] = r["aten::selu_"] = lower_selu;
  r["aten::hardshrink"] = r["aten::softshrink"] = lower_shrink;
  r["aten::log_sigmoid"] = lower_logsigmoid;
  r["aten::glu"] = lower_glu;
}

}  // namespace modelport::ts

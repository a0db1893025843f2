// group_norm and instance_norm. group_norm: reshape to (N, G, -1), normalize each group with its
// mean and biased variance, reshape back to x's shape (computed in the graph), then the
// per-channel affine. instance_norm: InstanceNormalization with input statistics, or a
// BatchNormalization with the running statistics when use_input_stats is false.
#include "loaders/torchscript/ops/graph_build.h"
#include "loaders/torchscript/registry.h"

namespace modelport::ts {
namespace {


// weight/bias (C,) reshaped to (C, 1, ..., 1) so they broadcast against (N, C, spatial...).
Value* per_channel(Ctx& c, Value* v, size_t rank) {
  std::vector<int64_t> s = {-1};
  s.resize(rank - 1, 1);
  std::vector<Dim> d = {v->shape.rank_known && v->shape.rank() == 1 ? v->shape.dims[0] : Dim::unknown()};
  d.resize(rank - 1, Dim::fixed(1));
  return c.op("Reshape", {v, c.c_i64(s)});
}

// group_norm(input, num_groups, weight?, bias?, eps=1e-5, cudnn_enabled)
void lower_group_norm(Ctx& c) {
  Value* x = c.tensor(0);
  size_t r = c.need_rank(x, "group_norm");
  if (r < 2) c.fail("group_norm needs an input of rank >= 2");
  int64_t g = c.int_arg(1);
  double eps = c.num_inputs() > 4 && !c.in(4).is_none() ? c.double_arg(4) : 1e-5;
  if (x->shape.dims[1].is_fixed() && (g <= 0 || x->shape.dims[1].value % g))
    c.fail("num_groups " + std::to_string(g) + " does not divide " + std::to_string(x->shape.dims[1].value) + " channels");
  Value* grouped = c.op("Reshape", {x, c.c_i64({0, g, -1})});
  Value* mean = gb::reduce(c, "ReduceMean", grouped, {2}, true);
  Value* d = gb::bin(c, "Sub", grouped, mean);
  Value* var = gb::reduce(c, "ReduceMean", gb::bin(c, "Mul", d, d), {2}, true);
  Value* sd = gb::un(c, "Sqrt", gb::bin(c, "Add", var, c.c_scalar(x->dtype, eps)));
  Value* norm = gb::bin(c, "Div", d, sd);
  Value* y = c.op("Reshape", {norm, gb::shape_of(c, x)});
  if (!c.in(2).is_none()) y = gb::bin(c, "Mul", y, per_channel(c, c.tensor(2), r));
  if (!c.in(3).is_none()) y = gb::bin(c, "Add", y, per_channel(c, c.tensor(3), r));
  c.out(y);
}

// instance_norm(input, weight?, bias?, running_mean?, running_var?, use_input_stats, momentum, eps, cudnn)
void lower_instance_norm(Ctx& c) {
  Value* x = c.tensor(0);
  size_t r = c.need_rank(x, "instance_norm");
  if (r < 3) c.fail("instance_norm needs an input of rank >= 3 (N, C, ...)");
  bool use_input_stats = c.bool_arg(5);
  double eps = c.double_arg(7);
  auto fill = [&](size_t i, double v) -> Value* {
    if (!c.in(i).is_none()) return c.tensor(i);
    const Dim& ch = x->shape.dims[1];
    if (!ch.is_fixed()) c.fail("instance_norm without affine weights needs a fixed channel count");
    return c.g.add_constant(v == 1.0 ? "in_ones" : "in_zeros",
                            tensor_from_doubles(x->dtype, {ch.value}, std::vector<double>(size_t(ch.value), v)));
  };
  Value* scale = fill(1, 1.0);
  Value* bias = fill(2, 0.0);
  Value* o;
  if (use_input_stats) {
    o = c.op("InstanceNormalization", {x, scale, bias}, {{"epsilon", float(eps)}});
  } else {
    if (c.in(3).is_none() || c.in(4).is_none()) c.fail("use_input_stats=False needs running_mean and running_var");
    o = c.op("BatchNormalization", {x, scale, bias, c.tensor(3), c.tensor(4)}, {{"epsilon", float(eps)}});
  }
  c.out(o);
}

}  // namespace

void register_normalization_ops(Registry& r) {
  r["aten::group_norm"] = lower_group_norm;
  r["aten::instance_norm"] = lower_instance_norm;
}

}  // namespace modelport::ts

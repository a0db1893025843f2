// Max / average / adaptive pooling.
#include "loaders/torchscript/ops/graph_build.h"
#include "loaders/torchscript/registry.h"

namespace modelport::ts {
namespace {

size_t spatial_rank(Ctx& c) {
  std::string k = c.node->kind().toUnqualString();
  return k.find("1d") != std::string::npos ? 1 : k.find("3d") != std::string::npos ? 3 : 2;
}

struct Window {
  std::vector<int64_t> kernel, strides, pads, dilations;
};

Window window(Ctx& c, size_t n, size_t k_i, size_t s_i, size_t p_i, std::optional<size_t> d_i) {
  Window w;
  w.kernel = c.ints_arg(k_i, n);
  w.strides = c.ints_arg(s_i, n);
  if (w.strides.empty()) w.strides = w.kernel;  // torch: stride defaults to kernel_size
  auto p = c.ints_arg(p_i, n);
  w.pads = p;
  w.pads.insert(w.pads.end(), p.begin(), p.end());
  w.dilations = d_i ? c.ints_arg(*d_i, n) : std::vector<int64_t>(n, 1);
  if (w.kernel.size() != n || w.strides.size() != n || p.size() != n || w.dilations.size() != n)
    c.fail("kernel/stride/padding/dilation must have " + std::to_string(n) + " values");
  return w;
}

// max_poolNd(input, kernel_size, stride, padding, dilation, ceil_mode)
void lower_max_pool(Ctx& c) {
  size_t n = spatial_rank(c);
  Value* x = c.tensor(0);
  Window w = window(c, n, 1, 2, 3, 4);
  bool ceil = c.bool_arg(5);
  Value* o = c.op("MaxPool", {x},
                  {{"kernel_shape", w.kernel}, {"strides", w.strides}, {"pads", w.pads}, {"dilations", w.dilations},
                   {"ceil_mode", int64_t(ceil)}});
  c.out(o);
}

// avg_poolNd(input, kernel_size, stride, padding, ceil_mode, count_include_pad[, divisor_override])
void lower_avg_pool(Ctx& c) {
  size_t n = spatial_rank(c);
  Value* x = c.tensor(0);
  Window w = window(c, n, 1, 2, 3, std::nullopt);
  bool ceil = c.bool_arg(4);
  bool include_pad = c.bool_arg(5);
  if (c.num_inputs() > 6 && !c.in(6).is_none()) c.fail("avg_pool with divisor_override is not supported");
  Value* o = c.op("AveragePool", {x},
                  {{"kernel_shape", w.kernel}, {"strides", w.strides}, {"pads", w.pads},
                   {"ceil_mode", int64_t(ceil)}, {"count_include_pad", int64_t(include_pad)}});
  c.out(o);
}

// One axis of adaptive pooling to `out` cells, exactly as PyTorch splits it: cell i covers
// [floor(i*in/out), ceil((i+1)*in/out)). With a run-time input size the bounds are computed from
// Shape; each cell is a Slice reduced with keepdims, the cells concatenated. Max and mean over a
// box are separable (every row of a box has as many elements), so the axes are pooled one by one.
Value* adaptive_axis(Ctx& c, Value* x, int64_t axis, int64_t out, bool is_max) {
  const Dim& in = x->shape.dims[size_t(axis)];
  Value* size = in.is_fixed() ? nullptr : gb::as_1d(c, c.dim_of(x, axis));
  auto bound = [&](int64_t num, int64_t round_up) -> Value* {  // (num*in + round_up) / out
    if (in.is_fixed()) return c.c_i64({(num * in.value + round_up) / out});
    Value* scaled = gb::bin(c, "Mul", size, c.c_i64({num}));
    return gb::bin(c, "Div", gb::bin(c, "Add", scaled, c.c_i64({round_up})), c.c_i64({out}));
  };
  std::vector<Value*> cells;
  for (int64_t i = 0; i < out; ++i) {
    Value* cell = gb::slice(c, x, axis, bound(i, 0), bound(i + 1, out - 1));
    cells.push_back(gb::reduce(c, is_max ? "ReduceMax" : "ReduceMean", cell, {axis}, true));
  }
  return gb::concat(c, cells, axis);
}

// adaptive_avg_poolNd(input, output_size) / adaptive_max_poolNd (max: outputs values, indices).
// Output 1 everywhere: a global pool; a static size divisible by the output: one pooling op;
// otherwise (run-time or indivisible sizes) per-cell slices (adaptive_axis).
void lower_adaptive_pool(Ctx& c) {
  size_t n = spatial_rank(c);
  bool is_max = std::string(c.node->kind().toUnqualString()).find("max") != std::string::npos;
  Value* x = c.tensor(0);
  const LVal& os = c.in(1);
  std::vector<std::optional<int64_t>> out_size;
  if (os.kind == LVal::Kind::Int) out_size.assign(n, os.i);
  else if (os.is_seq())
    for (auto& i : os.items) {
      if (!i.is_none() && i.kind != LVal::Kind::Int) c.fail("output_size must be constant");
      out_size.push_back(i.is_none() ? std::nullopt : std::optional<int64_t>(i.i));
    }
  if (out_size.size() == 1 && n > 1) out_size.assign(n, out_size[0]);
  if (out_size.size() != n) c.fail("output_size must have " + std::to_string(n) + " values");
  bool global = true;
  for (auto& s : out_size) global &= s && *s == 1;
  Value* o = nullptr;
  if (global) {
    o = c.op(is_max ? "GlobalMaxPool" : "GlobalAveragePool", {x});
  } else {
    size_t r = c.need_rank(x, "adaptive pooling");
    if (r != n + 2) c.fail("expected a rank-" + std::to_string(n + 2) + " input");
    bool one_op = true;
    std::vector<int64_t> k;
    for (size_t i = 0; i < n; ++i) {
      const Dim& in = x->shape.dims[i + 2];
      if (out_size[i] && *out_size[i] <= 0) c.fail("output size " + std::to_string(*out_size[i]) + " is not positive");
      int64_t want = out_size[i] ? *out_size[i] : in.value;
      one_op &= in.is_fixed() && (!out_size[i] || in.value % want == 0);
      k.push_back(one_op ? in.value / want : 0);
    }
    if (one_op) {
      std::vector<int64_t> pads(2 * n, 0);
      o = c.op(is_max ? "MaxPool" : "AveragePool", {x}, {{"kernel_shape", k}, {"strides", k}, {"pads", pads}});
    } else {
      o = x;
      for (size_t i = 0; i < n; ++i)
        if (out_size[i]) o = adaptive_axis(c, o, int64_t(i + 2), *out_size[i], is_max);
    }
  }
  c.out(o);
  if (is_max && c.node->outputs().size() > 1) {
    if (c.node->outputs()[1]->uses().empty()) return c.out(LVal::none(), 1);
    c.fail("adaptive max pooling indices are not supported");
  }
}

}  // namespace

void register_pooling_ops(Registry& r) {
  r["aten::max_pool1d"] = r["aten::max_pool2d"] = r["aten::max_pool3d"] = lower_max_pool;
  r["aten::avg_pool1d"] = r["aten::avg_pool2d"] = r["aten::avg_pool3d"] = lower_avg_pool;
  r["aten::adaptive_avg_pool1d"] = r["aten::adaptive_avg_pool2d"] = r["aten::adaptive_avg_pool3d"] = lower_adaptive_pool;
  r["aten::adaptive_max_pool1d"] = r["aten::adaptive_max_pool2d"] = r["aten::adaptive_max_pool3d"] = lower_adaptive_pool;
}

}  // namespace modelport::ts

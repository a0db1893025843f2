// Reductions (ReduceSum ... ReduceLogSumExp) and ArgMax/ArgMin: the reduced axes are dropped or
// kept as 1; the arithmetic reductions also fold.
#include <cmath>
#include <set>

#include "modelport/tensor_ops.h"
#include "ops/eval_support.h"
#include "ops/op_def.h"
#include "ops/shape_support.h"

namespace modelport {
namespace ops {
namespace {

Shapes reduce_shape(const Node& n, const ShapeValues&) {
  const Shape* x = known(n.input(0));
  if (!x) return std::nullopt;
  bool arg = n.op == "ArgMax" || n.op == "ArgMin";
  std::vector<int64_t> axes;
  if (arg) {
    axes.push_back(n.attr_int("axis", 0));
  } else if (n.input(1)) {
    const Value* a = n.input(1);
    if (!a->is_constant()) return std::nullopt;
    axes = a->constant->to_int_vector();
  } else {
    axes = n.attr_ints("axes");
  }
  if (axes.empty() && !arg && n.attr_int("noop_with_empty_axes", 0) != 0) return one(*x);
  int64_t rank = static_cast<int64_t>(x->rank());
  std::set<int64_t> reduced;
  for (int64_t a : axes) reduced.insert(norm(a, rank));
  bool keep = n.attr_int("keepdims", 1) != 0;
  std::vector<Dim> out;
  for (int64_t i = 0; i < rank; ++i) {
    bool r = axes.empty() || reduced.count(i);
    if (!r) out.push_back(x->dims[i]);
    else if (keep) out.push_back(Dim::fixed(1));
  }
  return one(Shape(out));
}

using Fn2 = Num (*)(Num, Num);

// ReduceSum/Prod/Min/Max/Mean with axes as an input or attribute (keepdims, noop_with_empty_axes
// as in ONNX), starting each output at `init` and combining with `f`; Mean divides at the end.
EvalRule reduce_eval(Num init, Fn2 f) {
  return [init, f](const Node& n, const In& in) -> std::optional<Tensor> {
    if (!numeric_inputs(in)) return std::nullopt;
    const Tensor& x = *in[0];
    size_t rank = x.dims.size();
    std::vector<int64_t> axes = has(in, 1) ? in[1]->to_int_vector() : n.attr_ints("axes");
    if (axes.empty() && n.attr_int("noop_with_empty_axes", 0)) return x;
    std::vector<bool> reduced(rank, axes.empty());
    for (int64_t a : axes) {
      a = norm_axis(a, rank);
      if (a < 0 || a >= static_cast<int64_t>(rank)) return std::nullopt;
      reduced[a] = true;
    }
    bool keep = n.attr_int("keepdims", 1) != 0;
    std::vector<int64_t> kept_dims, out_dims;  // kept_dims: rank-preserving, 1 where reduced
    for (size_t i = 0; i < rank; ++i) {
      kept_dims.push_back(reduced[i] ? 1 : x.dims[i]);
      if (!reduced[i] || keep) out_dims.push_back(kept_dims.back());
    }
    Arr a = load(x);
    int64_t n_out = count(kept_dims);
    Arr out{x.dtype, out_dims, std::vector<Num>(static_cast<size_t>(n_out), init)};
    std::vector<int64_t> out_strides = row_major_strides(kept_dims), idx(rank, 0);
    for (size_t k = 0; k < a.v.size(); ++k) {
      int64_t o = 0;
      for (size_t i = 0; i < rank; ++i) o += reduced[i] ? 0 : idx[i] * out_strides[i];
      out.v[o] = f(out.v[o], a.v[k]);
      advance_index(idx, x.dims);
    }
    if (n.op == "ReduceMean") {
      Num per = n_out ? static_cast<Num>(a.v.size()) / n_out : 1;
      for (auto& v : out.v) v /= per;
    }
    for (auto& v : out.v) v = is_int(out.dt) ? std::trunc(v) : round_to(out.dt, v);
    return store(out);
  };
}

Num add(Num a, Num b) { return a + b; }

}  // namespace

void add_reduce_ops(Table& t) {
  t.push_back({"ReduceSum", Layout::Opaque, reduce_shape, reduce_eval(0, add), nullptr});
  t.push_back({"ReduceMean", Layout::Opaque, reduce_shape, reduce_eval(0, add), nullptr});
  t.push_back({"ReduceProd", Layout::Opaque, reduce_shape, reduce_eval(1, [](Num a, Num b) { return a * b; }), nullptr});
  t.push_back(
      {"ReduceMin", Layout::Opaque, reduce_shape, reduce_eval(INFINITY, [](Num a, Num b) { return std::min(a, b); }), nullptr});
  t.push_back(
      {"ReduceMax", Layout::Opaque, reduce_shape, reduce_eval(-INFINITY, [](Num a, Num b) { return std::max(a, b); }), nullptr});
  for (const char* op : {"ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"})
    t.push_back({op, Layout::Opaque, reduce_shape, nullptr, nullptr});
  for (const char* op : {"ArgMax", "ArgMin"}) t.push_back({op, Layout::Opaque, reduce_shape, nullptr, nullptr, int64_type});
}

}  // namespace ops
}  // namespace modelport

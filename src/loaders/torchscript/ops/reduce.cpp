// Reductions: mean/sum/amax/amin and max/min in their three forms.
#include "loaders/torchscript/registry.h"

namespace modelport::ts {
namespace {

// ONNX Reduce* with axes as an input (empty axes = reduce all).
Value* reduce(Ctx& c, const std::string& op, Value* x, std::vector<int64_t> axes, bool keepdim) {
  if (x->shape.rank_known)
    for (auto& a : axes) a = c.norm_dim(a, x->shape.rank());
  std::vector<Value*> ins = {x};
  if (!axes.empty()) ins.push_back(c.c_i64(axes));
  return c.op(op, ins, {{"keepdims", int64_t(keepdim)}});
}

// mean/sum(self, dtype?) or (self, dim: int[]?, keepdim=False, dtype?)
template <const char* Op>
void lower_reduce(Ctx& c) {
  Value* x = c.tensor(0);
  std::vector<int64_t> axes;
  bool keepdim = false;
  if (auto d = c.arg_index("dim"); d && !c.in(*d).is_none()) axes = c.ints_arg(*d, 1);
  if (auto k = c.arg_index("keepdim")) keepdim = c.bool_arg(*k);
  if (auto t = c.arg_index("dtype"))
    if (auto dt = c.opt_dtype_arg(*t)) x = c.cast(x, *dt);
  if (std::string(Op) == "ReduceSum" && (x->dtype == DType::Bool || x->dtype == DType::Int32)) x = c.cast(x, DType::Int64);
  c.out(reduce(c, Op, x, axes, keepdim));
}

// max/min(self) | (self, dim, keepdim) -> (values, indices) | (self, other)
void lower_max_min(Ctx& c) {
  bool is_max = std::string(c.node->kind().toUnqualString()) == "max";
  Value* x = c.tensor(0);
  if (c.num_inputs() == 1) return c.out(reduce(c, is_max ? "ReduceMax" : "ReduceMin", x, {}, false));
  if (c.is_tensor_type(1)) {
    Value* y = c.tensor(1);
    return c.out(c.op(is_max ? "Max" : "Min", {x, y}));
  }
  int64_t dim = c.int_arg(1);
  bool keepdim = c.num_inputs() > 2 && c.bool_arg(2);
  c.out(reduce(c, is_max ? "ReduceMax" : "ReduceMin", x, {dim}, keepdim), 0);
  Value* idx = c.op(is_max ? "ArgMax" : "ArgMin", {x}, {{"axis", dim}, {"keepdims", int64_t(keepdim)}});
  c.out(idx, 1);
}

void lower_argmax(Ctx& c) {
  bool is_max = std::string(c.node->kind().toUnqualString()) == "argmax";
  Value* x = c.tensor(0);
  bool keepdim = c.num_inputs() > 2 && c.bool_arg(2);
  if (c.in(1).is_none()) {  // over the flattened tensor
    Value* flat = c.op("Reshape", {x, c.c_i64({-1})});
    return c.out(c.op(is_max ? "ArgMax" : "ArgMin", {flat}, {{"axis", int64_t(0)}, {"keepdims", int64_t(0)}}));
  }
  int64_t dim = c.int_arg(1);
  c.out(c.op(is_max ? "ArgMax" : "ArgMin", {x}, {{"axis", dim}, {"keepdims", int64_t(keepdim)}}));
}

constexpr char kMean[] = "ReduceMean", kSum[] = "ReduceSum", kAmax[] = "ReduceMax", kAmin[] = "ReduceMin";

}  // namespace

void register_reduce_ops(Registry& r) {
  r["aten::mean"] = lower_reduce<kMean>;
  r["aten::sum"] = lower_reduce<kSum>;
  r["aten::amax"] = lower_reduce<kAmax>;
  r["aten::amin"] = lower_reduce<kAmin>;
  r["aten::max"] = r["aten::min"] = lower_max_min;
  r["aten::argmax"] = r["aten::argmin"] = lower_argmax;
}

}  // namespace modelport::ts

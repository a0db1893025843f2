// Indexing and reordering: gather, index_select, index (advanced indexing with one or several
// broadcast index tensors, or a bool mask), topk/sort/argsort, cumsum, roll, flip, narrow,
// unbind, repeat/tile. Sizes along symbolic dims are computed in the graph.
#include "loaders/torchscript/ops/graph_build.h"
#include "loaders/torchscript/registry.h"
#include "ops/infer.h"

namespace modelport::ts {
namespace {


Value* as_index(Ctx& c, Value* v) {
  if (v->dtype == DType::Int64) return v;
  if (dtype_is_float(v->dtype) || v->dtype == DType::Bool) c.fail("index tensors must be integer (or a bool mask)");
  return c.cast(v, DType::Int64);
}

// gather(self, dim, index, sparse_grad=False)
void lower_gather(Ctx& c) {
  Value* x = c.tensor(0);
  Value* idx = as_index(c, c.tensor(2));
  int64_t dim = c.int_arg(1);
  if (auto r = c.rank(x)) dim = c.norm_dim(dim, *r);
  c.out(c.op("GatherElements", {x, idx}, {{"axis", dim}}));
}

// index_select(self, dim, index)
void lower_index_select(Ctx& c) {
  Value* x = c.tensor(0);
  Value* idx = as_index(c, c.tensor(2));
  int64_t dim = c.int_arg(1);
  c.out(c.op("Gather", {x, idx}, {{"axis", dim}}));
}

// index(self, Tensor?[] indices): x[i], x[:, i], x[i, j] (broadcast), x[mask].
void lower_index(Ctx& c) {
  Value* x = c.tensor(0);
  const LVal& list = c.in(1);
  if (!list.is_seq()) c.fail("indices must be a list");
  size_t r = c.need_rank(x, "advanced indexing");
  std::vector<int64_t> pos;
  std::vector<Value*> idx;
  for (size_t i = 0; i < list.items.size(); ++i) {
    if (list.items[i].is_none()) continue;
    pos.push_back(int64_t(i));
    idx.push_back(c.tensor_of(list.items[i]));
  }
  if (idx.empty()) return c.out(x);
  if (idx.size() == 1 && idx[0]->dtype == DType::Bool) {  // x[mask]: mask covers the leading dims
    if (pos[0] != 0) c.fail("a bool mask index must come first");
    Value* nz = c.op("NonZero", {idx[0]});
    Value* coords = c.op("Transpose", {nz}, {{"perm", std::vector<int64_t>{1, 0}}});
    return c.out(c.op("GatherND", {x, coords}));
  }
  for (auto*& v : idx)
    if (v->dtype == DType::Bool) c.fail("a bool mask index mixed with other indices is not supported");
    else v = as_index(c, v);
  if (idx.size() == 1) {  // one index tensor: Gather on its axis
    int64_t a = pos[0];
    return c.out(c.op("Gather", {x, idx[0]}, {{"axis", a}}));
  }
  // Several index tensors: broadcast them, stack as coordinates, GatherND over the indexed dims
  // moved to the front. torch keeps the broadcast dims where the indexed dims were when those are
  // adjacent, else puts them first.
  Shape bshape = idx[0]->shape;
  Value* sum = idx[0];
  for (size_t i = 1; i < idx.size(); ++i) {
    bshape = broadcast_shapes(bshape, idx[i]->shape);
    sum = gb::bin(c, "Add", sum, idx[i]);
  }
  if (!bshape.rank_known) c.fail("index tensors need a known rank");
  Value* bs = gb::shape_of(c, sum);
  std::vector<Value*> coords;
  for (auto* v : idx) {
    Value* e = c.op("Expand", {v, bs});
    coords.push_back(c.op("Unsqueeze", {e, c.c_i64({-1})}));
  }
  Value* stacked = gb::concat(c, coords, int64_t(bshape.rank()));
  std::vector<int64_t> perm = pos;
  for (int64_t i = 0; i < int64_t(r); ++i)
    if (std::find(pos.begin(), pos.end(), i) == pos.end()) perm.push_back(i);
  bool identity = true;
  for (size_t i = 0; i < perm.size(); ++i) identity &= perm[i] == int64_t(i);
  Value* xt = identity ? x : gb::transpose(c, x, perm);
  Value* o = c.op("GatherND", {xt, stacked});
  bool adjacent = pos.back() - pos.front() + 1 == int64_t(pos.size());
  if (adjacent && pos[0] > 0) {  // move the broadcast dims back to where the indexed dims were
    int64_t b = int64_t(bshape.rank()), p = pos[0], orank = b + int64_t(r - idx.size());
    std::vector<int64_t> back;
    for (int64_t i = 0; i < p; ++i) back.push_back(b + i);
    for (int64_t i = 0; i < b; ++i) back.push_back(i);
    for (int64_t i = b + p; i < orank; ++i) back.push_back(i);
    o = gb::transpose(c, o, back);
  }
  c.out(o);
}

// TopK along `dim` taking `k` (a lowered int); outputs values and int64 indices.
Node* topk(Ctx& c, Value* x, const LVal& k, int64_t dim, bool largest, bool sorted) {
  return c.node_op("TopK", {x, gb::as_1d(c, k)}, 2,
                   {{"axis", dim}, {"largest", int64_t(largest)}, {"sorted", int64_t(sorted)}});
}

// topk(self, k, dim=-1, largest=True, sorted=True)
void lower_topk(Ctx& c) {
  Value* x = c.tensor(0);
  Node* n = topk(c, x, c.in(1), c.int_arg(2), c.bool_arg(3), c.bool_arg(4));
  c.out(n->outputs[0], 0);
  c.out(n->outputs[1], 1);
}

// sort(self, dim=-1, descending=False) | sort(self, *, stable, dim, descending); argsort likewise.
void lower_sort(Ctx& c) {
  Value* x = c.tensor(0);
  auto di = c.arg_index("dim"), de = c.arg_index("descending");
  int64_t dim = di ? c.int_arg(*di) : -1;
  bool desc = de && c.bool_arg(*de);
  if (x->shape.rank_known && x->shape.rank() == 0) {
    if (c.node->outputs().size() == 2) {
      c.out(x, 0);
      c.out(c.c_i64_scalar(0), 1);
    } else {
      c.out(c.c_i64_scalar(0));
    }
    return;
  }
  Node* n = topk(c, x, c.dim_of(x, dim), dim, desc, true);
  if (c.node->outputs().size() == 2) {
    c.out(n->outputs[0], 0);
    c.out(n->outputs[1], 1);
  } else {
    c.out(n->outputs[1]);
  }
}

// cumsum(self, dim, dtype=None)
void lower_cumsum(Ctx& c) {
  Value* x = c.tensor(0);
  if (auto t = c.arg_index("dtype"))
    if (auto dt = c.opt_dtype_arg(*t)) x = c.cast(x, *dt);
  if (x->dtype == DType::Bool || x->dtype == DType::Int8 || x->dtype == DType::Int16 || x->dtype == DType::Int32 ||
      x->dtype == DType::UInt8)
    x = c.cast(x, DType::Int64);  // torch promotes integer cumsum to int64
  c.out(c.op("CumSum", {x, c.c_i64_scalar(c.int_arg(1))}));
}

// One roll along axis `d`: out = cat(x[n-s:], x[:n-s]) with s = shift mod n.
Value* roll_axis(Ctx& c, Value* x, int64_t d, int64_t shift) {
  LVal n = c.dim_of(x, d);
  LVal s = gb::iop(c, "Mod", LVal::of_int(shift), n);
  LVal cut = gb::iop(c, "Sub", n, s);
  Value* cutv = gb::as_1d(c, cut);
  Value* tail = gb::slice(c, x, d, cutv, c.c_i64({INT64_MAX}));
  Value* head = gb::slice(c, x, d, c.c_i64({0}), cutv);
  return gb::concat(c, {tail, head}, d);
}

// roll(self, shifts, dims=[])
void lower_roll(Ctx& c) {
  Value* x = c.tensor(0);
  auto shifts = c.ints_arg(1);
  auto dims = c.num_inputs() > 2 ? c.ints_arg(2) : std::vector<int64_t>{};
  if (dims.empty()) {  // roll the flattened tensor, then restore the shape
    if (shifts.size() != 1) c.fail("roll without dims takes one shift");
    Value* flat = c.op("Reshape", {x, c.c_i64({-1})});
    Value* y = roll_axis(c, flat, 0, shifts[0]);
    return c.out(c.op("Reshape", {y, gb::shape_of(c, x)}));
  }
  if (shifts.size() != dims.size()) c.fail("roll needs one shift per dim");
  size_t r = c.need_rank(x, "roll");
  Value* y = x;
  for (size_t i = 0; i < dims.size(); ++i) y = roll_axis(c, y, c.norm_dim(dims[i], r), shifts[i]);
  c.out(y);
}

// flip(self, dims): Slice with step -1 from the end.
void lower_flip(Ctx& c) {
  Value* x = c.tensor(0);
  auto dims = c.ints_arg(1);
  if (dims.empty()) return c.out(x);
  size_t r = c.need_rank(x, "flip");
  std::vector<int64_t> axes, starts, ends, steps;
  for (auto d : dims) {
    axes.push_back(c.norm_dim(d, r));
    starts.push_back(-1);
    ends.push_back(INT64_MIN);
    steps.push_back(-1);
  }
  c.out(c.op("Slice", {x, c.c_i64(starts), c.c_i64(ends), c.c_i64(axes), c.c_i64(steps)}));
}

// narrow(self, dim, start, length); start may be a tensor (narrow.Tensor)
void lower_narrow(Ctx& c) {
  Value* x = c.tensor(0);
  size_t r = c.need_rank(x, "narrow");
  int64_t d = c.norm_dim(c.int_arg(1), r);
  LVal start = c.in(2);
  if (start.is_tensor()) start = LVal::tensor(c.op("Reshape", {c.cast(start.v, DType::Int64), c.c_i64({})}));
  if (start.kind == LVal::Kind::Int && start.i < 0) start = gb::iop(c, "Add", start, c.dim_of(x, d));
  LVal end = gb::iop(c, "Add", start, c.in(3));
  Value* o = gb::slice(c, x, d, gb::as_1d(c, start), gb::as_1d(c, end));
  // A run-time start: torch guarantees start + length is within the dim, which ONNX's Slice (it
  // clamps) does not say, so the op layer cannot give the length.
  if (start.is_tensor() && c.in(3).kind == LVal::Kind::Int && o->shape.rank_known) {
    Shape known = o->shape;
    known.dims[size_t(d)] = Dim::fixed(c.in(3).i);
    ops::assume_shape(*o, known);
  }
  c.out(o);
}

// unbind(self, dim=0): a list of x.select(dim, i); the dim must be fixed.
void lower_unbind(Ctx& c) {
  Value* x = c.tensor(0);
  size_t r = c.need_rank(x, "unbind");
  int64_t d = c.norm_dim(c.int_arg(1), r);
  const Dim& n = x->shape.dims[size_t(d)];
  if (!n.is_fixed()) c.fail("unbind along a dimension of unknown size (" + n.str() + ")");
  std::vector<LVal> outs;
  for (int64_t i = 0; i < n.value; ++i)
    outs.push_back(LVal::tensor(c.op("Gather", {x, c.c_i64_scalar(i)}, {{"axis", d}})));
  c.out(LVal::list(std::move(outs)));
}

// repeat(self, repeats) / tile(self, dims) -> Tile; extra leading repeats add leading 1-dims.
void lower_repeat(Ctx& c) {
  Value* x = c.tensor(0);
  size_t r = c.need_rank(x, "repeat/tile");
  const LVal& reps = c.in(1);
  if (!reps.is_seq()) c.fail("repeats must be an int list");
  std::vector<LVal> items = reps.items;
  bool tile = std::string(c.node->kind().toUnqualString()) == "tile";
  if (!tile && items.size() < r) c.fail("repeat needs at least as many repeats as the input has dims");
  while (items.size() < r) items.insert(items.begin(), LVal::of_int(1));
  if (items.size() > r) {
    std::vector<int64_t> axes;
    for (size_t i = 0; i < items.size() - r; ++i) axes.push_back(int64_t(i));
    x = c.op("Unsqueeze", {x, c.c_i64(axes)});
  }
  c.out(c.op("Tile", {x, c.ints_tensor(LVal::list(items))}));
}

}  // namespace

void register_indexing_ops(Registry& r) {
  r["aten::gather"] = lower_gather;
  r["aten::index_select"] = lower_index_select;
  r["aten::index"] = lower_index;
  r["aten::topk"] = lower_topk;
  r["aten::sort"] = r["aten::argsort"] = lower_sort;
  r["aten::cumsum"] = lower_cumsum;
  r["aten::roll"] = lower_roll;
  r["aten::flip"] = lower_flip;
  r["aten::narrow"] = lower_narrow;
  r["aten::unbind"] = lower_unbind;
  r["aten::repeat"] = r["aten::tile"] = lower_repeat;
}

}  // namespace modelport::ts

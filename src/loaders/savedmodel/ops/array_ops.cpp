// Shape and indexing ops: Reshape, Squeeze, ExpandDims, Transpose, Concat, ParallelConcat,
// Pack/Unpack, slicing, Gather, Shape, Fill, *Like, Pad, Tile, Split, Select.
#include <limits>

#include "translators.h"

namespace modelport::tf {
namespace {

constexpr int64_t kMaxI = std::numeric_limits<int64_t>::max();
constexpr int64_t kMinI = std::numeric_limits<int64_t>::min();

int64_t norm_axis(OpCtx& c, int64_t a, int64_t rank) {
  if (a < 0) a += rank;
  if (a < 0 || a >= rank) c.fail("axis out of range");
  return a;
}

std::vector<Value*> reshape(OpCtx& c) {
  Value* x = c.input(0);
  Value* shape = c.to_i64(c.input(1));
  return {c.op("Reshape", {x, shape})};
}

std::vector<Value*> squeeze(OpCtx& c) {
  Value* x = c.input(0);
  auto dims = c.attr_ints("squeeze_dims");
  if (dims.empty()) dims = c.attr_ints("axis");
  if (dims.empty()) {
    if (!x->shape.rank_known || !x->shape.all_fixed()) return {c.op("Squeeze", {x})};
    for (size_t i = 0; i < x->shape.rank(); ++i)
      if (x->shape.dims[i].value == 1) dims.push_back(int64_t(i));
  }
  if (x->shape.rank_known)
    for (auto a : dims) norm_axis(c, a, int64_t(x->shape.rank()));  // an axis out of range fails here
  return {c.op("Squeeze", {x, c.c_i64(dims)})};
}

Value* unsqueeze(OpCtx& c, Value* x, int64_t axis) {
  return c.op("Unsqueeze", {x, c.c_i64({axis})});
}

std::vector<Value*> expand_dims(OpCtx& c) {
  auto axis = c.const_ints(1, "dim");
  if (axis.size() != 1) c.fail("dim must hold one value");
  return {unsqueeze(c, c.input(0), axis[0])};
}

std::vector<Value*> transpose(OpCtx& c) { return {c.transpose(c.input(0), c.const_ints(1, "perm"))}; }

Value* concat(OpCtx& c, std::vector<Value*> xs, int64_t axis) {
  if (xs[0]->shape.rank_known) norm_axis(c, axis, int64_t(xs[0]->shape.rank()));  // an axis out of range fails here
  return c.op("Concat", xs, {{"axis", axis}});
}

std::vector<Value*> concat_v2(OpCtx& c) {
  if (c.in.size() < 2) c.fail("needs inputs and an axis");
  int64_t axis = c.const_int(c.in.size() - 1, "axis");
  std::vector<Value*> xs(c.in.begin(), c.in.end() - 1);
  if (xs.size() == 1) return {xs[0]};
  return {concat(c, xs, axis)};
}
std::vector<Value*> concat_v1(OpCtx& c) {
  int64_t axis = c.const_int(0, "concat_dim");
  std::vector<Value*> xs(c.in.begin() + 1, c.in.end());
  if (xs.size() == 1) return {xs[0]};
  return {concat(c, xs, axis)};
}

// ParallelConcat(values...) {N, shape}: the values (each of first dim 1) stacked along axis 0.
std::vector<Value*> parallel_concat(OpCtx& c) {
  for (auto* x : c.in)
    if (x->shape.rank_known && (x->shape.rank() == 0 || (x->shape.dims[0].is_fixed() && x->shape.dims[0].value != 1)))
      c.fail("every value must have first dim 1, not shape " + x->shape.str());
  if (c.in.size() == 1) return {c.input(0)};
  return {concat(c, c.in, 0)};
}

std::vector<Value*> pack(OpCtx& c) {
  int64_t axis = c.attr_int("axis", 0);
  std::vector<Value*> xs;
  for (auto* x : c.in) xs.push_back(unsqueeze(c, x, axis));
  if (xs.size() == 1) return xs;
  return {concat(c, xs, axis)};
}

std::vector<Value*> unpack(OpCtx& c) {
  Value* x = c.input(0);
  int64_t num = c.attr_int("num", -1), axis = c.attr_int("axis", 0);
  if (num <= 0) c.fail("needs attribute num");
  Node* n = c.add("Split", {x, c.c_i64(std::vector<int64_t>(size_t(num), 1))}, size_t(num), {{"axis", axis}});
  std::vector<Value*> outs;
  for (auto* o : n->outputs) {
    outs.push_back(c.op("Squeeze", {o, c.c_i64({axis})}));
  }
  return outs;
}

Value* slice(OpCtx& c, Value* x, const std::vector<int64_t>& starts, const std::vector<int64_t>& ends,
             const std::vector<int64_t>& axes, const std::vector<int64_t>& steps) {
  if (axes.empty()) return x;
  return c.op("Slice", {x, c.c_i64(starts), c.c_i64(ends), c.c_i64(axes), c.c_i64(steps)});
}

std::vector<Value*> strided_slice(OpCtx& c) {
  Value* x = c.input(0);
  auto begin = c.const_ints(1, "begin"), end = c.const_ints(2, "end"), strides = c.const_ints(3, "strides");
  if (begin.size() != end.size() || begin.size() != strides.size()) c.fail("begin/end/strides lengths differ");
  int64_t bm = c.attr_int("begin_mask", 0), em = c.attr_int("end_mask", 0), ell = c.attr_int("ellipsis_mask", 0),
          nm = c.attr_int("new_axis_mask", 0), sm = c.attr_int("shrink_axis_mask", 0);
  size_t n = begin.size();
  std::vector<int64_t> starts, ends, axes, steps, new_axes, shrink;
  int64_t d = 0, od = 0;  // input dim, output dim (with new axes, before shrinking)
  for (size_t i = 0; i < n; ++i) {
    int64_t bit = int64_t(1) << i;
    if (ell & bit) {
      if (!x->shape.rank_known) c.fail("ellipsis needs a known input rank");
      int64_t after = 0;
      for (size_t j = i + 1; j < n; ++j)
        if (!(nm & (int64_t(1) << j))) ++after;
      int64_t skip = int64_t(x->shape.rank()) - d - after;
      d += skip;
      od += skip;
    } else if (nm & bit) {
      new_axes.push_back(od++);
    } else {
      int64_t s = strides[i];
      if (s == 0) c.fail("stride 0");
      if (sm & bit) {
        starts.push_back(begin[i]);
        ends.push_back(begin[i] == -1 ? kMaxI : begin[i] + 1);
        steps.push_back(1);
        shrink.push_back(od);
      } else {
        starts.push_back((bm & bit) ? (s > 0 ? 0 : kMaxI) : begin[i]);
        ends.push_back((em & bit) ? (s > 0 ? kMaxI : kMinI) : end[i]);
        steps.push_back(s);
      }
      axes.push_back(d++);
      ++od;
    }
  }
  Value* y = slice(c, x, starts, ends, axes, steps);
  if (!new_axes.empty()) {
    y = c.op("Unsqueeze", {y, c.c_i64(new_axes)});
  }
  if (!shrink.empty()) {
    y = c.op("Squeeze", {y, c.c_i64(shrink)});
  }
  return {y};
}

// Slice whose begin or size is known only at run time (TF Object Detection postprocessors clip
// box lists to a computed count): ONNX Slice takes them as inputs, and a size of -1 (to the end)
// becomes an end of INT64_MAX.
Value* runtime_slice(OpCtx& c) {
  Value *begin = c.to_i64(c.input(1)), *size = c.to_i64(c.input(2));
  int64_t n = -1;
  for (Value* v : {begin, size})
    if (v->shape.rank_known && v->shape.rank() == 1 && v->shape.dims[0].is_fixed()) n = v->shape.dims[0].value;
  if (n < 0 && c.input(0)->shape.rank_known) n = int64_t(c.input(0)->shape.rank());
  if (n < 0) c.fail("begin and size are run-time values of unknown length");
  std::vector<int64_t> axes(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) axes[size_t(i)] = i;
  Value* to_end = c.op("Less", {size, c.c_i64({0})});
  Value* ends = c.op("Where", {to_end, c.c_i64(std::vector<int64_t>(size_t(n), kMaxI)), c.op("Add", {begin, size})});
  return c.op("Slice", {c.input(0), begin, ends, c.c_i64(axes)});
}

std::vector<Value*> slice_op(OpCtx& c) {
  if (!c.const_input(1) || !c.const_input(2)) return {runtime_slice(c)};
  auto begin = c.const_ints(1, "begin"), size = c.const_ints(2, "size");
  if (begin.size() != size.size()) c.fail("begin/size lengths differ");
  std::vector<int64_t> ends, axes, steps;
  for (size_t i = 0; i < begin.size(); ++i) {
    ends.push_back(size[i] < 0 ? kMaxI : begin[i] + size[i]);
    axes.push_back(int64_t(i));
    steps.push_back(1);
  }
  return {slice(c, c.input(0), begin, ends, axes, steps)};
}

std::vector<Value*> gather(OpCtx& c) {
  int64_t axis = 0;
  if (c.node.op == "GatherV2") {
    if (c.attr_int("batch_dims", 0) != 0) c.fail("batch_dims != 0 is not supported");
    axis = c.const_int(2, "axis");
  }
  Value *x = c.input(0), *idx = c.input(1);
  if (x->shape.rank_known) norm_axis(c, axis, int64_t(x->shape.rank()));  // an axis out of range fails here
  return {c.op("Gather", {x, idx}, {{"axis", axis}})};
}

DType out_type(OpCtx& c, DType def) {
  DType t = c.attr_type("out_type");
  return t == DType::Undefined ? def : t;
}

std::vector<Value*> shape(OpCtx& c) {
  Value* x = c.input(0);
  return {c.cast(c.op("Shape", {x}), out_type(c, DType::Int32))};
}
std::vector<Value*> size(OpCtx& c) {
  return {c.cast(c.op("Size", {c.input(0)}), out_type(c, DType::Int32))};
}

std::vector<Value*> fill(OpCtx& c) {
  Value* v = c.input(1);
  return {c.op("Expand", {v, c.to_i64(c.input(0))})};
}

template <int Value_>
std::vector<Value*> const_like(OpCtx& c) {
  Value* x = c.input(0);
  if (x->shape.rank_known && x->shape.all_fixed()) {
    std::vector<int64_t> dims;
    for (auto& d : x->shape.dims) dims.push_back(d.value);
    return {c.op("Expand", {c.c_scalar(x->dtype, Value_), c.c_i64(dims)})};
  }
  return {c.op("Expand", {c.c_scalar(x->dtype, Value_), c.op("Shape", {x})})};
}

std::vector<Value*> pad(OpCtx& c) {
  Value* x = c.input(0);
  std::string mode = "constant";
  if (c.node.op == "MirrorPad") {
    std::string m = c.attr_str("mode", "REFLECT");
    if (m != "REFLECT") c.fail("MirrorPad mode " + m + " has no ONNX equivalent");
    mode = "reflect";
  }
  Value* pads;
  if (const Tensor* p = c.const_input(1)) {
    auto v = p->to_int_vector();
    size_t r = v.size() / 2;
    std::vector<int64_t> onnx(2 * r);
    for (size_t i = 0; i < r; ++i) {
      onnx[i] = v[2 * i];
      onnx[r + i] = v[2 * i + 1];
    }
    pads = c.c_i64(onnx);
  } else {
    // [[b0,e0],[b1,e1],...] -> [b0,b1,...,e0,e1,...]
    Value* t = c.transpose(c.to_i64(c.input(1)), {1, 0});
    pads = c.op("Reshape", {t, c.c_i64({-1})});
  }
  std::vector<Value*> ins{x, pads};
  if (c.node.op == "PadV2") ins.push_back(c.input(2));
  return {c.op("Pad", ins, {{"mode", mode}})};
}

std::vector<Value*> tile(OpCtx& c) {
  Value* x = c.input(0);
  return {c.op("Tile", {x, c.to_i64(c.input(1))})};
}

std::vector<Value*> split_into(OpCtx& c, Value* x, int64_t axis, std::vector<int64_t> sizes, int64_t num) {
  std::map<std::string, Attribute> a{{"axis", axis}};
  std::vector<Value*> ins{x};
  int64_t r = x->shape.rank_known ? int64_t(x->shape.rank()) : -1;
  const Dim* dim = r >= 0 ? &x->shape.dims[size_t(norm_axis(c, axis, r))] : nullptr;
  if (sizes.empty() && dim && dim->is_fixed()) sizes.assign(size_t(num), dim->value / num);
  int64_t neg = -1, known = 0;
  for (size_t i = 0; i < sizes.size(); ++i)
    if (sizes[i] < 0) neg = int64_t(i);
    else known += sizes[i];
  if (neg >= 0) {
    if (!dim || !dim->is_fixed()) c.fail("size -1 needs a known dimension");
    sizes[size_t(neg)] = dim->value - known;
  }
  if (!sizes.empty()) ins.push_back(c.c_i64(sizes));
  else a["num_outputs"] = num;
  return c.add("Split", ins, size_t(num), a)->outputs;
}

std::vector<Value*> split(OpCtx& c) {
  int64_t num = c.attr_int("num_split", 1);
  return split_into(c, c.input(1), c.const_int(0, "split_dim"), {}, num);
}
std::vector<Value*> split_v(OpCtx& c) {
  auto sizes = c.const_ints(1, "size_splits");
  return split_into(c, c.input(0), c.const_int(2, "split_dim"), sizes, int64_t(sizes.size()));
}

std::vector<Value*> select(OpCtx& c) {
  Value *cond = c.input(0), *t = c.input(1), *e = c.input(2);
  // TF1 Select: a rank-1 condition picks rows of higher-rank operands.
  if (c.node.op == "Select" && cond->shape.rank_known && t->shape.rank_known && cond->shape.rank() == 1 &&
      t->shape.rank() > 1) {
    std::vector<int64_t> axes;
    for (size_t i = 1; i < t->shape.rank(); ++i) axes.push_back(int64_t(i));
    cond = c.op("Unsqueeze", {cond, c.c_i64(axes)});
  }
  return {c.op("Where", {cond, t, e})};
}

}  // namespace

void register_array_ops(OpTable& t) {
  t["Reshape"] = reshape;
  t["Squeeze"] = squeeze;
  t["ExpandDims"] = expand_dims;
  t["Transpose"] = transpose;
  t["ConcatV2"] = concat_v2;
  t["Concat"] = concat_v1;
  t["Pack"] = pack;
  t["ParallelConcat"] = parallel_concat;
  t["Unpack"] = unpack;
  t["StridedSlice"] = strided_slice;
  t["Slice"] = slice_op;
  t["GatherV2"] = t["Gather"] = gather;
  t["Shape"] = shape;
  t["Size"] = size;
  t["Fill"] = fill;
  t["ZerosLike"] = const_like<0>;
  t["OnesLike"] = const_like<1>;
  t["Pad"] = t["PadV2"] = t["MirrorPad"] = pad;
  t["Tile"] = tile;
  t["Split"] = split;
  t["SplitV"] = split_v;
  t["Select"] = t["SelectV2"] = select;
}

}  // namespace modelport::tf

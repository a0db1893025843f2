// TF shape and indexing ops, joins and splits, padding, selection, graph plumbing.
#include "ops/tf/tf_cases.h"

namespace modelport::test::tf_ops {
namespace {
using B = sm::GraphDefBuilder;

// A [rows, 2] int32 constant (paddings).
void const_pairs(B& b, const std::string& name, const std::vector<int32_t>& v) {
  tf::NodeDef* n = b.const_i(name, v);
  auto* shape = (*n->mutable_attr())["value"].mutable_tensor()->mutable_tensor_shape();
  shape->mutable_dim(0)->set_size(int64_t(v.size() / 2));
  shape->add_dim()->set_size(2);
}

tf::NodeDef* strided_slice(B& b, const std::string& name, const std::string& x, std::vector<int32_t> begin,
                           std::vector<int32_t> end, std::vector<int32_t> strides, int begin_mask, int end_mask,
                           int shrink_mask = 0) {
  b.const_i(name + "_b", begin);
  b.const_i(name + "_e", end);
  b.const_i(name + "_s", strides);
  tf::NodeDef* n = b.node(name, "StridedSlice", {x, name + "_b", name + "_e", name + "_s"});
  B::set_int(n, "begin_mask", begin_mask);
  B::set_int(n, "end_mask", end_mask);
  B::set_int(n, "shrink_axis_mask", shrink_mask);
  return n;
}

at::Tensor i32(std::vector<int64_t> v) { return at::tensor(v).to(at::kInt); }
using at::indexing::Slice;

}  // namespace

void add_array_cases(std::vector<Case>& out) {
  Case sh;
  sh.name = "reshape_and_friends";
  sh.ops = {"Reshape", "Squeeze", "ExpandDims", "Transpose", "Tile", "Shape", "Size"};
  sh.inputs = {{"x", {-1, 3, 4}}, {"y", {-1, 1, 4, 1}}};
  sh.outputs = {"reshape", "squeeze1", "squeeze13", "expand", "transpose", "tile", "shape", "shape64", "size"};
  sh.build = [](B& b) {
    b.const_i("shape_c", {-1, 12});
    b.node("reshape", "Reshape", {"x", "shape_c"});
    B::set_ints(b.node("squeeze1", "Squeeze", {"y"}), "squeeze_dims", {1});
    B::set_ints(b.node("squeeze13", "Squeeze", {"y"}), "squeeze_dims", {1, -1});
    const_scalar_i(b, "minus1", -1);
    b.node("expand", "ExpandDims", {"x", "minus1"});
    b.const_i("perm", {2, 0, 1});
    b.node("transpose", "Transpose", {"x", "perm"});
    b.const_i("multiples", {1, 2, 3});
    b.node("tile", "Tile", {"x", "multiples"});
    b.node("shape", "Shape", {"x"});  // out_type int32 (the default)
    set_type(b.node("shape64", "Shape", {"y"}), "out_type", tf::DT_INT64);
    b.node("size", "Size", {"x"});
  };
  sh.reference = [](const Tensors& in) {
    auto &x = in[0], &y = in[1];
    return Tensors{x.reshape({-1, 12}), y.squeeze(1), y.squeeze(3).squeeze(1), x.unsqueeze(-1), x.permute({2, 0, 1}),
                   x.repeat({1, 2, 3}), i32({x.size(0), 3, 4}), at::tensor({y.size(0), int64_t(1), int64_t(4), int64_t(1)}),
                   i32({x.numel()}).reshape({})};
  };
  out.push_back(sh);

  Case join;
  join.name = "join_split";
  join.ops = {"ConcatV2", "Concat", "Pack", "Unpack", "Split", "SplitV", "IdentityN"};
  join.inputs = {{"x", {-1, 3, 4}}, {"y", {-1, 3, 4}}};
  join.outputs = {"cat2", "cat1", "pack", "unpack:0", "unpack:2", "split:0", "split:1", "splitv:0", "splitv:1", "idn:1"};
  join.build = [](B& b) {
    const_scalar_i(b, "one", 1);
    const_scalar_i(b, "two", 2);
    B::set_int(b.node("cat2", "ConcatV2", {"x", "y", "one"}), "N", 2);
    B::set_int(b.node("cat1", "Concat", {"two", "y", "x"}), "N", 2);
    tf::NodeDef* p = b.node("pack", "Pack", {"x", "y"});
    B::set_int(p, "axis", -1);
    B::set_int(p, "N", 2);
    tf::NodeDef* u = b.node("unpack", "Unpack", {"x"});
    B::set_int(u, "axis", 1);
    B::set_int(u, "num", 3);
    B::set_int(b.node("split", "Split", {"two", "x"}), "num_split", 2);
    b.const_i("sizes", {1, -1});
    b.node("splitv", "SplitV", {"y", "sizes", "two"});
    b.node("idn", "IdentityN", {"x", "y"});
  };
  join.reference = [](const Tensors& in) {
    auto &x = in[0], &y = in[1];
    auto s = x.split(2, 2);
    return Tensors{at::cat({x, y}, 1), at::cat({y, x}, 2), at::stack({x, y}, -1), x.select(1, 0), x.select(1, 2),
                   s[0], s[1], y.slice(2, 0, 1), y.slice(2, 1), y};
  };
  out.push_back(join);

  // ParallelConcat: values of first dim 1 stacked along axis 0 (tf.parallel_stack's graph op).
  Case pc;
  pc.name = "parallel_concat";
  pc.ops = {"ParallelConcat"};
  pc.inputs = {{"a", {1, -1, 4}}, {"b", {1, -1, 4}}, {"c", {1, -1, 4}}};
  pc.outputs = {"pc"};
  pc.build = [](B& b) { B::set_int(b.node("pc", "ParallelConcat", {"a", "b", "c"}), "N", 3); };
  pc.reference = [](const Tensors& in) { return Tensors{at::cat({in[0], in[1], in[2]}, 0)}; };
  out.push_back(pc);

  // StridedSlice bounds: begin/end masks take the whole dim, a negative stride walks backwards, a
  // shrink axis drops the dim (tf.strided_slice's documentation).
  Case sl;
  sl.name = "slicing";
  sl.ops = {"StridedSlice", "Slice", "GatherV2", "Gather"};
  sl.inputs = {{"x", {-1, 3, 4}}};
  sl.outputs = {"ss_step", "ss_shrink", "ss_reverse", "slice", "gather2", "gather1"};
  sl.build = [](B& b) {
    strided_slice(b, "ss_step", "x", {0, 1, 0}, {0, 3, 4}, {1, 1, 2}, 1, 1);          // x[:, 1:3, 0:4:2]
    strided_slice(b, "ss_shrink", "x", {0, 2}, {0, 3}, {1, 1}, 1, 1, 2);              // x[:, 2]
    strided_slice(b, "ss_reverse", "x", {0, 0, 1}, {0, 0, 0}, {1, -1, 1}, 3, 7);      // x[:, ::-1, 1:]
    b.const_i("begin", {0, 1, 1});
    b.const_i("size", {-1, 2, -1});
    b.node("slice", "Slice", {"x", "begin", "size"});
    b.const_i("idx", {2, 0, 2});
    b.node("gather2", "GatherV2", {"x", "idx", "two"});
    const_scalar_i(b, "two", 2);
    b.const_i("rows", {1, 0});
    b.node("gather1", "Gather", {"x", "rows"});
  };
  sl.reference = [](const Tensors& in) {
    auto& x = in[0];
    return Tensors{x.index({Slice(), Slice(1, 3), Slice(0, 4, 2)}), x.select(1, 2), x.flip(1).index({Slice(), Slice(), Slice(1)}),
                   x.index({Slice(), Slice(1, 3), Slice(1)}), x.index_select(2, at::tensor(std::vector<int64_t>{2, 0, 2})),
                   x.index_select(0, at::tensor(std::vector<int64_t>{1, 0}))};
  };
  out.push_back(sl);

  // Slice with a run-time size or begin (TF Object Detection postprocessors clip box lists to a
  // computed count): here both come from the dynamic batch, so neither folds to a constant.
  Case rsl;
  rsl.name = "slice_runtime_bounds";
  rsl.ops = {"Slice"};
  rsl.inputs = {{"x", {-1, 5, 4}}};
  rsl.outputs = {"slice_rt_size", "slice_rt_begin"};
  rsl.build = [](B& b) {
    b.node("shape", "Shape", {"x"});
    b.const_i("trim", {1, 2, 1});
    b.node("size", "Sub", {"shape", "trim"});  // [batch - 1, 3, 3]
    b.const_i("begin", {1, 1, 0});
    b.node("slice_rt_size", "Slice", {"x", "begin", "size"});  // x[1:, 1:4, 0:3]
    strided_slice(b, "batch", "shape", {0}, {1}, {1}, 0, 0, 0);
    b.const_i("one", {1});
    b.node("last", "Sub", {"batch", "one"});
    b.const_i("rest", {0, 1});
    const_scalar_i(b, "axis0", 0);
    B::set_int(b.node("begin_rt", "ConcatV2", {"last", "rest", "axis0"}), "N", 2);  // [batch - 1, 0, 1]
    b.const_i("size_to_end", {-1, -1, 2});
    b.node("slice_rt_begin", "Slice", {"x", "begin_rt", "size_to_end"});  // x[batch-1:, :, 1:3]
  };
  rsl.reference = [](const Tensors& in) {
    auto& x = in[0];
    int64_t n = x.size(0);
    return Tensors{x.index({Slice(1), Slice(1, 4), Slice(0, 3)}), x.index({Slice(n - 1), Slice(), Slice(1, 3)})};
  };
  out.push_back(rsl);

  Case pad;
  pad.name = "pad";
  pad.ops = {"Pad", "PadV2", "MirrorPad"};
  pad.inputs = {{"x", {-1, 3, 4}}};
  pad.outputs = {"pad", "padv2", "reflect"};
  pad.build = [](B& b) {
    const_pairs(b, "pads", {0, 0, 1, 2, 0, 1});
    b.const_f("value", {}, {-1.5f});
    b.node("pad", "Pad", {"x", "pads"});
    b.node("padv2", "PadV2", {"x", "pads", "value"});
    B::set_str(b.node("reflect", "MirrorPad", {"x", "pads"}), "mode", "REFLECT");
  };
  pad.reference = [](const Tensors& in) {
    auto& x = in[0];
    return Tensors{at::constant_pad_nd(x, {0, 1, 1, 2}), at::constant_pad_nd(x, {0, 1, 1, 2}, -1.5),
                   at::reflection_pad2d(x.unsqueeze(0), {0, 1, 1, 2}).squeeze(0)};
  };
  out.push_back(pad);

  // Select with a rank-1 condition picks whole rows (TF1); SelectV2 broadcasts like numpy.where.
  Case sel;
  sel.name = "select_fill_range";
  sel.ops = {"Select", "SelectV2", "Fill", "ZerosLike", "OnesLike", "Range"};
  sel.inputs = {{"x", {-1, 3, 4}}, {"y", {-1, 3, 4}}, {"rows", {-1}, tf::DT_BOOL}};
  sel.outputs = {"select_rows", "select", "select_v2", "fill", "zeros", "ones", "range"};
  sel.build = [](B& b) {
    b.const_f("zero", {}, {0.f});
    b.node("pos", "Greater", {"x", "zero"});
    b.node("select_rows", "Select", {"rows", "x", "y"});
    b.node("select", "Select", {"pos", "x", "y"});
    b.node("col_pos", "Greater", {"colw", "zero"});
    b.const_f("colw", {4}, {1.f, -1.f, -1.f, 1.f});
    b.node("select_v2", "SelectV2", {"col_pos", "x", "y"});
    b.node("shape", "Shape", {"x"});
    b.const_f("half", {}, {0.5f});
    b.node("filled", "Fill", {"shape", "half"});
    b.node("fill", "Mul", {"filled", "x"});
    b.node("zeros_like", "ZerosLike", {"x"});
    b.node("zeros", "Add", {"zeros_like", "y"});
    b.node("ones_like", "OnesLike", {"x"});
    b.node("ones", "Sub", {"ones_like", "x"});
    // range(1, 3 * batch, 2): the limit comes from the input's shape
    strided_slice(b, "batch", "shape", {0}, {1}, {1}, 0, 0, 1);
    const_scalar_i(b, "three", 3);
    b.node("limit", "Mul", {"batch", "three"});
    const_scalar_i(b, "start", 1);
    const_scalar_i(b, "delta", 2);
    b.node("range", "Range", {"start", "limit", "delta"});
  };
  sel.reference = [](const Tensors& in) {
    auto &x = in[0], &y = in[1];
    at::Tensor colw = at::tensor({1.f, -1.f, -1.f, 1.f});
    return Tensors{at::where(in[2].view({-1, 1, 1}), x, y), at::where(x > 0, x, y), at::where(colw > 0, x, y), x * 0.5,
                   y, 1.0 - x, at::arange(1, 3 * x.size(0), 2, at::kInt)};
  };
  out.push_back(sel);

  // Graph plumbing: Placeholder and PlaceholderV2 inputs, a PlaceholderWithDefault that is not fed
  // (its default value is used), a NoOp that the output depends on (control dependencies are not
  // data: the NoOp is dropped).
  Case plumb;
  plumb.name = "placeholders";
  plumb.ops = {"PlaceholderWithDefault", "Const"};
  plumb.structural = {"Placeholder", "PlaceholderV2", "NoOp"};
  plumb.inputs = {{"x", {-1, 3}}, {"v2", {-1, 3}, tf::DT_FLOAT, Input::Normal, "PlaceholderV2"}};
  plumb.outputs = {"out"};
  plumb.build = [](B& b) {
    b.const_f("dflt", {3}, {1.f, 2.f, -3.f});
    b.node("with_default", "PlaceholderWithDefault", {"dflt"});
    b.node("noop", "NoOp", {});
    b.node("sum", "AddV2", {"x", "v2"});
    b.node("out", "Mul", {"sum", "with_default", "^noop"});
  };
  plumb.reference = [](const Tensors& in) { return Tensors{(in[0] + in[1]) * at::tensor({1.f, 2.f, -3.f})}; };
  out.push_back(plumb);
}

}  // namespace modelport::test::tf_ops

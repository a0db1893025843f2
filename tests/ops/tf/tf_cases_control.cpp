// TF control flow: TF2's functional If/StatelessIf and While/StatelessWhile (bodies in the graph's
// function library) and TF1's tf.while_loop frame (Enter/Merge/Switch/LoopCond/NextIteration/Exit)
// and tf.cond (Switch/Merge). Trip counts come from the input's batch size (2 and 3 iterations at
// the two sizes tried) and predicates from the input's values; each cond is built twice with the
// predicate negated, so every run takes both branches. References are plain loops in ATen.
#include "ops/tf/tf_cases.h"

namespace modelport::test::tf_ops {
namespace {
using B = sm::GraphDefBuilder;

using sm::FunctionBuilder;

// The batch size of `x` as an int32 scalar, in builder `b` (x is a node name or argument).
void batch_size(B& b, const std::string& x, const std::string& prefix, const std::string& sep) {
  b.node(prefix + "shape", "Shape", {x});
  b.const_i(prefix + "b0", {0});
  b.const_i(prefix + "b1", {1});
  b.node(prefix + "n", "StridedSlice",
         {prefix + "shape" + sep, prefix + "b0" + sep, prefix + "b1" + sep, prefix + "b1" + sep});
  B::set_int(b.g.mutable_node(b.g.node_size() - 1), "shrink_axis_mask", 1);
}

// acc = 0; for i in [start, rows): acc = acc * 0.5 + x[i]. Returns {acc, i}.
Tensors halving_sum(const at::Tensor& x, int64_t start) {
  at::Tensor acc = at::zeros({x.size(1)});
  int64_t i = start;
  for (; i < x.size(0); ++i) acc = acc * 0.5 + x[i];
  return {acc, at::scalar_tensor(int32_t(i), at::kInt)};
}

// A TF1 tf.while_loop frame `p` ("p/while_context") over variables initialised from `inits`, with
// loop invariants `invariants` (read in the frame as "p/Inv_k"): variable j is "p/Merge_j" for the
// condition `cond`, "p/Identity_j" in the body, `nexts[j]` its next value and "p/Exit_j" its final one.
void v1_frame(B& b, const std::string& p, const std::vector<std::string>& inits,
              const std::vector<std::string>& invariants, const std::string& cond,
              const std::vector<std::string>& nexts) {
  auto enter = [&](const std::string& name, const std::string& in, bool invariant) {
    tf::NodeDef* e = b.node(name, "Enter", {in});
    B::set_str(e, "frame_name", p + "/while_context");
    B::set_bool(e, "is_constant", invariant);
  };
  for (size_t k = 0; k < invariants.size(); ++k) enter(p + "/Inv_" + std::to_string(k), invariants[k], true);
  b.node(p + "/LoopCond", "LoopCond", {cond});
  for (size_t j = 0; j < inits.size(); ++j) {
    std::string s = "_" + std::to_string(j);
    enter(p + "/Enter" + s, inits[j], false);
    b.node(p + "/Merge" + s, "Merge", {p + "/Enter" + s, p + "/NextIteration" + s});
    b.node(p + "/Switch" + s, "Switch", {p + "/Merge" + s, p + "/LoopCond"});
    b.node(p + "/Identity" + s, "Identity", {p + "/Switch" + s + ":1"});
    b.node(p + "/NextIteration" + s, "NextIteration", {nexts[j]});
    b.node(p + "/Exit" + s, "Exit", {p + "/Switch" + s});
  }
}

}  // namespace

void add_control_cases(std::vector<Case>& out) {
  // tf.while_loop in a tf.function: (i, acc, x) while i < rows(x): (i + 1, acc * 0.5 + x[i], x).
  Case wl;
  wl.name = "while_v2";
  wl.ops = {"StatelessWhile", "While"};
  wl.inputs = {{"x", {-1, 4}}};
  wl.outputs = {"loop:1", "loop:0", "late:1", "late:0"};
  wl.build = [](B& b) {
    const std::vector<std::pair<std::string, tf::DataType>> vars = {
        {"i", tf::DT_INT32}, {"acc", tf::DT_FLOAT}, {"x", tf::DT_FLOAT}};
    FunctionBuilder cond(b, "cond_f", vars);
    batch_size(cond.body, "x", "", ":output:0");
    cond.body.node("less", "Less", {"i", "n:output:0"});
    cond.finish({{"z", "less:z:0"}});
    FunctionBuilder body(b, "body_f", vars);
    const_scalar_i(body.body, "axis", 0);
    body.body.node("row", "GatherV2", {"x", "i", "axis:output:0"});
    body.body.const_f("half", {}, {0.5f});
    body.body.node("mul", "Mul", {"acc", "half:output:0"});
    body.body.node("acc2", "AddV2", {"mul:z:0", "row:output:0"});
    const_scalar_i(body.body, "one", 1);
    body.body.node("i2", "AddV2", {"i", "one:output:0"});
    body.finish({{"i2", "i2:z:0"}, {"acc2", "acc2:z:0"}, {"x2", "x"}});
    b.const_f("acc0", {4}, {0, 0, 0, 0});
    for (auto [name, op, start] : {std::tuple{"loop", "StatelessWhile", 0}, std::tuple{"late", "While", 1}}) {
      const_scalar_i(b, std::string(name) + "_i0", start);
      tf::NodeDef* w = b.node(name, op, {std::string(name) + "_i0", "acc0", "x"});
      B::set_func(w, "cond", "cond_f");
      B::set_func(w, "body", "body_f");
    }
  };
  wl.reference = [](const Tensors& in) {
    Tensors a = halving_sum(in[0], 0), b = halving_sum(in[0], 1);
    return Tensors{a[0], a[1], b[0], b[1]};
  };
  out.push_back(wl);

  // tf.cond in a tf.function: sum(x) > 0 ? x * 2 : x (the else branch returns its argument).
  Case cv2;
  cv2.name = "cond_v2";
  cv2.ops = {"If", "StatelessIf"};
  cv2.inputs = {{"x", {-1, 3}}};
  cv2.outputs = {"pos", "neg"};
  cv2.build = [](B& b) {
    FunctionBuilder then(b, "double_f", {{"x", tf::DT_FLOAT}});
    then.body.const_f("two", {}, {2.f});
    then.body.node("mul", "Mul", {"x", "two:output:0"});
    then.finish({{"y", "mul:z:0"}});
    FunctionBuilder keep(b, "keep_f", {{"x", tf::DT_FLOAT}});
    keep.finish({{"y", "x"}});
    b.const_i("axes", {0, 1});
    b.node("sum", "Sum", {"x", "axes"});
    b.const_f("zero", {}, {0.f});
    b.node("p", "Greater", {"sum", "zero"});
    b.node("np", "LessEqual", {"sum", "zero"});
    for (auto [name, op, pred] : {std::tuple{"pos", "If", "p"}, std::tuple{"neg", "StatelessIf", "np"}}) {
      tf::NodeDef* n = b.node(name, op, {pred, "x"});
      B::set_func(n, "then_branch", "double_f");
      B::set_func(n, "else_branch", "keep_f");
    }
  };
  cv2.reference = [](const Tensors& in) {
    const at::Tensor& x = in[0];
    bool p = x.sum().item<float>() > 0;
    return Tensors{p ? x * 2 : x, p ? x : x * 2};
  };
  out.push_back(cv2);

  // tf.compat.v1.while_loop as TF1 writes it: the same loop as while_v2, rows(x) and x entering
  // the frame as loop invariants, the body's constant anchored by a control input.
  Case w1;
  w1.name = "while_v1";
  w1.ops = {"Exit"};
  w1.structural = {"Enter", "Merge", "Switch", "LoopCond", "NextIteration"};
  w1.inputs = {{"x", {-1, 4}}};
  w1.outputs = {"while/Exit_1", "while/Exit_0"};
  w1.build = [](B& b) {
    batch_size(b, "x", "", "");
    const_scalar_i(b, "i0", 0);
    b.const_f("acc0", {4}, {0, 0, 0, 0});
    v1_frame(b, "while", {"i0", "acc0"}, {"n", "x"}, "while/Less", {"while/add", "while/add_1"});
    b.node("while/Less", "Less", {"while/Merge_0", "while/Inv_0"});
    const_scalar_i(b, "while/one", 1)->add_input("^while/Identity_0");
    b.node("while/add", "AddV2", {"while/Identity_0", "while/one"});
    const_scalar_i(b, "while/axis", 0)->add_input("^while/Identity_0");
    b.node("while/row", "GatherV2", {"while/Inv_1", "while/Identity_0", "while/axis"});
    b.const_f("while/half", {}, {0.5f})->add_input("^while/Identity_0");
    b.node("while/mul", "Mul", {"while/Identity_1", "while/half"});
    b.node("while/add_1", "AddV2", {"while/mul", "while/row"});
  };
  w1.reference = [](const Tensors& in) { return halving_sum(in[0], 0); };
  out.push_back(w1);

  // tf.map_fn as TF1 writes it (TF2's TensorList form): the rows of x unstacked into a list, each
  // squared and reshaped to 2x2 into a list reserved with an unknown element shape, then stacked.
  Case mf;
  mf.name = "map_fn_v1";
  mf.ops = {"TensorListReserve", "TensorListFromTensor", "TensorListStack", "TensorListLength"};
  mf.structural = {"TensorListGetItem", "TensorListSetItem"};  // inside the loop
  mf.inputs = {{"x", {-1, 4}}};
  mf.outputs = {"stacked", "count"};  // map_fn_v1's reference is tensor_array_v1's too
  mf.build = [](B& b) {
    auto list_op = [&](const std::string& name, const std::string& op, const std::vector<std::string>& in) {
      set_type(b.node(name, op, in), "element_dtype", tf::DT_FLOAT);
    };
    batch_size(b, "x", "", "");
    const_scalar_i(b, "unknown_shape", -1);
    list_op("ys", "TensorListReserve", {"unknown_shape", "n"});
    b.const_i("row_shape", {4});
    list_op("xs", "TensorListFromTensor", {"x", "row_shape"});
    const_scalar_i(b, "i0", 0);
    v1_frame(b, "map", {"i0", "ys", "xs"}, {"n"}, "map/Less", {"map/add", "map/set", "map/Identity_2"});
    b.node("map/Less", "Less", {"map/Merge_0", "map/Inv_0"});
    b.const_i("map/row_shape", {4})->add_input("^map/Identity_0");
    list_op("map/row", "TensorListGetItem", {"map/Identity_2", "map/Identity_0", "map/row_shape"});
    b.node("map/square", "Mul", {"map/row", "map/row"});
    b.const_i("map/square_shape", {2, 2})->add_input("^map/Identity_0");
    b.node("map/item", "Reshape", {"map/square", "map/square_shape"});
    list_op("map/set", "TensorListSetItem", {"map/Identity_1", "map/Identity_0", "map/item"});
    const_scalar_i(b, "map/one", 1)->add_input("^map/Identity_0");
    b.node("map/add", "AddV2", {"map/Identity_0", "map/one"});
    b.const_i("element_shape", {2, 2});
    list_op("stacked", "TensorListStack", {"map/Exit_1", "element_shape"});
    list_op("count", "TensorListLength", {"map/Exit_1"});
  };
  mf.reference = [](const Tensors& in) {
    const at::Tensor& x = in[0];
    return Tensors{(x * x).reshape({x.size(0), 2, 2}), at::scalar_tensor(int32_t(x.size(0)), at::kInt)};
  };
  out.push_back(mf);

  // The same map as TF1's TensorArrayV3 writes it (tf.compat.v1 TensorArray): x unstacked by a
  // Scatter of rows 0..n-1, each row read, squared, reshaped and written at its index, then the
  // array gathered at 0..size-1. Both arrays have an unknown element shape.
  Case ta;
  ta.name = "tensor_array_v1";
  ta.ops = {"TensorArrayV3", "TensorArrayScatterV3", "TensorArrayReadV3", "TensorArrayWriteV3",
            "TensorArraySizeV3", "TensorArrayGatherV3"};
  ta.inputs = {{"x", {-1, 4}}};
  ta.outputs = {"gathered", "size"};
  ta.build = [](B& b) {
    auto array = [&](const std::string& name, const std::string& size) {
      tf::NodeDef* n = b.node(name, "TensorArrayV3", {size});
      set_type(n, "dtype", tf::DT_FLOAT);
      (*n->mutable_attr())["element_shape"].mutable_shape()->set_unknown_rank(true);
    };
    batch_size(b, "x", "", "");
    const_scalar_i(b, "zero", 0);
    const_scalar_i(b, "one", 1);
    b.node("rows", "Range", {"zero", "n", "one"});
    array("in", "n");
    b.node("unstack", "TensorArrayScatterV3", {"in", "rows", "x", "in:1"});
    array("out", "n");
    v1_frame(b, "ta", {"zero", "out:1"}, {"n", "in", "unstack", "out"}, "ta/Less", {"ta/add", "ta/write"});
    b.node("ta/Less", "Less", {"ta/Merge_0", "ta/Inv_0"});
    b.node("ta/row", "TensorArrayReadV3", {"ta/Inv_1", "ta/Identity_0", "ta/Inv_2"});
    b.node("ta/square", "Mul", {"ta/row", "ta/row"});
    b.const_i("ta/square_shape", {2, 2})->add_input("^ta/Identity_0");
    b.node("ta/item", "Reshape", {"ta/square", "ta/square_shape"});
    b.node("ta/write", "TensorArrayWriteV3", {"ta/Inv_3", "ta/Identity_0", "ta/item", "ta/Identity_1"});
    const_scalar_i(b, "ta/one", 1)->add_input("^ta/Identity_0");
    b.node("ta/add", "AddV2", {"ta/Identity_0", "ta/one"});
    b.node("size", "TensorArraySizeV3", {"out", "ta/Exit_1"});
    b.node("all", "Range", {"zero", "size", "one"});
    b.node("gathered", "TensorArrayGatherV3", {"out", "all", "ta/Exit_1"});
  };
  ta.reference = mf.reference;
  out.push_back(ta);

  // tf.compat.v1.cond: Switch sends x to the branch the predicate picks (:1 when true), Merge
  // returns the value that arrives and its input index.
  Case c1;
  c1.name = "cond_v1";
  c1.ops = {"Switch", "Merge"};
  c1.inputs = {{"x", {-1, 3}}};
  c1.outputs = {"pos/Merge:0", "neg/Merge:0", "taken"};
  c1.build = [](B& b) {
    b.const_i("axes", {0, 1});
    b.node("sum", "Sum", {"x", "axes"});
    b.const_f("zero", {}, {0.f});
    b.node("p", "Greater", {"sum", "zero"});
    b.node("np", "LessEqual", {"sum", "zero"});
    for (std::string name : {"pos", "neg"}) {
      b.node(name + "/Switch", "Switch", {"x", name == "pos" ? "p" : "np"});
      b.const_f(name + "/two", {}, {2.f})->add_input("^" + name + "/Switch:1");
      b.node(name + "/mul", "Mul", {name + "/Switch:1", name + "/two"});
      b.node(name + "/abs", "Abs", {name + "/Switch:0"});
      b.node(name + "/Merge", "Merge", {name + "/abs", name + "/mul"});
    }
    b.node("taken", "Pack", {"pos/Merge:1", "neg/Merge:1"});  // the inputs' indices: [1, 0] or [0, 1]
  };
  c1.reference = [](const Tensors& in) {
    const at::Tensor& x = in[0];
    bool p = x.sum().item<float>() > 0;
    at::Tensor taken = at::tensor(std::vector<int32_t>{p ? 1 : 0, p ? 0 : 1}, at::kInt);
    return Tensors{p ? x * 2 : x.abs(), p ? x.abs() : x * 2, taken};
  };
  out.push_back(c1);
}

}  // namespace modelport::test::tf_ops

// Opset-dependent op forms: the emitted proto structure at old vs new opsets.
#include <gtest/gtest.h>

#include <filesystem>

#include "emit/emit_context.h"
#include "emit/op_forms.h"
#include "emit_test_util.h"
#include "modelport/error.h"
#include "verify/ort_runner.h"

namespace modelport {
namespace {
using namespace modelport::emit_testing;

Value* input(Model& m, const char* name, std::vector<int64_t> d, DType dt = DType::Float32) {
  return m.graph->add_input(name, dt, Shape::of(d));
}
void output(Model& m, Value* v) { m.graph->outputs.push_back(v); }

TEST(OpForms, UnsqueezeAxesAttributeBefore13) {
  Model m;
  Value* x = input(m, "x", {2, 3});
  output(m, m.graph->op("Unsqueeze", {x, m.graph->add_constant("axes", Tensor::i64({0}))}));

  auto p11 = emit_and_load(m, 11);
  auto u11 = nodes_of(p11.graph(), "Unsqueeze");
  ASSERT_EQ(u11.size(), 1u);
  EXPECT_EQ(u11[0]->input_size(), 1);
  EXPECT_EQ(ints_of(attr_of(*u11[0], "axes")), (std::vector<int64_t>{0}));
  EXPECT_EQ(p11.ir_version(), 6);

  auto p13 = emit_and_load(m, 13);
  auto u13 = nodes_of(p13.graph(), "Unsqueeze");
  ASSERT_EQ(u13.size(), 1u);
  EXPECT_EQ(u13[0]->input_size(), 2);
  EXPECT_EQ(attr_of(*u13[0], "axes"), nullptr);
  EXPECT_EQ(int64_initializer(p13.graph(), u13[0]->input(1)), (std::vector<int64_t>{0}));
  EXPECT_EQ(p13.ir_version(), 7);
  // Output type/shape filled by shape inference.
  EXPECT_EQ(p13.graph().output(0).type().tensor_type().elem_type(), onnx::TensorProto::FLOAT);
  EXPECT_EQ(p13.graph().output(0).type().tensor_type().shape().dim_size(), 3);
}

TEST(OpForms, UnsqueezeNonConstantAxesFailsBefore13) {
  Model m;
  Value* x = input(m, "x", {2, 3});
  Value* axes = input(m, "axes", {1}, DType::Int64);
  output(m, m.graph->op("Unsqueeze", {x, axes}));
  TmpDir dir;
  EmitOptions o;
  o.opset = 11;
  EXPECT_THROW(emit_onnx(m, dir.file("m.onnx"), o), Error);
  EXPECT_TRUE(dir.entries().empty());
  o.opset = 13;
  EXPECT_NO_THROW(emit_onnx(m, dir.file("m.onnx"), o));
}

TEST(OpForms, ReduceMeanAxesAttributeBelow18) {
  Model m;
  Value* x = input(m, "x", {2, 3, 4});
  output(m, m.graph->op("ReduceMean", {x, m.graph->add_constant("axes", Tensor::i64({1, 2}))},
                        {{"keepdims", int64_t{0}}}));
  for (int opset : {11, 13, 17}) {
    auto p = emit_and_load(m, opset);
    auto r = nodes_of(p.graph(), "ReduceMean");
    ASSERT_EQ(r.size(), 1u) << opset;
    EXPECT_EQ(r[0]->input_size(), 1);
    EXPECT_EQ(ints_of(attr_of(*r[0], "axes")), (std::vector<int64_t>{1, 2}));
    EXPECT_EQ(p.graph().output(0).type().tensor_type().shape().dim(0).dim_value(), 2);
  }
}

TEST(OpForms, ReduceWithoutAxes) {
  Model m;
  Value* x = input(m, "x", {2, 3});
  output(m, m.graph->op("ReduceMax", {x}));                                          // all axes
  output(m, m.graph->op("ReduceMin", {x}, {{"noop_with_empty_axes", int64_t{1}}}));  // identity
  auto p = emit_and_load(m, 13);
  auto mx = nodes_of(p.graph(), "ReduceMax");
  ASSERT_EQ(mx.size(), 1u);
  EXPECT_EQ(attr_of(*mx[0], "axes"), nullptr);
  EXPECT_TRUE(nodes_of(p.graph(), "ReduceMin").empty());
  EXPECT_EQ(nodes_of(p.graph(), "Identity").size(), 1u);
}

TEST(OpForms, ReduceSumAxesInputFrom13) {
  Model m;
  Value* x = input(m, "x", {2, 3});
  output(m, m.graph->op("ReduceSum", {x, m.graph->add_constant("axes", Tensor::i64({1}))}));
  auto p11 = emit_and_load(m, 11);
  EXPECT_EQ(ints_of(attr_of(*nodes_of(p11.graph(), "ReduceSum")[0], "axes")), (std::vector<int64_t>{1}));
  auto p13 = emit_and_load(m, 13);
  EXPECT_EQ(nodes_of(p13.graph(), "ReduceSum")[0]->input_size(), 2);
}

TEST(OpForms, Split) {
  Model m;
  Value* x = input(m, "x", {6, 4});
  Node* s = m.graph->add_node("Split", {x, m.graph->add_constant("split", Tensor::i64({2, 4}))}, 2,
                              {{"axis", int64_t{0}}});
  output(m, s->outputs[0]);
  output(m, s->outputs[1]);
  auto p11 = emit_and_load(m, 11);
  auto n11 = nodes_of(p11.graph(), "Split");
  ASSERT_EQ(n11.size(), 1u);
  EXPECT_EQ(n11[0]->input_size(), 1);
  EXPECT_EQ(ints_of(attr_of(*n11[0], "split")), (std::vector<int64_t>{2, 4}));
  auto p13 = emit_and_load(m, 13);
  auto n13 = nodes_of(p13.graph(), "Split");
  EXPECT_EQ(n13[0]->input_size(), 2);
  EXPECT_EQ(attr_of(*n13[0], "split"), nullptr);
}

TEST(OpForms, SplitNumOutputsDropped) {
  Model m;
  Value* x = input(m, "x", {6, 4});
  Node* s = m.graph->add_node("Split", {x}, 3, {{"axis", int64_t{0}}, {"num_outputs", int64_t{3}}});
  for (auto* o : s->outputs) output(m, o);
  auto p = emit_and_load(m, 11);
  auto n = nodes_of(p.graph(), "Split");
  EXPECT_EQ(attr_of(*n[0], "num_outputs"), nullptr);
  EXPECT_EQ(attr_of(*n[0], "split"), nullptr);
  EXPECT_EQ(p.graph().output(2).type().tensor_type().shape().dim(0).dim_value(), 2);

  // 18 allows an uneven split (last chunk smaller): explicit sizes at older opsets.
  Model u;
  Value* y = input(u, "y", {7});
  Node* s2 = u.graph->add_node("Split", {y}, 3, {{"num_outputs", int64_t{3}}});
  for (auto* o : s2->outputs) output(u, o);
  auto pu = emit_and_load(u, 13);
  auto n2 = nodes_of(pu.graph(), "Split");
  ASSERT_EQ(n2[0]->input_size(), 2);
  EXPECT_EQ(int64_initializer(pu.graph(), n2[0]->input(1)), (std::vector<int64_t>{3, 3, 1}));
}

TEST(OpForms, SoftmaxNonLastAxisWrappedBefore13) {
  Model m;
  Value* x = input(m, "x", {2, 3, 4});
  output(m, m.graph->op("Softmax", {x}, {{"axis", int64_t{1}}}));
  auto p11 = emit_and_load(m, 11);
  ASSERT_EQ(p11.graph().node_size(), 3);
  EXPECT_EQ(p11.graph().node(0).op_type(), "Transpose");
  EXPECT_EQ(ints_of(attr_of(p11.graph().node(0), "perm")), (std::vector<int64_t>{0, 2, 1}));
  EXPECT_EQ(p11.graph().node(1).op_type(), "Softmax");
  EXPECT_EQ(attr_of(p11.graph().node(1), "axis")->i(), -1);
  EXPECT_EQ(p11.graph().node(2).op_type(), "Transpose");
  EXPECT_EQ(p11.graph().node(2).output(0), p11.graph().output(0).name());

  auto p13 = emit_and_load(m, 13);
  ASSERT_EQ(p13.graph().node_size(), 1);
  EXPECT_EQ(attr_of(p13.graph().node(0), "axis")->i(), 1);
}

TEST(OpForms, SoftmaxLastAxisDirectBefore13) {
  Model m;
  Value* x = m.graph->add_input("x", DType::Float32, Shape());  // unknown rank is fine for axis -1
  output(m, m.graph->op("LogSoftmax", {x}, {{"axis", int64_t{-1}}}));
  auto p = emit_and_load(m, 11);
  ASSERT_EQ(p.graph().node_size(), 1);
  EXPECT_EQ(attr_of(p.graph().node(0), "axis")->i(), -1);
  EXPECT_FALSE(p.graph().input(0).type().tensor_type().has_shape());
}

TEST(OpForms, LayerNormalizationDecomposedBelow17) {
  Model m;
  Value* x = input(m, "x", {2, 5, 8});
  Value* scale = m.graph->add_constant("scale", Tensor::f32(std::vector<float>(8, 1.f)));
  Value* bias = m.graph->add_constant("bias", Tensor::f32(std::vector<float>(8, 0.f)));
  output(m, m.graph->op("LayerNormalization", {x, scale, bias}, {{"axis", int64_t{-1}}, {"epsilon", 1e-3f}}));

  auto p13 = emit_and_load(m, 13);
  EXPECT_TRUE(nodes_of(p13.graph(), "LayerNormalization").empty());
  auto means = nodes_of(p13.graph(), "ReduceMean");
  ASSERT_EQ(means.size(), 2u);
  EXPECT_EQ(ints_of(attr_of(*means[0], "axes")), (std::vector<int64_t>{-1}));
  EXPECT_EQ(nodes_of(p13.graph(), "Sqrt").size(), 1u);
  EXPECT_EQ(p13.graph().node(p13.graph().node_size() - 1).op_type(), "Add");
  EXPECT_EQ(p13.graph().output(0).type().tensor_type().shape().dim_size(), 3);

  auto p17 = emit_and_load(m, 17);
  ASSERT_EQ(nodes_of(p17.graph(), "LayerNormalization").size(), 1u);
  EXPECT_EQ(p17.graph().node_size(), 1);
  EXPECT_EQ(p17.ir_version(), 8);
}

TEST(OpForms, LayerNormalizationFloat16CastsToStashType) {
  Model m;
  Value* x = input(m, "x", {2, 8}, DType::Float16);
  Value* scale = m.graph->add_constant("scale", Tensor::scalar(DType::Float16, 1.0));
  output(m, m.graph->op("LayerNormalization", {x, scale}, {{"axis", int64_t{1}}}));
  auto p = emit_and_load(m, 13);
  EXPECT_EQ(nodes_of(p.graph(), "Cast").size(), 2u);
  auto means = nodes_of(p.graph(), "ReduceMean");
  EXPECT_EQ(ints_of(attr_of(*means[0], "axes")), (std::vector<int64_t>{1}));
  EXPECT_EQ(p.graph().output(0).type().tensor_type().elem_type(), onnx::TensorProto::FLOAT16);
}

TEST(OpForms, HardSwish) {
  Model m;
  Value* x = input(m, "x", {4});
  output(m, m.graph->op("HardSwish", {x}));
  auto p13 = emit_and_load(m, 13);
  ASSERT_EQ(p13.graph().node_size(), 2);
  EXPECT_EQ(p13.graph().node(0).op_type(), "HardSigmoid");
  EXPECT_FLOAT_EQ(attr_of(p13.graph().node(0), "alpha")->f(), 1.f / 6.f);
  EXPECT_FLOAT_EQ(attr_of(p13.graph().node(0), "beta")->f(), 0.5f);
  EXPECT_EQ(p13.graph().node(1).op_type(), "Mul");
  auto p14 = emit_and_load(m, 14);
  ASSERT_EQ(p14.graph().node_size(), 1);
  EXPECT_EQ(p14.graph().node(0).op_type(), "HardSwish");
}

TEST(OpForms, GeluDecomposedWithInputDtypeConstants) {
  for (DType dt : {DType::Float32, DType::Float16, DType::Float64}) {
    for (const char* approx : {"none", "tanh"}) {
      Model m;
      Value* x = input(m, "x", {3}, dt);
      output(m, m.graph->op("Gelu", {x}, {{"approximate", std::string(approx)}}));
      auto p = emit_and_load(m, 17);
      EXPECT_TRUE(nodes_of(p.graph(), "Gelu").empty());
      EXPECT_EQ(nodes_of(p.graph(), std::string(approx) == "tanh" ? "Tanh" : "Erf").size(), 1u);
      for (auto& t : p.graph().initializer()) EXPECT_EQ(t.data_type(), emit::onnx_dtype(dt)) << t.name();
      EXPECT_EQ(p.graph().output(0).type().tensor_type().elem_type(), emit::onnx_dtype(dt));
    }
  }
}

TEST(OpForms, MishAndShapeSliceAndPadAxes) {
  Model m;
  Value* x = input(m, "x", {2, 3});
  output(m, m.graph->op("Mish", {x}));
  output(m, m.graph->op("Shape", {x}, {{"start", int64_t{1}}}));
  output(m, m.graph->op("Pad", {x, m.graph->add_constant("pads", Tensor::i64({1, 2})), nullptr,
                                m.graph->add_constant("axes", Tensor::i64({-1}))}));
  auto p = emit_and_load(m, 13);
  EXPECT_EQ(nodes_of(p.graph(), "Softplus").size(), 1u);
  EXPECT_EQ(nodes_of(p.graph(), "Slice").size(), 1u);
  auto pad = nodes_of(p.graph(), "Pad");
  ASSERT_EQ(pad.size(), 1u);
  EXPECT_EQ(pad[0]->input_size(), 2);
  EXPECT_EQ(int64_initializer(p.graph(), pad[0]->input(1)), (std::vector<int64_t>{0, 1, 0, 2}));
  EXPECT_EQ(p.graph().output(2).type().tensor_type().shape().dim(1).dim_value(), 6);
}

TEST(OpForms, ResizeRoiInsertedBefore13) {
  Model m;
  Value* x = input(m, "x", {1, 1, 2, 2});
  Value* scales = m.graph->add_constant("scales", Tensor::f32({1, 1, 2, 2}));
  output(m, m.graph->op("Resize", {x, nullptr, scales}, {{"mode", std::string("nearest")}}));
  auto p11 = emit_and_load(m, 11);
  auto r11 = nodes_of(p11.graph(), "Resize")[0];
  ASSERT_EQ(r11->input_size(), 3);
  const onnx::TensorProto* roi = initializer_of(p11.graph(), r11->input(1));
  ASSERT_NE(roi, nullptr);
  EXPECT_EQ(roi->data_type(), onnx::TensorProto::FLOAT);
  EXPECT_EQ(roi->dims_size(), 1);
  EXPECT_EQ(roi->dims(0), 0);
  auto p13 = emit_and_load(m, 13);
  auto r13 = nodes_of(p13.graph(), "Resize")[0];
  EXPECT_EQ(r13->input(1), "");
  EXPECT_EQ(p13.graph().output(0).type().tensor_type().shape().dim(3).dim_value(), 4);
}

// Trilu below 14 is Where over a keep-mask: a constant when the last two dims and k are fixed, else
// built from Shape and Range (11). Its outputs match Trilu-14's in ONNX Runtime.
TEST(OpForms, TriluBelow14IsAMaskedWhere) {
  if (!ort_available()) GTEST_SKIP() << "ONNX Runtime not available";
  Model m;
  Value* x = m.graph->add_input("x", DType::Float32, Shape({Dim::sym("n"), Dim::fixed(5)}));
  Value* y = input(m, "y", {2, 4, 3});
  output(m, m.graph->op("Trilu", {x, m.graph->add_constant("k", Tensor::i64_scalar(1))}));  // upper
  output(m, m.graph->op("Trilu", {y, m.graph->add_constant("k2", Tensor::i64_scalar(-1))}, {{"upper", int64_t{0}}}));
  std::vector<NamedTensor> feeds = {{"x", random_f32({4, 5}, 1, 1.f, 1.f)}, {"y", random_f32({2, 4, 3}, 2, 1.f, 1.f)}};
  TmpDir dir;
  std::vector<NamedTensor> want;
  for (int opset : {14, 11, 13}) {
    std::string path = dir.file("trilu" + std::to_string(opset) + ".onnx");
    EmitOptions o;
    o.opset = opset;
    emit_onnx(m, path, o);
    auto p = load_model(path);
    EXPECT_EQ(nodes_of(p.graph(), "Trilu").size(), opset >= 14 ? 2u : 0u) << opset;
    EXPECT_EQ(nodes_of(p.graph(), "Range").size(), opset >= 14 ? 0u : 2u) << opset;  // the symbolic one only
    auto got = run_onnxruntime(path, feeds);
    ASSERT_EQ(got.size(), 2u);
    if (want.empty()) {
      want = got;
      for (auto& t : want) {  // the reference keeps some elements and zeroes others
        int zeros = 0;
        for (int64_t i = 0; i < t.tensor.numel(); ++i) zeros += t.tensor.as_double(i) == 0.0;
        EXPECT_GT(zeros, 0);
        EXPECT_LT(zeros, t.tensor.numel());
      }
      continue;
    }
    for (size_t i = 0; i < 2; ++i) {
      ASSERT_EQ(got[i].tensor.dims, want[i].tensor.dims);
      for (int64_t k = 0; k < got[i].tensor.numel(); ++k)
        EXPECT_EQ(got[i].tensor.as_double(k), want[i].tensor.as_double(k)) << opset << " output " << i << " element " << k;
    }
  }
  // At 10 the fixed one is a constant mask, the symbolic one needs Range.
  EmitOptions o;
  o.opset = 10;
  try {
    emit_onnx(m, dir.file("trilu10.onnx"), o);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("Trilu with symbolic rows/columns or a run-time diagonal needs opset >= 11 "
                                          "(requested 10)", 0), 0u) << e.what();
    EXPECT_EQ(e.exit_code(), kExitConversionFailed);
  }
  EXPECT_FALSE(std::filesystem::exists(dir.file("trilu10.onnx")));
}

TEST(OpForms, NewerOpAndLateAttributeErrors) {
  Model m;
  Value* x = input(m, "x", {1, 4, 2, 2});
  Value* s = m.graph->add_constant("s", Tensor::f32({1, 1}));
  output(m, m.graph->op("GroupNormalization", {x, s, s}, {{"num_groups", int64_t{2}}}));
  TmpDir dir;
  EmitOptions o;
  try {
    emit_onnx(m, dir.file("m.onnx"), o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("GroupNormalization needs opset >= 18 (requested 17)", 0), 0u);
  }
  Model r;
  Value* y = input(r, "y", {2, 3});
  output(r, r.graph->op("Reshape", {y, r.graph->add_constant("shape", Tensor::i64({3, 2}))},
                        {{"allowzero", int64_t{1}}}));
  o.opset = 13;
  EXPECT_THROW(emit_onnx(r, dir.file("m.onnx"), o), Error);
  auto p = emit_and_load(r, 14);
  EXPECT_EQ(attr_of(p.graph().node(0), "allowzero")->i(), 1);
}

TEST(OpForms, NewerOpsetForms) {
  // Split-18 needs the split input or num_outputs: an equal split with neither gets num_outputs.
  Model m;
  Value* x = input(m, "x", {6, 4});
  Node* s = m.graph->add_node("Split", {x}, 3, {{"axis", int64_t{0}}});
  for (auto* o : s->outputs) output(m, o);
  // Pad with an axes input is written as is from 18 (expanded to full pads below).
  output(m, m.graph->op("Pad", {x, m.graph->add_constant("pads", Tensor::i64({1, 2})), nullptr,
                                m.graph->add_constant("axes", Tensor::i64({-1}))}));
  for (int opset : {18, 21, 23}) {
    auto p = emit_and_load(m, opset);
    auto split = nodes_of(p.graph(), "Split");
    ASSERT_EQ(split.size(), 1u);
    ASSERT_NE(attr_of(*split[0], "num_outputs"), nullptr) << opset;
    EXPECT_EQ(attr_of(*split[0], "num_outputs")->i(), 3);
    auto pad = nodes_of(p.graph(), "Pad");
    ASSERT_EQ(pad.size(), 1u);
    EXPECT_EQ(pad[0]->input_size(), 4) << opset;
    EXPECT_EQ(p.opset_import(0).version(), opset);
    EXPECT_EQ(p.ir_version(), opset <= 18 ? 8 : opset <= 20 ? 9 : opset <= 22 ? 10 : 11);
    // Output types come from the same model at 17 (onnx 1.12 cannot infer the newer forms).
    EXPECT_EQ(p.graph().output(3).type().tensor_type().shape().dim(1).dim_value(), 7) << opset;  // 1 + 4 + 2
  }
  auto p17 = emit_and_load(m, 17);
  EXPECT_EQ(attr_of(*nodes_of(p17.graph(), "Split")[0], "num_outputs"), nullptr);
  EXPECT_EQ(nodes_of(p17.graph(), "Pad")[0]->input_size(), 2);

  // Pad mode 'wrap' needs 19 even though 18 has the axes input.
  Model w;
  Value* y = input(w, "y", {2, 3});
  output(w, w.graph->op("Pad", {y, w.graph->add_constant("pads", Tensor::i64({0, 1, 0, 1}))},
                        {{"mode", std::string("wrap")}}));
  TmpDir dir;
  EmitOptions o;
  o.opset = 18;
  try {
    emit_onnx(w, dir.file("m.onnx"), o);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("Pad mode 'wrap' needs opset >= 19 (requested 18)", 0), 0u) << e.what();
  }
  o.opset = 19;
  EXPECT_NO_THROW(emit_onnx(w, dir.file("m.onnx"), o));
}

TEST(OpForms, BadOpsetIsUsageError) {
  Model m;
  output(m, m.graph->op("Relu", {input(m, "x", {1})}));
  EmitOptions o;
  o.opset = 8;
  TmpDir dir;
  EXPECT_THROW(emit_onnx(m, dir.file("m.onnx"), o), UsageError);
  o.opset = 24;
  EXPECT_THROW(emit_onnx(m, dir.file("m.onnx"), o), UsageError);
}

TEST(OpForms, IfSubgraphReadsOuterScope) {
  Model m;
  Graph& g = *m.graph;
  Value* x = input(m, "x", {2});
  Value* cond = input(m, "cond", {}, DType::Bool);
  auto then_g = std::make_shared<Graph>("then", &g);
  then_g->outputs.push_back(then_g->op("Relu", {x}));                       // outer-scope read
  auto else_g = std::make_shared<Graph>("else", &g);
  Value* k = else_g->add_constant("k", Tensor::f32({1.f, 2.f}));
  else_g->outputs.push_back(else_g->op("Add", {x, k}));
  Node* n = g.add_node("If", {cond}, 1, {{"then_branch", GraphPtr(then_g)}, {"else_branch", GraphPtr(else_g)}});
  output(m, n->outputs[0]);
  auto p = emit_and_load(m, 13);
  auto ifs = nodes_of(p.graph(), "If");
  ASSERT_EQ(ifs.size(), 1u);
  const auto& eb = attr_of(*ifs[0], "else_branch")->g();
  EXPECT_EQ(eb.initializer_size(), 1);
  EXPECT_EQ(eb.node(0).input(0), "x");
  EXPECT_EQ(attr_of(*ifs[0], "then_branch")->g().node(0).input(0), "x");
}

TEST(OpForms, OpTableListsMinOpsets) {
  auto table = emitter_op_table();
  auto find = [&](const std::string& op) {
    for (auto& i : table)
      if (i.op == op) return i;
    return OpInfo{};
  };
  EXPECT_EQ(find("Trilu").min_opset, 9);
  EXPECT_EQ(find("Gelu").min_opset, 9);
  EXPECT_FALSE(find("Gelu").notes.empty());
  EXPECT_EQ(find("LayerNormalization").min_opset, 9);
  EXPECT_EQ(find("GroupNormalization").min_opset, 18);
  EXPECT_EQ(find("Relu").min_opset, 1);
  EXPECT_GT(table.size(), 150u);
}

}  // namespace
}  // namespace modelport

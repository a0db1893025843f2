// Writing: inline (streamed raw_data) and external data; bytes must round-trip exactly and a failed
// emission must leave nothing behind.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "emit/onnx_writer.h"
#include "emit_test_util.h"
#include "modelport/error.h"

namespace modelport {
namespace {
using namespace modelport::emit_testing;

std::vector<float> ramp(size_t n, float scale) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = scale * static_cast<float>(i % 97) - 1.5f;
  return v;
}

// Conv(1->8, 3x3) + Relu + Flatten + Gemm(8*6*6 -> 10): the Gemm weight is 11.5 KiB (streamed),
// the Conv weight 288 bytes (embedded).
Model conv_relu_gemm() {
  Model m;
  m.source_path = "net.pt";
  m.source_format = "torchscript";
  m.producer_name = "pytorch";
  m.producer_version = "2.1";
  m.description = "test net";
  m.metadata["custom"] = "yes";
  Graph& g = *m.graph;
  Value* x = g.add_input("x", DType::Float32, Shape({Dim::sym("batch"), Dim::fixed(1), Dim::fixed(8), Dim::fixed(8)}));
  Value* w = g.add_constant("conv.weight", Tensor::from_vector(DType::Float32, ramp(8 * 9, 0.01f), {8, 1, 3, 3}));
  Value* b = g.add_constant("conv.bias", Tensor::f32(ramp(8, 0.1f)));
  Value* c = g.op("Conv", {x, w, b}, {{"kernel_shape", std::vector<int64_t>{3, 3}}});
  Value* r = g.op("Relu", {c});
  Value* f = g.op("Flatten", {r}, {{"axis", int64_t{1}}});
  Value* gw = g.add_constant("fc.weight", Tensor::from_vector(DType::Float32, ramp(10 * 288, 0.001f), {10, 288}));
  Value* gb = g.add_constant("fc.bias", Tensor::f32(ramp(10, 0.2f)));
  Value* y = g.op("Gemm", {f, gw, gb}, {{"transB", int64_t{1}}});
  y->name = "logits";
  g.outputs.push_back(y);
  g.add_constant("unused", Tensor::f32(ramp(1000, 1.f)));  // never read: not written
  return m;
}

std::string file_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

const Tensor& ir_constant(const Model& m, const std::string& name) {
  for (auto* v : m.graph->constants())
    if (v->name == name) return *v->constant;
  throw std::runtime_error("no constant " + name);
}

TEST(Roundtrip, InlineStreamsExactBytes) {
  Model m = conv_relu_gemm();
  TmpDir dir;
  EmitOptions o;
  auto res = emit_onnx(m, dir.file("net.onnx"), o);
  EXPECT_FALSE(res.used_external_data);
  ASSERT_EQ(res.files, std::vector<std::string>{dir.file("net.onnx")});
  EXPECT_EQ(res.node_count, 4);
  EXPECT_EQ(dir.entries().size(), 1u);  // no temporaries left

  auto p = load_model(dir.file("net.onnx"));
  EXPECT_EQ(p.producer_name(), "modelport");
  EXPECT_EQ(p.producer_version(), MODELPORT_VERSION);
  EXPECT_EQ(p.doc_string(), "test net");
  EXPECT_EQ(p.ir_version(), 8);
  EXPECT_EQ(p.opset_import(0).version(), 17);
  std::map<std::string, std::string> meta;
  for (auto& kv : p.metadata_props()) meta[kv.key()] = kv.value();
  EXPECT_EQ(meta["custom"], "yes");
  EXPECT_EQ(meta["source_file"], "net.pt");
  EXPECT_EQ(meta["source_format"], "torchscript");
  EXPECT_EQ(meta["source_producer"], "pytorch 2.1");

  const auto& g = p.graph();
  EXPECT_EQ(g.input(0).type().tensor_type().shape().dim(0).dim_param(), "batch");
  EXPECT_EQ(g.input(0).type().tensor_type().shape().dim(1).dim_value(), 1);
  EXPECT_EQ(g.output(0).name(), "logits");
  EXPECT_EQ(g.output(0).type().tensor_type().elem_type(), onnx::TensorProto::FLOAT);  // from inference
  ASSERT_EQ(g.initializer_size(), 4);
  for (const char* name : {"conv.weight", "conv.bias", "fc.weight", "fc.bias"}) {
    const onnx::TensorProto* t = initializer_of(g, name);
    ASSERT_NE(t, nullptr) << name;
    const Tensor& src = ir_constant(m, name);
    EXPECT_FALSE(t->has_data_location());
    ASSERT_EQ(t->raw_data().size(), src.nbytes()) << name;
    EXPECT_EQ(std::memcmp(t->raw_data().data(), src.raw(), src.nbytes()), 0) << name;
    EXPECT_EQ(std::vector<int64_t>(t->dims().begin(), t->dims().end()), src.dims);
  }
  EXPECT_EQ(initializer_of(g, "unused"), nullptr);
  // The size the writer predicts is the size it wrote.
  onnx::ModelProto again = p;
  EXPECT_EQ(file_bytes(dir.file("net.onnx")).size(), again.ByteSizeLong());
}

TEST(Roundtrip, ExternalDataFile) {
  Model m = conv_relu_gemm();
  TmpDir dir;
  EmitOptions o;
  o.external_data = true;
  o.opset = 13;
  auto res = emit_onnx(m, dir.file("net.onnx"), o);
  EXPECT_TRUE(res.used_external_data);
  ASSERT_EQ(res.files, (std::vector<std::string>{dir.file("net.onnx"), dir.file("net.onnx.data")}));
  EXPECT_EQ(dir.entries().size(), 2u);

  auto p = load_model(dir.file("net.onnx"));
  std::string data = file_bytes(dir.file("net.onnx.data"));
  const onnx::TensorProto* t = initializer_of(p.graph(), "fc.weight");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->data_location(), onnx::TensorProto::EXTERNAL);
  std::map<std::string, std::string> ext;
  for (auto& kv : t->external_data()) ext[kv.key()] = kv.value();
  EXPECT_EQ(ext["location"], "net.onnx.data");
  uint64_t offset = std::stoull(ext["offset"]), length = std::stoull(ext["length"]);
  EXPECT_EQ(offset % emit::kExternalAlignment, 0u);
  const Tensor& src = ir_constant(m, "fc.weight");
  ASSERT_EQ(length, src.nbytes());
  ASSERT_LE(offset + length, data.size());
  EXPECT_EQ(std::memcmp(data.data() + offset, src.raw(), length), 0);
  // Small tensors stay embedded.
  EXPECT_EQ(initializer_of(p.graph(), "conv.weight")->raw_data().size(), 288u);
}

TEST(Roundtrip, FailureKeepsPreviousOutput) {
  Model m = conv_relu_gemm();
  // CenterCropPad exists from opset 18 only, so writing it at 13 fails part-way.
  m.graph->outputs.push_back(m.graph->op("CenterCropPad", {m.graph->inputs[0], m.graph->add_constant("s", Tensor::i64({1, 3, 8, 8}))}));
  TmpDir dir;
  std::string out = dir.file("net.onnx");
  { std::ofstream(out) << "previous"; }
  EmitOptions o;
  o.opset = 13;
  EXPECT_THROW(emit_onnx(m, out, o), Error);
  EXPECT_EQ(file_bytes(out), "previous");
  EXPECT_EQ(dir.entries().size(), 1u);
}

TEST(Roundtrip, CheckerErrorIsOneLine) {
  Model m;
  Value* x = m.graph->add_input("x", DType::Float32, Shape::of({2, 3}));
  Value* y = m.graph->add_input("y", DType::Float32, Shape::of({4, 5}));
  m.graph->outputs.push_back(m.graph->op("MatMul", {x, y}));
  TmpDir dir;
  try {
    emit_onnx(m, dir.file("m.onnx"), EmitOptions{});
    FAIL();
  } catch (const Error& e) {
    std::string what = e.what();
    EXPECT_EQ(what.rfind("ONNX shape inference: ", 0), 0u) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos);
  }
  EXPECT_TRUE(dir.entries().empty());
}

TEST(Roundtrip, DtypesAndStrings) {
  Model m;
  Graph& g = *m.graph;
  Value* h = g.add_constant("h", Tensor::from_vector<uint16_t>(DType::Float16, std::vector<uint16_t>(600, 0x3c00), {600}));
  Value* b = g.add_constant("b", Tensor::from_vector<uint8_t>(DType::Bool, {1, 0, 1}, {3}));
  Tensor s;
  s.dtype = DType::String;
  s.dims = {2};
  s.strings = {"a", "bc"};
  Value* sv = g.add_constant("s", s);
  g.outputs.push_back(g.op("Identity", {h}));
  g.outputs.push_back(g.op("Not", {b}));
  g.outputs.push_back(g.op("Identity", {sv}));
  auto p = emit_and_load(m, 17);
  const auto* th = initializer_of(p.graph(), "h");
  ASSERT_NE(th, nullptr);
  EXPECT_EQ(th->data_type(), onnx::TensorProto::FLOAT16);
  EXPECT_EQ(th->raw_data().size(), 1200u);
  EXPECT_EQ(initializer_of(p.graph(), "b")->raw_data(), std::string("\1\0\1", 3));
  const auto* ts = initializer_of(p.graph(), "s");
  ASSERT_EQ(ts->string_data_size(), 2);
  EXPECT_EQ(ts->string_data(1), "bc");
  EXPECT_TRUE(ts->raw_data().empty());
}

TEST(Roundtrip, ConstantGraphOutputGoesThroughIdentity) {
  Model m;
  Value* c = m.graph->add_constant("c", Tensor::f32(std::vector<float>(300, 2.f)));
  m.graph->outputs.push_back(c);
  auto p = emit_and_load(m, 17);
  ASSERT_EQ(p.graph().node_size(), 1);
  EXPECT_EQ(p.graph().node(0).op_type(), "Identity");
  EXPECT_EQ(p.graph().node(0).input(0), "c");
  EXPECT_EQ(p.graph().output(0).name(), p.graph().node(0).output(0));
}

}  // namespace
}  // namespace modelport

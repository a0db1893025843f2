// TensorFlow graphs that were converted wrongly, invalidly or silently (issue 12): int32 bilinear
// resize, reduction axes computed at run time, outputs that alias inputs/constants/each other,
// several sinks, and variable updates / optimizer steps that an inference graph cannot carry; float64
// ops ONNX Runtime cannot run, string inputs decoded in the graph, and outputs' symbolic batch axes.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "graphdef_builder.h"
#include "modelport/emit.h"
#include "modelport/error.h"
#include "modelport/loaders.h"
#include "support/test_support.h"
#include "verify/ort_runner.h"

using namespace modelport;
using namespace modelport::test::sm;
using B = GraphDefBuilder;

namespace {

using test::ort_missing;

Model load(B& b, std::vector<std::string> outputs) {
  LoadOptions o;
  o.outputs = std::move(outputs);
  return load_savedmodel(b.save(), Format::GraphDef, o);
}

// Converts, writes and runs the model in ONNX Runtime.
std::vector<NamedTensor> run(const Model& m, const std::string& where, std::vector<NamedTensor> feeds) {
  std::string onnx = where + ".onnx";
  emit_onnx(m, onnx, EmitOptions{});
  auto outs = run_onnxruntime(onnx, feeds);
  std::remove(onnx.c_str());
  return outs;
}

}  // namespace

TEST(GraphDefIssue12, ResizeBilinearOnInt32ComputesInFloat) {
  std::string why;
  if (ort_missing(why)) GTEST_SKIP() << why;
  B b;
  b.placeholder("img", {1, 2, 2, 1}, tf::DT_INT32);
  b.const_i("size", {3, 3});
  b.node("resize", "ResizeBilinear", {"img", "size"});
  Model m = load(b, {"resize"});
  ASSERT_EQ(m.graph->outputs[0]->dtype, DType::Float32);  // TF: float32 whatever the image type
  auto out = run(m, b.save(), {{"img", Tensor::from_vector<int32_t>(DType::Int32, {0, 10, 20, 30}, {1, 2, 2, 1})}});
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].tensor.dtype, DType::Float32);
  // TF's kernel (asymmetric): source (i*2/3, j*2/3), the upper neighbour clamped to the edge.
  auto at = [](double y, double x) {
    double v[2][2] = {{0, 10}, {20, 30}};
    int y0 = int(y), x0 = int(x), y1 = std::min(y0 + 1, 1), x1 = std::min(x0 + 1, 1);
    double dy = y - y0, dx = x - x0;
    return (v[y0][x0] * (1 - dx) + v[y0][x1] * dx) * (1 - dy) + (v[y1][x0] * (1 - dx) + v[y1][x1] * dx) * dy;
  };
  const float* got = out[0].tensor.data<float>();
  double worst = 0;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) worst = std::max(worst, std::fabs(got[i * 3 + j] - at(i * 2.0 / 3, j * 2.0 / 3)));
  EXPECT_LT(worst, 1e-4);  // the int32 Resize truncated 6.67 to 6 (error 1.0)
}

TEST(GraphDefIssue12, ReductionAxisFromArgMaxIsMadeOneDimensional) {
  std::string why;
  if (ort_missing(why)) GTEST_SKIP() << why;
  B b;
  b.placeholder("x", {2, 3});
  b.placeholder("p", {2});
  b.const_i("zero", {0}, /*scalar=*/true);
  auto* am = b.node("am", "ArgMax", {"p", "zero"});
  (*am->mutable_attr())["output_type"].set_type(tf::DT_INT32);
  (*am->mutable_attr())["Tidx"].set_type(tf::DT_INT32);
  b.node("sum", "Sum", {"x", "am"});
  Model m = load(b, {"sum"});
  std::vector<float> x{1, 2, 3, 4, 5, 6};
  auto feed = [&](std::vector<float> p) {
    return run(m, b.save(), {{"x", Tensor::from_vector(DType::Float32, x, {2, 3})},
                             {"p", Tensor::from_vector(DType::Float32, p, {2})}});
  };
  auto rows = feed({0.1f, 0.9f});  // axis 1: row sums
  ASSERT_EQ(rows.at(0).tensor.numel(), 2);
  EXPECT_FLOAT_EQ(rows[0].tensor.data<float>()[0], 6);
  EXPECT_FLOAT_EQ(rows[0].tensor.data<float>()[1], 15);
  auto cols = feed({0.9f, 0.1f});  // axis 0: column sums
  ASSERT_EQ(cols.at(0).tensor.numel(), 3);
  EXPECT_FLOAT_EQ(cols[0].tensor.data<float>()[2], 9);
}

TEST(GraphDefIssue12, OutputsMayAliasInputsConstantsAndEachOther) {
  std::string why;
  if (ort_missing(why)) GTEST_SKIP() << why;
  B b;
  b.placeholder("x", {2});
  b.const_f("k", {2}, {7, 8});
  b.node("Identity", "Identity", {"x"});
  b.node("zeros", "ZerosLike", {"x"});
  b.node("y", "Relu", {"x"});
  Model m;
  try {
    m = load(b, {"x", "Identity", "k", "zeros", "y", "Identity"});
  } catch (const Error& e) {
    FAIL() << e.what();
  }
  const Graph& g = *m.graph;
  ASSERT_EQ(g.outputs.size(), 6u);
  EXPECT_EQ(g.outputs[0]->name, "x");
  EXPECT_EQ(g.outputs[1]->name, "Identity");
  EXPECT_EQ(g.outputs[2]->name, "k");
  EXPECT_EQ(g.outputs[3]->name, "zeros");
  EXPECT_EQ(g.outputs[4]->name, "y");
  EXPECT_NE(g.outputs[5]->name, "Identity");  // a repeated output gets its own name
  auto out = run(m, b.save(), {{"x", Tensor::from_vector<float>(DType::Float32, {-1, 2}, {2})}});
  ASSERT_EQ(out.size(), 6u);
  const std::vector<std::vector<float>> want{{-1, 2}, {-1, 2}, {7, 8}, {0, 0}, {0, 2}, {-1, 2}};
  for (size_t i = 0; i < want.size(); ++i)
    for (size_t j = 0; j < 2; ++j) EXPECT_FLOAT_EQ(out[i].tensor.data<float>()[j], want[i][j]) << i;
}

TEST(GraphDefIssue12, SeveralSinksAreExportedAndNamed) {
  B b;
  b.placeholder("x", {2});
  b.node("a", "Relu", {"x"});
  b.node("n", "Neg", {"x"});
  b.node("odd", "Unique", {"x"});  // a sink computed by an op that cannot be converted
  b.const_f("k", {1}, {2});
  b.node("kk", "Mul", {"k", "k"});  // a sink that reads no input
  Model m = load(b, {});
  ASSERT_EQ(m.graph->outputs.size(), 2u);
  EXPECT_EQ(m.graph->outputs[0]->name, "a");
  EXPECT_EQ(m.graph->outputs[1]->name, "n");
  std::string w;
  for (auto& s : m.warnings) w += s + "\n";
  EXPECT_NE(w.find("exporting the graph's sinks: a, n (left out: odd (unsupported op Unique), kk (reads no input))"),
            std::string::npos) << w;
}

TEST(GraphDefIssue12, VariableUpdatesAreNamedAndTrainingStepsRefused) {
  B b;
  b.placeholder("x", {2});
  auto* v = b.node("v", "VariableV2");
  (*v->mutable_attr())["dtype"].set_type(tf::DT_FLOAT);
  b.const_f("init", {2}, {1, 2});
  b.node("assign", "Assign", {"v", "init"});
  b.node("y", "Relu", {"x", "^assign"});
  Model m = load(b, {"y"});
  std::string w;
  for (auto& s : m.warnings) w += s + "\n";
  EXPECT_NE(w.find("updates variables (Assign x1 (first: assign (control input of y)))"), std::string::npos) << w;

  b.const_f("lr", {}, {0.1f});
  b.node("step", "ApplyGradientDescent", {"v", "lr", "init"});
  b.node("z", "Neg", {"x", "^step"});
  try {
    load(b, {"z"});
    FAIL() << "a training step was exported";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("runs optimizer steps (ApplyGradientDescent x1 (first: step (control input of z)))"),
              std::string::npos) << msg;
  }
}

TEST(GraphDefIssue12, Float64OpsOnnxRuntimeCannotRunAreNamedAtExport) {
  std::string why;
  if (ort_missing(why)) GTEST_SKIP() << why;
  std::vector<double> x{-2, -0.5, 1, 3};
  for (tf::DataType dt : {tf::DT_DOUBLE, tf::DT_FLOAT}) {
    bool f64 = dt == tf::DT_DOUBLE;
    SCOPED_TRACE(f64 ? "float64" : "float32");
    B b;
    b.placeholder("x", {1, 2, 2, 1}, dt);
    b.node("soft", "Softsign", {"x"});
    b.const_i("size", {4, 4});
    b.node("up", "ResizeNearestNeighbor", {"soft", "size"});
    Model m = load(b, {"up"});
    std::string onnx = test::scratch_dir("float64_gaps") + "/m.onnx";
    EmitResult r = emit_onnx(m, onnx, EmitOptions{});
    std::string w;
    for (auto& s : r.warnings) w += s + "\n";
    DType t = f64 ? DType::Float64 : DType::Float32;
    Tensor in = f64 ? Tensor::from_vector<double>(t, x, {1, 2, 2, 1})
                    : Tensor::from_vector<float>(t, std::vector<float>(x.begin(), x.end()), {1, 2, 2, 1});
    if (f64) {
      EXPECT_NE(w.find("no float64 kernel for: Resize (up), Softsign (soft);"), std::string::npos) << w;
      // The warning is true: ONNX Runtime refuses the model.
      EXPECT_THROW(run_onnxruntime(onnx, {{"x", in}}), Error);
      continue;
    }
    EXPECT_EQ(w.find("float64"), std::string::npos) << w;
    auto out = run_onnxruntime(onnx, {{"x", in}});
    ASSERT_EQ(out.size(), 1u);
    ASSERT_EQ(out[0].tensor.dims, (std::vector<int64_t>{1, 4, 4, 1}));
    // softsign(x) = x / (1 + |x|), each pixel repeated 2x2 (nearest, asymmetric).
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j) {
        double v = x[(i / 2) * 2 + j / 2];
        EXPECT_NEAR(out[0].tensor.data<float>()[i * 4 + j], v / (1 + std::fabs(v)), 1e-6) << i << "," << j;
      }
  }
}

TEST(GraphDefIssue12, StringInputDecodedByTheGraphNamesTheAudioOps) {
  // The speech-commands layout: a WAV file's bytes -> DecodeWav -> AudioSpectrogram -> Mfcc -> model.
  B b;
  b.placeholder("wav_data", {}, tf::DT_STRING);
  b.node("decoded", "DecodeWav", {"wav_data"});
  b.node("spectrogram", "AudioSpectrogram", {"decoded"});
  b.node("mfcc", "Mfcc", {"spectrogram", "decoded:1"});
  b.node("labels", "Relu", {"mfcc"});
  std::string pb = b.save(), msg;
  LoadOptions o;
  o.outputs = {"labels"};
  try {
    load_savedmodel(pb, Format::GraphDef, o);
    ADD_FAILURE() << "a string input was converted";
  } catch (const Error& e) {
    msg = e.what();
  }
  EXPECT_NE(msg.find("input 'wav_data' is a string tensor"), std::string::npos) << msg;
  EXPECT_NE(msg.find("decodes it with unsupported ops: AudioSpectrogram, DecodeWav, Mfcc"), std::string::npos) << msg;
  EXPECT_NE(msg.find("--input"), std::string::npos) << msg;
  // inspect lists the same ops.
  SourceReport r = inspect_savedmodel(pb, Format::GraphDef, o);
  std::string listed;
  for (auto& u : r.unsupported) listed += u + "\n";
  for (const char* op : {"DecodeWav", "AudioSpectrogram", "Mfcc"}) EXPECT_NE(listed.find(op), std::string::npos) << listed;
}

TEST(GraphDefIssue12, OutputShapesKeepTheInputsBatchSymbol) {
  std::string why;
  if (ort_missing(why)) GTEST_SKIP() << why;
  // x [?, 4, 4, 1] -> Conv2D 2x2 VALID -> Relu -> MaxPool 3x3 -> [batch, 1, 1, 2] and its sum over axis 3.
  B b;
  b.placeholder("x", {-1, 4, 4, 1});
  std::vector<float> w{1, -1, 0.5f, 2, -0.25f, 1, 1.5f, -2};  // HWIO [2, 2, 1, 2]
  b.const_f("w", {2, 2, 1, 2}, w);
  auto* conv = b.node("conv", "Conv2D", {"x", "w"});
  B::set_ints(conv, "strides", {1, 1, 1, 1});
  B::set_str(conv, "padding", "VALID");
  b.node("relu", "Relu", {"conv"});
  auto* pool = b.node("pool", "MaxPool", {"relu"});
  B::set_ints(pool, "ksize", {1, 3, 3, 1});
  B::set_ints(pool, "strides", {1, 3, 3, 1});
  B::set_str(pool, "padding", "VALID");
  b.const_i("axis", {3});
  b.node("total", "Sum", {"pool", "axis"});
  LoadOptions o;
  o.outputs = {"pool", "total"};
  std::string pb = b.save();
  Model m = load_savedmodel(pb, Format::GraphDef, o);
  EXPECT_EQ(m.graph->outputs[0]->shape.str(), "[batch,1,1,2]");
  EXPECT_EQ(m.graph->outputs[1]->shape.str(), "[batch,1,1]");
  SourceReport r = inspect_savedmodel(pb, Format::GraphDef, o);  // inspect shows the same
  ASSERT_EQ(r.outputs.size(), 2u);
  EXPECT_EQ(r.outputs[0].shape, "[batch,1,1,2]");
  EXPECT_EQ(r.outputs[1].shape, "[batch,1,1]");
  std::string onnx = test::scratch_dir("batch_symbol") + "/m.onnx";
  emit_onnx(m, onnx, EmitOptions{});
  onnx::ModelProto proto;
  std::ifstream f(onnx, std::ios::binary);
  ASSERT_TRUE(proto.ParseFromIstream(&f));
  for (auto& o : proto.graph().output())
    EXPECT_EQ(o.type().tensor_type().shape().dim(0).dim_param(), "batch") << o.name();
  // Runs at two batch sizes with the numbers of the conv -> relu -> 3x3 max computed here.
  for (int64_t n : {2, 3}) {
    std::vector<float> x;
    for (int64_t i = 0; i < n * 16; ++i) x.push_back(std::sin(0.7f * float(i)) * 2);
    auto out = run_onnxruntime(onnx, {{"x", Tensor::from_vector(DType::Float32, x, {n, 4, 4, 1})}});
    ASSERT_EQ(out.size(), 2u);
    ASSERT_EQ(out[0].tensor.dims, (std::vector<int64_t>{n, 1, 1, 2}));
    ASSERT_EQ(out[1].tensor.dims, (std::vector<int64_t>{n, 1, 1}));
    for (int64_t k = 0; k < n; ++k) {
      float total = 0;
      for (int o = 0; o < 2; ++o) {
        float best = 0;  // relu >= 0
        for (int i = 0; i < 3; ++i)
          for (int j = 0; j < 3; ++j) {
            float s = 0;
            for (int di = 0; di < 2; ++di)
              for (int dj = 0; dj < 2; ++dj) s += x[k * 16 + (i + di) * 4 + j + dj] * w[(di * 2 + dj) * 2 + o];
            best = std::max(best, s);
          }
        EXPECT_NEAR(out[0].tensor.data<float>()[k * 2 + o], best, 1e-5) << n << " " << k << " " << o;
        total += best;
      }
      EXPECT_NEAR(out[1].tensor.data<float>()[k], total, 1e-5) << n << " " << k;
    }
  }
}

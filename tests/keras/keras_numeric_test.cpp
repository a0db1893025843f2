// End-to-end numeric checks of the Keras loader: load -> emit ONNX -> run in ONNX Runtime
// (node tools/ort_run.js) -> compare with framework outputs (hls4ml tb_*.dat) or with torch
// outputs of the same weights (tests/fixtures/make_keras_h5.py). Skipped with a message when
// ONNX Runtime, node, the fixtures or /usr/bin/python3 with torch+h5py are missing.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "modelport/emit.h"
#include "modelport/error.h"
#include "modelport/loaders.h"
#include "npy_io.h"
#include "support/test_support.h"

using namespace modelport;
namespace fs = std::filesystem;

namespace {

const std::string kSrc = MODELPORT_SOURCE_DIR;

std::string fixture(const std::string& rel) { return kSrc + "/../shared/fixtures/" + rel; }

using test::ort_missing;

// A fresh directory under a per-process root that is removed when the test program exits.
fs::path scratch(const std::string& name) {
  struct Root {
    fs::path path = fs::temp_directory_path() / ("modelport_keras_" + std::to_string(::getpid()));
    ~Root() {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  };
  static Root root;
  fs::path d = root.path / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// A Keras output's declared ONNX shape: the input's batch axis first (its symbol, not onnx's unk__N,
// or its fixed size), and every fixed dim the one ONNX Runtime produced.
void expect_declared_shape(const onnx::ValueInfoProto& out, const onnx::TensorShapeProto::Dimension& batch,
                           const std::vector<int64_t>& actual, const std::string& what) {
  auto& dims = out.type().tensor_type().shape().dim();
  ASSERT_EQ(dims.size(), static_cast<int>(actual.size())) << what << " output " << out.name();
  EXPECT_EQ(dims[0].dim_param(), batch.dim_param()) << what << " output " << out.name();
  for (int d = 0; d < dims.size(); ++d)
    if (dims[d].has_dim_value()) {
      EXPECT_EQ(dims[d].dim_value(), actual[d]) << what << " output " << out.name() << " dim " << d;
    }
}

// Converts, runs and returns the outputs (flattened).
std::vector<std::vector<double>> run(const std::string& model_path, Format fmt,
                                     const std::vector<std::string>& input_npys, fs::path dir) {
  Model m = load_keras(model_path, fmt, {});
  std::string onnx = (dir / "model.onnx").string();
  emit_onnx(m, onnx, EmitOptions{});
  std::string cmd = "node " + kSrc + "/tools/ort_run.js " + onnx;
  for (size_t i = 0; i < input_npys.size(); ++i) cmd += " --input " + m.graph->inputs.at(i)->name + "=" + input_npys[i];
  cmd += " --outdir " + (dir / "out").string() + " > " + (dir / "ort.json").string();
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  onnx::ModelProto proto;
  std::ifstream f(onnx, std::ios::binary);
  EXPECT_TRUE(proto.ParseFromIstream(&f)) << onnx;
  std::vector<std::vector<double>> outs;
  for (size_t i = 0; i < m.graph->outputs.size(); ++i) {
    keras_test::Npy y;
    EXPECT_TRUE(keras_test::read_npy((dir / "out" / ("output_" + std::to_string(i) + ".npy")).string(), y));
    outs.push_back(y.values());
    if (static_cast<int>(i) < proto.graph().output_size())
      expect_declared_shape(proto.graph().output(int(i)), proto.graph().input(0).type().tensor_type().shape().dim(0),
                            y.shape, model_path);
  }
  return outs;
}

void expect_close(const std::vector<double>& got, const std::vector<double>& want, double tol, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  EXPECT_TRUE(test::informative_reference(want)) << what;
  double worst = 0;
  size_t at = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    double d = std::fabs(got[i] - want[i]) / (1.0 + std::fabs(want[i]));
    if (!(d <= worst)) worst = d, at = i;
  }
  std::printf("  %-28s %zu values, max rel diff %.3g\n", what.c_str(), got.size(), worst);
  EXPECT_LE(worst, tol) << what << ": element " << at << " got " << got[at] << " want " << want[at];
}

std::vector<std::vector<double>> read_dat(const std::string& path) {
  std::vector<std::vector<double>> rows;
  std::ifstream f(path);
  std::string line;
  while (std::getline(f, line)) {
    std::stringstream ss(line);
    std::vector<double> row;
    double v;
    while (ss >> v) row.push_back(v);
    if (!row.empty()) rows.push_back(row);
  }
  return rows;
}

}  // namespace

// Skips unless ONNX Runtime runs here and /usr/bin/python3 can run the fixture generator.
#define REQUIRE_ORT_AND_GENERATOR()                                                             \
  do {                                                                                          \
    std::string why;                                                                            \
    if (ort_missing(why)) GTEST_SKIP() << why;                                                  \
    if (std::system("/usr/bin/python3 -c 'import torch, h5py' > /dev/null 2>&1") != 0)          \
      GTEST_SKIP() << "/usr/bin/python3 with torch and h5py not available";                     \
  } while (0)

TEST(KerasNumeric, Hls4mlTestBenches) {
  std::string why;
  if (ort_missing(why)) GTEST_SKIP() << why;
  std::string base = fixture("keras_h5/hls4ml_example_prjs");
  if (!fs::exists(base)) GTEST_SKIP() << "fixture not found: " << base;
  for (const char* dir : {"relu", "leaky_relu", "elu", "prelu", "softmax", "linear", "sigmoid", "selu", "softplus",
                          "softsign", "hard_sigmoid", "binary_tanh", "conv1d_1layer"}) {
    std::string d = base + "/" + dir;
    auto in = read_dat(d + "/tb_input_features.dat"), want = read_dat(d + "/tb_output_predictions.dat");
    ASSERT_FALSE(in.empty());
    Model m = load_keras(d + "/" + dir + ".h5", Format::KerasH5, {});
    std::vector<int64_t> shape{(int64_t)in.size()};
    for (size_t i = 1; i < m.graph->inputs[0]->shape.rank(); ++i) shape.push_back(m.graph->inputs[0]->shape.dims[i].value);
    std::vector<float> flat;
    for (auto& r : in) flat.insert(flat.end(), r.begin(), r.end());
    fs::path tmp = scratch(dir);
    keras_test::write_npy_f32((tmp / "x.npy").string(), flat, shape);
    auto got = run(d + "/" + dir + ".h5", Format::KerasH5, {(tmp / "x.npy").string()}, tmp);
    std::vector<double> wflat;
    for (auto& r : want) wflat.insert(wflat.end(), r.begin(), r.end());
    expect_close(got.at(0), wflat, 1e-5, dir);
  }
}

TEST(KerasNumeric, TorchGeneratedModels) {
  REQUIRE_ORT_AND_GENERATOR();
  fs::path gen = scratch("generated");
  std::string cmd = "/usr/bin/python3 " + kSrc + "/tests/fixtures/make_keras_h5.py " + gen.string() + " > /dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  int cases = 0;
  for (auto& e : fs::directory_iterator(gen)) {
    std::string ext = e.path().extension().string();
    if (ext != ".h5" && ext != ".keras") continue;
    std::string name = e.path().stem().string();
    if (!fs::exists(gen / (name + ".output0.npy"))) continue;  // structure-only files
    std::vector<std::string> ins;
    for (int i = 0; fs::exists(gen / (name + ".input" + std::to_string(i) + ".npy")); ++i)
      ins.push_back((gen / (name + ".input" + std::to_string(i) + ".npy")).string());
    Format fmt = ext == ".h5" ? Format::KerasH5 : Format::KerasV3;
    // inspect shows each output's inferred shape, not [*].
    for (auto& o : inspect_keras(e.path().string(), fmt, {}).outputs)
      EXPECT_EQ(o.shape.rfind("[batch", 0), 0u) << name << " output " << o.name << ": " << o.shape;
    auto got = run(e.path().string(), fmt, ins, scratch(name));
    for (size_t i = 0; i < got.size(); ++i) {
      keras_test::Npy want;
      ASSERT_TRUE(keras_test::read_npy((gen / (name + ".output" + std::to_string(i) + ".npy")).string(), want));
      expect_close(got[i], want.values(), 1e-5, name);
    }
    ++cases;
  }
  EXPECT_GE(cases, 22);
}

TEST(KerasNumeric, DotMergeLayer) {
  REQUIRE_ORT_AND_GENERATOR();
  fs::path gen = scratch("generated_dot");
  std::string cmd = "/usr/bin/python3 " + kSrc + "/tests/fixtures/make_keras_h5.py " + gen.string() + " dot > /dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::string h5 = (gen / "dot.h5").string();
  Model m = load_keras(h5, Format::KerasH5, {});
  ASSERT_EQ(m.graph->outputs.size(), 3u);
  size_t einsums = 0;
  for (auto& n : m.graph->nodes()) einsums += n->op == "Einsum";
  EXPECT_EQ(einsums, 3u);
  std::vector<std::string> ins;
  for (int i = 0; i < 5; ++i) ins.push_back((gen / ("dot.input" + std::to_string(i) + ".npy")).string());
  auto got = run(h5, Format::KerasH5, ins, scratch("dot"));
  ASSERT_EQ(got.size(), 3u);
  const char* names[] = {"dot axes=[2,2]", "dot axes=[1,-2] normalize", "dot rank2 normalize"};
  for (size_t i = 0; i < got.size(); ++i) {
    keras_test::Npy want;
    ASSERT_TRUE(keras_test::read_npy((gen / ("dot.output" + std::to_string(i) + ".npy")).string(), want));
    const std::vector<std::vector<int64_t>> shapes = {{2, 3, 5}, {2, 4, 2}, {2, 1}};  // keras batch_dot shapes
    EXPECT_EQ(want.shape, shapes[i]);
    expect_close(got[i], want.values(), 1e-5, names[i]);
  }
}

TEST(KerasNumeric, ChurnTwinsAgreeAndMaskingLstmRuns) {
  std::string why;
  if (ort_missing(why)) GTEST_SKIP() << why;
  std::string h5 = fixture("keras_h5/churn_ann_keras3_10/model.h5"), zip = fixture("keras_v3/churn_ann_keras3_10/model.keras");
  if (!fs::exists(h5) || !fs::exists(zip)) GTEST_SKIP() << "fixture not found: " << h5;
  fs::path tmp = scratch("churn");
  std::vector<float> x(3 * 12);
  for (size_t i = 0; i < x.size(); ++i) x[i] = (float)((int)(i % 7) - 3) * 0.37f;
  keras_test::write_npy_f32((tmp / "x.npy").string(), x, {3, 12});
  auto a = run(h5, Format::KerasH5, {(tmp / "x.npy").string()}, scratch("churn_h5"));
  auto b = run(zip, Format::KerasV3, {(tmp / "x.npy").string()}, scratch("churn_zip"));
  ASSERT_EQ(a.at(0).size(), 3u);
  expect_close(a.at(0), b.at(0), 0.0, "churn h5 vs keras");
  for (double v : a[0]) EXPECT_TRUE(v > 0.0 && v < 1.0) << v;  // sigmoid output

  std::string lstm = fixture("keras_v3/keras_repo_masking_lstm/model.keras");
  std::vector<float> seq{1, 2, 3, 4, 0, 0, 5, 6, 7, 8, 9, 10};
  keras_test::write_npy_f32((tmp / "s.npy").string(), seq, {2, 3, 2});
  auto y = run(lstm, Format::KerasV3, {(tmp / "s.npy").string()}, scratch("masking_lstm"));
  EXPECT_EQ(y.at(0).size(), 2u);
}

namespace {
// The generator's files for `cases` (make_keras_h5.py CASE...), in a fresh directory.
fs::path generated(const std::string& dir, const std::string& cases) {
  fs::path gen = scratch(dir);
  std::string cmd = "/usr/bin/python3 " + kSrc + "/tests/fixtures/make_keras_h5.py " + gen.string() + " " + cases + " > /dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return gen;
}

std::vector<std::string> inputs_of(const fs::path& gen, const std::string& name) {
  std::vector<std::string> ins;
  for (int i = 0; fs::exists(gen / (name + ".input" + std::to_string(i) + ".npy")); ++i)
    ins.push_back((gen / (name + ".input" + std::to_string(i) + ".npy")).string());
  return ins;
}

void expect_outputs(const fs::path& gen, const std::string& name, const std::vector<std::vector<double>>& got,
                    const std::vector<std::string>& what) {
  ASSERT_EQ(got.size(), what.size()) << name;
  for (size_t i = 0; i < got.size(); ++i) {
    keras_test::Npy want;
    ASSERT_TRUE(keras_test::read_npy((gen / (name + ".output" + std::to_string(i) + ".npy")).string(), want));
    expect_close(got[i], want.values(), 1e-5, what[i]);
  }
}

// The load error of generated file `file` copied to `copy` with `edit` (Python on the model config
// `c`) applied to its model_config; "" (and a failure) when it loads.
std::string error_after_edit(const fs::path& gen, const std::string& file, const std::string& copy, const std::string& edit) {
  std::string bad = (gen / copy).string();
  fs::copy_file(gen / file, bad, fs::copy_options::overwrite_existing);
  std::string py = "import h5py,json,sys\nf=h5py.File(sys.argv[1],'r+')\nc=json.loads(f.attrs['model_config'])\n" + edit +
                   "\nf.attrs['model_config']=json.dumps(c)\n";
  std::ofstream(gen / (copy + ".py")) << py;
  EXPECT_EQ(std::system(("/usr/bin/python3 " + (gen / (copy + ".py")).string() + " " + bad).c_str()), 0);
  try {
    load_keras(bad, Format::KerasH5, {});
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << copy << " loaded";
  return "";
}
}  // namespace

// MultiHeadAttention against the numpy reimplementation of Keras's math on the stored weights
// (tests/fixtures/make_keras_attention.py; its self-attention also checked there against torch).
TEST(KerasNumeric, MultiHeadAttention) {
  REQUIRE_ORT_AND_GENERATOR();
  fs::path gen = generated("generated_mha", "mha_keras2 mha_keras3");
  auto k2 = run((gen / "mha_keras2.h5").string(), Format::KerasH5, inputs_of(gen, "mha_keras2"), scratch("mha2"));
  expect_outputs(gen, "mha_keras2", k2, {"keras2 self-attention", "keras2 key+attention_mask, no bias"});
  auto k3 = run((gen / "mha_keras3.keras").string(), Format::KerasV3, inputs_of(gen, "mha_keras3"), scratch("mha3"));
  expect_outputs(gen, "mha_keras3", k3, {"keras3 self-attention", "keras3 attention scores", "keras3 mask+causal"});

  // tfjs-layers 4.22 has no MultiHeadAttention: verify says so instead of comparing.
  std::string onnx = (scratch("mha_verify") / "m.onnx").string();
  auto r = test::run_cli({"export", (gen / "mha_keras2.h5").string(), "-o", onnx, "--verify"});
  EXPECT_EQ(r.exit_code, kExitNotVerified) << r.err;
  EXPECT_NE(r.err.find("NOT VERIFIED: tfjs cannot load the model: Unknown layer: MultiHeadAttention"), std::string::npos) << r.err;

  // What is not lowered is refused naming the layer and the reason.
  std::string e = error_after_edit(gen, "mha_keras2.h5", "mha_axes.h5", "c['config']['layers'][6]['config']['attention_axes']=[1,2]");
  EXPECT_NE(e.find("layer cross_attention: MultiHeadAttention attention_axes [1,2] is not supported"), std::string::npos) << e;
}

// LocallyConnected1D/2D in Keras 2's three kernel layouts, against each layout's own computation
// (tests/fixtures/make_keras_locally_connected.py); 'same' exists for implementations 2 and 3.
TEST(KerasNumeric, LocallyConnectedImplementations) {
  REQUIRE_ORT_AND_GENERATOR();
  fs::path gen = generated("generated_lc", "locally_connected");
  for (const char* name : {"lc1d_impl1", "lc1d_impl2_same", "lc1d_impl3", "lc2d_impl1", "lc2d_impl2", "lc2d_impl3_same"}) {
    auto got = run((gen / (std::string(name) + ".h5")).string(), Format::KerasH5, inputs_of(gen, name), scratch(name));
    expect_outputs(gen, name, got, {name});
  }
}

// ConvLSTM1D/2D/3D and Bidirectional(ConvLSTM2D) against Keras's cell math in numpy
// (tests/fixtures/make_keras_conv_lstm.py); the ConvLSTM2D files also against tfjs-layers via verify.
TEST(KerasNumeric, ConvLstm) {
  REQUIRE_ORT_AND_GENERATOR();
  fs::path gen = generated("generated_convlstm", "conv_lstm");
  for (const char* file : {"convlstm2d_seq.h5", "convlstm2d_back.h5", "bidirectional_convlstm2d.h5", "convlstm3d.h5",
                           "convlstm1d_keras3.keras"}) {
    std::string name = fs::path(file).stem().string();
    Format fmt = fs::path(file).extension() == ".h5" ? Format::KerasH5 : Format::KerasV3;
    expect_outputs(gen, name, run((gen / file).string(), fmt, inputs_of(gen, name), scratch(name)), {name});
    if (name.find("convlstm2d") == std::string::npos) continue;
    auto r = test::run_cli({"export", (gen / file).string(), "-o", (scratch(name + "_tfjs") / "m.onnx").string(), "--verify"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("verify: passed against @tensorflow/tfjs"), std::string::npos) << r.err;
  }
  // The steps are unrolled: a sequence of unknown length is refused, naming the layer.
  std::string e = error_after_edit(gen, "convlstm2d_seq.h5", "convlstm_any_length.h5",
                                   "c['config']['layers'][0]['config']['batch_input_shape'][1]=None");
  EXPECT_NE(e.find("layer conv_lst_m2d: ConvLSTM over a sequence of unknown length is not supported"), std::string::npos) << e;
}

// TensorFlowOpLayer: raw TF ops (AddV2, Transpose, Mean, ConcatV2, two-output Split, Mul) lowered
// through the TensorFlow op table, against numpy (tests/fixtures/make_keras_tf_op_layer.py).
TEST(KerasNumeric, TensorFlowOpLayer) {
  REQUIRE_ORT_AND_GENERATOR();
  fs::path gen = generated("generated_tf_op", "tf_op_layer");
  auto got = run((gen / "tf_op_layer.h5").string(), Format::KerasH5, inputs_of(gen, "tf_op_layer"), scratch("tf_op"));
  expect_outputs(gen, "tf_op_layer", got, {"AddV2 Transpose Mean", "ConcatV2 Split Mul"});
  std::string e = error_after_edit(gen, "tf_op_layer.h5", "tf_op_unknown.h5",
                                   "c['config']['layers'][2]['config']['node_def']['op']='NoSuchOp'");
  EXPECT_NE(e.find("layer tf_op_layer_AddV2: TensorFlowOpLayer NoSuchOp node_def: unsupported TensorFlow ops: NoSuchOp x1"),
            std::string::npos) << e;
}

// verify for Keras and TensorFlow models against TensorFlow.js (issue 12): the model is handed to
// tfjs in its own terms and every output compared at two sizes of each symbolic axis; a corrupted
// weight is caught (exit 3); a model tfjs cannot run is NOT VERIFIED (exit 4) with the reason, never
// "passed".
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "modelport/error.h"
#include "savedmodel/graphdef_builder.h"
#include "support/test_support.h"

using namespace modelport;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

#define REQUIRE_RUNTIMES()                                  \
  do {                                                      \
    std::string why;                                        \
    if (test::ort_missing(why)) GTEST_SKIP() << why;        \
  } while (0)

// The Keras models tests/fixtures/make_keras_h5.py writes (legacy .h5 and Keras 3 .keras).
std::string keras_generated() {
  static std::string dir;
  if (dir.empty()) {
    dir = test::scratch_dir("tfjs_keras_gen");
    std::string cmd = "/usr/bin/python3 " + test::source_dir() + "/tests/fixtures/make_keras_h5.py " + dir + " > /dev/null";
    if (std::system(cmd.c_str()) != 0) dir = "";
  }
  return dir;
}

json verify_json(const ProcessResult& r) {
  auto line = r.out.substr(0, r.out.find('\n'));
  json j = json::parse(line, nullptr, false);
  return j.is_object() && j.contains("verification") ? j["verification"] : j;
}

// Every compared output of a verify report, and whether each reference was informative.
void expect_compared(const json& v, const std::string& what) {
  ASSERT_TRUE(v.is_object()) << what;
  EXPECT_EQ(v.value("verified", false), true) << what << ": " << v.dump();
  EXPECT_EQ(v.value("reference", std::string()), "@tensorflow/tfjs") << what;
  EXPECT_EQ(v.value("reference_version", std::string()).rfind("4.22.0", 0), 0u) << what;
  int outputs = 0;
  for (auto& run : v["runs"])
    for (auto& o : run["outputs"]) {
      ++outputs;
      EXPECT_GT(o["ref_max_abs"].get<double>(), 0) << what << ": output " << o["name"] << " of the reference is all zeros";
    }
  EXPECT_GT(outputs, 0) << what;
}

// Files the generator writes that are not meant to convert (their refusal is tested elsewhere).
const std::set<std::string> kNotConvertible = {"unsupported_layers.h5"};

}  // namespace

TEST(TfjsVerify, GeneratedKerasModelsMatchTfjs) {
  REQUIRE_RUNTIMES();
  std::string dir = keras_generated();
  ASSERT_FALSE(dir.empty()) << "make_keras_h5.py failed";
  int verified = 0;
  std::vector<std::string> not_verified;
  for (auto& e : fs::directory_iterator(dir)) {
    std::string file = e.path().filename().string();
    std::string ext = e.path().extension().string();
    if ((ext != ".h5" && ext != ".keras") || kNotConvertible.count(file)) continue;
    SCOPED_TRACE(file);
    std::string out = test::scratch_dir("tfjs_keras_" + e.path().stem().string()) + "/m.onnx";
    auto r = test::run_cli({"export", e.path().string(), "-o", out, "--verify", "--json"});
    if (r.exit_code == kExitNotVerified) {
      not_verified.push_back(file + ": " + verify_json(r).value("not_verified", std::string()));
      EXPECT_NE(r.err.find("NOT VERIFIED: "), std::string::npos) << r.err;
      EXPECT_TRUE(fs::exists(out));
      continue;
    }
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("verify: passed against @tensorflow/tfjs"), std::string::npos) << r.err;
    expect_compared(verify_json(r), file);
    ++verified;
  }
  for (auto& n : not_verified) std::cout << "[ not verified ] " << n << "\n";
  EXPECT_GE(verified, 20) << "not verified: " << not_verified.size();
}

TEST(TfjsVerify, CorruptedKerasWeightExits3) {
  REQUIRE_RUNTIMES();
  std::string dir = keras_generated();
  ASSERT_FALSE(dir.empty());
  std::string work = test::scratch_dir("tfjs_corrupt_keras");
  std::string onnx = work + "/m.onnx";
  ASSERT_EQ(test::run_cli({"export", dir + "/conv2d.h5", "-o", onnx}).exit_code, 0);
  // The same file with one kernel value changed: the export no longer matches it.
  std::string bad = work + "/conv2d_corrupt.h5";
  fs::copy_file(dir + "/conv2d.h5", bad);
  std::string py = "import h5py,sys\nf=h5py.File(sys.argv[1],'r+')\nnames=[]\nf['model_weights'].visit(names.append)\n"
                   "k=[n for n in names if n.endswith('kernel:0')][0]\nd=f['model_weights'][k]\nv=d[...]\n"
                   "v.flat[0]+=0.5\nd[...]=v\nf.close()\n";
  std::ofstream(work + "/corrupt.py") << py;
  ASSERT_EQ(std::system(("/usr/bin/python3 " + work + "/corrupt.py " + bad).c_str()), 0);
  auto good = test::run_cli({"verify", dir + "/conv2d.h5", onnx});
  EXPECT_EQ(good.exit_code, 0) << good.err;
  auto r = test::run_cli({"verify", bad, onnx});
  EXPECT_EQ(r.exit_code, kExitVerifyMismatch) << r.err;
  EXPECT_NE(r.err.find("MISMATCH"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("verify: FAILED against @tensorflow/tfjs"), std::string::npos) << r.err;
}

namespace {
// y = relu(x @ W + b), x [batch, 3] (batch symbolic).
std::string dense_graph(test::sm::GraphDefBuilder& b, float w0) {
  b.placeholder("x", {-1, 3});
  b.const_f("W", {3, 2}, {w0, -0.5f, 0.25f, 1.5f, -1.0f, 0.75f});
  b.const_f("b", {2}, {0.1f, -0.2f});
  b.node("mm", "MatMul", {"x", "W"});
  b.node("ba", "BiasAdd", {"mm", "b"});
  b.node("y", "Relu", {"ba"});
  b.node("z", "Tanh", {"ba"});
  return b.save();
}
}  // namespace

TEST(TfjsVerify, GraphDefMatchesTfjsAndACorruptedWeightExits3) {
  REQUIRE_RUNTIMES();
  test::sm::GraphDefBuilder good_b, bad_b;
  std::string good = dense_graph(good_b, 1.0f), bad = dense_graph(bad_b, 1.25f);
  std::string dir = test::scratch_dir("tfjs_graphdef");
  auto r = test::run_cli({"export", good, "--format", "graphdef", "-o", dir + "/m.onnx", "--output", "y", "--output", "z", "--verify", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_compared(verify_json(r), "dense graph");
  EXPECT_NE(r.err.find("verify: y float32[2,2] (batch=2): max abs diff"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("verify: z float32[3,2] (batch=3): max abs diff"), std::string::npos) << r.err;
  // The manifest names the reference with its version.
  std::ifstream mf(dir + "/m.onnx.json");
  json manifest = json::parse(mf, nullptr, false);
  ASSERT_TRUE(manifest.is_object());
  EXPECT_EQ(manifest["verification"].value("reference", std::string()), "@tensorflow/tfjs");
  EXPECT_EQ(manifest["verification"].value("reference_version", std::string()).rfind("4.22.0", 0), 0u);

  auto mismatch = test::run_cli({"verify", bad, "--format", "graphdef", dir + "/m.onnx", "--output", "y", "--output", "z"});
  EXPECT_EQ(mismatch.exit_code, kExitVerifyMismatch) << mismatch.err;
  EXPECT_NE(mismatch.err.find("MISMATCH"), std::string::npos) << mismatch.err;
}

TEST(TfjsVerify, ModelTfjsCannotRunIsNotVerifiedWithTheReason) {
  REQUIRE_RUNTIMES();
  test::sm::GraphDefBuilder b;
  b.placeholder("x", {2, 3});
  b.node("y", "Softsign", {"x"});
  std::string pb = b.save();
  std::string dir = test::scratch_dir("tfjs_not_verified");
  auto r = test::run_cli({"export", pb, "--format", "graphdef", "-o", dir + "/m.onnx", "--verify", "--json"});
  EXPECT_EQ(r.exit_code, kExitNotVerified) << r.err;
  EXPECT_NE(r.err.find("verify: NOT VERIFIED: tfjs cannot load the model: TensorFlow.js has no kernel for Softsign x1 (first: y)"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("passed"), std::string::npos) << r.err;
  json v = verify_json(r);
  EXPECT_EQ(v.value("verified", true), false);
  EXPECT_EQ(json::parse(r.out.substr(0, r.out.find('\n')))["exit_code"], kExitNotVerified);
  EXPECT_TRUE(fs::exists(dir + "/m.onnx"));  // the export itself is fine
  std::ifstream mf(dir + "/m.onnx.json");
  json manifest = json::parse(mf, nullptr, false);
  EXPECT_EQ(manifest["verification"]["verified"], false);
  // verify alone says the same.
  auto v2 = test::run_cli({"verify", pb, "--format", "graphdef", dir + "/m.onnx"});
  EXPECT_EQ(v2.exit_code, kExitNotVerified) << v2.err;
}

TEST(TfjsVerify, SharedSavedModelsMatchTfjs) {
  MODELPORT_REQUIRE_SHARED();
  REQUIRE_RUNTIMES();
  for (const char* name : {"tfserving_half_plus_two_tf2_cpu", "tfnet_keras_mnist_mlp", "tfserving_half_plus_three",
                           "tfserving_half_plus_two_cpu", "tf2onnx_regression"}) {
    SCOPED_TRACE(name);
    fs::path sm;
    for (auto& e : fs::recursive_directory_iterator(test::shared_fixtures() + "/savedmodel/" + name))
      if (e.path().filename() == "saved_model.pb") sm = e.path().parent_path();
    ASSERT_FALSE(sm.empty());
    std::string out = test::scratch_dir(std::string("tfjs_sm_") + name) + "/m.onnx";
    auto r = test::run_cli({"export", sm.string(), "-o", out, "--verify", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_compared(verify_json(r), name);
  }
}

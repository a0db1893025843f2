// verify, the manifest (validated against docs/manifest.schema.json), determinism and packages.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "modelport/error.h"
#include "support/test_support.h"

using namespace modelport;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

std::string model(const std::string& stem) { return test::test_models_dir() + "/" + stem + ".pt"; }
const char* kCnnInput = "x:float32[batch,3,16,16]";

std::string read_file(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

onnx::ModelProto load_proto(const std::string& p) {
  onnx::ModelProto m;
  std::ifstream in(p, std::ios::binary);
  EXPECT_TRUE(m.ParseFromIstream(&in)) << p;
  return m;
}

void save_proto(const onnx::ModelProto& m, const std::string& p) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  ASSERT_TRUE(m.SerializeToOstream(&out));
}

// SHA-256 computed independently of modelport (Python's hashlib); for a directory, over
// "relative/path\0<file sha256>\n" lines of its files in sorted order, as the manifest documents.
std::string reference_sha256(const std::string& path) {
  auto r = run_process({"/usr/bin/python3", "-c",
                        "import hashlib, os, sys\n"
                        "p = sys.argv[1]\n"
                        "f = lambda x: hashlib.sha256(open(x, 'rb').read()).hexdigest()\n"
                        "if os.path.isdir(p):\n"
                        "  h = hashlib.sha256()\n"
                        "  for r in sorted(os.path.relpath(os.path.join(d, n), p) for d, _, ns in os.walk(p) for n in ns):\n"
                        "    h.update(r.encode() + b'\\0' + f(os.path.join(p, r)).encode() + b'\\n')\n"
                        "  print(h.hexdigest())\n"
                        "else:\n"
                        "  print(f(p))\n",
                        path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out.substr(0, r.out.find('\n'));
}

// Validates with python3-jsonschema (Debian) against the schema in the repository.
void expect_valid_manifest(const std::string& manifest) {
  auto r = run_process({"/usr/bin/python3", "-c",
                        "import json, sys, jsonschema\n"
                        "jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))\n",
                        manifest, test::source_dir() + "/docs/manifest.schema.json"});
  EXPECT_EQ(r.exit_code, 0) << manifest << " does not match the schema:\n" << r.err;
}

TEST(Verify, PassesOnAGoodExportAtTwoBatchSizes) {
  std::string dir = test::scratch_dir("verify_good");
  auto r = test::run_cli({"export", model("cnn_scripted"), "-o", dir + "/m.onnx", "--input", kCnnInput, "--verify",
                          "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = json::parse(r.out);
  auto& v = j["verification"];
  EXPECT_EQ(v["reference"], "libtorch");
  ASSERT_EQ(v["runs"].size(), 2u);
  EXPECT_EQ(v["runs"][0]["symbol_sizes"]["batch"], 2);
  EXPECT_EQ(v["runs"][1]["symbol_sizes"]["batch"], 3);
  for (auto& run : v["runs"])
    for (auto& o : run["outputs"]) {
      EXPECT_TRUE(o["ok"].get<bool>());
      EXPECT_LE(o["max_abs_diff"].get<double>(), 1e-4);
    }
  EXPECT_NE(r.err.find("verify: passed against libtorch"), std::string::npos) << r.err;
}

TEST(Verify, ExitsThreeWhenOneWeightIsChanged) {
  std::string dir = test::scratch_dir("verify_corrupt");
  std::string good = dir + "/good.onnx", bad = dir + "/bad.onnx";
  ASSERT_EQ(test::run_cli({"export", model("cnn_scripted"), "-o", good, "--input", kCnnInput}).exit_code, 0);
  onnx::ModelProto m = load_proto(good);
  onnx::TensorProto* biggest = nullptr;
  for (auto& t : *m.mutable_graph()->mutable_initializer())
    if (t.data_type() == onnx::TensorProto::FLOAT && (!biggest || t.raw_data().size() > biggest->raw_data().size()))
      biggest = &t;
  ASSERT_NE(biggest, nullptr);
  ASSERT_GE(biggest->raw_data().size(), 4u);
  float w;
  std::memcpy(&w, biggest->raw_data().data(), 4);
  w += 1.0f;
  std::memcpy(biggest->mutable_raw_data()->data(), &w, 4);
  save_proto(m, bad);

  EXPECT_EQ(test::run_cli({"verify", model("cnn_scripted"), good}).exit_code, 0);
  auto r = test::run_cli({"verify", model("cnn_scripted"), bad});
  EXPECT_EQ(r.exit_code, kExitVerifyMismatch) << r.err;
  EXPECT_NE(r.err.find("MISMATCH"), std::string::npos) << r.err;
}

TEST(Verify, CatchesABakedInBatchSize) {
  // Export at a fixed batch of 2 (view(b, -1) folds to Reshape [2, -1]), then relabel the input's
  // batch dim as symbolic: the model claims a dynamic batch it does not have.
  std::string dir = test::scratch_dir("verify_baked");
  std::string out = dir + "/baked.onnx";
  auto r0 = test::run_cli({"export", model("mlp_scripted"), "-o", out, "--input", "x:float32[2,3,4,4]"});
  ASSERT_EQ(r0.exit_code, 0) << r0.err;
  onnx::ModelProto m = load_proto(out);
  m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(0)
      ->set_dim_param("batch");
  save_proto(m, out);
  auto r = test::run_cli({"verify", model("mlp_scripted"), out, "--json"});
  EXPECT_EQ(r.exit_code, kExitVerifyMismatch) << r.err;
  auto j = json::parse(r.out);
  EXPECT_EQ(j["fixed_axes"], json::array({"batch"})) << r.out;
  EXPECT_NE(r.err.find("symbolic axis 'batch' behaves as if it were fixed"), std::string::npos) << r.err;
}

TEST(Verify, ExpectedFilesForFormatsWithoutARuntime) {
  // Any format: --expected replaces the source runtime. A wrong expectation must fail.
  std::string dir = test::scratch_dir("verify_expected");
  std::string out = dir + "/m.onnx";
  ASSERT_EQ(test::run_cli({"export", model("cnn_scripted"), "-o", out, "--input", "x:float32[1,3,16,16]"}).exit_code, 0);
  std::string x = dir + "/x.npy", y = dir + "/y.npy";
  // Make the reference with libtorch through Python, independent of modelport.
  auto py = run_process({"/usr/bin/python3", "-c",
                         "import sys, numpy as np, torch\n"
                         "m = torch.jit.load(sys.argv[1]).eval()\n"
                         "x = np.random.RandomState(0).randn(1, 3, 16, 16).astype(np.float32)\n"
                         "np.save(sys.argv[2], x)\n"
                         "np.save(sys.argv[3], m(torch.from_numpy(x)).detach().numpy())\n",
                         model("cnn_scripted"), x, y});
  ASSERT_EQ(py.exit_code, 0) << py.err;
  auto ok = test::run_cli({"verify", model("cnn_scripted"), out, "--input-data", "x=" + x, "--expected",
                           "output_0=" + y});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.err.find("against expected .npy files"), std::string::npos) << ok.err;
  auto wrong = test::run_cli({"verify", model("cnn_scripted"), out, "--input-data", "x=" + x,
                              "--expected", "output_0=" + x});  // x as the expected output: wrong shape
  EXPECT_EQ(wrong.exit_code, kExitVerifyMismatch) << wrong.err;
}

TEST(Manifest, ValidatesAgainstSchemaAndRecordsTheExport) {
  std::string dir = test::scratch_dir("manifest");
  std::string out = dir + "/m.onnx";
  auto r = test::run_cli({"export", model("cnn_scripted"), "-o", out, "--input", kCnnInput, "--opset", "13"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(fs::exists(out + ".json"));
  expect_valid_manifest(out + ".json");
  json m = json::parse(read_file(out + ".json"));
  EXPECT_EQ(m["source"]["format"], "torchscript");
  EXPECT_EQ(m["source"]["sha256"], reference_sha256(model("cnn_scripted")));
  EXPECT_EQ(m["export"]["opset"], 13);
  EXPECT_EQ(m["export"]["inputs"][0]["dims"], json::array({"batch", 3, 16, 16}));
  EXPECT_EQ(m["export"]["inputs"][0]["symbols"], json::array({"batch"}));
  ASSERT_EQ(m["files"].size(), 1u);
  EXPECT_EQ(m["files"][0]["path"], "m.onnx");
  EXPECT_EQ(m["files"][0]["sha256"], reference_sha256(out));
  EXPECT_EQ(m["files"][0]["size"], fs::file_size(out));
  EXPECT_GT(m["ops"]["Conv"].get<int>(), 0);
  EXPECT_FALSE(m["libraries"]["libtorch"].get<std::string>().empty());
}

TEST(Manifest, SameExportTwiceIsByteIdentical) {
  std::string dir = test::scratch_dir("determinism");
  for (const char* n : {"a", "b"}) {
    auto r = test::run_cli({"export", model("misc_ops_scripted"), "-o", dir + "/" + n + ".onnx", "--input",
                            "x:float32[batch,4,12,12]"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  EXPECT_EQ(read_file(dir + "/a.onnx"), read_file(dir + "/b.onnx"));
  json a = json::parse(read_file(dir + "/a.onnx.json")), b = json::parse(read_file(dir + "/b.onnx.json"));
  for (json* j : {&a, &b}) {
    j->erase("created");
    (*j)["files"][0].erase("path");
  }
  EXPECT_EQ(a, b);
}

TEST(Package, IncludedFilesRoundTripWithChecksums) {
  std::string dir = test::scratch_dir("package");
  std::string extra = dir + "/extra";
  fs::create_directories(extra + "/vocab");
  std::ofstream(extra + "/tokenizer.json") << R"({"model": "bpe"})";
  std::ofstream(extra + "/vocab/words.txt") << "a\nb\nc\n";
  std::string pkg = dir + "/pkg/";
  auto r = test::run_cli({"export", model("cnn_scripted"), "-o", pkg, "--input", kCnnInput, "--include",
                          extra + "/tokenizer.json", "--include", extra + "/vocab"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* f : {"model.onnx", "manifest.json", "tokenizer.json", "vocab/words.txt"})
    EXPECT_TRUE(fs::exists(pkg + f)) << f;
  expect_valid_manifest(pkg + "manifest.json");
  json m = json::parse(read_file(pkg + "manifest.json"));
  std::map<std::string, std::string> listed;
  for (auto& f : m["files"]) listed[f["path"]] = f["sha256"];
  EXPECT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed["model.onnx"], reference_sha256(pkg + "model.onnx"));
  EXPECT_EQ(listed["tokenizer.json"], reference_sha256(extra + "/tokenizer.json"));
  EXPECT_EQ(listed["vocab"], reference_sha256(extra + "/vocab"));
  EXPECT_EQ(read_file(pkg + "vocab/words.txt"), "a\nb\nc\n");
}

TEST(Package, SavedModelAssetsComeAlong) {
  MODELPORT_REQUIRE_SHARED();
  std::string sm = test::shared_fixtures() + "/savedmodel/tfserving_half_plus_two_cpu";
  std::string pkg = test::scratch_dir("package_assets") + "/pkg/";
  auto r = test::run_cli({"export", sm, "-o", pkg});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_file(pkg + "assets/foo.txt"), read_file(sm + "/assets/foo.txt"));
  expect_valid_manifest(pkg + "manifest.json");
  json m = json::parse(read_file(pkg + "manifest.json"));
  bool listed = false;
  for (auto& f : m["files"])
    if (f["path"] == "assets") listed = f["sha256"] == reference_sha256(sm + "/assets");
  EXPECT_TRUE(listed) << m["files"].dump();
  EXPECT_EQ(m["source"]["format"], "savedmodel");
  // The signature keeps the source's names: ONNX names are the signature keys, the tensors behind
  // them are recorded in doc strings and metadata.
  onnx::ModelProto proto = load_proto(pkg + "model.onnx");
  ASSERT_EQ(proto.graph().input_size(), 1);
  EXPECT_EQ(proto.graph().input(0).name(), "x");
  EXPECT_EQ(proto.graph().input(0).doc_string(), "source name: x:0");
  EXPECT_EQ(proto.graph().output(0).name(), "y");
  std::map<std::string, std::string> meta;
  for (auto& p : proto.metadata_props()) meta[p.key()] = p.value();
  EXPECT_EQ(meta["source_format"], "savedmodel");
  EXPECT_EQ(meta["source_input_names"], "x:0");
  EXPECT_EQ(meta["source_producer"], "tensorflow 1.14.0");
}

TEST(Package, FailedExportLeavesNoPackageBehind) {
  std::string dir = test::scratch_dir("package_fail");
  auto r = test::run_cli({"export", model("unsupported_fft"), "-o", dir + "/pkg/", "--input", "x:float32[2,16]"});
  EXPECT_EQ(r.exit_code, kExitConversionFailed);
  EXPECT_FALSE(fs::exists(dir + "/pkg"));
  auto u = test::run_cli({"export", model("cnn_scripted"), "-o", dir + "/m.onnx", "--include", dir});
  EXPECT_EQ(u.exit_code, kExitUsage) << u.err;
}

}  // namespace

// modelport::convert, the library pipeline the CLI is built on: results, hashes taken while
// writing (checked against sha256sum), progress, errors that leave nothing behind.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "modelport/convert.h"
#include "modelport/error.h"
#include "support/test_support.h"

using namespace modelport;
namespace fs = std::filesystem;

namespace {

std::string sha256sum(const std::string& p) {
  auto r = run_process({"sha256sum", p});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out.substr(0, 64);
}

ConvertOptions cnn_options(const std::string& out) {
  ConvertOptions o;
  o.output = out;
  o.load.inputs.push_back(parse_input_spec("x:float32[batch,3,16,16]"));
  return o;
}

}  // namespace

TEST(ConvertApi, WritesModelAndManifestWithHashesTakenWhileWriting) {
  std::string dir = test::scratch_dir("api_convert");
  ConvertOptions o = cnn_options(dir + "/m.onnx");
  o.emit.external_data = true;
  std::vector<Progress> seen;
  o.on_progress = [&](const Progress& p) { seen.push_back(p); };
  ConvertResult r = convert(test::test_models_dir() + "/cnn_scripted.pt", o);

  EXPECT_EQ(r.format, Format::TorchScript);
  EXPECT_EQ(r.model_path, dir + "/m.onnx");
  ASSERT_EQ(r.files, (std::vector<std::string>{dir + "/m.onnx", dir + "/m.onnx.data"}));
  EXPECT_TRUE(r.used_external_data);
  EXPECT_GT(r.node_count, 5);
  ASSERT_EQ(r.inputs.size(), 1u);
  EXPECT_EQ(r.inputs[0].shape, "[batch,3,16,16]");
  for (auto& f : r.files) EXPECT_EQ(r.sha256.at(f), sha256sum(f)) << f;
  ASSERT_EQ(r.manifest_path, dir + "/m.onnx.json");
  nlohmann::json m = nlohmann::json::parse(std::ifstream(r.manifest_path));
  EXPECT_EQ(m["files"][0]["sha256"], sha256sum(dir + "/m.onnx"));
  EXPECT_EQ(m["files"][1]["sha256"], sha256sum(dir + "/m.onnx.data"));
  EXPECT_EQ(m["source"]["sha256"], sha256sum(test::test_models_dir() + "/cnn_scripted.pt"));
  EXPECT_TRUE(m["libraries"].contains("openssl"));
  EXPECT_TRUE(m["libraries"].contains("leveldb"));

  // Phases in order; the write phase ends with every expected byte written.
  std::vector<std::string> phases;
  for (auto& p : seen)
    if (phases.empty() || phases.back() != p.phase) phases.push_back(p.phase);
  EXPECT_EQ(phases, (std::vector<std::string>{"load", "passes", "emit", "write", "manifest"}));
  uint64_t last_model_bytes = 0, total = 0;
  for (auto& p : seen)
    if (p.phase == "write" && p.total) last_model_bytes = p.done, total = p.total;
  EXPECT_GT(total, 0u);
  EXPECT_GE(last_model_bytes, total);
  EXPECT_LE(last_model_bytes, total + (64u << 10)) << "external data padding only";
  // Only what the export wrote is in the directory: no temporary or preview files.
  std::set<std::string> names;
  for (auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  EXPECT_EQ(names, (std::set<std::string>{"m.onnx", "m.onnx.data", "m.onnx.json"}));
}

TEST(ConvertApi, VerifiesBeforeCommitting) {
  std::string dir = test::scratch_dir("api_verify");
  ConvertOptions o = cnn_options(dir + "/pkg/");
  o.verify = true;
  ConvertResult r = convert(test::test_models_dir() + "/cnn_scripted.pt", o);
  ASSERT_TRUE(r.verification);
  EXPECT_EQ(r.verification->reference, "libtorch");
  EXPECT_TRUE(r.ok());
  ASSERT_EQ(r.verification->runs.size(), 2u);
  for (auto& run : r.verification->runs)
    for (auto& out : run.outputs) {
      EXPECT_LE(out.max_abs, 1e-4) << out.name;
      EXPECT_GT(out.ref_max_abs, 0) << "a zero reference proves nothing";
    }
  std::set<std::string> names;
  for (auto& e : fs::directory_iterator(dir + "/pkg")) names.insert(e.path().filename().string());
  EXPECT_EQ(names, (std::set<std::string>{"model.onnx", "manifest.json"}));
}

TEST(ConvertApi, FailureThrowsAndLeavesNothing) {
  std::string dir = test::scratch_dir("api_fail");
  ConvertOptions o;
  o.output = dir + "/new/pkg/";
  o.load.inputs.push_back(parse_input_spec("x:float32[2,16]"));
  EXPECT_THROW(convert(test::test_models_dir() + "/unsupported_fft.pt", o), Error);
  EXPECT_FALSE(fs::exists(dir + "/new")) << "the package directory made for a failed export must go";
  EXPECT_THROW(convert(dir + "/missing.pt", o), Error);
  // Failing after the model was written (an --include that is not there): all of it goes.
  ConvertOptions late = cnn_options(dir + "/late/pkg/");
  late.include = {dir + "/no_such_tokenizer.json"};
  EXPECT_THROW(convert(test::test_models_dir() + "/cnn_scripted.pt", late), UsageError);
  EXPECT_TRUE(fs::is_empty(dir)) << "left behind: " << fs::directory_iterator(dir)->path();
}

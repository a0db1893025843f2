// Command-line conventions (issue 18): global options before or after the command, one value per
// use of a repeatable option, --quiet, a progress line only on a terminal, --version --json.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "modelport/error.h"
#include "support/test_support.h"

using namespace modelport;
using json = nlohmann::json;

namespace {

const char* kCnnInput = "x:float32[batch,3,16,16]";
std::string cnn() { return test::test_models_dir() + "/cnn_scripted.pt"; }

std::string quoted(const std::vector<std::string>& args) {
  std::string cmd;
  for (auto& a : args) {
    std::string q = "'";
    for (char c : a) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    cmd += (cmd.empty() ? "" : " ") + q + "'";
  }
  return cmd;
}

// Runs modelport under a pseudo-terminal (util-linux `script`); returns what the terminal showed.
ProcessResult run_on_tty(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {MODELPORT_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process({"script", "-qec", quoted(argv), "/dev/null"});
}

}  // namespace

TEST(CliConventions, VerboseAfterTheCommand) {
  std::string dir = test::scratch_dir("conv_verbose");
  auto r = test::run_cli({"export", cnn(), "-o", dir + "/m.onnx", "--input", kCnnInput, "-v"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("modelport: info: "), std::string::npos) << r.err;
  auto before = test::run_cli({"-v", "export", cnn(), "-o", dir + "/n.onnx", "--input", kCnnInput});
  EXPECT_EQ(before.exit_code, 0) << before.err;
  EXPECT_NE(before.err.find("modelport: info: "), std::string::npos) << before.err;
}

TEST(CliConventions, RepeatableOptionsTakeOneValueEach) {
  std::string dir = test::scratch_dir("conv_order");
  // --input before the model path: the path is not taken as a second --input value.
  auto r = test::run_cli({"export", "--input", kCnnInput, cnn(), "-o", dir + "/m.onnx", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  ASSERT_EQ(j["inputs"].size(), 1u);
  EXPECT_EQ(j["inputs"][0]["shape"], "[batch,3,16,16]");
  // --output renames, one per use, also before the model path.
  auto o = test::run_cli({"--json", "export", "--output", "logits", "--input", kCnnInput, cnn(), "-o", dir + "/o.onnx"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(json::parse(o.out)["outputs"][0]["name"], "logits");
  // Two values after one --input: the second is a stray positional argument (usage error).
  auto bad = test::run_cli({"export", cnn(), "-o", dir + "/b.onnx", "--input", kCnnInput, "y:float32[1]", "extra"});
  EXPECT_EQ(bad.exit_code, kExitUsage) << bad.err;
}

TEST(CliConventions, QuietPrintsOnlyErrors) {
  std::string dir = test::scratch_dir("conv_quiet");
  auto r = test::run_cli({"export", cnn(), "-o", dir + "/m.onnx", "--input", kCnnInput, "--verify", "--quiet"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  auto e = test::run_cli({"--quiet", "export", dir + "/missing.pt", "-o", dir + "/x.onnx"});
  EXPECT_EQ(e.exit_code, kExitConversionFailed);
  EXPECT_NE(e.err.find("missing.pt: no such file"), std::string::npos) << e.err;
  EXPECT_EQ(test::run_cli({"export", cnn(), "-o", dir + "/x.onnx", "-q", "-v"}).exit_code, kExitUsage);
}

TEST(CliConventions, ProgressLineOnlyOnATerminal) {
  std::string dir = test::scratch_dir("conv_progress");
  auto tty = run_on_tty({"export", cnn(), "-o", dir + "/m.onnx", "--input", kCnnInput, "--verify"});
  ASSERT_EQ(tty.exit_code, 0) << tty.out << tty.err;
  EXPECT_NE(tty.out.find("\r\033[Kmodelport: loading the model"), std::string::npos) << tty.out;
  EXPECT_NE(tty.out.find("\r\033[Kmodelport: writing "), std::string::npos) << tty.out;
  EXPECT_NE(tty.out.find("\r\033[Kmodelport: verifying in ONNX Runtime"), std::string::npos) << tty.out;
  // The line is erased before the summary: the summary starts a clean line.
  EXPECT_NE(tty.out.find("\r\033[Kverify: "), std::string::npos) << tty.out;
  EXPECT_NE(tty.out.find("wrote " + dir + "/m.onnx"), std::string::npos) << tty.out;

  auto json_tty = run_on_tty({"export", cnn(), "-o", dir + "/j.onnx", "--input", kCnnInput, "--json"});
  ASSERT_EQ(json_tty.exit_code, 0) << json_tty.out;
  EXPECT_EQ(json_tty.out.find('\033'), std::string::npos) << "no progress with --json:\n" << json_tty.out;
  auto quiet_tty = run_on_tty({"export", cnn(), "-o", dir + "/q.onnx", "--input", kCnnInput, "-q"});
  ASSERT_EQ(quiet_tty.exit_code, 0) << quiet_tty.out;
  EXPECT_EQ(quiet_tty.out, "");

  auto pipe = test::run_cli({"export", cnn(), "-o", dir + "/p.onnx", "--input", kCnnInput});
  ASSERT_EQ(pipe.exit_code, 0) << pipe.err;
  EXPECT_EQ(pipe.err.find('\r'), std::string::npos) << "no progress when stderr is not a terminal:\n" << pipe.err;
  EXPECT_EQ(pipe.err.find("loading"), std::string::npos) << pipe.err;
}

TEST(CliConventions, VersionJsonListsTheLibrariesTheManifestRecords) {
  auto r = test::run_cli({"--version", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json v = json::parse(r.out);
  EXPECT_EQ(v["name"], "modelport");
  EXPECT_EQ(v["version"], MODELPORT_VERSION);
  for (const char* lib : {"onnx", "protobuf", "openssl", "leveldb", "libtorch", "hdf5"})
    EXPECT_TRUE(v["libraries"].contains(lib)) << lib << " missing: " << r.out;
  std::string dir = test::scratch_dir("conv_version");
  ASSERT_EQ(test::run_cli({"export", cnn(), "-o", dir + "/m.onnx", "--input", kCnnInput}).exit_code, 0);
  json m = json::parse(std::ifstream(dir + "/m.onnx.json"));
  EXPECT_EQ(m["libraries"], v["libraries"]);
  EXPECT_EQ(m["tool"]["git_revision"], v["git_revision"]);

  auto text = test::run_cli({"--version"});
  EXPECT_EQ(text.out.rfind("modelport " MODELPORT_VERSION, 0), 0u) << text.out;
  EXPECT_EQ(test::run_cli({}).exit_code, kExitUsage);
}

// Every bad input exits non-zero with a one-line cause naming the file, and leaves no output file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "modelport/error.h"
#include "support/test_support.h"

using namespace modelport;
namespace fs = std::filesystem;

namespace {

// Runs `export SRC -o OUT extra...`, expects `code`, a single stderr line containing `cause`, no OUT.
void expect_refused(const std::string& src, const std::vector<std::string>& extra, int code, const std::string& cause) {
  std::string out = test::scratch_dir("refused") + "/out.onnx";
  std::vector<std::string> args = {"export", src, "-o", out};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = test::run_cli(args);
  EXPECT_EQ(r.exit_code, code) << r.err;
  std::string err = r.err;
  ASSERT_FALSE(err.empty());
  EXPECT_EQ(err.find('\n'), err.size() - 1) << "error must be one line:\n" << err;
  EXPECT_NE(err.find(cause), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(out)) << "no output file may be left behind";
  for (auto& e : fs::directory_iterator(fs::path(out).parent_path()))
    ADD_FAILURE() << "stray file left: " << e.path();
}

TEST(CliErrors, MissingFile) {
  std::string p = test::scratch_dir("missing") + "/nope.pt";
  expect_refused(p, {}, kExitConversionFailed, p + ": no such file");
}

TEST(CliErrors, TextFile) {
  std::string p = test::scratch_dir("text") + "/notes.pt";
  std::ofstream(p) << "this is not a model\n";
  expect_refused(p, {}, kExitConversionFailed, p + ": not a recognized model format");
}

TEST(CliErrors, TruncatedTorchScript) {
  std::string src = test::test_models_dir() + "/resnet18_scripted.pt";
  ASSERT_TRUE(fs::exists(src));
  std::string p = test::scratch_dir("trunc") + "/truncated.pt";
  {
    std::ifstream in(src, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    std::ofstream(p, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  expect_refused(p, {"--input", "x:float32[1,3,224,224]"}, kExitConversionFailed, p + ": ");
}

TEST(CliErrors, UnsupportedOpsAreAllListedInOneLine) {
  std::string src = test::test_models_dir() + "/unsupported_fft.pt";
  ASSERT_TRUE(fs::exists(src));
  expect_refused(src, {"--input", "x:float32[2,16]"}, kExitConversionFailed, "unsupported TorchScript ops: ");
  auto r = test::run_cli({"export", src, "-o", test::scratch_dir("u2") + "/o.onnx", "--input", "x:float32[2,16]"});
  EXPECT_NE(r.err.find("aten::fft_rfft"), std::string::npos) << r.err;
}

TEST(CliErrors, UsageErrorsExitTwo) {
  std::string src = test::test_models_dir() + "/cnn_scripted.pt";
  expect_refused(src, {"--opset", "99"}, kExitUsage, "--opset 99");
  expect_refused(src, {"--input", "x:float33[1]"}, kExitUsage, "unknown dtype");
  auto r = test::run_cli({"export", src});  // no -o
  EXPECT_EQ(r.exit_code, kExitUsage);
}

TEST(CliErrors, EmitterErrorsNameTheModelFile) {
  // Errors raised while writing ONNX (op forms, onnx's checks) name the source file, then the node.
  std::string src = test::test_models_dir() + "/ops_einsum_s.pt";
  ASSERT_TRUE(fs::exists(src));
  expect_refused(src, {"--opset", "11", "--input", "x:float32[2,3,4]"}, kExitConversionFailed,
                 src + ": Einsum needs opset >= 12 (requested 11)");
}

TEST(CliErrors, JsonResultOnFailure) {
  std::string p = test::scratch_dir("json") + "/nope.pt";
  auto r = test::run_cli({"export", p, "-o", p + ".onnx", "--json"});
  EXPECT_EQ(r.exit_code, kExitConversionFailed);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["exit_code"], 1);
  EXPECT_NE(j["error"].get<std::string>().find("no such file"), std::string::npos);
}

TEST(CliErrors, JsonResultForAPathThatIsNotUtf8) {
  // A file name is bytes: one that is not UTF-8 still gives one JSON result and one error line.
  std::string p = test::scratch_dir("json_bytes") + "/mod\xe9le.pt";
  for (const char* cmd : {"export", "inspect"}) {
    std::vector<std::string> args{cmd, p, "--json"};
    if (std::string(cmd) == "export") args.insert(args.end(), {"-o", test::scratch_dir("json_bytes_out") + "/m.onnx"});
    auto r = test::run_cli(args);
    EXPECT_EQ(r.exit_code, kExitConversionFailed) << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
    EXPECT_EQ(r.err.find("internal"), std::string::npos) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["ok"], false);
    EXPECT_NE(j["error"].get<std::string>().find("mod\xef\xbf\xbdle.pt: no such file"), std::string::npos) << r.out;
  }
}

// ---- TensorFlow (issue 4): a SavedModel copied from the shared fixtures, then damaged.
std::string copy_half_plus_two(const std::string& name) {
  std::string dst = test::scratch_dir(name) + "/half_plus_two";
  fs::copy(test::shared_fixtures() + "/savedmodel/tfserving_half_plus_two_cpu", dst, fs::copy_options::recursive);
  for (auto& e : fs::recursive_directory_iterator(dst))
    fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::add);
  return dst;
}

TEST(CliErrors, SavedModelWithMissingVariables) {
  MODELPORT_REQUIRE_SHARED();
  std::string sm = copy_half_plus_two("sm_novars");
  fs::remove(sm + "/variables/variables.data-00000-of-00001");
  expect_refused(sm, {}, kExitConversionFailed, "variables.data-00000-of-00001");
}

TEST(CliErrors, SavedModelWithCorruptIndex) {
  MODELPORT_REQUIRE_SHARED();
  std::string sm = copy_half_plus_two("sm_badindex");
  std::string index = sm + "/variables/variables.index";
  auto size = fs::file_size(index);
  {
    std::fstream f(index, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size / 2));
    f << std::string(8, '\xff');
  }
  expect_refused(sm, {}, kExitConversionFailed, "variables.index");
}

TEST(CliErrors, SavedModelWithOnlyTfExampleSignatures) {
  MODELPORT_REQUIRE_SHARED();
  std::string sm = test::shared_fixtures() + "/savedmodel/tfserving_half_plus_two_cpu";
  expect_refused(sm, {"--signature", "regress_x_to_y"}, kExitConversionFailed, "tf.Example");
}

// ---- Keras (issue 5)
TEST(CliErrors, KerasLambdaAndCustomLayersAllListed) {
  std::string src = test::test_models_dir() + "/unsupported_layers.h5";
  ASSERT_TRUE(fs::exists(src));
  expect_refused(src, {}, kExitConversionFailed, "Lambda x2");
  auto r = test::run_cli({"export", src, "-o", test::scratch_dir("lambda2") + "/o.onnx"});
  EXPECT_NE(r.err.find("MyCustom"), std::string::npos) << r.err;
}

TEST(CliErrors, TruncatedH5) {
  std::string src = test::test_models_dir() + "/dense.h5";
  ASSERT_TRUE(fs::exists(src));
  std::string p = test::scratch_dir("trunc_h5") + "/dense.h5";
  {
    std::ifstream in(src, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    std::ofstream(p, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  expect_refused(p, {}, kExitConversionFailed, p + ": ");
}

TEST(CliErrors, ZipThatIsNotAKerasArchive) {
  std::string p = test::scratch_dir("notkeras") + "/model.keras";
  auto r = run_process({"/usr/bin/python3", "-c",
                        "import sys, zipfile\n"
                        "with zipfile.ZipFile(sys.argv[1], 'w') as z: z.writestr('notes.txt', 'hello')\n",
                        p});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_refused(p, {}, kExitConversionFailed, p + ": zip archive is neither a TorchScript archive nor a Keras");
  fs::remove(p);
}

}  // namespace

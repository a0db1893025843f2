#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "modelport/error.h"
#include "modelport/loaders.h"
#include "support/test_support.h"

using namespace modelport;
namespace fs = std::filesystem;

namespace {
std::string expect_error(const std::string& path) {
  try {
    detect_format(path);
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), kExitConversionFailed);
    std::string msg = e.what();
    EXPECT_EQ(msg.rfind(path + ": ", 0), 0u) << "error must start with the file name: " << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << "error must be one line: " << msg;
    return msg;
  }
  ADD_FAILURE() << "no error for " << path;
  return "";
}
}  // namespace

TEST(DetectFormat, BadInputsGiveOneLineCauses) {
  auto dir = test::scratch_dir("detect");
  EXPECT_NE(expect_error(dir + "/missing.pt").find("no such file"), std::string::npos);
  { std::ofstream(dir + "/notes.pt") << "just some text\n"; }
  EXPECT_NE(expect_error(dir + "/notes.pt").find("not a recognized model format"), std::string::npos);
  { std::ofstream(dir + "/empty.pt"); }
  EXPECT_NE(expect_error(dir + "/empty.pt").find("empty"), std::string::npos);
  { std::ofstream(dir + "/trunc.pt", std::ios::binary) << std::string("PK\x03\x04\x14\x00\x00\x00", 8) << "garbage"; }
  EXPECT_NE(expect_error(dir + "/trunc.pt").find("zip"), std::string::npos);
  fs::create_directories(dir + "/notsaved");
  EXPECT_NE(expect_error(dir + "/notsaved").find("saved_model.pb"), std::string::npos);
}

TEST(DetectFormat, ByContentNotExtension) {
  auto dir = test::scratch_dir("detect_magic");
  {
    std::ofstream f(dir + "/model.keras", std::ios::binary);
    f << std::string("\x89HDF\r\n\x1a\n", 8) << std::string(100, '\0');
  }
  EXPECT_EQ(detect_format(dir + "/model.keras"), Format::KerasH5);
  fs::create_directories(dir + "/sm");
  { std::ofstream(dir + "/sm/saved_model.pb", std::ios::binary) << std::string("\x08\x01\x12\x00", 4); }
  EXPECT_EQ(detect_format(dir + "/sm"), Format::SavedModel);
}

TEST(DetectFormat, SharedFixtures) {
  MODELPORT_REQUIRE_SHARED();
  std::string f = test::shared_fixtures();
  EXPECT_EQ(detect_format(f + "/torchscript/torchsharp_linear/linrelu.script.dat"), Format::TorchScript);
  EXPECT_EQ(detect_format(f + "/torchscript/tch_rs_toy/foo.pt"), Format::TorchScript);
  EXPECT_EQ(detect_format(f + "/savedmodel/tfserving_half_plus_two_cpu"), Format::SavedModel);
  EXPECT_EQ(detect_format(f + "/keras_v3/churn_ann_keras3_10/model.keras"), Format::KerasV3);
  EXPECT_EQ(detect_format(f + "/keras_h5/hls4ml_experiments_h5_named_keras/mlp_streaming.keras"), Format::KerasH5);
}

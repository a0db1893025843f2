// Config shapes no loader should crash on (tests/fixtures/make_keras_legacy.py writes them): each
// gives one line naming the file and the field, never "internal"; unsupported layers are reported in
// the right words. (The Keras 1.x / 2.0 layouts themselves are checked numerically by
// keras_numeric_test.cpp's generated models: keras1_*, keras20_*, gru_linear.)
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "modelport/error.h"
#include "modelport/loaders.h"

using namespace modelport;
namespace fs = std::filesystem;

namespace {

const fs::path& bad_files() {
  static fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("modelport_keras_legacy_" + std::to_string(::getpid()));
    std::string cmd = "/usr/bin/python3 " + std::string(MODELPORT_SOURCE_DIR) +
                      "/tests/fixtures/make_keras_legacy.py " + d.string() + " > /dev/null";
    if (std::system(cmd.c_str()) != 0) return fs::path();
    return d;
  }();
  return dir;
}

std::string error_of(const std::string& name) {
  std::string path = (bad_files() / (name + ".h5")).string();
  try {
    load_keras(path, Format::KerasH5, {});
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_EQ(msg.rfind(path + ": ", 0), 0u) << msg;  // names the file first
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    EXPECT_EQ(msg.find("internal"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("json.exception"), std::string::npos) << msg;
    return msg;
  }
  ADD_FAILURE() << name << " loaded";
  return "";
}

#define REQUIRE_FILES() \
  if (bad_files().empty()) GTEST_SKIP() << "/usr/bin/python3 with torch and h5py not available"

}  // namespace

TEST(KerasLegacy, UnknownConfigShapesNameTheField) {
  REQUIRE_FILES();
  EXPECT_NE(error_of("bad_layer_config").find("Dense config: is a list, expected an object"), std::string::npos);
  EXPECT_NE(error_of("bad_inbound").find("inbound_nodes"), std::string::npos);
  EXPECT_NE(error_of("bad_dim_ordering").find("dim_ordering: unknown value \"xy\""), std::string::npos);
  std::string units = error_of("bad_units");
  EXPECT_NE(units.find("layer dense_1: Reshape config"), std::string::npos) << units;
  EXPECT_NE(error_of("merge_lambda").find("Merge mode"), std::string::npos);
}

TEST(KerasLegacy, UnsupportedLayersInTheRightWords) {
  REQUIRE_FILES();
  std::string e = error_of("unsupported_mix");
  EXPECT_NE(e.find("Keras layers not supported yet: GroupNormalization (group_norm), UnitNormalization (unit_norm)"),
            std::string::npos) << e;
  EXPECT_NE(e.find("(Lambda and custom layers cannot be converted): Lambda (lambda_1), MyLayer (mine)"),
            std::string::npos) << e;
  std::string g = error_of("gru_gelu");
  EXPECT_NE(g.find("GRU activation gelu (gru)"), std::string::npos) << g;
  EXPECT_EQ(g.find("recurrent_activation"), std::string::npos) << g;
  EXPECT_EQ(g.find("Lambda"), std::string::npos) << g;  // gelu is Keras's own: not supported yet
}

#include "support/test_support.h"

#include "modelport/tensor_ops.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace modelport::test {
namespace fs = std::filesystem;

std::string source_dir() { return MODELPORT_SOURCE_DIR; }
std::string test_models_dir() { return MODELPORT_TEST_MODELS_DIR; }

std::string shared_fixtures() {
  fs::path p = fs::path(MODELPORT_SOURCE_DIR) / ".." / "shared" / "fixtures";
  return fs::is_directory(p) ? fs::weakly_canonical(p).string() : std::string();
}

std::string scratch_dir(const std::string& name) {
  fs::path p = fs::path(MODELPORT_BUILD_DIR) / "test_scratch" / name;
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

ProcessResult run_cli(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {MODELPORT_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv);
}

double max_relative_diff(const Tensor& actual, const Tensor& expected) {
  EXPECT_EQ(actual.dims, expected.dims);
  if (actual.dims != expected.dims) return INFINITY;
  double max_diff = 0, max_mag = 0;
  for (int64_t i = 0; i < expected.numel(); ++i) {
    double a = actual.as_double(i), e = expected.as_double(i);
    if (std::isnan(a) != std::isnan(e)) return INFINITY;
    max_diff = std::max(max_diff, std::abs(a - e));
    max_mag = std::max(max_mag, std::abs(e));
  }
  return max_diff / std::max(max_mag, 1e-12);
}

}  // namespace modelport::test

namespace modelport::test {

Tensor json_tensor(const nlohmann::json& spec) {
  DType dt = *parse_dtype(spec.at("dtype").get<std::string>());
  std::vector<int64_t> dims = spec.at("shape").get<std::vector<int64_t>>();
  int64_t n = 1;
  for (auto d : dims) n *= d;
  std::vector<double> vals;
  if (spec.contains("fill")) vals.assign(static_cast<size_t>(n), spec["fill"].get<double>());
  else vals = spec.at("data").get<std::vector<double>>();
  EXPECT_EQ(static_cast<int64_t>(vals.size()), n);
  return tensor_from_doubles(dt, dims, vals);
}

std::string json_input_spec(const std::string& name, const nlohmann::json& spec) {
  std::string s = name + ":" + spec.at("dtype").get<std::string>() + "[";
  auto dims = spec.at("shape").get<std::vector<int64_t>>();
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

}  // namespace modelport::test

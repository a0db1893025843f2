#include "support/test_support.h"

#include "modelport/tensor_ops.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace modelport::test {
namespace fs = std::filesystem;

std::string source_dir() { return MODELPORT_SOURCE_DIR; }
std::string test_models_dir() { return MODELPORT_TEST_MODELS_DIR; }

bool ort_missing(std::string& why) {
  if (std::system("node --version > /dev/null 2>&1") != 0) return why = "node not found", true;
  if (!std::filesystem::exists(source_dir() + "/tools/runtime/node_modules/onnxruntime-node") &&
      !std::getenv("MODELPORT_ORT_DIR"))
    return why = "onnxruntime-node not installed (tools/setup.sh)", true;
  return false;
}

std::string shared_fixtures() {
  fs::path p = fs::path(MODELPORT_SOURCE_DIR) / ".." / "shared" / "fixtures";
  return fs::is_directory(p) ? fs::weakly_canonical(p).string() : std::string();
}

std::string scratch_dir(const std::string& name) {
  // Under the running test's own directory: ctest runs tests in parallel, and two tests asking for
  // the same name must not empty each other's files.
  fs::path p = fs::path(MODELPORT_BUILD_DIR) / "test_scratch";
  if (auto* t = ::testing::UnitTest::GetInstance()->current_test_info())
    p /= std::string(t->test_suite_name()) + "." + t->name();
  p /= name;
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

namespace {
std::vector<double> values_of(const Tensor& t) {
  std::vector<double> v(static_cast<size_t>(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) v[static_cast<size_t>(i)] = t.as_double(i);
  return v;
}
::testing::AssertionResult nonzero(const std::vector<double>& ref) {
  if (ref.empty()) return ::testing::AssertionFailure() << "the reference is empty";
  for (double v : ref)
    if (v != 0) return ::testing::AssertionSuccess();  // NaN counts as non-zero
  return ::testing::AssertionFailure() << "the reference is all zeros (" << ref.size()
                                       << " elements): a comparison with it cannot catch a wrong conversion";
}
}  // namespace

::testing::AssertionResult nonzero_reference(const Tensor& ref) { return nonzero(values_of(ref)); }

::testing::AssertionResult informative_reference(const std::vector<double>& ref) {
  if (auto r = nonzero(ref); !r) return r;
  for (double v : ref)
    if (!(v == ref[0])) return ::testing::AssertionSuccess();
  if (ref.size() == 1) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "the reference is constant (" << ref.size() << " x " << ref[0]
                                       << "): a case whose output does not vary with its input exercises nothing";
}

::testing::AssertionResult informative_reference(const Tensor& ref) { return informative_reference(values_of(ref)); }

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

nlohmann::json expected_cases(const std::string& expected_json) {
  std::ifstream in(expected_json);
  nlohmann::json j = in ? nlohmann::json::parse(in, nullptr, false) : nlohmann::json();
  if (j.is_discarded() || !j.is_object()) {
    ADD_FAILURE() << expected_json << ": missing or not JSON";
    return nlohmann::json::array();
  }
  nlohmann::json cases = j.value("cases", nlohmann::json::array());
  EXPECT_TRUE(cases.is_array() && !cases.empty()) << expected_json << ": no cases";
  return cases.is_array() ? cases : nlohmann::json::array();
}

std::string json_input_spec(const std::string& name, const nlohmann::json& spec) {
  std::string s = name + ":" + spec.at("dtype").get<std::string>() + "[";
  auto dims = spec.at("shape").get<std::vector<int64_t>>();
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

}  // namespace modelport::test

// Shared helpers for the test suite: paths, running the CLI, comparing tensors.
#pragma once
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "modelport/ir.h"
#include "util/subprocess.h"

namespace modelport::test {

std::string source_dir();        // the repository checkout
std::string test_models_dir();   // models made by tests/fixtures/make_test_models.py
std::string shared_fixtures();   // ../shared/fixtures next to the checkout ("" when absent)
std::string scratch_dir(const std::string& name);  // a fresh empty dir under the build tree

// Runs the modelport binary with `args`.
ProcessResult run_cli(const std::vector<std::string>& args);

// max |a-b| / max(max|b|, tiny): the relative error measure used throughout the tests.
double max_relative_diff(const Tensor& actual, const Tensor& expected);

}  // namespace modelport::test

// Skips the current test, visibly, when ../shared/fixtures is not next to the checkout.
#define MODELPORT_REQUIRE_SHARED()                                                                 \
  do {                                                                                             \
    if (::modelport::test::shared_fixtures().empty())                                             \
      GTEST_SKIP() << "../shared/fixtures not found next to the checkout: real-model fixture test skipped"; \
  } while (0)

#include <nlohmann/json.hpp>

namespace modelport::test {
// A tensor from a fixture's expected.json entry: {"dtype": "float32", "shape": [..], "data": [..]}
// or {"dtype", "shape", "fill": v}.
Tensor json_tensor(const nlohmann::json& spec);
// "name:dtype[d0,d1]" for --input, from the same kind of entry.
std::string json_input_spec(const std::string& name, const nlohmann::json& spec);
}  // namespace modelport::test

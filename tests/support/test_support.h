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
std::string scratch_dir(const std::string& name);  // a fresh empty dir under the build tree, per test

// Whether ONNX Runtime cannot run here (no node, or onnxruntime-node not installed and no
// MODELPORT_ORT_DIR); `why` then says which. Numeric tests skip (a failure in CI) when it is true.
bool ort_missing(std::string& why);

// Runs the modelport binary with `args`.
ProcessResult run_cli(const std::vector<std::string>& args);

// max |a-b| / max(max|b|, tiny): the relative error measure used throughout the tests.
double max_relative_diff(const Tensor& actual, const Tensor& expected);

// References a numeric test compares with must be able to catch a wrong conversion:
//   nonzero_reference: not all zeros (an export that loses the signal matches zeros). For values a
//     source project recorded, which may be one value everywhere for its constant inputs.
//   informative_reference: also varies when it has more than one element. For references computed
//     here from random inputs, where a constant output means the case exercises nothing.
// EXPECT_TRUE(test::informative_reference(want)) << what;
::testing::AssertionResult nonzero_reference(const Tensor& ref);
::testing::AssertionResult informative_reference(const Tensor& ref);
::testing::AssertionResult informative_reference(const std::vector<double>& ref);

}  // namespace modelport::test

// Skips the current test, visibly, when ../shared/fixtures is not next to the checkout. Where it is
// present (as in CI), test_main.cpp turns any skip into a failure.
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
// The "cases" array of a fixture's expected.json; a missing/unreadable file or an empty list is a
// test failure (a loop over no cases would pass without checking anything).
nlohmann::json expected_cases(const std::string& expected_json);
}  // namespace modelport::test

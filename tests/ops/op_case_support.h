// Helpers shared by the op-case tests (tests/ops/<format>/) and the op coverage test: converting
// in this process, running many ONNX models in one ONNX Runtime process, comparing with a reference.
#pragma once
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "modelport/ir.h"
#include "modelport/loaders.h"

namespace modelport::test {

// The lowest opset the per-op loader cases are converted at (with their own min_opset). Opsets 9
// and 10 are covered op by op in tests/emit/opset_table_ort_test.cpp and end to end in
// tests/e2e/older_opsets_test.cpp.
constexpr int kLoaderCaseMinOpset = 11;

// What `modelport export` does (load, the clean-up passes, emit at `opset`), in this process: one
// process converting hundreds of tiny models is much faster than one CLI run each. Throws Error.
// `fixed_axes` receives export's warnings about symbolic axes the graph turns into constants.
Model convert_in_process(const std::string& source, Format format, const LoadOptions& opts, int opset,
                         const std::string& out_onnx, std::vector<std::string>* fixed_axes = nullptr);

// One run of an ONNX model on named inputs; the result is its outputs in order, or an error line.
struct OrtJob {
  std::string model;
  std::vector<NamedTensor> feeds;
};
struct OrtResult {
  std::vector<NamedTensor> outputs;
  std::string error;
};
// Runs every job in one ONNX Runtime process (tests/ops/ort_batch.js), using `scratch` for files.
// A job that fails gives an error; a missing ONNX Runtime fails the calling test.
std::vector<OrtResult> run_onnxruntime_batch(const std::vector<OrtJob>& jobs, const std::string& scratch);

// |got - want| <= atol + rtol * |want| elementwise, same dtype and dims, NaN where the reference
// has NaN; the reference must be informative (test_support.h). Returns the largest |got - want|.
struct Tolerance {
  double atol, rtol;
};
double expect_matches(const Tensor& got, const Tensor& want, Tolerance tol, const std::string& what);

// One ONNX Runtime run of a converted case and the reference it must match.
struct CheckedRun {
  OrtJob job;
  std::string what;  // "<case> opset <n> size <i>"
  std::vector<Tensor> reference;
  Tolerance tol;
};
// Runs every job in one ONNX Runtime process and compares each with its reference (same number of
// outputs, expect_matches on each); prints "[tag] what max |diff| d" per run.
void run_and_compare(const std::vector<CheckedRun>& runs, const std::string& scratch, const std::string& tag);

// A stable seed for a case's random inputs (FNV-1a of its name, plus `which` run).
uint64_t seed_of(const std::string& case_name, int which);

// The manifest a case generator wrote into the test models dir (ts_ops/cases.json, ...).
nlohmann::json read_case_manifest(const std::string& relative_path);

}  // namespace modelport::test

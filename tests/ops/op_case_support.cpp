#include "ops/op_case_support.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "modelport/emit.h"
#include "passes/cleanup.h"
#include "passes/fixed_axes.h"
#include "passes/fuse_ops.h"
#include "support/test_support.h"
#include "util/npy.h"
#include "util/subprocess.h"

namespace modelport::test {
namespace fs = std::filesystem;
using json = nlohmann::json;

Model convert_in_process(const std::string& source, Format format, const LoadOptions& opts, int opset,
                         const std::string& out_onnx, std::vector<std::string>* fixed_axes) {
  Model m = load_model(source, format, opts);
  if (fixed_axes) *fixed_axes = find_fixed_symbolic_axes(*m.graph);  // before folding, as export does
  cleanup_graph(*m.graph);
  fuse_ops(*m.graph, opset);
  EmitOptions eo;
  eo.opset = opset;
  emit_onnx(m, out_onnx, eo);
  return m;
}

std::vector<OrtResult> run_onnxruntime_batch(const std::vector<OrtJob>& jobs, const std::string& scratch) {
  std::vector<OrtResult> results(jobs.size());
  if (jobs.empty()) return results;
  json spec = json::array();
  for (size_t j = 0; j < jobs.size(); ++j) {
    fs::path dir = fs::path(scratch) / ("job" + std::to_string(j));
    fs::create_directories(dir);
    json inputs = json::object();
    for (size_t i = 0; i < jobs[j].feeds.size(); ++i) {
      std::string f = (dir / ("input_" + std::to_string(i) + ".npy")).string();
      write_npy(f, jobs[j].feeds[i].tensor);
      inputs[jobs[j].feeds[i].name] = f;
    }
    spec.push_back({{"model", jobs[j].model}, {"inputs", inputs}, {"outdir", (dir / "out").string()}});
  }
  std::string jobs_file = (fs::path(scratch) / "jobs.json").string();
  std::ofstream(jobs_file) << spec.dump();
  auto r = run_process({"node", source_dir() + "/tests/ops/ort_batch.js", jobs_file});
  json out = json::parse(r.out, nullptr, false);
  if (r.exit_code != 0 || !out.is_array() || out.size() != jobs.size()) {
    ADD_FAILURE() << "ONNX Runtime batch failed (exit " << r.exit_code << "): " << r.err.substr(0, 400);
    for (auto& res : results) res.error = "ONNX Runtime batch failed";
    return results;
  }
  for (size_t j = 0; j < jobs.size(); ++j) {
    if (out[j].contains("error")) {
      results[j].error = out[j]["error"].get<std::string>();
      continue;
    }
    for (auto& o : out[j]["outputs"])
      results[j].outputs.push_back({o["name"].get<std::string>(), read_npy(o["file"].get<std::string>())});
  }
  return results;
}

double expect_matches(const Tensor& got, const Tensor& want, Tolerance tol, const std::string& what) {
  EXPECT_TRUE(informative_reference(want)) << what;
  EXPECT_EQ(dtype_name(got.dtype), std::string(dtype_name(want.dtype))) << what;
  if (got.dims != want.dims) {
    ADD_FAILURE() << what << ": shape " << Shape::of(got.dims).str() << ", libtorch " << Shape::of(want.dims).str();
    return INFINITY;
  }
  double worst = 0;
  int64_t bad = -1;
  for (int64_t i = 0; i < want.numel(); ++i) {
    double g = got.as_double(i), w = want.as_double(i);
    if (std::isnan(w) && std::isnan(g)) continue;
    double d = std::abs(g - w);
    if (!(d <= tol.atol + tol.rtol * std::abs(w)) && bad < 0) bad = i;
    if (!(d <= worst)) worst = d;
  }
  if (bad >= 0)
    ADD_FAILURE() << what << ": element " << bad << " is " << got.as_double(bad) << ", reference "
                  << want.as_double(bad) << " (max |diff| " << worst << ", atol " << tol.atol << ", rtol " << tol.rtol
                  << ")";
  return worst;
}

// Every output dim the ONNX model declares fixed is the one ONNX Runtime produced (the loaders' and
// passes' shape inference, e.g. src/passes/nn_shapes.cpp, must never guess).
void expect_declared_dims(const std::string& model, const std::vector<NamedTensor>& outs, const std::string& what) {
  onnx::ModelProto m;
  std::ifstream in(model, std::ios::binary);
  if (!m.ParseFromIstream(&in)) {
    ADD_FAILURE() << what << ": cannot read " << model;
    return;
  }
  for (int o = 0; o < m.graph().output_size() && o < static_cast<int>(outs.size()); ++o) {
    const auto& tt = m.graph().output(o).type().tensor_type();
    if (!tt.has_shape()) continue;
    const std::vector<int64_t>& got = outs[o].tensor.dims;
    if (tt.shape().dim_size() != static_cast<int>(got.size())) {
      ADD_FAILURE() << what << " output " << o << ": declared rank " << tt.shape().dim_size() << ", ONNX Runtime gave "
                    << Shape::of(got).str();
      continue;
    }
    for (int d = 0; d < tt.shape().dim_size(); ++d)
      if (tt.shape().dim(d).has_dim_value() && tt.shape().dim(d).dim_value() != got[d])
        ADD_FAILURE() << what << " output " << o << ": declared dim " << d << " = " << tt.shape().dim(d).dim_value()
                      << ", ONNX Runtime gave " << Shape::of(got).str();
  }
}

void run_and_compare(const std::vector<CheckedRun>& runs, const std::string& scratch, const std::string& tag) {
  std::vector<OrtJob> jobs;
  for (auto& r : runs) jobs.push_back(r.job);
  auto results = run_onnxruntime_batch(jobs, scratch);
  for (size_t j = 0; j < runs.size(); ++j) {
    const CheckedRun& ck = runs[j];
    if (!results[j].error.empty()) {
      ADD_FAILURE() << ck.what << ": " << results[j].error;
      continue;
    }
    if (results[j].outputs.size() != ck.reference.size()) {
      ADD_FAILURE() << ck.what << ": " << results[j].outputs.size() << " outputs, reference " << ck.reference.size();
      continue;
    }
    expect_declared_dims(ck.job.model, results[j].outputs, ck.what);
    double worst = 0;
    for (size_t o = 0; o < ck.reference.size(); ++o)
      worst = std::max(worst, expect_matches(results[j].outputs[o].tensor, ck.reference[o], ck.tol,
                                             ck.what + " output " + std::to_string(o)));
    std::printf("[%s] %-48s max |diff| %.3g\n", tag.c_str(), ck.what.c_str(), worst);
  }
}

uint64_t seed_of(const std::string& case_name, int which) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char ch : case_name) h = (h ^ ch) * 1099511628211ull;
  return h % 1000003 + 7 * uint64_t(which);
}

json read_case_manifest(const std::string& relative_path) {
  std::string path = test_models_dir() + "/" + relative_path;
  std::ifstream in(path);
  json j = in ? json::parse(in, nullptr, false) : json();
  if (j.is_discarded() || j.is_null())
    ADD_FAILURE() << path << ": missing or unreadable (written by the make_test_models ctest fixture)";
  return j;
}

}  // namespace modelport::test

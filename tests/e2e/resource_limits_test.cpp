// Resource bombs are refused before allocation with one line naming the file, the tensor/entry and
// its declared size (tests/fixtures/make_hostile.py makes the hostile inputs); deep nesting and
// graph cycles are refused the same way. Limits: include/modelport/limits.h, docs/robustness.md.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <filesystem>

#include "modelport/error.h"
#include "savedmodel/graphdef_builder.h"
#include "support/test_support.h"

using namespace modelport;
namespace fs = std::filesystem;

namespace {

std::string hostile(const std::string& name) {
  std::string p = test::test_models_dir() + "/hostile/" + name;
  EXPECT_TRUE(fs::exists(p)) << p;
  return p;
}

// `export SRC -o OUT extra...` fails with `code` and one stderr line containing every `causes`
// entry, leaving nothing in its output directory. Returns the error line.
std::string expect_refused(const std::string& src, const std::vector<std::string>& extra,
                           const std::vector<std::string>& causes, int code = kExitConversionFailed) {
  std::string dir = test::scratch_dir("limits");
  std::vector<std::string> args = {"export", src, "-o", dir + "/out.onnx"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = test::run_cli(args);
  EXPECT_EQ(r.exit_code, code) << r.err;
  EXPECT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "error must be one line:\n" << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
  for (auto& c : causes) EXPECT_NE(r.err.find(c), std::string::npos) << "missing '" << c << "' in: " << r.err;
  for (auto& e : fs::directory_iterator(dir)) ADD_FAILURE() << "stray file left: " << e.path();
  return r.err;
}

TEST(ResourceLimits, ChunkedKernelBombIsRefusedByTheCap) {
  std::string p = hostile("kernel_bomb.h5");
  EXPECT_LT(fs::file_size(p), 16u * 1024) << "the bomb is meant to be a small file";
  expect_refused(p, {}, {p + ": tensor /model_weights/dense/dense/kernel:0 declares 100000x100000 float32 = "
                         "40000000000 bytes", "per-tensor limit", "--max-tensor-bytes"});
}

TEST(ResourceLimits, ChunkedKernelBombAboveTheCapIsStillRefused) {
  // With the cap lifted, the memory check (40 GB > available) or the stored-size check refuses it.
  std::string p = hostile("kernel_bomb.h5");
  std::string err = expect_refused(p, {"--max-tensor-bytes", "1P"},
                                   {p + ": tensor /model_weights/dense/dense/kernel:0 declares 100000x100000 float32"});
  EXPECT_TRUE(err.find("of memory available") != std::string::npos || err.find("the file stores only") != std::string::npos)
      << err;
}

TEST(ResourceLimits, CorruptGlobalHeapIsAnErrorNotACrash) {
  // Found by fuzz_hdf5: the model_config string's global-heap object declares ~32 GiB, and libhdf5
  // 1.10's H5Aread copies that many bytes (SIGSEGV). The read runs isolated; the crash is an error.
  // (Under AddressSanitizer its memcpy check stops the child first: "libhdf5 failed (exit code 1)".)
  std::string p = test::source_dir() + "/tests/fuzz/regressions/hdf5/corrupt_global_heap.h5";
  std::string err = expect_refused(p, {}, {p + ": attribute /model_config: libhdf5 ", "global heap is corrupt"});
#if !defined(__SANITIZE_ADDRESS__)
  EXPECT_NE(err.find("libhdf5 crashed (signal SIGSEGV)"), std::string::npos) << err;
#endif
}

TEST(ResourceLimits, HangingGlobalHeapReadIsAnError) {
  // Found by fuzz_hdf5: libhdf5 never returns from reading the keras_version string. The isolated
  // read is killed after 5 s.
  std::string p = test::source_dir() + "/tests/fuzz/regressions/hdf5/global_heap_loop.h5";
  expect_refused(p, {}, {p + ": attribute /keras_version: libhdf5 did not finish within 5 s", "global heap is corrupt"});
}

TEST(ResourceLimits, GlobalHeapAllocationBombIsCappedInTheIsolatedRead) {
  // Found by fuzz_hdf5 (libFuzzer's out-of-memory artifacts, in the isolated child): a 14 kB file
  // whose global heap makes libhdf5 allocate gigabytes to read keras_version. The child's address
  // space is capped (isolated_call.h), so the allocation fails there: a one-line error, and no
  // process of the export comes near the 2.6 GB it took before.
  std::string p = test::source_dir() + "/tests/fuzz/regressions/hdf5/global_heap_allocation_bomb.h5";
  expect_refused(p, {}, {p + ": attribute /keras_version: "});
#if !defined(__SANITIZE_ADDRESS__)
  rusage ru{};
  ASSERT_EQ(getrusage(RUSAGE_CHILDREN, &ru), 0);
  EXPECT_LT(ru.ru_maxrss, 1L << 20) << "largest process of the export, KiB (RLIMIT_AS is not applied under ASan)";
#endif
}

TEST(ResourceLimits, LoweredCapRefusesAnOrdinaryTensor) {
  std::string p = test::test_models_dir() + "/dense.h5";
  ASSERT_TRUE(fs::exists(p)) << p;
  expect_refused(p, {"--max-tensor-bytes", "16"}, {p + ": tensor ", "above the 16 bytes per-tensor limit"});
}

TEST(ResourceLimits, BadMaxTensorBytesIsAUsageError) {
  std::string p = hostile("kernel_bomb.h5");
  expect_refused(p, {"--max-tensor-bytes", "lots"}, {"--max-tensor-bytes 'lots'"}, kExitUsage);
  expect_refused(p, {"--max-tensor-bytes", "99999999999999999999"}, {"too large"}, kExitUsage);
}

TEST(ResourceLimits, ZipEntryDeclaringAbsurdSizeIsRefused) {
  std::string p = hostile("zip_bomb.keras");
  expect_refused(p, {}, {p + ": zip entry config.json declares 4294967280 bytes", "more than its compression method"});
}

TEST(ResourceLimits, DeeplyNestedConfigIsRefused) {
  std::string p = hostile("deep_config.h5");
  expect_refused(p, {}, {p + ": model_config is nested deeper than 256 levels"});
}

TEST(ResourceLimits, KerasGraphCycleIsRefused) {
  std::string p = hostile("cycle.h5");
  expect_refused(p, {}, {p + ": graph cycle: layer a waits on layer b"});
}

TEST(ResourceLimits, KerasPaddingForTooFewAxesIsRefused) {
  std::string p = hostile("padding_one_axis.h5");
  expect_refused(p, {}, {p + ": ", "pad", "padding gives 1 axes, the layer has 2"});
}

TEST(ResourceLimits, RecurrentWeightsSmallerThanUnitsAreRefused) {
  std::string p = hostile("lstm_short_kernel.h5");
  expect_refused(p, {}, {p + ": ", "kernel has shape [2,8], expected [features, 256] for units 64"});
}

TEST(ResourceLimits, NpyDeclaringMoreThanItHoldsIsRefused) {
  // A tiny GraphDef to export, then verify it with a hostile --input-data file.
  test::sm::GraphDefBuilder b;
  b.placeholder("x", {2});
  b.node("y", "Relu", {"x"});
  std::string pb = b.save();
  std::string onnx = test::scratch_dir("npy_bomb") + "/m.onnx";
  auto ok = test::run_cli({"export", pb, "-o", onnx, "--no-manifest"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  std::string npy = hostile("npy_bomb.npy");
  auto r = test::run_cli({"verify", pb, onnx, "--input-data", "x=" + npy});
  EXPECT_EQ(r.exit_code, kExitConversionFailed) << r.err;
  EXPECT_NE(r.err.find(npy + ": array declares 100000x100000 float32 = 40000000000 bytes"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("per-tensor limit"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
  // Above the cap, the file's own size refuses it.
  r = test::run_cli({"verify", pb, onnx, "--input-data", "x=" + npy, "--max-tensor-bytes", "1P"});
  EXPECT_EQ(r.exit_code, kExitConversionFailed) << r.err;
  EXPECT_NE(r.err.find(npy + ": array 100000x100000 float32 declares 40000000000 bytes (37.3 GiB) of data but the "
                             "file holds only 16 bytes"), std::string::npos) << r.err;
}

TEST(ResourceLimits, GraphDefSplatConstantBombIsRefused) {
  // One float_val repeated over a declared 100000x100000 shape: TensorFlow expands such splats.
  test::sm::GraphDefBuilder b;
  b.placeholder("x", {2});
  tf::NodeDef* c = b.node("big", "Const");
  (*c->mutable_attr())["dtype"].set_type(tf::DT_FLOAT);
  auto* t = (*c->mutable_attr())["value"].mutable_tensor();
  t->set_dtype(tf::DT_FLOAT);
  t->mutable_tensor_shape()->add_dim()->set_size(100000);
  t->mutable_tensor_shape()->add_dim()->set_size(100000);
  t->add_float_val(1.0f);
  b.node("y", "AddV2", {"x", "big"});
  std::string pb = b.save();
  expect_refused(pb, {"--output", "y"}, {pb + ": Const 'big': value declares 100000x100000 float32 = 40000000000 bytes"});
}

TEST(ResourceLimits, GraphDefCycleIsRefused) {
  test::sm::GraphDefBuilder b;
  b.placeholder("x", {2});
  b.node("a", "AddV2", {"x", "b"});
  b.node("b", "Relu", {"a"});
  std::string pb = b.save();
  expect_refused(pb, {"--output", "b"}, {pb + ": graph cycle through '"});
}

TEST(ResourceLimits, RecursiveFunctionIsRefused) {
  // f(x) calls f(x): inlining it would never end.
  test::sm::GraphDefBuilder b;
  b.placeholder("x", {2});
  tf::FunctionDef* f = b.g.mutable_library()->add_function();
  f->mutable_signature()->set_name("f");
  auto* in = f->mutable_signature()->add_input_arg();
  in->set_name("x");
  in->set_type(tf::DT_FLOAT);
  auto* outa = f->mutable_signature()->add_output_arg();
  outa->set_name("y");
  outa->set_type(tf::DT_FLOAT);
  tf::NodeDef* call = f->add_node_def();
  call->set_name("again");
  call->set_op("f");
  call->add_input("x");
  (*f->mutable_ret())["y"] = "again:y:0";
  b.node("top", "f", {"x"});
  std::string pb = b.save();
  expect_refused(pb, {"--output", "top"}, {pb + ": function call '", "nested deeper than 64 levels"});
}

}  // namespace

// Stateful TorchScript modules (forward() assigns attributes, issue 15): each assigned attribute
// becomes an ONNX input <path>_in and output <path>_out, its value at export is written beside the
// model as a .npy the manifest lists, and verify runs three consecutive calls per size, feeding the
// state outputs back, against one libtorch module instance called as often.
// Fixtures: tests/fixtures/make_torch_stateful.py.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "modelport/loaders.h"
#include "support/test_support.h"
#include "util/npy.h"
#include "verify/verify.h"

using namespace modelport;
using json = nlohmann::json;

namespace {

std::string model(const std::string& stem) { return test::test_models_dir() + "/" + stem + ".pt"; }

struct Case {
  std::string stem;
  std::string input;                // --input spec
  std::vector<std::string> state;   // attribute paths
  size_t sizes;                     // verify's size sets (2 with a symbolic axis)
};

std::vector<Case> cases() {
  return {{"stateful_lstm_cell", "x:float32[1,8]", {"h", "c"}, 1},
          {"stateful_conv_buf", "x:float32[1,4,T]", {"buf"}, 2},
          {"stateful_nested", "x:float32[1,8]", {"steps", "inner.h", "inner.c"}, 1}};
}

double max_abs_diff(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.dims, b.dims);
  double d = 0;
  for (int64_t i = 0; i < std::min(a.numel(), b.numel()); ++i) d = std::max(d, std::abs(a.as_double(i) - b.as_double(i)));
  return d;
}

}  // namespace

TEST(Stateful, ExportsStateAsInputsAndOutputsAndVerifiesThreeCalls) {
  for (auto& k : cases()) {
    SCOPED_TRACE(k.stem);
    std::string dir = test::scratch_dir("stateful_" + k.stem);
    std::string out = dir + "/m.onnx";
    auto r = test::run_cli({"export", model(k.stem), "-o", out, "--input", k.input, "--verify", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    auto j = json::parse(r.out);

    // The ONNX graph: forward()'s input, then one input per state; the state outputs last.
    onnx::ModelProto m;
    std::ifstream in(out, std::ios::binary);
    ASSERT_TRUE(m.ParseFromIstream(&in));
    ASSERT_EQ(size_t(m.graph().input_size()), 1 + k.state.size());
    ASSERT_GE(size_t(m.graph().output_size()), 1 + k.state.size());
    size_t first_state_out = size_t(m.graph().output_size()) - k.state.size();
    for (size_t i = 0; i < k.state.size(); ++i) {
      EXPECT_EQ(m.graph().input(int(i + 1)).name(), k.state[i] + "_in");
      EXPECT_EQ(m.graph().output(int(first_state_out + i)).name(), k.state[i] + "_out");
    }

    // verify: 3 calls at each size, every output (state included) within 1e-4 of libtorch.
    auto& v = j["verification"];
    EXPECT_EQ(v["reference"], "libtorch");
    ASSERT_EQ(v["runs"].size(), 3 * k.sizes) << v.dump();
    for (size_t i = 0; i < v["runs"].size(); ++i) {
      auto& run = v["runs"][i];
      EXPECT_EQ(run["call"], int(i % 3));
      ASSERT_EQ(run["outputs"].size(), size_t(m.graph().output_size()));
      for (auto& o : run["outputs"]) {
        EXPECT_TRUE(o["ok"].get<bool>()) << o.dump();
        EXPECT_LE(o["max_abs_diff"].get<double>(), 1e-4) << o.dump();
        EXPECT_GT(o["ref_max_abs"].get<double>(), 1e-3) << "a zero reference proves nothing: " << o.dump();
      }
    }

    // The manifest lists each state with its initial value, a .npy equal to libtorch's attribute.
    std::ifstream mf(j["manifest"].get<std::string>());
    auto man = json::parse(mf);
    auto& st = man["export"]["state"];
    ASSERT_EQ(st.size(), k.state.size()) << man["export"].dump();
    TorchScriptSession session(model(k.stem));
    for (size_t i = 0; i < k.state.size(); ++i) {
      EXPECT_EQ(st[i]["source"], k.state[i]);
      EXPECT_EQ(st[i]["input"], k.state[i] + "_in");
      EXPECT_EQ(st[i]["output"], k.state[i] + "_out");
      std::string npy = dir + "/" + st[i]["initial_value"].get<std::string>();
      EXPECT_EQ(max_abs_diff(read_npy(npy), session.attribute(k.state[i])), 0.0) << npy;
    }
    bool listed = false;
    for (auto& f : man["files"]) listed |= f["role"] == "initial_state";
    EXPECT_TRUE(listed) << man["files"].dump();
    // The export's result lists them too.
    for (auto& s : k.state) {
      std::string npy = dir + "/m." + s + "_in.npy";
      EXPECT_NE(std::find(j["files"].begin(), j["files"].end(), json(npy)), j["files"].end()) << j["files"].dump();
    }
  }
}

// The reference really carries state: the same input twice gives different outputs.
TEST(Stateful, ReferenceOutputsChangeFromCallToCall) {
  TorchScriptSession s(model("stateful_lstm_cell"));
  Tensor x = random_tensor(DType::Float32, {1, 8}, 7);
  auto a = s.run({{"x", x}});
  auto b = s.run({{"x", x}});
  ASSERT_EQ(a.size(), 1u);
  EXPECT_GT(max_abs_diff(a[0].tensor, b[0].tensor), 1e-3);
}

TEST(Stateful, InspectShowsTheState) {
  auto r = test::run_cli({"inspect", model("stateful_lstm_cell"), "--input", "x:float32[1,8]"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* s : {"h_in", "c_in", "h_out", "c_out", "float32[1,16]"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << " missing in:\n" << r.out;
}

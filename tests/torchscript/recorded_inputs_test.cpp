// Inputs without --input: a dtype and rank the archive records are used (a convolution's weight fixes
// its input's rank, dtype and channels), with a warning naming where they came from; an input
// whose dtype or rank is recorded nowhere is refused in one line naming it and the --input to give.
#include <gtest/gtest.h>

#include <filesystem>

#include "modelport/error.h"
#include "modelport/loaders.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using namespace modelport;

namespace {
std::string model(const std::string& name) { return test::test_models_dir() + "/" + name; }
}  // namespace

TEST(RecordedInputs, ConvolutionInputTakesItsWeightsRankDtypeAndChannels) {
  for (const char* f : {"cnn_scripted.pt", "cnn_traced.pt"}) {
    SCOPED_TRACE(f);
    Model m = load_torchscript(model(f), {});
    ASSERT_EQ(m.graph->inputs.size(), 1u);
    EXPECT_EQ(m.graph->inputs[0]->dtype, DType::Float32);
    EXPECT_EQ(m.graph->inputs[0]->shape.str(), "[x_d0,3,x_d2,x_d3]");
    EXPECT_EQ(m.graph->outputs[0]->shape.str(), "[x_d0,10]");
    ASSERT_FALSE(m.warnings.empty());
    EXPECT_NE(m.warnings[0].find("input x: no --input given; float32[x_d0,3,x_d2,x_d3] from what the archive records"),
              std::string::npos) << m.warnings[0];
    EXPECT_NE(m.warnings[0].find("weight [8,3,3,3]"), std::string::npos) << m.warnings[0];
  }
}

// Converted without --input and run in ONNX Runtime against libtorch at two sizes of the recorded axes.
TEST(RecordedInputs, ExportWithoutInputVerifies) {
  std::string out = test::scratch_dir("recorded_inputs") + "/cnn.onnx";
  ProcessResult r = test::run_cli({"export", model("cnn_traced.pt"), "-o", out, "--verify", "--sizes", "x_d0=1,2",
                                   "--sizes", "x_d2=16,20", "--sizes", "x_d3=16,24"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("from what the archive records"), std::string::npos) << r.err;
}

TEST(RecordedInputs, UnrecordedInputsAreRefusedNamingTheInputToGive) {
  struct Case {
    const char* file;
    std::string says;
  };
  for (const Case& k : {Case{"mlp_scripted.pt", "forward() input(s) x (neither recorded); give them with --input in "
                                                "forward()'s order, e.g. --input x:DTYPE[DIM,...]"},
                        Case{"encoder_layer.pt", "ids (no rank, int64 from aten::embedding indices)"}}) {
    SCOPED_TRACE(k.file);
    std::string out = test::scratch_dir("recorded_inputs_refused") + "/m.onnx";
    ProcessResult r = test::run_cli({"export", model(k.file), "-o", out});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.err.rfind("modelport: error: " + model(k.file) + ": the archive does not record", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(k.says), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
    EXPECT_FALSE(fs::exists(out));
  }
  // The example it shows works.
  std::string out = test::scratch_dir("recorded_inputs_given") + "/m.onnx";
  ProcessResult ok = test::run_cli({"export", model("encoder_layer.pt"), "-o", out, "--input", "ids:int64[batch,seq]"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

// inspect shows what is known without refusing.
TEST(RecordedInputs, InspectShowsUnknownParts) {
  SourceReport r = inspect_torchscript(model("mlp_scripted.pt"), {});
  ASSERT_EQ(r.inputs.size(), 1u);
  EXPECT_EQ(r.inputs[0].dtype, "?");
  EXPECT_EQ(r.inputs[0].shape, "[*]");
  SourceReport c = inspect_torchscript(model("cnn_traced.pt"), {});
  EXPECT_EQ(c.inputs[0].dtype, "float32");
  EXPECT_EQ(c.inputs[0].shape, "[x_d0,3,x_d2,x_d3]");
}

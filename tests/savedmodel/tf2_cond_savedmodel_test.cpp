// A TF2 SavedModel with tf.cond, laid out as TF 2.x saves a tf.function: the serving signature feeds
// `serving_default_x` to a StatefulPartitionedCall of the traced function, whose body holds a
// StatelessIf over two branch functions. The export must keep the If (the predicate depends on the
// data) and match TensorFlow.js running the same SavedModel, on inputs that take each branch, at two
// batch sizes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "modelport/ir.h"
#include "onnx/onnx_pb.h"
#include "savedmodel/graphdef_builder.h"
#include "support/test_support.h"
#include "tf_saved_model.pb.h"
#include "util/npy.h"

using namespace modelport;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

using B = test::sm::GraphDefBuilder;
using test::sm::FunctionBuilder;

// y = sum(x) > 0 ? x * 2 + [0.5, -1, 3] : -x * 0.25, x: float32[batch, 3].
void write_cond_savedmodel(const std::string& dir) {
  fs::create_directories(dir);
  B b;
  FunctionBuilder then_f(b, "cond_true_11", {{"x", tf::DT_FLOAT}});
  then_f.body.const_f("two", {}, {2.f});
  then_f.body.node("mul", "Mul", {"x", "two:output:0"});
  then_f.body.const_f("shift", {3}, {0.5f, -1.f, 3.f});
  then_f.body.node("add", "AddV2", {"mul:z:0", "shift:output:0"});
  then_f.finish({{"y", "add:z:0"}});

  FunctionBuilder else_f(b, "cond_false_12", {{"x", tf::DT_FLOAT}});
  else_f.body.node("neg", "Neg", {"x"});
  else_f.body.const_f("quarter", {}, {0.25f});
  else_f.body.node("scaled", "Mul", {"neg:y:0", "quarter:output:0"});
  else_f.finish({{"y", "scaled:z:0"}});

  FunctionBuilder serve(b, "__inference_serve_20", {{"x", tf::DT_FLOAT}});
  serve.body.const_i("axes", {0, 1});
  serve.body.node("Sum", "Sum", {"x", "axes:output:0"});
  serve.body.const_f("zero", {}, {0.f});
  serve.body.node("Greater", "Greater", {"Sum:output:0", "zero:output:0"});
  tf::NodeDef* cond = serve.body.node("cond", "StatelessIf", {"Greater:z:0", "x"});
  B::set_func(cond, "then_branch", "cond_true_11");
  B::set_func(cond, "else_branch", "cond_false_12");
  B::set_type(cond, "Tcond", tf::DT_BOOL);
  B::set_types(cond, "Tin", {tf::DT_FLOAT});
  B::set_types(cond, "Tout", {tf::DT_FLOAT});
  serve.body.node("Identity", "Identity", {"cond:output:0"});
  serve.finish({{"identity", "Identity:output:0"}});

  b.placeholder("serving_default_x", {-1, 3});
  tf::NodeDef* call = b.node("StatefulPartitionedCall", "StatefulPartitionedCall", {"serving_default_x"});
  B::set_func(call, "f", "__inference_serve_20");
  B::set_types(call, "Tin", {tf::DT_FLOAT});
  B::set_types(call, "Tout", {tf::DT_FLOAT});

  tf::SavedModel sm;
  sm.set_saved_model_schema_version(1);
  tf::MetaGraphDef* mg = sm.add_meta_graphs();
  mg->mutable_meta_info_def()->add_tags("serve");
  *mg->mutable_graph_def() = b.g;
  tf::SignatureDef& sig = (*mg->mutable_signature_def())["serving_default"];
  sig.set_method_name("tensorflow/serving/predict");
  tf::TensorInfo& in = (*sig.mutable_inputs())["x"];
  in.set_name("serving_default_x:0");
  in.set_dtype(tf::DT_FLOAT);
  in.mutable_tensor_shape()->add_dim()->set_size(-1);
  in.mutable_tensor_shape()->add_dim()->set_size(3);
  tf::TensorInfo& out = (*sig.mutable_outputs())["output_0"];
  out.set_name("StatefulPartitionedCall:0");
  out.set_dtype(tf::DT_FLOAT);
  std::ofstream f(dir + "/saved_model.pb", std::ios::binary);
  ASSERT_TRUE(sm.SerializeToOstream(&f));
}

json verification(const ProcessResult& r) {
  json j = json::parse(r.out.substr(0, r.out.find('\n')), nullptr, false);
  return j.is_object() && j.contains("verification") ? j["verification"] : j;
}

TEST(Tf2CondSavedModel, KeepsTheIfAndMatchesTfjsOnBothBranches) {
  std::string why;
  if (test::ort_missing(why)) GTEST_SKIP() << why;
  std::string work = test::scratch_dir("tf2_cond_savedmodel");
  std::string dir = work + "/cond_model";
  write_cond_savedmodel(dir);
  std::string onnx = work + "/cond.onnx";
  auto r = test::run_cli({"export", dir, "-o", onnx, "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  onnx::ModelProto m;
  {
    std::ifstream in(onnx, std::ios::binary);
    ASSERT_TRUE(m.ParseFromIstream(&in));
  }
  int ifs = 0;
  for (auto& n : m.graph().node()) ifs += n.op_type() == "If";
  EXPECT_EQ(ifs, 1) << "the data-dependent tf.cond must stay an If";
  ASSERT_EQ(m.graph().input_size(), 1);
  EXPECT_FALSE(m.graph().input(0).type().tensor_type().shape().dim(0).has_dim_value()) << "batch stays dynamic";

  // Inputs whose sum is positive (then branch) and negative (else branch), at batch 2 and 3: the
  // export is compared with TensorFlow.js running the SavedModel, and with the branch's own formula
  // (which also shows that the reference took the branch the data picks).
  for (auto [label, sign] : {std::pair{"then", 1.f}, std::pair{"else", -1.f}}) {
    for (int64_t batch : {2, 3}) {
      SCOPED_TRACE(std::string(label) + " batch " + std::to_string(batch));
      std::vector<float> x, y;
      for (int64_t i = 0; i < batch * 3; ++i) {
        float v = sign * (0.5f + 0.25f * float(i % 5)) * (i % 4 == 3 ? -0.5f : 1.f);
        x.push_back(v);
        const float shift[3] = {0.5f, -1.f, 3.f};
        y.push_back(sign > 0 ? v * 2 + shift[i % 3] : -v * 0.25f);
      }
      std::string tag = std::string(label) + std::to_string(batch);
      std::string xin = work + "/x_" + tag + ".npy", yout = work + "/y_" + tag + ".npy";
      write_npy(xin, Tensor::from_vector<float>(DType::Float32, x, {batch, 3}));
      write_npy(yout, Tensor::from_vector<float>(DType::Float32, y, {batch, 3}));
      auto tfjs = test::run_cli({"verify", dir, onnx, "--input-data", "x=" + xin, "--json"});
      ASSERT_EQ(tfjs.exit_code, 0) << tfjs.out << tfjs.err;
      json v = verification(tfjs);
      EXPECT_EQ(v.value("verified", false), true) << tfjs.out;
      EXPECT_EQ(v.value("reference", std::string()), "@tensorflow/tfjs") << tfjs.out;
      auto formula = test::run_cli({"verify", dir, onnx, "--input-data", "x=" + xin, "--expected", "output_0=" + yout,
                                    "--atol", "1e-6", "--rtol", "1e-6", "--json"});
      EXPECT_EQ(formula.exit_code, 0) << formula.out << formula.err;
      EXPECT_EQ(verification(formula).value("verified", false), true) << formula.out;
    }
  }
}

}  // namespace

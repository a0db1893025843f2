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
#include "support/test_support.h"
#include "tf_saved_model.pb.h"
#include "util/npy.h"

using namespace modelport;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

void set_func(tf::NodeDef* n, const std::string& key, const std::string& fn) {
  (*n->mutable_attr())[key].mutable_func()->set_name(fn);
}
void set_types(tf::NodeDef* n, const std::string& key, const std::vector<tf::DataType>& ts) {
  auto* l = (*n->mutable_attr())[key].mutable_list();
  for (auto t : ts) l->add_type(t);
}
void set_type(tf::NodeDef* n, const std::string& key, tf::DataType t) { (*n->mutable_attr())[key].set_type(t); }

tf::NodeDef* add(google::protobuf::RepeatedPtrField<tf::NodeDef>* nodes, const std::string& name, const std::string& op,
                 const std::vector<std::string>& inputs) {
  tf::NodeDef* n = nodes->Add();
  n->set_name(name);
  n->set_op(op);
  for (auto& i : inputs) n->add_input(i);
  return n;
}

tf::NodeDef* const_f(google::protobuf::RepeatedPtrField<tf::NodeDef>* nodes, const std::string& name,
                     const std::vector<int64_t>& dims, const std::vector<float>& v) {
  tf::NodeDef* n = add(nodes, name, "Const", {});
  set_type(n, "dtype", tf::DT_FLOAT);
  auto* t = (*n->mutable_attr())["value"].mutable_tensor();
  t->set_dtype(tf::DT_FLOAT);
  for (auto d : dims) t->mutable_tensor_shape()->add_dim()->set_size(d);
  t->set_tensor_content(std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4));
  return n;
}

tf::FunctionDef* function(tf::GraphDef& g, const std::string& name, const std::vector<std::string>& args,
                          const std::vector<std::pair<std::string, std::string>>& rets) {
  tf::FunctionDef* f = g.mutable_library()->add_function();
  f->mutable_signature()->set_name(name);
  for (auto& a : args) {
    auto* arg = f->mutable_signature()->add_input_arg();
    arg->set_name(a);
    arg->set_type(tf::DT_FLOAT);
  }
  for (auto& [n, ref] : rets) {
    auto* out = f->mutable_signature()->add_output_arg();
    out->set_name(n);
    out->set_type(tf::DT_FLOAT);
    (*f->mutable_ret())[n] = ref;
  }
  return f;
}

// y = sum(x) > 0 ? x * 2 + [0.5, -1, 3] : -x * 0.25, x: float32[batch, 3].
void write_cond_savedmodel(const std::string& dir) {
  fs::create_directories(dir);
  tf::SavedModel sm;
  sm.set_saved_model_schema_version(1);
  tf::MetaGraphDef* mg = sm.add_meta_graphs();
  mg->mutable_meta_info_def()->add_tags("serve");
  tf::GraphDef& g = *mg->mutable_graph_def();

  tf::FunctionDef* then_f = function(g, "cond_true_11", {"x"}, {{"y", "add:z:0"}});
  const_f(then_f->mutable_node_def(), "two", {}, {2.f});
  add(then_f->mutable_node_def(), "mul", "Mul", {"x", "two:output:0"});
  const_f(then_f->mutable_node_def(), "shift", {3}, {0.5f, -1.f, 3.f});
  add(then_f->mutable_node_def(), "add", "AddV2", {"mul:z:0", "shift:output:0"});

  tf::FunctionDef* else_f = function(g, "cond_false_12", {"x"}, {{"y", "scaled:z:0"}});
  add(else_f->mutable_node_def(), "neg", "Neg", {"x"});
  const_f(else_f->mutable_node_def(), "quarter", {}, {0.25f});
  add(else_f->mutable_node_def(), "scaled", "Mul", {"neg:y:0", "quarter:output:0"});

  tf::FunctionDef* serve = function(g, "__inference_serve_20", {"x"}, {{"identity", "Identity:output:0"}});
  auto* body = serve->mutable_node_def();
  tf::NodeDef* axes = add(body, "axes", "Const", {});
  set_type(axes, "dtype", tf::DT_INT32);
  auto* at = (*axes->mutable_attr())["value"].mutable_tensor();
  at->set_dtype(tf::DT_INT32);
  at->mutable_tensor_shape()->add_dim()->set_size(2);
  at->add_int_val(0);
  at->add_int_val(1);
  add(body, "Sum", "Sum", {"x", "axes:output:0"});
  const_f(body, "zero", {}, {0.f});
  add(body, "Greater", "Greater", {"Sum:output:0", "zero:output:0"});
  tf::NodeDef* cond = add(body, "cond", "StatelessIf", {"Greater:z:0", "x"});
  set_func(cond, "then_branch", "cond_true_11");
  set_func(cond, "else_branch", "cond_false_12");
  set_type(cond, "Tcond", tf::DT_BOOL);
  set_types(cond, "Tin", {tf::DT_FLOAT});
  set_types(cond, "Tout", {tf::DT_FLOAT});
  add(body, "Identity", "Identity", {"cond:output:0"});

  tf::NodeDef* x = add(g.mutable_node(), "serving_default_x", "Placeholder", {});
  set_type(x, "dtype", tf::DT_FLOAT);
  auto* shape = (*x->mutable_attr())["shape"].mutable_shape();
  shape->add_dim()->set_size(-1);
  shape->add_dim()->set_size(3);
  tf::NodeDef* call = add(g.mutable_node(), "StatefulPartitionedCall", "StatefulPartitionedCall", {"serving_default_x"});
  set_func(call, "f", "__inference_serve_20");
  set_types(call, "Tin", {tf::DT_FLOAT});
  set_types(call, "Tout", {tf::DT_FLOAT});

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

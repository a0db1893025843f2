#include "ops/tf/tf_cases.h"

#include <fstream>

#include "ops/op_case_support.h"

namespace modelport::test::tf_ops {

void set_type(tf::NodeDef* n, const std::string& key, tf::DataType t) { sm::GraphDefBuilder::set_type(n, key, t); }

tf::NodeDef* const_scalar_i(sm::GraphDefBuilder& b, const std::string& name, int32_t v) {
  return b.const_i(name, {v}, /*scalar=*/true);
}

tf::NodeDef* const_matrix_i(sm::GraphDefBuilder& b, const std::string& name, int64_t rows, const std::vector<int32_t>& v) {
  tf::NodeDef* n = b.const_i(name, v);
  auto* shape = (*n->mutable_attr())["value"].mutable_tensor()->mutable_tensor_shape();
  shape->mutable_dim(0)->set_size(rows);
  shape->add_dim()->set_size(int64_t(v.size()) / rows);
  return n;
}

void build_graph(const Case& c, sm::GraphDefBuilder& b) {
  for (auto& in : c.inputs) {
    tf::NodeDef* p = b.placeholder(in.name, in.dims, in.dtype);
    p->set_op(in.op);
  }
  c.build(b);
}

std::string write_graph(const Case& c, const std::string& dir, LoadOptions& opts) {
  sm::GraphDefBuilder b;
  build_graph(c, b);
  std::string pb = dir + "/" + c.name + ".pb";
  std::ofstream(pb, std::ios::binary) << b.g.SerializeAsString();
  for (auto& in : c.inputs) opts.inputs.push_back(InputSpec{in.name, std::nullopt, std::nullopt});
  opts.outputs = c.outputs;
  return pb;
}

Tensors make_inputs(const Case& c, int which) {
  auto gen = at::detail::createCPUGenerator(seed_of(c.name, which));
  Tensors out;
  for (auto& in : c.inputs) {
    std::vector<int64_t> dims;
    for (auto d : in.dims) dims.push_back(d == -1 ? 2 + which : d == -2 ? 5 + 2 * which : d);
    at::Tensor t;
    switch (in.domain) {
      case Input::Normal: t = at::randn(dims, gen); break;
      case Input::Positive: t = at::randn(dims, gen).abs() + 0.5; break;
      case Input::SmallInt: t = at::randint(-4, 5, dims, gen); break;
      case Input::NonZeroInt: t = at::randint(-4, 5, dims, gen); t = at::where(t == 0, at::full_like(t, 3), t); break;
      case Input::Unit: t = (at::rand(dims, gen) * 2 - 1) * 0.95; break;
    }
    switch (in.dtype) {
      case tf::DT_INT32: t = t.to(at::kInt); break;
      case tf::DT_INT64: t = t.to(at::kLong); break;
      case tf::DT_BOOL: t = t > 0; break;
      default: t = t.to(at::kFloat); break;
    }
    out.push_back(t);
  }
  return out;
}

}  // namespace modelport::test::tf_ops

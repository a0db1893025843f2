#include "emit/emit_context.h"

namespace modelport::emit {

std::string EmitCtx::name(const Value* v) const {
  if (!v) return "";
  auto it = shared_.renamed.find(v);
  return it != shared_.renamed.end() ? it->second : v->name;
}

std::string EmitCtx::fresh(const std::string& hint) {
  std::string base = hint.empty() ? "mp" : hint;
  std::string n = base;
  for (int i = 1; shared_.taken.count(n); ++i) n = base + "_" + std::to_string(i);
  shared_.taken.insert(n);
  return n;
}

onnx::NodeProto* EmitCtx::add(const std::string& op, const std::vector<std::string>& ins,
                              std::vector<std::string> outs) {
  std::string base = node_ ? node_->name : op;
  onnx::NodeProto* n = g_->add_node();
  n->set_op_type(op);
  n->set_name(fresh(base + "/" + op));
  for (auto& i : ins) n->add_input(i);
  for (auto& o : outs) n->add_output(o.empty() ? fresh(base + "/" + op + "_out") : o);
  return n;
}

std::string EmitCtx::add1(const std::string& op, const std::vector<std::string>& ins, const std::string& out,
                          std::map<std::string, Attribute> attrs) {
  onnx::NodeProto* n = add(op, ins, {out});
  for (auto& [k, a] : attrs) set_attr(n, k, a);
  return n->output(0);
}

std::string EmitCtx::constant(const Tensor& t, const std::string& hint) {
  std::string n = fresh((node_ ? node_->name + "/" : std::string()) + hint);
  tensor_to_proto(t, n, g_->add_initializer());
  return n;
}

void EmitCtx::set_attr(onnx::NodeProto* n, const std::string& key, const Attribute& a) {
  using AP = onnx::AttributeProto;
  AP* p = n->add_attribute();
  p->set_name(key);
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, int64_t>) {
          p->set_type(AP::INT); p->set_i(x);
        } else if constexpr (std::is_same_v<T, float>) {
          p->set_type(AP::FLOAT); p->set_f(x);
        } else if constexpr (std::is_same_v<T, std::string>) {
          p->set_type(AP::STRING); p->set_s(x);
        } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
          p->set_type(AP::INTS); for (auto v : x) p->add_ints(v);
        } else if constexpr (std::is_same_v<T, std::vector<float>>) {
          p->set_type(AP::FLOATS); for (auto v : x) p->add_floats(v);
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          p->set_type(AP::STRINGS); for (auto& v : x) p->add_strings(v);
        } else if constexpr (std::is_same_v<T, Tensor>) {
          p->set_type(AP::TENSOR); tensor_to_proto(x, "", p->mutable_t());
        } else {
          if (!x) fail("attribute '" + key + "' holds a null subgraph");
          p->set_type(AP::GRAPH);
          shared_.emit_subgraph(*x, p->mutable_g());
        }
      },
      a);
}

void EmitCtx::copy_attrs(onnx::NodeProto* n, const std::set<std::string>& skip) {
  for (auto& [k, a] : node_->attrs)
    if (!skip.count(k)) set_attr(n, k, a);
}

onnx::NodeProto* EmitCtx::write_as_is(const std::set<std::string>& skip) {
  onnx::NodeProto* n = g_->add_node();
  n->set_op_type(node_->op);
  if (!node_->domain.empty()) {
    n->set_domain(node_->domain);
    shared_.domains.insert(node_->domain);
  }
  n->set_name(node_->name);
  // Trailing omitted optional inputs are dropped; inner ones are written as "".
  size_t count = node_->inputs.size();
  while (count && !node_->inputs[count - 1]) --count;
  for (size_t i = 0; i < count; ++i) n->add_input(in(i));
  for (auto* o : node_->outputs) n->add_output(name(o));
  copy_attrs(n, skip);
  return n;
}

const Tensor* EmitCtx::const_input(size_t i) const {
  const Value* v = node_->input(i);
  return v && v->constant ? v->constant.get() : nullptr;
}

std::vector<int64_t> EmitCtx::const_ints(size_t i, const char* what) const {
  const Tensor* t = const_input(i);
  if (!t) fail(std::string(what) + " must be a constant at opset " + std::to_string(opset()));
  return t->to_int_vector();
}

int64_t EmitCtx::rank_of(size_t i, const char* why) const {
  const Value* v = node_->input(i);
  if (!v || !v->shape.rank_known)
    fail(std::string("input rank is unknown (needed ") + why + " at opset " + std::to_string(opset()) + ")");
  return static_cast<int64_t>(v->shape.rank());
}

DType EmitCtx::dtype_of(size_t i, const char* why) const {
  const Value* v = node_->input(i);
  if (!v || v->dtype == DType::Undefined)
    fail(std::string("input dtype is unknown (needed ") + why + ")");
  return v->dtype;
}

void EmitCtx::fail(const std::string& msg) const {
  std::string where = node_ ? node_->op + " '" + node_->name + "'" : std::string("graph");
  if (node_ && !node_->source.empty()) where += " (" + node_->source + ")";
  throw Error(where + ": " + msg);
}

}  // namespace modelport::emit

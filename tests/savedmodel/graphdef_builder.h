// Builds small frozen GraphDefs for translator tests, written to a temp file.
#pragma once
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "tf_graph.pb.h"

namespace modelport::test::sm {

class GraphDefBuilder {
 public:
  tf::GraphDef g;

  tf::NodeDef* node(const std::string& name, const std::string& op, const std::vector<std::string>& inputs = {}) {
    tf::NodeDef* n = g.add_node();
    n->set_name(name);
    n->set_op(op);
    for (auto& i : inputs) n->add_input(i);
    return n;
  }
  static void set_ints(tf::NodeDef* n, const std::string& k, const std::vector<int64_t>& v) {
    auto* l = (*n->mutable_attr())[k].mutable_list();
    for (auto x : v) l->add_i(x);
  }
  static void set_str(tf::NodeDef* n, const std::string& k, const std::string& v) { (*n->mutable_attr())[k].set_s(v); }
  static void set_int(tf::NodeDef* n, const std::string& k, int64_t v) { (*n->mutable_attr())[k].set_i(v); }
  static void set_bool(tf::NodeDef* n, const std::string& k, bool v) { (*n->mutable_attr())[k].set_b(v); }
  static void set_float(tf::NodeDef* n, const std::string& k, float v) { (*n->mutable_attr())[k].set_f(v); }
  static void set_type(tf::NodeDef* n, const std::string& k, tf::DataType t) { (*n->mutable_attr())[k].set_type(t); }
  static void set_types(tf::NodeDef* n, const std::string& k, const std::vector<tf::DataType>& ts) {
    auto* l = (*n->mutable_attr())[k].mutable_list();
    for (auto t : ts) l->add_type(t);
  }
  static void set_func(tf::NodeDef* n, const std::string& k, const std::string& fn) {
    (*n->mutable_attr())[k].mutable_func()->set_name(fn);
  }

  tf::NodeDef* placeholder(const std::string& name, const std::vector<int64_t>& dims, tf::DataType dt = tf::DT_FLOAT) {
    tf::NodeDef* n = node(name, "Placeholder");
    (*n->mutable_attr())["dtype"].set_type(dt);
    auto* s = (*n->mutable_attr())["shape"].mutable_shape();
    for (auto d : dims) s->add_dim()->set_size(d);
    return n;
  }
  tf::NodeDef* const_f(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& v) {
    tf::NodeDef* n = node(name, "Const");
    (*n->mutable_attr())["dtype"].set_type(tf::DT_FLOAT);
    auto* t = (*n->mutable_attr())["value"].mutable_tensor();
    t->set_dtype(tf::DT_FLOAT);
    for (auto d : dims) t->mutable_tensor_shape()->add_dim()->set_size(d);
    t->set_tensor_content(std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4));
    return n;
  }
  tf::NodeDef* const_i(const std::string& name, const std::vector<int32_t>& v, bool scalar = false) {
    tf::NodeDef* n = node(name, "Const");
    (*n->mutable_attr())["dtype"].set_type(tf::DT_INT32);
    auto* t = (*n->mutable_attr())["value"].mutable_tensor();
    t->set_dtype(tf::DT_INT32);
    if (!scalar) t->mutable_tensor_shape()->add_dim()->set_size(int64_t(v.size()));
    for (auto x : v) t->add_int_val(x);
    return n;
  }
  // Writes the graph to a fresh temp file and returns its path (removed by the destructor).
  std::string save() {
    char tmpl[] = "/tmp/modelport_graphdef_XXXXXX";
    int fd = mkstemp(tmpl);
    close(fd);
    path_ = tmpl;
    std::ofstream(path_, std::ios::binary) << g.SerializeAsString();
    return path_;
  }
  ~GraphDefBuilder() {
    if (!path_.empty()) std::remove(path_.c_str());
  }

 private:
  std::string path_;
};

// Builds a FunctionDef's body with the GraphDefBuilder API (inputs name arguments as "arg" and
// node outputs as "node:<arg>:i", as TF writes function bodies).
struct FunctionBuilder {
  GraphDefBuilder body;
  tf::FunctionDef* f;
  FunctionBuilder(GraphDefBuilder& graph, const std::string& name,
                  const std::vector<std::pair<std::string, tf::DataType>>& args)
      : f(graph.g.mutable_library()->add_function()) {
    f->mutable_signature()->set_name(name);
    for (auto& [n, t] : args) {
      auto* a = f->mutable_signature()->add_input_arg();
      a->set_name(n);
      a->set_type(t);
    }
  }
  // Declares the results in order and moves the body's nodes into the function.
  void finish(const std::vector<std::pair<std::string, std::string>>& rets) {
    for (auto& [n, ref] : rets) {
      f->mutable_signature()->add_output_arg()->set_name(n);
      (*f->mutable_ret())[n] = ref;
    }
    for (auto& n : body.g.node()) *f->add_node_def() = n;
  }
};

}  // namespace modelport::test::sm

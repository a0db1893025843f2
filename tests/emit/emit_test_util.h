// Helpers shared by the emitter tests.
#pragma once

#include <onnx/onnx_pb.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "modelport/emit.h"
#include "modelport/ir.h"

namespace modelport::emit_testing {

// A temporary directory removed with its contents.
struct TmpDir {
  std::string path;
  TmpDir() {
    char tmpl[] = "/tmp/modelport_emit_XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TmpDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name) const { return path + "/" + name; }
  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    for (auto& e : std::filesystem::directory_iterator(path)) out.push_back(e.path().filename().string());
    return out;
  }
};

inline onnx::ModelProto load_model(const std::string& path) {
  onnx::ModelProto m;
  std::ifstream f(path, std::ios::binary);
  if (!f || !m.ParseFromIstream(&f)) throw std::runtime_error("cannot parse " + path);
  return m;
}

// Emits `model` at `opset` into a temp dir and parses the result back.
inline onnx::ModelProto emit_and_load(const Model& model, int opset, EmitOptions opts = {}) {
  TmpDir dir;
  opts.opset = opset;
  std::string out = dir.file("model.onnx");
  emit_onnx(model, out, opts);
  return load_model(out);
}

inline std::vector<const onnx::NodeProto*> nodes_of(const onnx::GraphProto& g, const std::string& op) {
  std::vector<const onnx::NodeProto*> out;
  for (auto& n : g.node())
    if (n.op_type() == op) out.push_back(&n);
  return out;
}

inline const onnx::AttributeProto* attr_of(const onnx::NodeProto& n, const std::string& name) {
  for (auto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

inline std::vector<int64_t> ints_of(const onnx::AttributeProto* a) {
  return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : std::vector<int64_t>{};
}

inline const onnx::TensorProto* initializer_of(const onnx::GraphProto& g, const std::string& name) {
  for (auto& t : g.initializer())
    if (t.name() == name) return &t;
  return nullptr;
}

inline std::vector<int64_t> int64_initializer(const onnx::GraphProto& g, const std::string& name) {
  const onnx::TensorProto* t = initializer_of(g, name);
  if (!t) return {};
  std::vector<int64_t> v(t->raw_data().size() / 8);
  std::memcpy(v.data(), t->raw_data().data(), v.size() * 8);
  return v;
}

inline Shape dims(std::vector<int64_t> d) { return Shape::of(d); }

}  // namespace modelport::emit_testing

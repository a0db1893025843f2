// Helpers shared by the emitter tests.
#pragma once

#include <onnx/onnx_pb.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "modelport/emit.h"
#include "modelport/error.h"
#include "modelport/ir.h"
#include "verify/ort_runner.h"

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

// A float32 tensor of normal(mean, stddev) numbers from `seed`.
inline Tensor random_f32(std::vector<int64_t> dims, unsigned seed, float mean = 0.5f, float stddev = 2.f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(mean, stddev);
  int64_t n = 1;
  for (auto x : dims) n *= x;
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return Tensor::from_vector(DType::Float32, v, std::move(dims));
}

// Whether ONNX Runtime runs here (tested once with a one-node model); says why not on stderr.
inline bool ort_available() {
  static int ok = -1;
  if (ok < 0) {
    Model m;
    m.graph->outputs.push_back(m.graph->op("Relu", {m.graph->add_input("x", DType::Float32, Shape::of({1}))}));
    TmpDir dir;
    try {
      emit_onnx(m, dir.file("probe.onnx"), EmitOptions{});
      run_onnxruntime(dir.file("probe.onnx"), {{"x", Tensor::f32({1.f})}});
      ok = 1;
    } catch (const Error& e) {
      std::fprintf(stderr, "ONNX Runtime unavailable: %s\n", e.what());
      ok = 0;
    }
  }
  return ok == 1;
}

}  // namespace modelport::emit_testing

// Shared helpers for the SavedModel tests: fixture paths (../shared/fixtures/savedmodel relative
// to the source tree, never copied into the repo) and IR queries.
#pragma once
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <functional>
#include <string>
#include <vector>

#include "modelport/error.h"
#include "modelport/ir.h"

namespace modelport::test::sm {

// The one-line message of the modelport::Error that `f` throws ("" when it throws none).
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

inline std::string savedmodel_fixture(const std::string& name) {
  return std::string(MODELPORT_SOURCE_DIR) + "/../shared/fixtures/savedmodel/" + name;
}
inline bool path_exists(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0;
}

#define REQUIRE_SAVEDMODEL_FIXTURE(var, name)                                                          \
  const std::string var = ::modelport::test::sm::savedmodel_fixture(name);                                 \
  if (!::modelport::test::sm::path_exists(var))                                                            \
    GTEST_SKIP() << "fixture " << var << " not found (../shared is absent); skipping"

inline std::vector<const Node*> nodes_of(const Graph& g, const std::string& op) {
  std::vector<const Node*> out;
  for (auto& n : g.nodes())
    if (n->op == op) out.push_back(n.get());
  return out;
}
inline size_t count_op(const Graph& g, const std::string& op) { return nodes_of(g, op).size(); }

// The constant value feeding input `i` of `n` (following Identity nodes), or nullptr.
inline const Tensor* const_input(const Node* n, size_t i) {
  const Value* v = n->input(i);
  while (v && !v->constant && v->producer && v->producer->op == "Identity") v = v->producer->input(0);
  return v ? v->constant.get() : nullptr;
}

}  // namespace modelport::test::sm

#include <cstring>
#include <fstream>
#include <sstream>

namespace modelport::test::sm {

// Float32 data of a little-endian C-order .npy file (enough for the fixtures' kernel/bias files).
inline std::vector<float> read_npy_f32(const std::string& path, std::vector<int64_t>* dims = nullptr) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string b = ss.str();
  if (b.size() < 10 || b.compare(0, 6, "\x93NUMPY") != 0) return {};
  size_t hlen = uint8_t(b[8]) | size_t(uint8_t(b[9])) << 8, off = 10;
  if (b[6] >= 2) {
    hlen = uint8_t(b[8]) | size_t(uint8_t(b[9])) << 8 | size_t(uint8_t(b[10])) << 16 | size_t(uint8_t(b[11])) << 24;
    off = 12;
  }
  std::string header = b.substr(off, hlen);
  if (header.find("'<f4'") == std::string::npos || header.find("'fortran_order': False") == std::string::npos) return {};
  if (dims) {
    dims->clear();
    auto l = header.find("'shape': ("), r = header.find(')', l);
    std::stringstream sh(header.substr(l + 10, r - l - 10));
    std::string item;
    while (std::getline(sh, item, ','))
      if (item.find_first_not_of(' ') != std::string::npos) dims->push_back(std::stoll(item));
  }
  std::vector<float> v((b.size() - off - hlen) / 4);
  std::memcpy(v.data(), b.data() + off + hlen, v.size() * 4);
  return v;
}

}  // namespace modelport::test::sm

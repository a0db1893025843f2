#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>

#include "modelport/ir.h"
#include "passes/cleanup.h"
#include "util/mapped_file.h"

using namespace modelport;

TEST(IR, BuildsNamedValuesAndDumps) {
  Graph g;
  Value* x = g.add_input("x", DType::Float32, Shape({Dim::sym("batch"), Dim::fixed(4)}));
  Value* w = g.add_constant("w", Tensor::from_vector<float>(DType::Float32, {1, 2, 3, 4, 5, 6, 7, 8}, {4, 2}));
  Value* y = g.op("MatMul", {x, w});
  Value* z = g.op("Relu", {y});
  g.outputs = {z};
  EXPECT_EQ(g.nodes().size(), 2u);
  EXPECT_EQ(z->producer->op, "Relu");
  EXPECT_TRUE(w->is_constant());
  EXPECT_EQ(w->constant->as_double(7), 8.0);
  std::string d = g.dump();
  EXPECT_NE(d.find("input %x:float32[batch,4]"), std::string::npos) << d;
  EXPECT_NE(d.find("= MatMul(%x, %w)"), std::string::npos) << d;
}

TEST(IR, UniqueNamesAcrossParentAndSubgraph) {
  Graph g;
  g.add_input("x", DType::Float32, Shape());
  EXPECT_EQ(g.unique_name("x"), "x_1");
  Graph sub("body", &g);
  EXPECT_EQ(sub.unique_name("x"), "x_2");
}

TEST(IR, ConstantsAliasTheirSourceMemoryWithoutCopy) {
  auto owner = std::make_shared<std::vector<float>>(std::vector<float>{1.f, 2.f, 3.f});
  BufferPtr b = Buffer::alias(owner->data(), owner->size() * sizeof(float), owner);
  Tensor t;
  t.dtype = DType::Float32;
  t.dims = {3};
  t.buffer = b;
  Graph g;
  Value* c = g.add_constant("c", t);
  EXPECT_EQ(c->constant->raw(), reinterpret_cast<const uint8_t*>(owner->data()));
  std::weak_ptr<std::vector<float>> weak = owner;
  owner.reset();
  EXPECT_FALSE(weak.expired()) << "the buffer must keep its source alive";
}

TEST(IR, CleanupRemovesIdentitiesAndDeadNodes) {
  Graph g;
  Value* x = g.add_input("x", DType::Float32, Shape::of({2}));
  Value* id = g.op("Identity", {x});
  Value* r = g.op("Relu", {id});
  g.op("Sigmoid", {x});  // dead
  g.add_constant("unused", Tensor::f32({1.f}));
  g.outputs = {r};
  cleanup_graph(g);
  ASSERT_EQ(g.nodes().size(), 1u);
  EXPECT_EQ(g.nodes()[0]->op, "Relu");
  EXPECT_EQ(g.nodes()[0]->inputs[0], x);
  EXPECT_TRUE(g.constants().empty());
}

TEST(IR, ScalarTensorsOfEveryNumericDtype) {
  for (DType dt : {DType::Float32, DType::Float64, DType::Float16, DType::BFloat16, DType::Int64, DType::Int32,
                   DType::Int8, DType::UInt8}) {
    Tensor t = Tensor::scalar(dt, 2.5 * (dtype_is_float(dt) ? 1 : 0) + 3);
    EXPECT_EQ(t.nbytes(), dtype_size(dt));
    EXPECT_DOUBLE_EQ(t.as_double(0), dtype_is_float(dt) ? 5.5 : 3.0) << dtype_name(dt);
  }
}

TEST(IR, UseListsFollowEveryEdit) {
  Graph g;
  Value* x = g.add_input("x", DType::Float32, Shape::of({2}));
  Value* k = g.add_constant("k", Tensor::f32({1.f, 2.f}));
  Node* mul = g.add_node("Mul", {x, x});
  Value* m = mul->outputs[0];
  Value* a = g.op("Add", {m, k});
  g.outputs = {a, m};
  EXPECT_EQ(g.use_count(x), 2u);  // both slots of the Mul
  EXPECT_EQ(g.use_count(m), 2u);  // the Add and a graph output
  EXPECT_TRUE(g.is_output(m));
  EXPECT_FALSE(g.is_output(k));
  mul->inputs.set(1, k);
  EXPECT_EQ(g.use_count(x), 1u);
  EXPECT_EQ(g.use_count(k), 2u);
  g.replace_all_uses(m, x);  // the Add and the graph output now read x
  EXPECT_EQ(g.use_count(m), 0u);
  EXPECT_EQ(g.use_count(x), 3u);
  EXPECT_EQ(g.outputs[1], x);
  EXPECT_EQ(a->producer->inputs[0], x);
  // A subgraph's reads of outer values are uses; they go when the subgraph goes.
  auto body = std::make_shared<Graph>("then", &g);
  body->outputs = {body->op("Neg", {k})};
  Value* other = g.add_constant("other", Tensor::f32({0.f, 0.f}));
  auto else_g = std::make_shared<Graph>("else", &g);
  else_g->outputs = {other};
  Value* cond = g.add_input("c", DType::Bool, Shape::of({}));
  Node* n = g.add_node("If", {cond}, 1, {{"then_branch", GraphPtr(body)}, {"else_branch", GraphPtr(else_g)}});
  body.reset();
  else_g.reset();
  EXPECT_EQ(g.use_count(k), 3u);
  EXPECT_EQ(g.use_count(other), 1u);
  g.remove_dead();  // the If (with its branches) and the Mul have no readers: only the Add stays
  ASSERT_EQ(g.nodes().size(), 1u) << g.dump();
  EXPECT_EQ(g.nodes()[0]->op, "Add");
  EXPECT_EQ(g.use_count(k), 1u);
  EXPECT_EQ(g.use_count(cond), 0u);
  EXPECT_EQ(g.constants().size(), 1u) << "'other' had its only reader in a removed branch";
  (void)n;
}

// A buffer over a read-only file mapping (how TensorBundle shards and contiguous HDF5 datasets are
// read) streams its bytes in pieces that do not fall on page boundaries, drops the pages it has
// written from the process (its resident file pages fall by about the buffer's size), and still
// reads back the same bytes afterwards (faulted in again from the file).
TEST(IR, MappedBufferStreamsItsBytesThenGivesItsPagesBack) {
  std::string path = ::testing::TempDir() + "/mapped_buffer_test.bin";
  std::vector<uint8_t> bytes((size_t(12) << 20) + 123);
  std::mt19937 rng(5);
  for (auto& b : bytes) b = uint8_t(rng());
  {
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  }
  auto map = MappedFile::open(path);
  const size_t skip = 100, n = bytes.size() - 200;
  BufferPtr b = Buffer::mapped(map->data() + skip, n, map, {map->fd(), skip});
  EXPECT_EQ(b->file_span().offset, skip);
  std::vector<uint8_t> want(bytes.begin() + skip, bytes.begin() + skip + n);
  auto resident_file_pages = [] {
    std::ifstream statm("/proc/self/statm");
    long size = 0, resident = 0, shared = 0;
    statm >> size >> resident >> shared;
    return shared;
  };
  uint64_t sum = 0;
  for (size_t i = 0; i < n; i += 4096) sum += b->data()[i];  // every page resident
  long before = resident_file_pages();
  std::vector<uint8_t> streamed;
  b->stream(65536 + 7, [&](const uint8_t* d, size_t k) { streamed.insert(streamed.end(), d, d + k); });
  long after = resident_file_pages();
  EXPECT_EQ(streamed, want);
  long page = ::sysconf(_SC_PAGESIZE);
  EXPECT_GE(before - after, long(n) / page * 9 / 10) << "before " << before << " after " << after << " (sum " << sum << ")";
  EXPECT_TRUE(std::equal(want.begin(), want.end(), b->data()));
  std::remove(path.c_str());
}

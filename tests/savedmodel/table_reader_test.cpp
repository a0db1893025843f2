// The variables.index / variables.data readers on crafted files: CRC-32C, LevelDB table parsing
// (prefix-compressed keys, checksums, footer) and tensor bundles (memory-mapped shards).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>

#include "loaders/savedmodel/bundle.h"
#include "loaders/savedmodel/crc32c.h"
#include "loaders/savedmodel/index_table.h"
#include "fixture_util.h"
#include "modelport/error.h"

using namespace modelport;
using namespace modelport::tf;
using modelport::test::sm::error_of;

namespace {

void put_varint(std::string& s, uint64_t v) {
  while (v >= 0x80) {
    s.push_back(char(v | 0x80));
    v >>= 7;
  }
  s.push_back(char(v));
}
void put_fixed32(std::string& s, uint32_t v) { s.append(reinterpret_cast<const char*>(&v), 4); }

// One block: entries with keys prefix-compressed against the previous key, one restart point.
std::string block(const std::vector<std::pair<std::string, std::string>>& kv) {
  std::string b, prev;
  for (auto& [k, v] : kv) {
    size_t shared = 0;
    while (shared < prev.size() && shared < k.size() && prev[shared] == k[shared]) ++shared;
    put_varint(b, shared);
    put_varint(b, k.size() - shared);
    put_varint(b, v.size());
    b += k.substr(shared) + v;
    prev = k;
  }
  put_fixed32(b, 0);
  put_fixed32(b, 1);
  return b;
}
// Appends block + trailer to `file`; returns its handle encoding.
std::string append_block(std::string& file, const std::string& contents) {
  std::string h;
  put_varint(h, file.size());
  put_varint(h, contents.size());
  file += contents;
  char type = 0;
  file.push_back(type);
  put_fixed32(file, crc32c_mask(crc32c_extend(crc32c(contents.data(), contents.size()), &type, 1)));
  return h;
}
std::string table(const std::vector<std::pair<std::string, std::string>>& kv) {
  std::string f;
  std::string data = append_block(f, block(kv));
  std::string meta = append_block(f, block({}));
  std::string index = append_block(f, block({{kv.empty() ? "" : kv.back().first, data}}));
  std::string footer = meta + index;
  footer.resize(40, '\0');
  uint64_t magic = 0xdb4775248b80fb57ull;
  footer.append(reinterpret_cast<const char*>(&magic), 8);
  return f + footer;
}

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/modelport_sm_test_XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
  void write(const std::string& name, const std::string& bytes) const {
    std::ofstream(path + "/" + name, std::ios::binary) << bytes;
  }
};

// BundleEntryProto {dtype: DT_FLOAT, shape: [dims], offset, size, crc32c}
std::string float_entry(const std::vector<int64_t>& dims, uint64_t offset, uint64_t size, uint32_t masked_crc) {
  std::string shape;
  for (auto d : dims) {
    std::string dim;
    dim.push_back(0x08);
    put_varint(dim, uint64_t(d));
    shape.push_back(0x12);
    put_varint(shape, dim.size());
    shape += dim;
  }
  std::string e;
  e += "\x08\x01";  // dtype = DT_FLOAT
  e.push_back(0x12);
  put_varint(e, shape.size());
  e += shape;
  if (offset) {
    e.push_back(0x20);
    put_varint(e, offset);
  }
  e.push_back(0x28);
  put_varint(e, size);
  e.push_back(0x35);
  put_fixed32(e, masked_crc);
  return e;
}

// A bundle with w = [1, 2] and v = [3] (v after w in one shard).
void write_bundle(const TempDir& d, std::string data) {
  float w[2] = {1, 2}, v[1] = {3};
  std::string header = "\x08\x01";  // num_shards = 1
  d.write("variables.index", table({{"", header},
                                    {"v", float_entry({1}, 8, 4, crc32c_mask(crc32c(v, 4)))},
                                    {"w", float_entry({2}, 0, 8, crc32c_mask(crc32c(w, 8)))}}));
  if (data.empty()) {
    data.assign(reinterpret_cast<const char*>(w), 8);
    data.append(reinterpret_cast<const char*>(v), 4);
  }
  d.write("variables.data-00000-of-00001", data);
}

}  // namespace

TEST(Crc32c, KnownValues) {
  EXPECT_EQ(crc32c("123456789", 9), 0xE3069283u);
  EXPECT_EQ(crc32c("", 0), 0u);
  std::string zeros(32, '\0');
  EXPECT_EQ(crc32c(zeros.data(), zeros.size()), 0x8A9136AAu);
  EXPECT_EQ(crc32c_extend(crc32c("1234", 4), "56789", 5), 0xE3069283u);
  for (uint32_t c : {0u, 1u, 0xE3069283u, 0xffffffffu}) EXPECT_EQ(crc32c_unmask(crc32c_mask(c)), c);
}

// The SSE4.2 path against the table path, over lengths and alignments that exercise its head/tail.
TEST(Crc32c, HardwareMatchesPortable) {
  if (!crc32c_hardware_available()) GTEST_SKIP() << "CPU without SSE4.2: only the table implementation runs";
  std::string bytes(4099, '\0');
  uint32_t x = 12345;
  for (auto& c : bytes) c = char((x = x * 1103515245u + 12345u) >> 16);
  for (size_t start : {0, 1, 3, 7, 8}) {
    for (size_t n : {0, 1, 5, 8, 9, 63, 64, 1000, 4091}) {
      EXPECT_EQ(crc32c_extend_hardware(0x1234u, bytes.data() + start, n),
                crc32c_extend_portable(0x1234u, bytes.data() + start, n))
          << start << "+" << n;
    }
  }
  EXPECT_EQ(crc32c_extend_hardware(0, "123456789", 9), 0xE3069283u);
}

TEST(SSTable, ReadsPrefixCompressedEntries) {
  auto t = table({{"", "hdr"}, {"layer/bias", "b"}, {"layer/kernel", "k"}, {"other", ""}});
  auto e = parse_table(t, "x.index");
  ASSERT_EQ(e.size(), 4u);
  EXPECT_EQ(e[0].first, "");
  EXPECT_EQ(e[1].first, "layer/bias");
  EXPECT_EQ(e[2].first, "layer/kernel");
  EXPECT_EQ(e[2].second, "k");
  EXPECT_EQ(e[3].first, "other");
}

TEST(SSTable, RejectsBadMagic) {
  auto t = table({{"a", "1"}});
  t[t.size() - 1] ^= 0x5a;
  std::string e = error_of([&] { parse_table(t, "dir/variables.index"); });
  EXPECT_NE(e.find("dir/variables.index"), std::string::npos) << e;
  EXPECT_NE(e.find("magic"), std::string::npos) << e;
}

TEST(SSTable, RejectsTruncated) {
  auto t = table({{"a", "1"}, {"b", "2"}});
  for (size_t n : {size_t(0), size_t(10), t.size() - 1, t.size() - 48}) {
    std::string e = error_of([&] { parse_table(t.substr(0, n), "v.index"); });
    EXPECT_NE(e.find("v.index"), std::string::npos) << n << ": " << e;
  }
  // Cut in the middle, with a valid footer re-attached: block handles point past the end.
  std::string cut = t.substr(0, 8) + t.substr(t.size() - 48);
  std::string e = error_of([&] { parse_table(cut, "v.index"); });
  EXPECT_NE(e.find("v.index: corrupt table"), std::string::npos) << e;
}

TEST(SSTable, RejectsBadBlockChecksum) {
  auto t = table({{"key", "value"}});
  t[4] ^= 1;  // inside the data block
  std::string e = error_of([&] { parse_table(t, "v.index"); });
  EXPECT_NE(e.find("checksum"), std::string::npos) << e;
}

TEST(SSTable, RefusesBlockHandlesBeyondTheFileBeforeReading) {
  // Found by fuzz_tensor_bundle: LevelDB allocates the size a block handle declares before it
  // reads the block (here 2^50 bytes). The handles are checked against the file first.
  std::string f;
  append_block(f, block({{"a", "1"}}));
  std::string meta = append_block(f, block({}));
  std::string huge;
  put_varint(huge, 0);
  put_varint(huge, uint64_t(1) << 50);
  std::string index = append_block(f, block({{"a", huge}}));
  std::string footer = meta + index;
  footer.resize(40, '\0');
  uint64_t magic = 0xdb4775248b80fb57ull;
  footer.append(reinterpret_cast<const char*>(&magic), 8);
  std::string e = error_of([&] { parse_table(f + footer, "v.index"); });
  EXPECT_NE(e.find("v.index: corrupt table (data block at offset 0 declares 1125899906842624 bytes, beyond the file's"),
            std::string::npos)
      << e;
}

TEST(TensorBundle, ReadsAliasedTensors) {
  TempDir d;
  write_bundle(d, "");
  auto b = TensorBundle::open(d.path + "/variables");
  EXPECT_EQ(b->keys(), (std::vector<std::string>{"v", "w"}));
  Tensor w = b->tensor("w");
  EXPECT_EQ(w.dtype, DType::Float32);
  EXPECT_EQ(w.dims, (std::vector<int64_t>{2}));
  EXPECT_FLOAT_EQ(w.data<float>()[1], 2.0f);
  EXPECT_FALSE(w.buffer->owns_bytes());
  EXPECT_FLOAT_EQ(b->tensor("v").data<float>()[0], 3.0f);
  EXPECT_EQ(b->parameter_count(), 3);
  b.reset();  // the mapping stays alive while a tensor uses it
  EXPECT_FLOAT_EQ(w.data<float>()[0], 1.0f);
}

TEST(TensorBundle, BadDataChecksumNamesShard) {
  TempDir d;
  float w[2] = {1, 2}, v[1] = {4};  // v differs from what the index's CRC covers
  std::string data(reinterpret_cast<const char*>(w), 8);
  data.append(reinterpret_cast<const char*>(v), 4);
  write_bundle(d, data);
  auto b = TensorBundle::open(d.path + "/variables");
  EXPECT_NO_THROW(b->tensor("w"));
  std::string e = error_of([&] { b->tensor("v"); });
  EXPECT_NE(e.find("variables.data-00000-of-00001"), std::string::npos) << e;
  EXPECT_NE(e.find("checksum"), std::string::npos) << e;
}

TEST(TensorBundle, TruncatedShard) {
  TempDir d;
  write_bundle(d, std::string(10, '\0'));
  auto b = TensorBundle::open(d.path + "/variables");
  std::string e = error_of([&] { b->tensor("v"); });
  EXPECT_NE(e.find("variables.data-00000-of-00001: truncated"), std::string::npos) << e;
}

TEST(TensorBundle, MissingShardAndCorruptIndex) {
  TempDir d;
  write_bundle(d, "");
  std::remove((d.path + "/variables.data-00000-of-00001").c_str());
  std::string e = error_of([&] { TensorBundle::open(d.path + "/variables"); });
  EXPECT_NE(e.find("variables.data-00000-of-00001: cannot open"), std::string::npos) << e;

  d.write("variables.index", "garbage");
  e = error_of([&] { TensorBundle::open(d.path + "/variables"); });
  EXPECT_NE(e.find("variables.index"), std::string::npos) << e;
  EXPECT_EQ(e.find('\n'), std::string::npos);
}

#include "index_table.h"

#include <leveldb/env.h>
#include <leveldb/iterator.h>
#include <leveldb/options.h>
#include <leveldb/table.h>

#include <snappy.h>

#include <cstring>
#include <memory>

#include "util/mapped_file.h"
#include "modelport/error.h"

namespace modelport::tf {
namespace {

// LevelDB reads the table through this view of bytes already in memory (a mapped file).
class MemoryFile : public leveldb::RandomAccessFile {
 public:
  explicit MemoryFile(std::string_view bytes) : bytes_(bytes) {}
  leveldb::Status Read(uint64_t offset, size_t n, leveldb::Slice* result, char*) const override {
    if (offset > bytes_.size()) {
      *result = leveldb::Slice();
      return leveldb::Status::Corruption("read past the end of the file");
    }
    *result = leveldb::Slice(bytes_.data() + offset, std::min<uint64_t>(n, bytes_.size() - offset));
    return leveldb::Status::OK();
  }

 private:
  std::string_view bytes_;
};

// "Corruption: block checksum mismatch" -> "block checksum mismatch"
std::string cause(const leveldb::Status& s) {
  std::string text = s.ToString();
  for (const char* prefix : {"Corruption: ", "IO error: ", "Not implemented: ", "Invalid argument: "})
    if (text.rfind(prefix, 0) == 0) return text.substr(std::strlen(prefix));
  return text;
}

// LevelDB allocates every block it reads by the size the table declares for it (a block handle's
// size, and for a Snappy block the uncompressed length in its header) before reading it, and trusts
// both. So the handles are checked here first, against the file and against what Snappy can expand
// (at most 64 output bytes per 2-byte copy element; 32:1 plus a margin is beyond any real block).
// Table format: a 48-byte footer (metaindex and index handles, varint64 offset + size each, magic);
// blocks followed by a 5-byte trailer (compression type, CRC); the index block's values are the data
// blocks' handles; a block ends with its restart array and the count of restarts (uint32 each).
class HandleCheck {
 public:
  HandleCheck(std::string_view file, const std::string& path) : file_(file), path_(path) {}

  void run() {
    if (file_.size() < kFooter) return;  // LevelDB reports it
    std::string_view footer = file_.substr(file_.size() - kFooter);
    uint64_t meta_off, meta_size, index_off, index_size;
    if (!varint(footer, meta_off) || !varint(footer, meta_size) || !varint(footer, index_off) ||
        !varint(footer, index_size))
      return;  // LevelDB reports the bad footer
    block(meta_off, meta_size, "metaindex block");
    std::string index_store;
    std::string_view index = block(index_off, index_size, "index block", &index_store);
    for (std::string_view value : values(index)) {
      uint64_t off, size;
      if (!varint(value, off) || !varint(value, size)) fail("index entry with a malformed block handle");
      block(off, size, "data block");
    }
  }

 private:
  static constexpr size_t kFooter = 48, kTrailer = 5;

  [[noreturn]] void fail(const std::string& what) const { throw Error(path_ + ": corrupt table (" + what + ")"); }

  static bool varint(std::string_view& in, uint64_t& v) {
    v = 0;
    for (int shift = 0; shift <= 63 && !in.empty(); shift += 7) {
      uint8_t b = uint8_t(in.front());
      in.remove_prefix(1);
      v |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }

  // Checks the block at [off, off + size) and its trailer; returns its contents (uncompressed
  // into `store` when compressed and `store` is given).
  std::string_view block(uint64_t off, uint64_t size, const char* what, std::string* store = nullptr) const {
    const uint64_t limit = file_.size() - kFooter;
    if (off > limit || size > limit - off || kTrailer > limit - off - size)
      fail(std::string(what) + " at offset " + std::to_string(off) + " declares " + std::to_string(size) +
           " bytes, beyond the file's " + std::to_string(file_.size()));
    std::string_view data = file_.substr(off, size);
    uint8_t type = uint8_t(file_[off + size]);
    if (type != 1) return data;  // 0: stored; LevelDB refuses unknown types itself
    size_t ulength = 0;
    if (!snappy::GetUncompressedLength(data.data(), data.size(), &ulength))
      fail(std::string(what) + " at offset " + std::to_string(off) + " has a corrupt Snappy header");
    if (ulength > 32 * uint64_t(size) + 4096)
      fail(std::string(what) + " at offset " + std::to_string(off) + " declares " + std::to_string(ulength) +
           " bytes uncompressed from " + std::to_string(size));
    if (!store) return data;
    if (!snappy::Uncompress(data.data(), data.size(), store))
      fail(std::string(what) + " at offset " + std::to_string(off) + " is not valid Snappy data");
    return *store;
  }

  // The values of a block's entries (shared/non-shared key lengths and value length as varint32,
  // the key delta, the value), up to its restart array.
  std::vector<std::string_view> values(std::string_view b) const {
    std::vector<std::string_view> out;
    if (b.size() < 4) fail("index block shorter than its restart count");
    uint32_t restarts;
    std::memcpy(&restarts, b.data() + b.size() - 4, 4);
    if (restarts > (b.size() - 4) / 4) fail("index block declares more restarts than it holds");
    std::string_view in = b.substr(0, b.size() - 4 - 4 * size_t(restarts));
    while (!in.empty()) {
      uint64_t shared, non_shared, vlen;
      if (!varint(in, shared) || !varint(in, non_shared) || !varint(in, vlen) || non_shared > in.size() ||
          vlen > in.size() - non_shared)
        fail("malformed index block entry");
      in.remove_prefix(size_t(non_shared));
      out.push_back(in.substr(0, size_t(vlen)));
      in.remove_prefix(size_t(vlen));
    }
    return out;
  }

  std::string_view file_;
  const std::string& path_;
};

}  // namespace

TableEntries parse_table(std::string_view bytes, const std::string& path) {
  auto fail = [&](const leveldb::Status& s) -> TableEntries { throw Error(path + ": corrupt table (" + cause(s) + ")"); };
  HandleCheck(bytes, path).run();
  MemoryFile file(bytes);
  leveldb::Options options;
  options.paranoid_checks = true;  // verify the index block's checksum when opening
  leveldb::Table* raw = nullptr;
  leveldb::Status s = leveldb::Table::Open(options, &file, bytes.size(), &raw);
  if (!s.ok()) return fail(s);
  std::unique_ptr<leveldb::Table> table(raw);
  leveldb::ReadOptions read;
  read.verify_checksums = true;
  read.fill_cache = false;
  std::unique_ptr<leveldb::Iterator> it(table->NewIterator(read));
  TableEntries out;
  for (it->SeekToFirst(); it->Valid(); it->Next()) out.emplace_back(it->key().ToString(), it->value().ToString());
  if (!it->status().ok()) return fail(it->status());
  return out;
}

TableEntries read_table(const std::string& path) {
  auto f = MappedFile::open(path);
  return parse_table(std::string_view(reinterpret_cast<const char*>(f->data()), f->size()), path);
}

}  // namespace modelport::tf

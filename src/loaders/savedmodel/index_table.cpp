#include "index_table.h"

#include <leveldb/env.h>
#include <leveldb/iterator.h>
#include <leveldb/options.h>
#include <leveldb/table.h>

#include <cstring>
#include <memory>

#include "mapped_file.h"
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

}  // namespace

TableEntries parse_table(std::string_view bytes, const std::string& path) {
  auto fail = [&](const leveldb::Status& s) -> TableEntries { throw Error(path + ": corrupt table (" + cause(s) + ")"); };
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

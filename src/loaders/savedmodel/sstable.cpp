#include "sstable.h"

#include <snappy.h>

#include <cstring>

#include "crc32c.h"
#include "mapped_file.h"
#include "modelport/error.h"

namespace modelport::tf {
namespace {

constexpr uint64_t kTableMagic = 0xdb4775248b80fb57ull;
constexpr size_t kFooterSize = 48;
constexpr size_t kBlockTrailerSize = 5;

class Reader {
 public:
  Reader(std::string_view bytes, const std::string& path) : bytes_(bytes), path_(path) {}

  [[noreturn]] void fail(const std::string& cause) const {
    throw Error(path_ + ": corrupt table (" + cause + ")");
  }

  static bool varint(std::string_view s, size_t& pos, uint64_t& out) {
    out = 0;
    for (int shift = 0; shift <= 63 && pos < s.size(); shift += 7) {
      uint8_t b = static_cast<uint8_t>(s[pos++]);
      out |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }

  struct Handle {
    uint64_t offset = 0, size = 0;
  };
  Handle handle(std::string_view s, size_t& pos, const char* what) const {
    Handle h;
    if (!varint(s, pos, h.offset) || !varint(s, pos, h.size)) fail(std::string("bad ") + what + " handle");
    return h;
  }

  // Returns the (decompressed) contents of a block, checking its trailer.
  std::string block(const Handle& h, const char* what) const {
    if (h.offset > bytes_.size() || h.size > bytes_.size() - h.offset ||
        bytes_.size() - h.offset - h.size < kBlockTrailerSize)
      fail(std::string(what) + " block extends past end of file");
    std::string_view contents = bytes_.substr(h.offset, h.size);
    const char* trailer = bytes_.data() + h.offset + h.size;
    uint32_t stored;
    std::memcpy(&stored, trailer + 1, 4);
    uint32_t actual = crc32c_extend(crc32c(contents.data(), contents.size()), trailer, 1);
    if (crc32c_unmask(stored) != actual) fail(std::string(what) + " block checksum mismatch");
    switch (static_cast<uint8_t>(trailer[0])) {
      case 0: return std::string(contents);
      case 1: {
        std::string out;
        if (!snappy::Uncompress(contents.data(), contents.size(), &out))
          fail(std::string(what) + " block: bad Snappy data");
        return out;
      }
      default: fail(std::string(what) + " block: unknown compression type " + std::to_string(int(trailer[0])));
    }
  }

  // Decodes all entries of a block.
  TableEntries entries(const std::string& b, const char* what) const {
    if (b.size() < 4) fail(std::string(what) + " block too small");
    uint32_t num_restarts;
    std::memcpy(&num_restarts, b.data() + b.size() - 4, 4);
    if (num_restarts == 0 || (uint64_t(num_restarts) + 1) * 4 > b.size())
      fail(std::string(what) + " block: bad restart count");
    size_t limit = b.size() - (size_t(num_restarts) + 1) * 4;
    std::string_view s(b.data(), limit);
    TableEntries out;
    std::string key;
    size_t pos = 0;
    while (pos < limit) {
      uint64_t shared, non_shared, value_len;
      if (!varint(s, pos, shared) || !varint(s, pos, non_shared) || !varint(s, pos, value_len))
        fail(std::string(what) + " block: bad entry header");
      if (shared > key.size() || non_shared > limit - pos || value_len > limit - pos - non_shared)
        fail(std::string(what) + " block: entry out of bounds");
      key.resize(shared);
      key.append(s.data() + pos, non_shared);
      pos += non_shared;
      out.emplace_back(key, std::string(s.substr(pos, value_len)));
      pos += value_len;
    }
    return out;
  }

  TableEntries read() const {
    if (bytes_.size() < kFooterSize) fail("file shorter than the 48-byte footer");
    std::string_view footer = bytes_.substr(bytes_.size() - kFooterSize);
    uint64_t magic;
    std::memcpy(&magic, footer.data() + kFooterSize - 8, 8);
    if (magic != kTableMagic) fail("bad magic number");
    size_t pos = 0;
    handle(footer, pos, "metaindex");
    Handle index = handle(footer, pos, "index");
    if (pos > kFooterSize - 8) fail("bad footer");
    TableEntries out;
    for (auto& [last_key, handle_bytes] : entries(block(index, "index"), "index")) {
      size_t hp = 0;
      Handle h = handle(handle_bytes, hp, "data block");
      for (auto& e : entries(block(h, "data"), "data")) out.push_back(std::move(e));
    }
    return out;
  }

 private:
  std::string_view bytes_;
  const std::string& path_;
};

}  // namespace

TableEntries parse_table(std::string_view bytes, const std::string& path) { return Reader(bytes, path).read(); }

TableEntries read_table(const std::string& path) {
  auto f = MappedFile::open(path);
  return parse_table(std::string_view(reinterpret_cast<const char*>(f->data()), f->size()), path);
}

}  // namespace modelport::tf

#include "bundle.h"

#include <cstdint>
#include <cstdio>

#include "crc32c.h"
#include "util/mapped_file.h"
#include "modelport/error.h"
#include "modelport/limits.h"
#include "index_table.h"
#include "tf_bundle.pb.h"
#include "tf_types.h"

namespace modelport::tf {

std::shared_ptr<const TensorBundle> TensorBundle::open(const std::string& prefix) {
  auto b = std::make_shared<TensorBundle>();
  b->index_path_ = prefix + ".index";
  const std::string& ip = b->index_path_;
  int num_shards = 1;
  bool have_header = false;
  for (auto& [key, value] : read_table(ip)) {
    if (key.empty()) {
      BundleHeaderProto h;
      if (!h.ParseFromString(value)) throw Error(ip + ": corrupt bundle header");
      if (h.endianness() != BundleHeaderProto::LITTLE) throw Error(ip + ": big-endian bundles are not supported");
      num_shards = h.num_shards();
      have_header = true;
      continue;
    }
    BundleEntryProto pe;
    if (!pe.ParseFromString(value)) throw Error(ip + ": corrupt bundle entry '" + key + "'");
    Entry e;
    e.tf_dtype = pe.dtype();
    for (auto& d : pe.shape().dim()) e.dims.push_back(d.size());
    e.shard = pe.shard_id();
    e.offset = pe.offset();
    e.size = pe.size();
    e.masked_crc = pe.crc32c();
    // Field 7 (slices) is not in our proto: it shows up as an unknown field.
    e.sliced = pe.GetReflection()->GetUnknownFields(pe).field_count() > 0;
    b->entries_[key] = std::move(e);
  }
  if (!have_header) throw Error(ip + ": not a tensor bundle index (no header entry)");
  if (num_shards <= 0 || num_shards > 100000) throw Error(ip + ": bad shard count " + std::to_string(num_shards));
  for (int i = 0; i < num_shards; ++i) {
    char suffix[64];
    std::snprintf(suffix, sizeof suffix, ".data-%05d-of-%05d", i, num_shards);
    b->shards_.push_back(MappedFile::open(prefix + suffix));
  }
  return b;
}

const TensorBundle::Entry* TensorBundle::find(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

std::vector<std::string> TensorBundle::keys() const {
  std::vector<std::string> out;
  for (auto& [k, e] : entries_) out.push_back(k);
  return out;
}

const uint8_t* TensorBundle::bytes(const std::string& key, const Entry& e, bool check_crc) const {
  if (e.sliced) throw Error(index_path_ + ": variable '" + key + "' is partitioned (sliced); not supported");
  if (e.shard < 0 || size_t(e.shard) >= shards_.size())
    throw Error(index_path_ + ": variable '" + key + "' names missing shard " + std::to_string(e.shard));
  const MappedFile& f = *shards_[e.shard];
  if (e.offset < 0 || e.size < 0 || uint64_t(e.offset) > f.size() || uint64_t(e.size) > f.size() - e.offset)
    throw Error(f.path() + ": truncated: variable '" + key + "' extends past end of file");
  const uint8_t* p = f.data() + e.offset;
  if (check_crc && crc32c_mask(crc32c(p, size_t(e.size))) != e.masked_crc)
    throw Error(f.path() + ": checksum mismatch for variable '" + key + "'");
  return p;
}

Tensor TensorBundle::tensor(const std::string& key) const {
  const Entry* e = find(key);
  if (!e) throw Error(index_path_ + ": no variable '" + key + "'");
  DType dt = from_tf_dtype(e->tf_dtype);
  if (dt == DType::Undefined || dt == DType::String)
    throw Error(index_path_ + ": variable '" + key + "' has unsupported dtype " + tf_dtype_name(e->tf_dtype));
  Tensor t;
  t.dtype = dt;
  t.dims = e->dims;
  // Bytes alias the mapped shard (not allocated); bytes() bounds them by the shard's size.
  uint64_t nbytes = checked_tensor_bytes(index_path_, "variable '" + key + "'", t.dims, dt, false);
  if (nbytes != uint64_t(e->size))
    throw Error(index_path_ + ": variable '" + key + "' size does not match its shape");
  const uint8_t* p = bytes(key, *e, true);
  // The checksum has read every page; hand them back until the writer streams them.
  MappedFile::drop_pages(p, size_t(e->size));
  const auto& shard = shards_[size_t(e->shard)];
  t.buffer = Buffer::mapped(p, size_t(e->size), shard, {shard->fd(), uint64_t(p - shard->data())});
  return t;
}

std::string TensorBundle::string_scalar(const std::string& key) const {
  const Entry* e = find(key);
  if (!e) throw Error(index_path_ + ": no entry '" + key + "'");
  if (from_tf_dtype(e->tf_dtype) != DType::String || !e->dims.empty())
    throw Error(index_path_ + ": entry '" + key + "' is not a string scalar");
  const uint8_t* p = bytes(key, *e, false);
  // Layout: varint64 length, 4-byte masked CRC of the lengths, then the bytes. The entry's CRC
  // covers each length as a little-endian uint32, then the 4 length-CRC bytes, then the bytes.
  uint64_t len = 0;
  size_t pos = 0;
  for (int shift = 0;; shift += 7) {
    if (pos >= size_t(e->size) || shift > 63) throw Error(index_path_ + ": corrupt string entry '" + key + "'");
    uint8_t c = p[pos++];
    len |= uint64_t(c & 0x7f) << shift;
    if (!(c & 0x80)) break;
  }
  pos += 4;
  if (pos > size_t(e->size) || len > size_t(e->size) - pos)
    throw Error(index_path_ + ": corrupt string entry '" + key + "'");
  uint8_t len32[4] = {uint8_t(len), uint8_t(len >> 8), uint8_t(len >> 16), uint8_t(len >> 24)};
  uint32_t crc = crc32c_extend(crc32c(len32, 4), p + pos - 4, 4);
  crc = crc32c_extend(crc, p + pos, size_t(len));
  if (crc32c_mask(crc) != e->masked_crc)
    throw Error(shards_[size_t(e->shard)]->path() + ": checksum mismatch for entry '" + key + "'");
  return std::string(reinterpret_cast<const char*>(p + pos), len);
}

int64_t TensorBundle::parameter_count() const {
  int64_t n = 0;
  for (auto& [k, e] : entries_) {
    DType dt = from_tf_dtype(e.tf_dtype);
    if (dt == DType::String || dt == DType::Undefined) continue;
    int64_t c = 1;
    for (auto d : e.dims) {
      if (d < 0 || (d > 0 && c > INT64_MAX / d)) return -1;  // corrupt: reported when the tensor is read
      c *= d;
    }
    if (c > INT64_MAX - n) return -1;
    n += c;
  }
  return n;
}

}  // namespace modelport::tf

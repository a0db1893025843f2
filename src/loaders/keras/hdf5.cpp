#include "loaders/keras/hdf5.h"

#include <hdf5_hl.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>

#include "modelport/error.h"
#include "modelport/limits.h"
#include "util/isolated_call.h"
#include "util/mapped_file.h"

namespace modelport::keras {
namespace {

void quiet_hdf5() {
  static bool done = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)done;
}

std::vector<std::string> split_path(const std::string& rel) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : rel) {
    if (c == '/') {
      if (!cur.empty()) parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) parts.push_back(cur);
  return parts;
}

std::string strip_padding(const char* p, size_t n) {
  size_t len = 0;
  while (len < n && p[len] != '\0') ++len;
  while (len > 0 && p[len - 1] == ' ') --len;
  return std::string(p, len);
}

// What a child reading a file's string attributes may allocate: the strings are inside the file, so
// a few times its size and libhdf5's own caches are plenty. A corrupt global heap can make libhdf5
// allocate what it declares (gigabytes from a 14 kB file, tests/fuzz/regressions/hdf5); that now
// fails in the child instead of taking the machine's memory.
uint64_t child_memory(uint64_t file_bytes) {
  return std::min<uint64_t>((uint64_t(256) << 20) + 8 * file_bytes, std::max<uint64_t>(available_memory_bytes() / 2, uint64_t(256) << 20));
}

// The bytes an isolated child sends back: texts as an 8-byte length and their bytes.
void put_u64(std::string& w, uint64_t v) { w.append(reinterpret_cast<const char*>(&v), sizeof v); }
void put_text(std::string& w, const std::string& t) {
  put_u64(w, t.size());
  w += t;
}

// Reads them back; every read is bounded by the bytes received (false once they run out).
struct WireReader {
  const std::string& bytes;
  size_t pos = 0;
  bool done() const { return pos >= bytes.size(); }
  bool u64(uint64_t& v) {
    if (bytes.size() - pos < sizeof v) return false;
    std::memcpy(&v, bytes.data() + pos, sizeof v);
    pos += sizeof v;
    return true;
  }
  bool text(std::string& t) {
    uint64_t n = 0;
    if (!u64(n) || bytes.size() - pos < n) return false;
    t.assign(bytes.data() + pos, size_t(n));
    pos += size_t(n);
    return true;
  }
};

// H5Aread of n variable-length strings, in this process (only ever called inside an isolated child).
std::vector<std::string> read_vlen_strings(hid_t attr, hid_t mem, size_t n, const std::string& where) {
  std::vector<char*> ptrs(n, nullptr);
  if (H5Aread(attr, mem, ptrs.data()) < 0) throw Error(where + ": cannot read string attribute");
  std::vector<std::string> out;
  for (char* p : ptrs) out.emplace_back(p ? p : "");
  return out;
}

// Variable-length strings live in the file's global heap, and libhdf5 1.10 copies a heap object
// by the size the heap declares, without checking it against the heap or the string's own length:
// a crafted file makes H5Aread crash (tests/fuzz/regressions/hdf5). The bytes that would be needed
// to check it first (the attribute's heap references) are not reachable through libhdf5's API, so
// the read runs in a forked child, and a crash or hang there is a one-line error about the file.
std::vector<std::string> read_vlen_strings_isolated(hid_t attr, hid_t mem, size_t n, const std::string& where) {
  auto work = [&]() -> std::string {
    std::string wire;
    for (auto& t : read_vlen_strings(attr, mem, n, where)) put_text(wire, t);
    return wire;
  };
  // Each string is one heap object inside the file (several may share one), so a reply longer
  // than n file sizes is corrupt; it must also fit in memory. 5 s is far more than a valid
  // attribute needs (a 50 MB model_config reads in well under a second).
  hsize_t file_bytes = 0;
  H5Handle file(H5Iget_file_id(attr), H5Fclose);
  if (!file.valid() || H5Fget_filesize(file.id(), &file_bytes) < 0) throw Error(where + ": cannot read attribute");
  const uint64_t cap = std::min<uint64_t>(uint64_t(n) * (file_bytes + sizeof(uint64_t)), available_memory_bytes());
  IsolatedResult r = run_isolated(work, cap, 5000, child_memory(file_bytes));
  if (!r.ok) {
    if (r.failure.rfind(where, 0) == 0) throw Error(r.failure);  // the Error thrown in the child
    throw Error(where + ": libhdf5 " + r.failure +
                " reading this variable-length string attribute: the file's global heap is corrupt");
  }
  std::vector<std::string> out(n);
  WireReader in{r.bytes};
  for (auto& t : out)
    if (!in.text(t)) throw Error(where + ": cannot read string attribute");
  return out;
}

// Reads every string of an attribute (scalar -> one string). `label` names the file, `what` the attribute.
// `isolate`: read variable-length strings in a forked child (false only inside such a child).
std::vector<std::string> read_string_attr(hid_t attr, const std::string& label, const std::string& what,
                                          bool isolate = true) {
  const std::string where = label + ": " + what;
  H5Handle type(H5Aget_type(attr), H5Tclose);
  H5Handle space(H5Aget_space(attr), H5Sclose);
  if (!type.valid() || !space.valid()) throw Error(where + ": cannot read attribute");
  hssize_t n = H5Sget_simple_extent_npoints(space.id());
  // h5py writes an empty list (a layer without weights: weight_names = []) as an empty float array.
  if (n == 0) return {};
  if (H5Tget_class(type.id()) != H5T_STRING) throw Error(where + ": attribute is not a string");
  if (n < 0) return {};
  // Attributes live in the object header: a declared size beyond the caps is a corrupt file.
  checked_tensor_bytes(label, what, {int64_t(n), int64_t(std::max<size_t>(H5Tget_size(type.id()), sizeof(char*)))},
                       DType::UInt8);
  std::vector<std::string> out;
  if (H5Tis_variable_str(type.id()) > 0) {
    H5Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.id(), H5T_VARIABLE);
    H5Tset_cset(mem.id(), H5Tget_cset(type.id()));
    return isolate ? read_vlen_strings_isolated(attr, mem.id(), size_t(n), where)
                   : read_vlen_strings(attr, mem.id(), size_t(n), where);
  } else {
    size_t sz = H5Tget_size(type.id());
    std::vector<char> buf(sz * (size_t)n + 1, '\0');
    if (H5Aread(attr, type.id(), buf.data()) < 0) throw Error(where + ": cannot read string attribute");
    for (hssize_t i = 0; i < n; ++i) out.push_back(strip_padding(buf.data() + i * sz, sz));
  }
  return out;
}

std::shared_ptr<H5Handle> share(hid_t id, H5Handle::Closer c) { return std::make_shared<H5Handle>(id, c); }

// Child side of StringAttrs::load: the string attributes of every group reachable from the root by
// hard links, as records (group path as H5Group names it, attribute name, count, strings), each
// text an 8-byte length and its bytes. An attribute that cannot be read is left out: the parent
// reads it again by itself, which reports it.
struct AttrWalk {
  const std::string& label;
  std::string path;
  std::string wire;
};

herr_t collect_attr(hid_t loc, const char* name, const H5A_info_t*, void* data) {
  auto* w = static_cast<AttrWalk*>(data);
  H5Handle a(H5Aopen(loc, name, H5P_DEFAULT), H5Aclose);
  H5Handle type(a.valid() ? H5Aget_type(a.id()) : -1, H5Tclose);
  if (!type.valid() || H5Tget_class(type.id()) != H5T_STRING) return 0;
  try {
    auto v = read_string_attr(a.id(), w->label, "attribute " + w->path + "/" + name, false);
    put_text(w->wire, w->path);
    put_text(w->wire, name);
    put_u64(w->wire, v.size());
    for (auto& t : v) put_text(w->wire, t);
  } catch (const Error&) {
  }
  return 0;
}

void collect_group(hid_t gid, const std::string& path, AttrWalk& w) {
  w.path = path;
  hsize_t idx = 0;
  H5Aiterate2(gid, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_attr, &w);
}

#if H5_VERSION_GE(1, 12, 0)
using LinkInfo = H5L_info2_t;
#define MODELPORT_H5LVISIT H5Lvisit2
#else
using LinkInfo = H5L_info_t;
#define MODELPORT_H5LVISIT H5Lvisit
#endif

herr_t collect_link(hid_t root, const char* name, const LinkInfo* info, void* data) {
  if (info->type != H5L_TYPE_HARD) return 0;  // never follow a soft or external link
  H5Handle obj(H5Oopen(root, name, H5P_DEFAULT), H5Oclose);
  if (obj.valid() && H5Iget_type(obj.id()) == H5I_GROUP)
    collect_group(obj.id(), std::string("/") + name, *static_cast<AttrWalk*>(data));
  return 0;
}

}  // namespace

// A Keras file keeps its strings (model_config, layer_names, each layer's weight_names) in group
// attributes. Variable-length ones are read in a forked child (read_vlen_strings_isolated), and a
// fork per attribute costs a page-table copy of the whole process, which grows with every weight
// read: for a 1 GB model, seconds. So the first string attribute asked for makes one child read all
// of them, while the process is still small; anything the child could not read (or a child that
// crashed or hung) is read on its own, as before.
struct StringAttrs {
  enum class State { kUnread, kReady, kFailed } state = State::kUnread;
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> values;  // (group path, name)

  void load(hid_t file, const std::string& label) {
    state = State::kFailed;
    hsize_t file_bytes = 0;
    if (H5Fget_filesize(file, &file_bytes) < 0) return;
    auto work = [&]() -> std::string {
      AttrWalk w{label, "", ""};
      H5Handle root(H5Gopen2(file, "/", H5P_DEFAULT), H5Gclose);
      if (!root.valid()) throw Error("no root group");
      collect_group(root.id(), "", w);
      MODELPORT_H5LVISIT(root.id(), H5_INDEX_NAME, H5_ITER_INC, collect_link, &w);
      return w.wire;
    };
    const uint64_t cap = std::min<uint64_t>(64 * uint64_t(file_bytes) + (1u << 20), available_memory_bytes());
    IsolatedResult r = run_isolated(work, cap, 5000, child_memory(file_bytes));
    if (!r.ok) return;
    WireReader in{r.bytes};
    std::map<std::pair<std::string, std::string>, std::vector<std::string>> got;
    while (!in.done()) {
      std::string path, name;
      uint64_t count = 0;
      if (!in.text(path) || !in.text(name) || !in.u64(count) || count > r.bytes.size()) return;
      std::vector<std::string> v(static_cast<size_t>(count));
      for (auto& t : v)
        if (!in.text(t)) return;
      got[{path, name}] = std::move(v);
    }
    values = std::move(got);
    state = State::kReady;
  }
};

// Where a dataset's bytes lie in the file, when they can be used as they are: contiguous (no
// filters, no external storage), stored in the file's little-endian form of `dt`, aligned to its
// element size and inside the file.
std::optional<uint64_t> contiguous_offset(hid_t file, hid_t ds, hid_t type, DType dt, uint64_t nbytes, uint64_t file_size) {
  hid_t le = -1;
  switch (dt) {
    case DType::Float32: le = H5T_IEEE_F32LE; break;
    case DType::Float64: le = H5T_IEEE_F64LE; break;
    case DType::Int8: le = H5T_STD_I8LE; break;
    case DType::UInt8: le = H5T_STD_U8LE; break;
    case DType::Int16: le = H5T_STD_I16LE; break;
    case DType::Int32: le = H5T_STD_I32LE; break;
    case DType::Int64: le = H5T_STD_I64LE; break;
    default: return std::nullopt;
  }
  if (H5Tequal(type, le) <= 0) return std::nullopt;
  H5Handle dcpl(H5Dget_create_plist(ds), H5Pclose);
  if (!dcpl.valid() || H5Pget_layout(dcpl.id()) != H5D_CONTIGUOUS || H5Pget_nfilters(dcpl.id()) != 0 ||
      H5Pget_external_count(dcpl.id()) != 0)
    return std::nullopt;
  H5Handle fcpl(H5Fget_create_plist(file), H5Pclose);
  hsize_t userblock = 1;
  if (!fcpl.valid() || H5Pget_userblock(fcpl.id(), &userblock) < 0 || userblock != 0) return std::nullopt;
  haddr_t off = H5Dget_offset(ds);
  if (off == HADDR_UNDEF || H5Dget_storage_size(ds) != nbytes) return std::nullopt;
  if (off > file_size || nbytes > file_size - off || off % dtype_size(dt) != 0) return std::nullopt;
  return uint64_t(off);
}

struct H5Shared {
  StringAttrs strings;
  std::shared_ptr<const MappedFile> map;  // the file on disk (not an in-memory image)
};

H5Handle& H5Handle::operator=(H5Handle&& o) noexcept {
  if (this != &o) {
    reset();
    id_ = o.id_;
    closer_ = o.closer_;
    o.id_ = -1;
  }
  return *this;
}

void H5Handle::reset() {
  if (id_ >= 0 && closer_) closer_(id_);
  id_ = -1;
}

H5File H5File::open(const std::string& path) {
  quiet_hdf5();
  hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0) throw Error(path + ": cannot open as HDF5");
  H5File f;
  f.file_ = share(id, H5Fclose);
  f.label_ = path;
  f.shared_ = std::make_shared<H5Shared>();
  try {
    f.shared_->map = MappedFile::open(path);  // large contiguous datasets alias it (dataset())
  } catch (const Error&) {
  }
  return f;
}

H5File H5File::open_image(std::vector<uint8_t> bytes, const std::string& label) {
  quiet_hdf5();
  H5File f;
  f.image_ = std::make_shared<std::vector<uint8_t>>(std::move(bytes));
  // Default flags: HDF5 copies the image, so nothing else has to outlive the file handle.
  hid_t id = H5LTopen_file_image(f.image_->data(), f.image_->size(), 0);
  if (id < 0) throw Error(label + ": cannot open embedded HDF5 image");
  f.file_ = share(id, H5Fclose);
  f.label_ = label;
  f.shared_ = std::make_shared<H5Shared>();
  f.image_.reset();
  return f;
}

H5Group H5File::root() const {
  hid_t g = H5Gopen2(file_->id(), "/", H5P_DEFAULT);
  if (g < 0) throw Error(label_ + ": cannot open HDF5 root group");
  return H5Group(file_, g, "", label_, shared_);
}

H5Group::H5Group(std::shared_ptr<H5Handle> file, hid_t gid, std::string path, std::string label,
                 std::shared_ptr<H5Shared> shared)
    : file_(std::move(file)),
      gid_(share(gid, H5Gclose)),
      path_(std::move(path)),
      label_(std::move(label)),
      shared_(std::move(shared)) {}

bool H5Group::has(const std::string& rel) const {
  std::string acc;
  for (auto& part : split_path(rel)) {
    acc += (acc.empty() ? "" : "/") + part;
    if (H5Lexists(gid_->id(), acc.c_str(), H5P_DEFAULT) <= 0) return false;
  }
  return !acc.empty();
}

static H5I_type_t object_type(hid_t gid, const std::string& rel) {
  H5Handle obj(H5Oopen(gid, rel.c_str(), H5P_DEFAULT), H5Oclose);
  return obj.valid() ? H5Iget_type(obj.id()) : H5I_BADID;
}

bool H5Group::is_group(const std::string& rel) const {
  return has(rel) && object_type(gid_->id(), rel) == H5I_GROUP;
}

bool H5Group::is_dataset(const std::string& rel) const {
  return has(rel) && object_type(gid_->id(), rel) == H5I_DATASET;
}

H5Group H5Group::group(const std::string& rel) const {
  std::string full = path_ + "/" + rel;
  if (!is_group(rel)) throw Error(label_ + ": missing HDF5 group " + full);
  hid_t g = H5Gopen2(gid_->id(), rel.c_str(), H5P_DEFAULT);
  if (g < 0) throw Error(label_ + ": cannot open HDF5 group " + full);
  return H5Group(file_, g, full, label_, shared_);
}

std::vector<std::string> H5Group::children() const {
  std::vector<std::string> names;
  auto cb = [](hid_t, const char* name, const LinkInfo*, void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->push_back(name);
    return 0;
  };
  hsize_t idx = 0;
  H5Literate(gid_->id(), H5_INDEX_NAME, H5_ITER_INC, &idx, cb, &names);
  return names;
}

Tensor H5Group::dataset(const std::string& rel) const {
  std::string full = path_ + "/" + rel;
  if (!is_dataset(rel)) throw Error(label_ + ": missing HDF5 dataset " + full);
  H5Handle ds(H5Dopen2(gid_->id(), rel.c_str(), H5P_DEFAULT), H5Dclose);
  if (!ds.valid()) throw Error(label_ + ": cannot open HDF5 dataset " + full);
  H5Handle type(H5Dget_type(ds.id()), H5Tclose);
  H5Handle space(H5Dget_space(ds.id()), H5Sclose);
  if (!type.valid() || !space.valid()) throw Error(label_ + ": cannot read HDF5 dataset " + full);
  int rank = H5Sget_simple_extent_ndims(space.id());
  if (rank < 0 || rank > H5S_MAX_RANK) throw Error(label_ + ": corrupt dataspace of HDF5 dataset " + full);
  std::vector<hsize_t> hdims(size_t(rank), 0);
  if (rank > 0 && H5Sget_simple_extent_dims(space.id(), hdims.data(), nullptr) < 0)
    throw Error(label_ + ": corrupt dataspace of HDF5 dataset " + full);
  Tensor t;
  for (hsize_t d : hdims) {
    if (d > hsize_t(INT64_MAX)) throw Error(label_ + ": tensor " + full + " declares a dimension beyond int64");
    t.dims.push_back((int64_t)d);
  }
  size_t size = H5Tget_size(type.id());
  bool is_signed = H5Tget_sign(type.id()) == H5T_SGN_2;
  hid_t mem = -1;
  switch (H5Tget_class(type.id())) {
    case H5T_FLOAT:
      if (size == 4) t.dtype = DType::Float32, mem = H5T_NATIVE_FLOAT;
      else if (size == 8) t.dtype = DType::Float64, mem = H5T_NATIVE_DOUBLE;
      else if (size == 2) t.dtype = DType::Float16, mem = type.id();  // raw half floats (little-endian files)
      break;
    case H5T_INTEGER:
      if (size == 1) t.dtype = is_signed ? DType::Int8 : DType::UInt8, mem = is_signed ? H5T_NATIVE_INT8 : H5T_NATIVE_UINT8;
      else if (size == 2 && is_signed) t.dtype = DType::Int16, mem = H5T_NATIVE_INT16;
      else if (size == 4 && is_signed) t.dtype = DType::Int32, mem = H5T_NATIVE_INT32;
      else if (size == 8 && is_signed) t.dtype = DType::Int64, mem = H5T_NATIVE_INT64;
      break;
    default:
      break;
  }
  if (mem < 0) throw Error(label_ + ": unsupported element type in HDF5 dataset " + full);
  // Refuse absurd declarations before HDF5 allocates anything: the size cap and available memory,
  // and data the file cannot hold (chunks never written are "read" as fill values; filters such as
  // gzip compress at most ~1:1032, so a larger gap means the data is not there).
  uint64_t nbytes = checked_tensor_bytes(label_, "tensor " + full, t.dims, t.dtype);
  uint64_t stored = H5Dget_storage_size(ds.id());
  if (nbytes > (uint64_t(1) << 20) && nbytes / 1100 > stored)
    throw Error(label_ + ": tensor " + full + " declares " + dims_text(t.dims) + " " + dtype_name(t.dtype) + " = " +
                bytes_text(nbytes) + " but the file stores only " + bytes_text(stored) + " of it");
  // A large contiguous dataset of a file on disk aliases the file's mapping: not copied, and the
  // writer gives its pages back as it writes them.
  const MappedFile* map = shared_ && shared_->map ? shared_->map.get() : nullptr;
  if (map && nbytes >= (uint64_t(64) << 10)) {
    if (auto off = contiguous_offset(file_->id(), ds.id(), type.id(), t.dtype, nbytes, map->size())) {
      t.buffer = Buffer::mapped(map->data() + *off, size_t(nbytes), shared_->map, {map->fd(), uint64_t(*off)});
      return t;
    }
  }
  std::vector<uint8_t> bytes((size_t)nbytes);
  if (!bytes.empty() && H5Dread(ds.id(), mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data()) < 0)
    throw Error(label_ + ": cannot read HDF5 dataset " + full);
  t.buffer = Buffer::owned(std::move(bytes));
  return t;
}

bool H5Group::has_attr(const std::string& name) const { return H5Aexists(gid_->id(), name.c_str()) > 0; }

std::vector<std::string> H5Group::read_strings(const std::string& name) const {
  if (shared_) {
    StringAttrs& s = shared_->strings;
    if (s.state == StringAttrs::State::kUnread) s.load(file_->id(), label_);
    auto it = s.values.find({path_, name});
    if (it != s.values.end()) return it->second;
  }
  H5Handle a(H5Aopen(gid_->id(), name.c_str(), H5P_DEFAULT), H5Aclose);
  return read_string_attr(a.id(), label_, "attribute " + path_ + "/" + name);
}

std::optional<std::string> H5Group::attr_string(const std::string& name) const {
  if (!has_attr(name)) return std::nullopt;
  auto v = read_strings(name);
  if (v.empty()) return std::string();
  return v[0];
}

std::vector<std::string> H5Group::attr_strings(const std::string& name) const {
  std::vector<std::string> out;
  auto read = [&](const std::string& n) {
    auto v = read_strings(n);
    out.insert(out.end(), v.begin(), v.end());
  };
  if (has_attr(name)) {
    read(name);
  } else {
    // Keras splits attributes over 64 KiB into name0, name1, ...
    for (int i = 0; has_attr(name + std::to_string(i)); ++i) read(name + std::to_string(i));
  }
  return out;
}

}  // namespace modelport::keras

#include "loaders/torchscript/archive_weights.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "util/mapped_file.h"

namespace modelport::ts {

namespace {
thread_local const ArchiveWeights* g_current = nullptr;

// Reads shorter than this are never a weight worth mapping (and keep the record table small).
constexpr size_t kMinRecordBytes = 64;

constexpr size_t kPrefaultBytes = size_t(1) << 20;
// The destination of a large read is memory libtorch has just allocated. Faulted in page by page
// while the read copies into it, it costs more than the copy (in a VM a page fault is an exit):
// resnet18 exported in 1.63 s that way, 1.06 s with its weights' memory made huge pages where the
// range allows and populated by one call. Both are hints; an older kernel refuses them (EINVAL)
// and the read faults as before.
void prefault(void* buf, size_t n) {
  static const uintptr_t page = uintptr_t(::sysconf(_SC_PAGESIZE));
  uintptr_t begin = (reinterpret_cast<uintptr_t>(buf) + page - 1) / page * page;
  uintptr_t end = (reinterpret_cast<uintptr_t>(buf) + n) / page * page;
  if (end <= begin) return;
  void* p = reinterpret_cast<void*>(begin);
#ifdef MADV_HUGEPAGE
  ::madvise(p, end - begin, MADV_HUGEPAGE);
#endif
#ifdef MADV_POPULATE_WRITE
  ::madvise(p, end - begin, MADV_POPULATE_WRITE);
#endif
}
}  // namespace

struct ArchiveWeights::Reads {
  struct At {
    uint64_t pos;
    size_t n;
  };
  std::mutex mu;
  std::unordered_map<const void*, At> at;
};

// Holds what it uses: libtorch may keep its reader as long as it likes.
class ArchiveWeights::Reader : public caffe2::serialize::ReadAdapterInterface {
 public:
  Reader(std::shared_ptr<const MappedFile> file, std::shared_ptr<Reads> reads)
      : file_(std::move(file)), reads_(std::move(reads)) {}
  size_t size() const override { return file_->size(); }
  size_t read(uint64_t pos, void* buf, size_t n, const char* /*what*/) const override {
    const size_t size = file_->size();
    if (pos >= size) return 0;
    n = std::min<uint64_t>(n, size - pos);
    if (n >= kPrefaultBytes) prefault(buf, n);
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(file_->fd(), static_cast<char*>(buf) + done, n - done, off_t(pos + done));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      done += size_t(r);
    }
    if (done >= kMinRecordBytes) {
      std::lock_guard<std::mutex> lock(reads_->mu);
      reads_->at[buf] = Reads::At{pos, done};
    }
    return done;
  }

 private:
  std::shared_ptr<const MappedFile> file_;
  std::shared_ptr<Reads> reads_;
};

std::shared_ptr<ArchiveWeights> ArchiveWeights::open(const std::string& path) {
  auto w = std::shared_ptr<ArchiveWeights>(new ArchiveWeights());
  w->file_ = MappedFile::open(path);
  w->reads_ = std::make_shared<Reads>();
  return w;
}

std::shared_ptr<caffe2::serialize::ReadAdapterInterface> ArchiveWeights::reader() {
  return std::make_shared<Reader>(file_, reads_);
}

namespace {

// Whether the bytes at `p` equal the file's at `pos`, sampled at the start, middle and end: a
// storage that merely reuses the address of an earlier read must not pass for that read.
bool same_bytes_sampled(int fd, uint64_t pos, const uint8_t* p, size_t n) {
  constexpr size_t kSample = 256;
  uint8_t buf[kSample];
  for (size_t at : {size_t(0), n / 2, n > kSample ? n - kSample : size_t(0)}) {
    size_t len = std::min(kSample, n - at);
    if (::pread(fd, buf, len, off_t(pos + at)) != ssize_t(len) || std::memcmp(buf, p + at, len) != 0) return false;
  }
  return true;
}

}  // namespace

void ArchiveWeights::pin_value(const c10::IValue& v, std::unordered_set<const void*>& seen) {
  if (v.isTensor()) {
    const at::Tensor& t = v.toTensor();
    if (!t.defined() || !t.has_storage() || !t.device().is_cpu() || t.is_quantized()) return;
    const c10::Storage& st = t.storage();
    const auto* base = static_cast<const uint8_t*>(st.data_ptr().get());
    auto it = reads_->at.find(base);
    if (it == reads_->at.end() || it->second.n != st.nbytes() || pinned_.count(st.unsafeGetStorageImpl())) return;
    if (!same_bytes_sampled(file_->fd(), it->second.pos, base, it->second.n)) return;
    pinned_.emplace(st.unsafeGetStorageImpl(), Pinned{st, it->second.pos});
    return;
  }
  if (v.isObject()) {
    const auto& obj = v.toObjectRef();
    if (!seen.insert(&obj).second) return;
    for (const c10::IValue& s : obj.slots()) pin_value(s, seen);
  } else if (v.isList()) {
    for (const c10::IValue& x : v.toListRef()) pin_value(x, seen);
  } else if (v.isTuple()) {
    for (const c10::IValue& x : v.toTupleRef().elements()) pin_value(x, seen);
  } else if (v.isGenericDict()) {
    for (const auto& kv : v.toGenericDict()) pin_value(kv.value(), seen);
  }
}

void ArchiveWeights::pin(const torch::jit::Module& m) {
  std::lock_guard<std::mutex> lock(reads_->mu);
  std::unordered_set<const void*> seen;
  pin_value(m._ivalue(), seen);
  reads_->at.clear();
}

std::optional<BufferPtr> ArchiveWeights::mapped(const at::Tensor& t) const {
  if (!t.has_storage() || !t.is_contiguous()) return std::nullopt;
  auto it = pinned_.find(t.storage().unsafeGetStorageImpl());
  if (it == pinned_.end()) return std::nullopt;
  const size_t es = t.element_size();
  const uint64_t offset = uint64_t(t.storage_offset()) * es, nbytes = uint64_t(t.numel()) * es;
  const uint64_t at = it->second.pos + offset;
  // Misaligned elements would be read through misaligned pointers; such a weight stays in memory.
  if (nbytes == 0 || offset + nbytes > it->second.storage.nbytes() || at % es != 0 || at + nbytes > file_->size())
    return std::nullopt;
  return Buffer::mapped(file_->data() + at, size_t(nbytes), file_, Buffer::FileSpan{file_->fd(), at});
}

ArchiveWeights::Use::Use(const ArchiveWeights* w) : previous_(g_current) { g_current = w; }
ArchiveWeights::Use::~Use() { g_current = previous_; }
const ArchiveWeights* ArchiveWeights::current() { return g_current; }

}  // namespace modelport::ts

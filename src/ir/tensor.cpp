#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "modelport/ir.h"
#include "util/mapped_file.h"

namespace modelport {

std::string Dim::str() const {
  if (is_symbol()) return symbol;
  if (is_fixed()) return std::to_string(value);
  return "?";
}

Shape Shape::of(const std::vector<int64_t>& fixed_dims) {
  std::vector<Dim> d;
  for (auto v : fixed_dims) d.push_back(Dim::fixed(v));
  return Shape(std::move(d));
}

bool Shape::all_fixed() const {
  if (!rank_known) return false;
  for (auto& d : dims)
    if (!d.is_fixed()) return false;
  return true;
}

std::optional<int64_t> Shape::numel() const {
  if (!all_fixed()) return std::nullopt;
  int64_t n = 1;
  for (auto& d : dims) n *= d.value;
  return n;
}

std::string Shape::str() const {
  if (!rank_known) return "[*]";
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + dims[i].str();
  return s + "]";
}

std::shared_ptr<const Buffer> Buffer::owned(std::vector<uint8_t> bytes) {
  auto b = std::shared_ptr<Buffer>(new Buffer());
  b->owned_ = std::move(bytes);
  b->data_ = b->owned_.data();
  b->size_ = b->owned_.size();
  return b;
}

std::shared_ptr<const Buffer> Buffer::alias(const void* data, size_t size,
                                            std::shared_ptr<const void> keepalive) {
  auto b = std::shared_ptr<Buffer>(new Buffer());
  b->keepalive_ = std::move(keepalive);
  b->data_ = static_cast<const uint8_t*>(data);
  b->size_ = size;
  return b;
}

std::shared_ptr<const Buffer> Buffer::mapped(const void* data, size_t size, std::shared_ptr<const void> keepalive,
                                             FileSpan span) {
  auto b = std::const_pointer_cast<Buffer>(alias(data, size, std::move(keepalive)));
  b->span_ = span;
  return b;
}

std::shared_ptr<const Buffer> Buffer::lazy(size_t size, size_t unit, Fill fill) {
  auto b = std::shared_ptr<Buffer>(new Buffer());
  b->size_ = size;
  b->unit_ = unit ? unit : 1;
  b->fill_ = std::move(fill);
  return b;
}

void Buffer::materialize() const {
  std::call_once(made_, [this] {
    owned_.resize(size_);
    if (size_) fill_(0, size_ / unit_, owned_.data());
    data_ = owned_.data();
  });
}

void Buffer::stream(size_t block, const std::function<void(const uint8_t*, size_t)>& sink) const {
  if (!fill_ && span_.fd < 0) {
    if (size_) sink(data_, size_);
    return;
  }
  if (!fill_) {
    // Pages already written are dropped from this process (they stay in the page cache). A page
    // shared with the next piece goes with that piece.
    if (block == 0) block = size_;
    for (size_t at = 0; at < size_; at += block) {
      size_t n = std::min(block, size_ - at);
      sink(data_ + at, n);
      size_t from = at > 65536 ? at - 65536 : 0;  // covers the page straddling the last piece's end
      MappedFile::drop_pages(data_ + from, at + n - from);
    }
    return;
  }
  size_t per = std::max<size_t>(1, block / unit_), units = size_ / unit_;
  // One scratch block per thread, reused by every lazy buffer it streams: a new block per weight
  // would be zeroed and faulted in afresh each time (vit_b_16 streams 48 of them). Taken out while
  // in use, so a fill that streamed another buffer would get a block of its own.
  thread_local std::unique_ptr<uint8_t[]> scratch;
  thread_local size_t scratch_size = 0;
  std::unique_ptr<uint8_t[]> piece = std::move(scratch);
  size_t piece_size = std::exchange(scratch_size, 0);
  if (piece_size < std::min(per, units) * unit_) {
    piece_size = std::min(per, units) * unit_;
    piece.reset(new uint8_t[piece_size]);  // not zeroed: fill_ writes every byte sink() reads
  }
  for (size_t first = 0; first < units; first += per) {
    size_t count = std::min(per, units - first);
    fill_(first, count, piece.get());
    sink(piece.get(), count * unit_);
  }
  scratch = std::move(piece);
  scratch_size = piece_size;
}

void Buffer::release(size_t offset, size_t n) const {
  if (span_.fd < 0 || fill_ || offset >= size_) return;
  MappedFile::drop_pages(data_ + offset, std::min(n, size_ - offset));
}

int64_t Tensor::numel() const {
  int64_t n = 1;
  for (auto d : dims) n *= d;
  return n;
}

namespace {
uint16_t load_u16(const uint8_t* p) { uint16_t v; std::memcpy(&v, p, 2); return v; }
float half_to_float(uint16_t h) {
  uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) bits = sign;
    else {  // subnormal
      float f = std::ldexp(static_cast<float>(mant), -24);
      return sign ? -f : f;
    }
  } else if (exp == 31) bits = sign | 0x7f800000u | (mant << 13);
  else bits = sign | ((exp + 112) << 23) | (mant << 13);
  float f; std::memcpy(&f, &bits, 4); return f;
}
}  // namespace

double Tensor::as_double(int64_t i) const {
  const uint8_t* p = raw() + i * dtype_size(dtype);
  switch (dtype) {
    case DType::Float32: { float v; std::memcpy(&v, p, 4); return v; }
    case DType::Float64: { double v; std::memcpy(&v, p, 8); return v; }
    case DType::Float16: return half_to_float(load_u16(p));
    case DType::BFloat16: { uint32_t b = uint32_t(load_u16(p)) << 16; float f; std::memcpy(&f, &b, 4); return f; }
    case DType::Int8: return static_cast<int8_t>(*p);
    case DType::UInt8: case DType::Bool: return *p;
    case DType::Int16: { int16_t v; std::memcpy(&v, p, 2); return v; }
    case DType::Int32: { int32_t v; std::memcpy(&v, p, 4); return v; }
    case DType::Int64: { int64_t v; std::memcpy(&v, p, 8); return static_cast<double>(v); }
    default: throw std::logic_error("Tensor::as_double on non-numeric tensor");
  }
}

int64_t Tensor::as_int(int64_t i) const {
  if (dtype == DType::Int64) { int64_t v; std::memcpy(&v, raw() + i * 8, 8); return v; }
  return static_cast<int64_t>(as_double(i));
}

std::vector<int64_t> Tensor::to_int_vector() const {
  std::vector<int64_t> out(static_cast<size_t>(numel()));
  for (int64_t i = 0; i < numel(); ++i) out[i] = as_int(i);
  return out;
}

namespace {
// v as an integer of type T: the conversion is undefined behaviour outside T's range (and for NaN),
// so such a value is refused instead. 2^63 is taken as INT64_MAX: it is what INT64_MAX (a TorchScript
// slice's "to the end") becomes as a double.
template <class T>
T integer_of(double v, DType dt) {
  // Both bounds are exact doubles; the upper one is exclusive (max()+1 is a power of two).
  const double lo = double(std::numeric_limits<T>::min()), hi = double(std::numeric_limits<T>::max()) + 1.0;
  if (std::is_same_v<T, int64_t> && v == hi) return std::numeric_limits<T>::max();
  if (!(v >= lo && v < hi))
    throw std::out_of_range("the value " + std::to_string(v) + " does not fit " + dtype_name(dt));
  return static_cast<T>(v);
}
}  // namespace

Tensor Tensor::scalar(DType dt, double v) {
  switch (dt) {
    case DType::Float32: return from_vector<float>(dt, {static_cast<float>(v)}, {});
    case DType::Float64: return from_vector<double>(dt, {v}, {});
    case DType::Int64: return from_vector<int64_t>(dt, {integer_of<int64_t>(v, dt)}, {});
    case DType::Int32: return from_vector<int32_t>(dt, {integer_of<int32_t>(v, dt)}, {});
    case DType::Int16: return from_vector<int16_t>(dt, {integer_of<int16_t>(v, dt)}, {});
    case DType::Int8: return from_vector<int8_t>(dt, {integer_of<int8_t>(v, dt)}, {});
    case DType::UInt8: return from_vector<uint8_t>(dt, {integer_of<uint8_t>(v, dt)}, {});
    case DType::Bool: return from_vector<uint8_t>(dt, {static_cast<uint8_t>(v != 0)}, {});
    case DType::Float16: case DType::BFloat16: {
      float f = static_cast<float>(v);
      uint32_t b; std::memcpy(&b, &f, 4);
      uint16_t h;
      if (dt == DType::BFloat16) h = static_cast<uint16_t>((b + 0x7fffu + ((b >> 16) & 1)) >> 16);
      else {
        uint32_t sign = (b >> 16) & 0x8000u; int32_t e = int32_t((b >> 23) & 0xff) - 127 + 15;
        uint32_t m = b & 0x7fffffu;
        if (e >= 31) h = static_cast<uint16_t>(sign | 0x7c00u);
        else if (e <= 0) h = static_cast<uint16_t>(sign);  // flush tiny values to zero
        else h = static_cast<uint16_t>(sign | (e << 10) | ((m + 0x1000u) >> 13));
      }
      return from_vector<uint16_t>(dt, {h}, {});
    }
    default: throw std::logic_error("Tensor::scalar: unsupported dtype");
  }
}

}  // namespace modelport

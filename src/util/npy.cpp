#include "util/npy.h"

#include <cstdint>
#include <fstream>
#include <sstream>

#include "modelport/error.h"
#include "modelport/limits.h"

namespace modelport {
namespace {

struct Descr { const char* code; DType dtype; };
constexpr Descr kDescrs[] = {
    {"f4", DType::Float32}, {"f8", DType::Float64}, {"f2", DType::Float16}, {"i1", DType::Int8},
    {"i2", DType::Int16},   {"i4", DType::Int32},   {"i8", DType::Int64},   {"u1", DType::UInt8},
    {"b1", DType::Bool},
};

std::string header_value(const std::string& h, const std::string& key) {
  auto k = h.find("'" + key + "'");
  if (k == std::string::npos) return "";
  auto colon = h.find(':', k);
  if (colon == std::string::npos) return "";
  auto start = h.find_first_not_of(" ", colon + 1);
  if (start == std::string::npos) return "";
  if (h[start] == '(') {
    auto close = h.find(')', start);
    return close == std::string::npos ? "" : h.substr(start, close - start + 1);
  }
  auto end = h.find_first_of(",}", start);
  return h.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// Bytes from the read position to the end of the file.
uint64_t bytes_left(std::ifstream& in) {
  std::streampos here = in.tellg();
  in.seekg(0, std::ios::end);
  std::streampos end = in.tellg();
  in.seekg(here);
  return here < 0 || end < here ? 0 : uint64_t(end - here);
}

int64_t parse_dim(const std::string& path, const std::string& item) {
  size_t i = item.find_first_not_of(" ");
  int64_t v = 0;
  for (; i < item.size() && item[i] >= '0' && item[i] <= '9'; ++i) {
    if (v > (INT64_MAX - 9) / 10) throw Error(path + ": .npy shape dimension too large: " + item);
    v = v * 10 + (item[i] - '0');
  }
  if (item.find_first_not_of(" L", i) != std::string::npos) throw Error(path + ": bad .npy shape dimension '" + item + "'");
  return v;
}

}  // namespace

Tensor read_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open .npy file");
  char magic[8];
  in.read(magic, 8);
  if (!in || std::string(magic, 6) != "\x93NUMPY") throw Error(path + ": not a .npy file (bad magic)");
  uint32_t hlen = 0;
  if (magic[6] == 1) {
    unsigned char l[2];
    in.read(reinterpret_cast<char*>(l), 2);
    hlen = l[0] | (l[1] << 8);
  } else {
    unsigned char l[4];
    in.read(reinterpret_cast<char*>(l), 4);
    hlen = l[0] | (l[1] << 8) | (l[2] << 16) | (uint32_t(l[3]) << 24);
  }
  if (!in || hlen > bytes_left(in)) throw Error(path + ": truncated .npy header");
  std::string h(hlen, '\0');
  in.read(h.data(), hlen);
  if (!in) throw Error(path + ": truncated .npy header");
  std::string descr = header_value(h, "descr");
  if (descr.size() < 4) throw Error(path + ": .npy header has no dtype");
  char order = descr[1];
  std::string code = descr.substr(2, descr.size() - 3);
  if (order == '>' && code != "i1" && code != "u1" && code != "b1")
    throw Error(path + ": big-endian .npy files are not supported");
  Tensor t;
  for (auto& d : kDescrs)
    if (code == d.code) t.dtype = d.dtype;
  if (t.dtype == DType::Undefined) throw Error(path + ": unsupported .npy dtype " + descr);
  if (header_value(h, "fortran_order").find("True") != std::string::npos)
    throw Error(path + ": Fortran-order .npy files are not supported");
  std::string shape = header_value(h, "shape");
  if (shape.size() < 2 || shape.front() != '(' || shape.back() != ')') throw Error(path + ": .npy header has no shape");
  std::stringstream ss(shape.substr(1, shape.size() - 2));
  std::string item;
  while (std::getline(ss, item, ','))
    if (item.find_first_of("0123456789") != std::string::npos) t.dims.push_back(parse_dim(path, item));
  // An inline-data format: the declared size must fit in what the file still holds.
  uint64_t nbytes = checked_tensor_bytes(path, "array", t.dims, t.dtype, false);
  check_bytes_in_file(path, "array " + dims_text(t.dims) + " " + dtype_name(t.dtype), nbytes, bytes_left(in));
  check_declared_bytes(path, "array " + dims_text(t.dims) + " " + dtype_name(t.dtype), nbytes);  // fits in memory
  std::vector<uint8_t> bytes(static_cast<size_t>(nbytes));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (static_cast<size_t>(in.gcount()) != bytes.size()) throw Error(path + ": truncated .npy data");
  t.buffer = Buffer::owned(std::move(bytes));
  return t;
}

std::string npy_bytes(const Tensor& t, const std::string& path) {
  const char* code = nullptr;
  for (auto& d : kDescrs)
    if (d.dtype == t.dtype) code = d.code;
  if (!code) throw Error(path + ": cannot write dtype " + dtype_name(t.dtype) + " to .npy");
  std::string shape = "(";
  for (auto d : t.dims) shape += std::to_string(d) + ",";
  if (t.dims.size() > 1) shape.pop_back();
  shape += ")";
  std::string h = std::string("{'descr': '") + (t.dtype == DType::Bool || t.dtype == DType::Int8 || t.dtype == DType::UInt8 ? "|" : "<") +
                  code + "', 'fortran_order': False, 'shape': " + shape + ", }";
  size_t total = 10 + h.size() + 1;
  h += std::string((64 - total % 64) % 64, ' ') + "\n";
  std::string bytes("\x93NUMPY\x01\x00", 8);
  bytes += char(h.size() & 0xff);
  bytes += char(h.size() >> 8);
  bytes += h;
  bytes.append(reinterpret_cast<const char*>(t.raw()), t.nbytes());
  return bytes;
}

void write_npy(const std::string& path, const Tensor& t) {
  std::string bytes = npy_bytes(t, path);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(path + ": cannot write .npy file");
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw Error(path + ": write failed");
}

}  // namespace modelport

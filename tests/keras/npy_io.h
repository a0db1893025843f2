// Minimal .npy reading/writing for the Keras numeric tests (float32 / int32, C order, little-endian).
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace keras_test {

struct Npy {
  std::string descr;  // "<f4", "<i4", "<i8"
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;

  std::vector<double> values() const {
    std::vector<double> out;
    size_t n = descr == "<f4" || descr == "<i4" ? bytes.size() / 4 : bytes.size() / 8;
    for (size_t i = 0; i < n; ++i) {
      if (descr == "<f4") { float f; std::memcpy(&f, &bytes[i * 4], 4); out.push_back(f); }
      else if (descr == "<i4") { int32_t v; std::memcpy(&v, &bytes[i * 4], 4); out.push_back(v); }
      else if (descr == "<i8") { int64_t v; std::memcpy(&v, &bytes[i * 8], 8); out.push_back((double)v); }
      else { double d; std::memcpy(&d, &bytes[i * 8], 8); out.push_back(d); }
    }
    return out;
  }
};

inline bool read_npy(const std::string& path, Npy& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (data.size() < 10 || data.compare(0, 6, "\x93NUMPY") != 0) return false;
  size_t hlen, off;
  if (data[6] == 1) hlen = (uint8_t)data[8] | ((uint8_t)data[9] << 8), off = 10;
  else hlen = (uint8_t)data[8] | ((uint8_t)data[9] << 8) | ((uint8_t)data[10] << 16), off = 12;
  std::string header = data.substr(off, hlen);
  auto d = header.find("'descr': '");
  out.descr = header.substr(d + 10, header.find('\'', d + 10) - d - 10);
  auto s = header.find("'shape': (");
  std::string dims = header.substr(s + 10, header.find(')', s) - s - 10);
  out.shape.clear();
  std::stringstream ss(dims);
  std::string tok;
  while (std::getline(ss, tok, ','))
    if (tok.find_first_of("0123456789") != std::string::npos) out.shape.push_back(std::stoll(tok));
  out.bytes.assign(data.begin() + (std::ptrdiff_t)(off + hlen), data.end());
  return true;
}

inline void write_npy_f32(const std::string& path, const std::vector<float>& v, const std::vector<int64_t>& shape) {
  std::string dims;
  for (auto d : shape) dims += std::to_string(d) + ",";
  if (shape.size() > 1) dims.pop_back();
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
  while ((10 + header.size() + 1) % 64) header += ' ';
  header += '\n';
  std::ofstream f(path, std::ios::binary);
  f.write("\x93NUMPY\x01\x00", 8);
  uint16_t hl = (uint16_t)header.size();
  f.write(reinterpret_cast<const char*>(&hl), 2);
  f.write(header.data(), (std::streamsize)header.size());
  f.write(reinterpret_cast<const char*>(v.data()), (std::streamsize)(v.size() * 4));
}

}  // namespace keras_test

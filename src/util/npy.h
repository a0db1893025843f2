// Reading and writing NumPy .npy files (format versions 1-3, little-endian, C order).
#pragma once
#include <string>

#include "modelport/ir.h"

namespace modelport {

// Throws Error("<path>: ...") on unreadable or unsupported files (Fortran order, big-endian, objects).
Tensor read_npy(const std::string& path);
void write_npy(const std::string& path, const Tensor& t);
// The .npy file of `t` as bytes (`path` names the file in errors).
std::string npy_bytes(const Tensor& t, const std::string& path);

}  // namespace modelport

// A small RAII wrapper over the HDF5 C API: just what the Keras loader reads (groups, string
// attributes in fixed or variable length, numeric datasets).
#pragma once

#include <hdf5.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "modelport/ir.h"

namespace modelport::keras {

// Owns one hid_t and closes it with the matching H5*close.
class H5Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  H5Handle() = default;
  H5Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  H5Handle(H5Handle&& o) noexcept : id_(o.id_), closer_(o.closer_) { o.id_ = -1; }
  H5Handle& operator=(H5Handle&& o) noexcept;
  H5Handle(const H5Handle&) = delete;
  H5Handle& operator=(const H5Handle&) = delete;
  ~H5Handle() { reset(); }
  void reset();
  hid_t id() const { return id_; }
  bool valid() const { return id_ >= 0; }

 private:
  hid_t id_ = -1;
  Closer closer_ = nullptr;
};

class H5Group;
// What the groups of one open file share: its string attributes, read at once, and for a file on
// disk its read-only mapping (hdf5.cpp).
struct H5Shared;

// An open HDF5 file (from disk or from an in-memory image). `label` names it in errors.
class H5File {
 public:
  static H5File open(const std::string& path);
  static H5File open_image(std::vector<uint8_t> bytes, const std::string& label);
  H5Group root() const;
  const std::string& label() const { return label_; }

 private:
  std::shared_ptr<H5Handle> file_;
  std::shared_ptr<std::vector<uint8_t>> image_;  // keeps the image alive
  std::shared_ptr<H5Shared> shared_;
  std::string label_;
};

// A group (or the file root). Child paths are relative, with '/' separators.
class H5Group {
 public:
  H5Group(std::shared_ptr<H5Handle> file, hid_t gid, std::string path, std::string label,
          std::shared_ptr<H5Shared> shared = nullptr);
  bool has(const std::string& rel) const;        // link exists (each path component checked)
  bool is_group(const std::string& rel) const;
  bool is_dataset(const std::string& rel) const;
  H5Group group(const std::string& rel) const;  // throws if missing
  std::vector<std::string> children() const;    // in creation/name order
  Tensor dataset(const std::string& rel) const; // numeric dataset into an owned Tensor
  bool has_attr(const std::string& name) const;
  // A string attribute, scalar or 1-element array (fixed or variable length).
  std::optional<std::string> attr_string(const std::string& name) const;
  // A 1-D string array attribute (fixed or variable length); empty if missing.
  std::vector<std::string> attr_strings(const std::string& name) const;
  const std::string& path() const { return path_; }
  const std::string& label() const { return label_; }

 private:
  std::vector<std::string> read_strings(const std::string& name) const;

  std::shared_ptr<H5Handle> file_;
  std::shared_ptr<H5Handle> gid_;
  std::string path_, label_;
  std::shared_ptr<H5Shared> shared_;
};

}  // namespace modelport::keras

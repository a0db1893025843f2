// What a TorchScript value becomes while lowering: an IR tensor (also used for dynamic int
// scalars, as rank-0 int64 tensors, and for dynamic int lists, as 1-D int64 tensors), a
// compile-time constant, or a list/tuple of lowered values. No libtorch headers here.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "modelport/ir.h"

namespace modelport::ts {

struct LVal {
  enum class Kind { None, Tensor, Int, Double, Bool, String, Device, List, Tuple, Dict, Module, Object };
  Kind kind = Kind::None;
  Value* v = nullptr;  // Tensor
  int64_t i = 0;       // Int (also a ScalarType code for dtype arguments)
  double d = 0;        // Double
  bool b = false;      // Bool
  std::string s;       // String, Device; Module: its attribute path from self ("" for self); Object: its class
  // Object: a libtorch object constant (a c10::IValue, such as quantized packed weights), kept opaque
  // here; only the lowering of the op that takes it reads it (ops/quantized.cpp).
  std::shared_ptr<const void> object;
  std::vector<LVal> items;  // List, Tuple, Dict (values)
  std::vector<std::string> keys;  // Dict: string keys, parallel to items, in insertion order

  static LVal none() { return {}; }
  static LVal tensor(Value* v) { LVal l; l.kind = Kind::Tensor; l.v = v; return l; }
  static LVal of_int(int64_t x) { LVal l; l.kind = Kind::Int; l.i = x; return l; }
  static LVal of_double(double x) { LVal l; l.kind = Kind::Double; l.d = x; return l; }
  static LVal of_bool(bool x) { LVal l; l.kind = Kind::Bool; l.b = x; return l; }
  static LVal of_string(std::string x) { LVal l; l.kind = Kind::String; l.s = std::move(x); return l; }
  static LVal device(std::string x) { LVal l; l.kind = Kind::Device; l.s = std::move(x); return l; }
  static LVal list(std::vector<LVal> x) { LVal l; l.kind = Kind::List; l.items = std::move(x); return l; }
  static LVal tuple(std::vector<LVal> x) { LVal l; l.kind = Kind::Tuple; l.items = std::move(x); return l; }
  static LVal dict() { LVal l; l.kind = Kind::Dict; return l; }
  static LVal module(std::string path) { LVal l; l.kind = Kind::Module; l.s = std::move(path); return l; }
  static LVal of_object(std::string cls, std::shared_ptr<const void> o) {
    LVal l; l.kind = Kind::Object; l.s = std::move(cls); l.object = std::move(o); return l;
  }

  bool is_none() const { return kind == Kind::None; }
  bool is_tensor() const { return kind == Kind::Tensor; }
  bool is_number() const { return kind == Kind::Int || kind == Kind::Double || kind == Kind::Bool; }
  bool is_seq() const { return kind == Kind::List || kind == Kind::Tuple; }
  bool is_dict() const { return kind == Kind::Dict; }
  double number() const { return kind == Kind::Int ? double(i) : kind == Kind::Bool ? double(b) : d; }
  // True for a list whose items are all constant ints.
  bool is_const_int_list() const {
    if (!is_seq()) return false;
    for (auto& x : items)
      if (x.kind != Kind::Int) return false;
    return true;
  }
  std::string describe() const;
};

}  // namespace modelport::ts

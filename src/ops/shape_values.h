// What is known, while converting, about small int64 values that hold shapes: the output of
// Shape(x) is x's dims, fixed or symbolic, and Gather/Slice/Concat/Unsqueeze/Squeeze/Cast of such
// values keep that knowledge (each op's entry says how: OpDef::values). Constant folding uses it to
// replace the fixed parts of a shape computation by constants, and the shape rules to give
// Reshape/Expand outputs their symbolic dims.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "modelport/ir.h"

namespace modelport {

// One element of a shape value: a known integer (any sign: a Reshape target's -1 is one), or a
// symbolic dim, or unknown.
struct ShapeEntry {
  bool known = false;
  int64_t value = 0;
  std::string symbol;

  ShapeEntry() = default;
  ShapeEntry(const Dim& d) : known(d.is_fixed()), value(d.value), symbol(d.symbol) {}  // NOLINT: implicit
  static ShapeEntry of(int64_t v) { ShapeEntry e; e.known = true; e.value = v; return e; }
  bool is_fixed() const { return known; }
  bool is_symbol() const { return !symbol.empty(); }
  // As a dimension: fixed when known and >= 0.
  Dim dim() const { return known && value >= 0 ? Dim::fixed(value) : is_symbol() ? Dim::sym(symbol) : Dim::unknown(); }
};

struct DimValues {
  std::vector<ShapeEntry> dims;  // one entry per element
  bool scalar = false;    // a 0-d value (one element)
  bool all_fixed() const;
  std::vector<int64_t> fixed() const;  // only when all_fixed()
};

class ShapeValues {
 public:
  // What is known about `v`: recorded for node outputs by `record`, derived for int constants.
  std::optional<DimValues> get(const Value* v) const;
  // Derives and records the knowledge about `n`'s output from its inputs, where the op allows.
  void record(const Node& n);

 private:
  std::map<const Value*, DimValues> known_;
};

}  // namespace modelport

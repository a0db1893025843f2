#include "ops/shape_support.h"

#include <algorithm>

#include "modelport/tensor_ops.h"
#include "ops/op_def.h"

namespace modelport {

bool DimValues::all_fixed() const {
  return std::all_of(dims.begin(), dims.end(), [](const ShapeEntry& d) { return d.is_fixed(); });
}

std::vector<int64_t> DimValues::fixed() const {
  std::vector<int64_t> out;
  for (auto& d : dims) out.push_back(d.value);
  return out;
}

std::optional<DimValues> ShapeValues::get(const Value* v) const {
  if (!v) return std::nullopt;
  if (auto it = known_.find(v); it != known_.end()) return it->second;
  auto ints = ops::const_ints(v);
  if (!ints || v->constant->dims.size() > 1) return std::nullopt;
  DimValues dv;
  dv.scalar = v->constant->dims.empty();
  for (int64_t i : *ints) dv.dims.push_back(ShapeEntry::of(i));
  return dv;
}

void ShapeValues::record(const Node& n) {
  if (n.outputs.size() != 1 || !n.domain.empty() || n.outputs[0]->is_constant()) return;
  const ops::OpDef* def = ops::find(n.op);
  if (!def || !def->values) return;
  if (auto dv = def->values(n, *this)) known_[n.outputs[0]] = std::move(*dv);
}

namespace ops {

std::vector<int64_t> slice_indices(int64_t n, int64_t s, int64_t e, int64_t st) {
  std::vector<int64_t> idx;
  if (st == 0) return idx;
  if (s < 0) s += n;
  if (e < 0) e += n;
  if (st > 0) {
    s = std::clamp<int64_t>(s, 0, n);
    e = std::clamp<int64_t>(e, 0, n);
    for (int64_t i = s; i < e; i += st) idx.push_back(i);
  } else {
    s = std::clamp<int64_t>(s, 0, n - 1);
    e = std::clamp<int64_t>(e, -1, n - 1);
    for (int64_t i = s; i > e; i += st) idx.push_back(i);
  }
  return idx;
}

std::optional<std::vector<int64_t>> const_ints(const Value* v) {
  if (!v || !v->is_constant() || v->constant->dtype == DType::String || dtype_is_float(v->constant->dtype))
    return std::nullopt;
  return v->constant->to_int_vector();
}

Shape from_dims(const DimValues& dv) {
  std::vector<Dim> d;
  for (auto& e : dv.dims) d.push_back(e.dim());
  return Shape(d);
}

std::optional<DimValues> target_entries(const Value* v, const ShapeValues& sv) {
  if (auto dv = sv.get(v)) return dv;
  const Shape* s = known(v);
  if (!s || s->rank() != 1) return std::nullopt;
  const Node* p = v->producer;
  if (p && p->op == "Concat" && p->domain.empty() && p->attr_int("axis", 0) == 0) {
    DimValues dv;
    for (const Value* in : p->inputs) {
      auto piece = target_entries(in, sv);
      if (!piece || piece->scalar) return std::nullopt;
      dv.dims.insert(dv.dims.end(), piece->dims.begin(), piece->dims.end());
    }
    return dv;
  }
  if (!s->dims[0].is_fixed()) return std::nullopt;
  DimValues dv;
  dv.dims.resize(static_cast<size_t>(s->dims[0].value));
  return dv;
}

Dim product(const std::vector<Dim>& dims) {
  int64_t fixed = 1;
  std::string symbol;
  int symbols = 0;
  for (auto& d : dims) {
    if (d.is_fixed()) fixed *= d.value;
    else if (d.is_symbol() && ++symbols == 1) symbol = d.symbol;
    else return Dim::unknown();
  }
  if (symbols == 0) return Dim::fixed(fixed);
  return symbols == 1 && fixed == 1 ? Dim::sym(symbol) : Dim::unknown();
}

Shapes same_shape(const Node& n, const ShapeValues&) { return one(n.input(0)->shape); }

Shapes broadcast_shape(const Node& n, const ShapeValues&) {
  Shape acc = n.input(0)->shape;
  for (size_t i = 1; i < n.inputs.size(); ++i) acc = n.input(i) ? broadcast_shapes(acc, n.input(i)->shape) : Shape();
  return one(acc);
}

// numpy matmul: a 1-D operand gets a 1 prepended (a) or appended (b), dropped from the result.
std::optional<Shape> matmul_shape(const Shape& a, const Shape& b) {
  if (!a.rank_known || !b.rank_known || a.rank() == 0 || b.rank() == 0) return std::nullopt;
  std::vector<Dim> da = a.dims, db = b.dims;
  bool a1 = da.size() == 1, b1 = db.size() == 1;
  if (a1) da.insert(da.begin(), Dim::fixed(1));
  if (b1) db.push_back(Dim::fixed(1));
  Shape out = broadcast_shapes(Shape(std::vector<Dim>(da.begin(), da.end() - 2)),
                               Shape(std::vector<Dim>(db.begin(), db.end() - 2)));
  if (!a1) out.dims.push_back(da[da.size() - 2]);
  if (!b1) out.dims.push_back(db.back());
  return out;
}

}  // namespace ops
}  // namespace modelport

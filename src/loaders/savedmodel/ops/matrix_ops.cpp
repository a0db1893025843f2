// Ops on the last two (matrix) dims: MatrixBandPart (two Trilu), MatrixDiag/V2/V3 and
// MatrixSetDiag/V2/V3 on the main diagonal (a Where over an identity mask).
#include <limits>

#include "translators.h"

namespace modelport::tf {
namespace {

// MatrixBandPart(input, num_lower, num_upper): keeps element (m, n) when m - n <= num_lower and
// n - m <= num_upper, a negative bound keeping the whole triangle. Trilu(upper=0, k) keeps
// n - m <= k, Trilu(upper=1, k) keeps n - m >= k.
std::vector<Value*> matrix_band_part(OpCtx& c) {
  Value* y = c.input(0);
  auto band = [&](size_t i, bool upper) {
    Value* k = c.to_i64(c.input(i));
    if (k->constant) {
      int64_t v = k->constant->as_int(0);
      if (v < 0) return;
      k = c.c_scalar(DType::Int64, upper ? -v : v);
    } else {
      k = c.op("Reshape", {k, c.c_i64({})});
      Value* keep_all = c.c_scalar(DType::Int64, int64_t(1) << 40);  // beyond any matrix
      k = c.op("Where", {c.op("Less", {k, c.c_scalar(DType::Int64, 0)}), keep_all, k});
      if (upper) k = c.op("Neg", {k});
    }
    y = c.op("Trilu", {y, k}, {{"upper", int64_t(upper)}});
  };
  band(1, true);   // num_lower: n - m >= -num_lower
  band(2, false);  // num_upper: n - m <= num_upper
  return {y};
}

// Dim `axis` (-1 or -2) of x as an int64 scalar: a constant when fixed, else read from the shape.
Value* dim_scalar(OpCtx& c, Value* x, int64_t axis) {
  const Dim& d = x->shape.dims[size_t(int64_t(x->shape.rank()) + axis)];
  if (d.is_fixed()) return c.c_scalar(DType::Int64, double(d.value));
  Value* s = c.op("Shape", {x});
  return c.op("Reshape", {c.op("Slice", {s, c.c_i64({axis}), c.c_i64({axis == -1 ? std::numeric_limits<int64_t>::max() : axis + 1})}), c.c_i64({})});
}
// The bool [rows, cols] mask of the main diagonal.
Value* eye_mask(OpCtx& c, Value* rows, Value* cols) {
  Value* one = c.c_scalar(DType::Int64, 1);
  Value* r = c.op("Unsqueeze", {c.op("Range", {c.c_scalar(DType::Int64, 0), rows, one}), c.c_i64({1})});
  Value* k = c.op("Unsqueeze", {c.op("Range", {c.c_scalar(DType::Int64, 0), cols, one}), c.c_i64({0})});
  return c.op("Equal", {r, k});
}
void need_main_diagonal(OpCtx& c, size_t k_input) {
  if (k_input >= c.in.size()) return;
  std::vector<int64_t> k = c.const_ints(k_input, "k");
  if (k != std::vector<int64_t>{0} && k != std::vector<int64_t>{0, 0})
    c.fail("only the main diagonal (k = 0) is supported");
}

// MatrixDiag(diagonal [..., N]) -> [..., N, N]; V2/V3(diagonal, k, num_rows, num_cols,
// padding_value) with k = 0 and the default (-1) sizes, off-diagonal padding_value.
std::vector<Value*> matrix_diag(OpCtx& c) {
  Value* d = c.input(0);
  if (!d->shape.rank_known || d->shape.rank() < 1) c.fail("diagonal needs a known rank >= 1");
  Value* pad = c.c_scalar(d->dtype, 0);
  if (c.node.op != "MatrixDiag") {
    need_main_diagonal(c, 1);
    if (c.const_int(2, "num_rows") != -1 || c.const_int(3, "num_cols") != -1)
      c.fail("only the default num_rows/num_cols (-1) are supported");
    pad = c.input(4);
  }
  Value* n = dim_scalar(c, d, -1);
  return {c.op("Where", {eye_mask(c, n, n), c.op("Unsqueeze", {d, c.c_i64({-1})}), pad})};
}

// MatrixSetDiag(input [..., M, N], diagonal [..., K = min(M, N)]); V2/V3 (+k) with k = 0. Row m
// of the written values holds diagonal[min(m, K - 1)], which the mask keeps only at (m, m).
std::vector<Value*> matrix_set_diag(OpCtx& c) {
  Value *x = c.input(0), *d = c.input(1);
  if (c.node.op != "MatrixSetDiag") need_main_diagonal(c, 2);
  if (!x->shape.rank_known || x->shape.rank() < 2 || !d->shape.rank_known) c.fail("input and diagonal need a known rank");
  Value* m = dim_scalar(c, x, -2);
  Value* last = c.op("Sub", {dim_scalar(c, d, -1), c.c_scalar(DType::Int64, 1)});
  Value* rows = c.op("Range", {c.c_scalar(DType::Int64, 0), m, c.c_scalar(DType::Int64, 1)});
  Value* clipped = c.op("Where", {c.op("Greater", {rows, last}), last, rows});  // int64 Min needs opset 12
  Value* per_row = c.op("Gather", {d, clipped}, {{"axis", int64_t(-1)}});
  Value* values = c.op("Unsqueeze", {per_row, c.c_i64({-1})});
  return {c.op("Where", {eye_mask(c, m, dim_scalar(c, x, -1)), values, x})};
}

}  // namespace

void register_matrix_ops(OpTable& t) {
  t["MatrixBandPart"] = matrix_band_part;
  t["MatrixDiag"] = t["MatrixDiagV2"] = t["MatrixDiagV3"] = matrix_diag;
  t["MatrixSetDiag"] = t["MatrixSetDiagV2"] = t["MatrixSetDiagV3"] = matrix_set_diag;
}

}  // namespace modelport::tf

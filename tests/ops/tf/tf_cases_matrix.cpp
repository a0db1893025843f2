// TF ops on the last two (matrix) dims: MatrixBandPart, MatrixDiag*, MatrixSetDiag*.
#include "ops/tf/tf_cases.h"

namespace modelport::test::tf_ops {
namespace {
using B = sm::GraphDefBuilder;

// tf.linalg.band_part's definition: (m, n) kept when (lower < 0 || m - n <= lower) &&
// (upper < 0 || n - m <= upper).
at::Tensor band(const at::Tensor& x, int64_t lower, int64_t upper) {
  int64_t rows = x.size(-2), cols = x.size(-1);
  at::Tensor m = at::arange(rows).view({rows, 1}), n = at::arange(cols).view({1, cols});
  at::Tensor keep = ((m - n <= lower) | (lower < 0)) & ((n - m <= upper) | (upper < 0));
  return at::where(keep, x, at::zeros_like(x));
}

// Writes d[..., i] at (i, i) of base (a copy).
at::Tensor with_diagonal(at::Tensor base, const at::Tensor& d) {
  base = base.clone();
  for (int64_t i = 0; i < d.size(-1); ++i) base.select(-1, i).select(-1, i).copy_(d.select(-1, i));
  return base;
}

void set_tindex(tf::NodeDef* n) { set_type(n, "Tindex", tf::DT_INT32); }

}  // namespace

void add_matrix_cases(std::vector<Case>& out) {
  // tf.linalg.band_part with constant bounds (a negative one keeps the whole triangle) and bounds
  // fed at run time, equal bounds among them (the ones tfjs computes as TF does); tf.linalg.diag (V1, and V3 with a padding value) and tf.linalg.set_diag on
  // square, wide and tall matrices.
  Case m;
  m.name = "matrix_band_diag";
  m.ops = {"MatrixBandPart", "MatrixDiag", "MatrixDiagV2", "MatrixDiagV3", "MatrixSetDiag", "MatrixSetDiagV2",
           "MatrixSetDiagV3"};
  m.inputs = {{"x", {-1, 4, 5}},
              {"lo", {}, tf::DT_INT32, Input::SmallInt},
              {"d", {-1, 4}},
              {"tall", {-1, 5, 3}},
              {"sq", {-1, -2, -2}},
              {"dsq", {-1, -2}},
              {"dt", {-1, 3}}};
  m.outputs = {"band_1_2", "band_all_0", "band_lower_all", "band_fed", "band_1_1", "band_fed_both", "diag", "diag_v2", "diag_v3", "set_wide",
               "set_tall", "set_square"};
  m.build = [](B& b) {
    const_scalar_i(b, "one", 1);
    const_scalar_i(b, "two", 2);
    const_scalar_i(b, "zero", 0);
    const_scalar_i(b, "minus1", -1);
    set_tindex(b.node("band_1_2", "MatrixBandPart", {"x", "one", "two"}));
    set_tindex(b.node("band_all_0", "MatrixBandPart", {"x", "minus1", "zero"}));
    set_tindex(b.node("band_lower_all", "MatrixBandPart", {"x", "two", "minus1"}));
    set_tindex(b.node("band_fed", "MatrixBandPart", {"x", "lo", "one"}));
    set_tindex(b.node("band_1_1", "MatrixBandPart", {"x", "one", "one"}));
    set_tindex(b.node("band_fed_both", "MatrixBandPart", {"x", "lo", "lo"}));
    b.node("diag", "MatrixDiag", {"d"});
    b.const_f("padv", {}, {0.f});
    b.const_f("pad", {}, {-2.5f});
    b.node("diag_v2", "MatrixDiagV2", {"d", "zero", "minus1", "minus1", "padv"});
    B::set_str(b.node("diag_v3", "MatrixDiagV3", {"d", "zero", "minus1", "minus1", "pad"}), "align", "RIGHT_LEFT");
    b.node("set_wide", "MatrixSetDiag", {"x", "d"});
    b.node("set_tall", "MatrixSetDiagV2", {"tall", "dt", "zero"});
    b.node("set_square", "MatrixSetDiagV3", {"sq", "dsq", "zero"});
  };
  m.reference = [](const Tensors& in) {
    const at::Tensor &x = in[0], &d = in[2];
    int64_t lo = in[1].item<int64_t>();
    at::Tensor sq = at::zeros({d.size(0), 4, 4});
    return Tensors{band(x, 1, 2),
                   band(x, -1, 0),
                   band(x, 2, -1),
                   band(x, lo, 1),
                   band(x, 1, 1),
                   band(x, lo, lo),
                   with_diagonal(sq, d),
                   with_diagonal(sq, d),
                   with_diagonal(at::full_like(sq, -2.5), d),
                   with_diagonal(x, d),
                   with_diagonal(in[3], in[6]),
                   with_diagonal(in[4], in[5])};
  };
  out.push_back(m);
}

}  // namespace modelport::test::tf_ops

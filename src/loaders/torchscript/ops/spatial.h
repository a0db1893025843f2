// Output-size arithmetic shared by convolution and pooling lowerings.
#pragma once

#include <cstdint>
#include <vector>

#include "modelport/ir.h"

namespace modelport::ts {

// One spatial output dim: floor-or-ceil((in + pads - dilation*(k-1) - 1) / stride) + 1, with
// torch's rule that a ceil-mode window must start inside the input or left padding.
inline Dim pooled_dim(const Dim& in, int64_t k, int64_t stride, int64_t pad_begin, int64_t pad_end,
                      int64_t dilation, bool ceil_mode) {
  if (!in.is_fixed()) return Dim::unknown();
  int64_t span = in.value + pad_begin + pad_end - dilation * (k - 1) - 1;
  if (span < 0) return Dim::unknown();
  int64_t out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  if (ceil_mode && (out - 1) * stride >= in.value + pad_begin) --out;
  return Dim::fixed(out);
}

// Output shape of a conv/pool over x: batch kept, channels `channels` (or x's), spatial dims computed.
inline Shape spatial_out_shape(const Shape& x, std::optional<Dim> channels, const std::vector<int64_t>& k,
                               const std::vector<int64_t>& strides, const std::vector<int64_t>& pads,
                               const std::vector<int64_t>& dilations, bool ceil_mode) {
  size_t n = k.size();
  if (!x.rank_known || x.rank() != n + 2) return Shape();
  std::vector<Dim> d = {x.dims[0], channels ? *channels : x.dims[1]};
  for (size_t i = 0; i < n; ++i)
    d.push_back(pooled_dim(x.dims[i + 2], k[i], strides[i], pads[i], pads[i + n], dilations[i], ceil_mode));
  return Shape(std::move(d));
}

}  // namespace modelport::ts

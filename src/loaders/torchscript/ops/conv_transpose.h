// Transposed convolution lowerings (conv_transpose.cpp), also used by aten::_convolution /
// aten::convolution when transposed=true.
#pragma once

#include "loaders/torchscript/context.h"

namespace modelport::ts {

// aten::_convolution / aten::convolution with transposed=true:
// (input, weight, bias, stride, padding, dilation, transposed, output_padding, groups, ...)
void lower_convolution_transposed(Ctx& c);

}  // namespace modelport::ts

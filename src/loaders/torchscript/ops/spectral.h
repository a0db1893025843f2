// Spectral ops (ops/spectral.cpp): aten::stft, and the complex tensors it makes, which the IR has no
// dtype for: they are lowered as float tensors with a last axis of 2 (real, imaginary), view_as_real's
// layout. aten::stft refuses any use of its complex result but abs, view_as_real, real and imag.
#pragma once

#include "loaders/torchscript/registry.h"

namespace modelport::ts {

// Whether `v` is a complex tensor (the result of aten::stft with return_complex=True).
bool is_complex(const jit::Value* v);

// aten::abs of a complex tensor: sqrt(re^2 + im^2).
void lower_complex_abs(Ctx& c);

}  // namespace modelport::ts

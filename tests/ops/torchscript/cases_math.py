"""Elementwise math, comparisons, reductions to a value or an index, matrix products."""
import torch
import torch.nn as nn

from ts_case import In, X, case

XY = [In("x", ["b", 3, 5]), In("y", ["b", 3, 5])]


@case(ops=["aten::ceil", "aten::floor", "aten::sign"])
class CeilFloorSign(nn.Module):
    def forward(self, x):
        y = x * 3.0
        return torch.ceil(y), torch.floor(y), torch.sign(y), y.ceil() - y


@case(ops=["aten::cos", "aten::sin", "aten::exp", "aten::erf"])
class Trig(nn.Module):
    def forward(self, x):
        return torch.cos(x), torch.sin(x * 2.0), torch.exp(x), torch.erf(x)


@case(ops=["aten::log", "aten::reciprocal", "aten::pow"], inputs=XY)
class LogPow(nn.Module):
    def forward(self, x, y):
        a = x.abs() + 0.5
        return torch.log(a), torch.reciprocal(a), torch.pow(a, 1.5), torch.pow(a, y), torch.pow(2.0, y), a ** 2


@case(ops=["aten::remainder"], inputs=XY + [In("i", ["b", 3, 5], "int64", -9, 9)])
class Remainder(nn.Module):
    def forward(self, x, y, i):
        # Python semantics: the result has the divisor's sign (negative operands included).
        return (torch.remainder(x * 4.0, 1.5), torch.remainder(x * 4.0, -1.5), x.remainder(y.abs() + 0.5),
                torch.remainder(i, 4), torch.remainder(i, -3))


@case(ops=["aten::maximum", "aten::minimum", "aten::rsub"], inputs=XY, kinds=("s", "t"))  # traced: rsub
class MaxMinRsub(nn.Module):
    def forward(self, x, y):
        return torch.maximum(x, y), torch.minimum(x, y[0]), 1.0 - x, torch.rsub(x, y, alpha=2.0)


@case(ops=["aten::clamp"], aliases={"aten::clip": "aten::clamp"})
class Clamp(nn.Module):
    def forward(self, x):
        return (torch.clamp(x, -0.5, 0.25), torch.clamp(x, min=0.1), torch.clamp(x, max=-0.1),
                torch.clip(x, -0.3, 0.3), x.clamp(x[0].min(), x[0].max()))


@case(ops=["aten::trunc"], aliases={"aten::fix": "aten::trunc"})
class Fix(nn.Module):
    def forward(self, x):
        return torch.fix(x * 3.0)


@case(ops=["aten::ge", "aten::le", "aten::__and__", "aten::__or__"], inputs=XY, min_opset=12,
      why="tensor >= / <= become GreaterOrEqual / LessOrEqual, which have no opset-11 form yet (issue 11)")
class Compare(nn.Module):
    def forward(self, x, y):
        a, b = x >= y, x <= 0.2
        c = torch.ge(x, 0.0) & b
        d = (x > 1.0) | torch.le(y, -0.5)
        return a.float() + b.float(), c.to(torch.float32) - d.to(torch.float32), (a & d).float() + x


@case(ops=["aten::amax", "aten::amin", "aten::argmax", "aten::argmin"], inputs=X("b", 4, "n"))
class ArgAmax(nn.Module):
    def forward(self, x):
        return (torch.amax(x, dim=1), torch.amin(x, dim=(1, 2), keepdim=True), torch.argmax(x, dim=2),
                torch.argmin(x, dim=1, keepdim=True), torch.argmax(x).unsqueeze(0), x.amax(-1))


@case(ops=["aten::norm"], inputs=X("b", 4, "n"))
class Norm(nn.Module):
    def forward(self, x):
        return (torch.norm(x, p=1, dim=1), x.norm(2.0, -1, True), torch.norm(x, dim=(1, 2)),
                torch.norm(x, p=3, dim=2))


@case(ops=["aten::sub_", "aten::mul_", "aten::div_", "aten::clamp_"], kinds=("s", "t"))
class InPlaceArith(nn.Module):
    # Writes through a view (a row of a fresh tensor) keep the in-place op in the graph.
    def forward(self, x):
        y = x * 1.0
        y[:, 0].sub_(1.5)
        y[:, 1].mul_(x[:, 2])
        y[:, 2].div_(4.0)
        y[0].clamp_(-0.2, 0.2)
        return y


@case(ops=["aten::addmm", "aten::mm", "aten::mv", "aten::t"], inputs=[In("x", ["n", 4])])
class MatrixProducts(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.randn(4, 6))
        self.b = nn.Parameter(torch.randn(6))
        self.v = nn.Parameter(torch.randn(4))

    def forward(self, x):
        return (torch.addmm(self.b, x, self.w), torch.addmm(self.b, x, self.w, beta=0.5, alpha=2.0),
                torch.mm(x, self.w), torch.mv(x, self.v), torch.mm(x.t(), x), self.w.t())


@case(ops=["aten::stft", "aten::view_as_real", "aten::real", "aten::imag"], inputs=[In("x", ["b", "sig"])],
      kinds=("s", "t"), min_opset=17, atol=1e-4,
      why="64-point FFTs of N(0, 1) signals give values up to ~15, summed in another order than pocketfft's")
class Stft(nn.Module):
    """torch.stft (center=True reflect padding, hann window) and the parts of its complex result."""

    def __init__(self):
        super().__init__()
        self.register_buffer("window", torch.hann_window(64))

    def forward(self, x):
        spec = torch.stft(x, 64, hop_length=16, window=self.window, return_complex=True)
        return torch.view_as_real(spec), spec.real, spec.imag, spec.abs()

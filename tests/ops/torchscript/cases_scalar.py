"""TorchScript's Python-level ops: tensors passed as scalars, dict methods, warnings, module state."""
import warnings
from typing import Dict, List

import torch
import torch.nn as nn

from ts_case import X, case


def scaled(x: torch.Tensor, k: float) -> torch.Tensor:
    return x * k


def first_rows(x: torch.Tensor, n: int) -> torch.Tensor:
    return x[:n]


@case(ops=["aten::ScalarImplicit", "aten::FloatImplicit", "aten::IntImplicit", "aten::Float"])
class ImplicitScalars(nn.Module):
    # 0-dim tensors passed where a Scalar / float / int is expected, and float(tensor).
    def forward(self, x):
        s = x.sum()
        k = x.size(1) + torch.zeros([], dtype=torch.long)
        a = torch.full([x.size(1)], s) + x[0, :, 0]
        b = scaled(x, s.abs() * 0.1 + 0.01)
        c = first_rows(x, k - 1) * 2.0
        d = x * float(s)
        return a, b, c, d


@case(ops=["aten::keys", "aten::values", "aten::get", "aten::warn"])
class DictMethods(nn.Module):
    def forward(self, x):
        d: Dict[str, torch.Tensor] = {"a": x, "b": x * 2.0}
        ks = list(d.keys())
        vs = list(d.values())
        warnings.warn("DictMethods: a warning the export ignores")
        return d[ks[1]] - d[ks[0]] * 0.5, vs[1] * vs[0], d.get("c", x) + d.get("b", x)


@case(ops=["prim::GetAttr"], refused="module attribute 'seen' was not frozen into a constant")
class MutableAttribute(nn.Module):
    # Freezing keeps an attribute forward() mutates as a prim::GetAttr: refused, naming it.
    seen: List[int]

    def __init__(self):
        super().__init__()
        self.seen = []

    def forward(self, x):
        self.seen.append(x.size(0))
        return x * float(len(self.seen))


@case(ops=["prim::SetAttr"], refused="assigns module state inside an if/loop")
class StateAssignedInBranch(nn.Module):
    # Module state (attributes forward() assigns) becomes ONNX inputs/outputs only when assigned in
    # forward()'s main body (tests/torchscript/stateful_test.cpp); inside an `if` it is refused.
    def __init__(self):
        super().__init__()
        self.count = torch.zeros(1)

    def forward(self, x):
        if bool(x.sum() > 0):
            self.count = self.count + 1.0
        return x * self.count


@case(ops=["aten::Bool", "prim::If"])
class DataDependentIf(nn.Module):
    def forward(self, x):
        if bool(x[:, 0].sum() > 0):
            y = x * 2.0
        else:
            y = x - 1.0
        return y.relu()

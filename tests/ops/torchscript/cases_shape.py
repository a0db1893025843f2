"""Views, reshapes, splits, joins, casts and tensor creation from shapes."""
import torch
import torch.nn as nn

from ts_case import In, X, case

XY = [In("x", ["b", 4, "n"]), In("y", ["b", "n", 4])]


@case(ops=["aten::reshape_as", "aten::view_as", "aten::type_as"], inputs=XY + [In("i", ["b", 4, "n"], "int64")])
class AsOps(nn.Module):
    def forward(self, x, y, i):
        return x.reshape_as(y) + y, y.view_as(x) * x, i.type_as(x) + x, x.type_as(i)


@case(ops=["aten::transpose", "aten::movedim", "aten::cat"], inputs=XY,
      aliases={"aten::swapaxes": "aten::transpose", "aten::swapdims": "aten::transpose",
               "aten::moveaxis": "aten::movedim", "aten::concat": "aten::cat"})
class AliasSpellings(nn.Module):
    def forward(self, x, y):
        return (torch.swapaxes(x, 1, 2) + y, torch.swapdims(y, 0, 2), torch.moveaxis(x, 0, -1),
                torch.concat([x, y.transpose(1, 2)], 1))


@case(ops=["aten::split_with_sizes", "aten::unsafe_split", "aten::unsafe_split_with_sizes", "aten::unsafe_chunk",
           "aten::stack"], inputs=X("b", 6, "n"))
class Splits(nn.Module):
    def forward(self, x):
        a, b = torch.split(x, [2, 4], dim=1)
        c = torch.unsafe_split(x, 4, dim=1)
        d = torch.unsafe_split_with_sizes(x, [1, 2, 3], 1)
        e = torch.unsafe_chunk(x, 3, 1)
        return (a * 2.0, b, c[0], torch.stack([c[1], e[1]], 0), d[2], torch.stack([e[0], e[2]], dim=-1),
                x.split_with_sizes([5, 1], 1)[1])


@case(ops=["aten::detach_", "aten::copy"], dropped=["aten::detach"], inputs=X("b", 4, "n"), kinds=("s", "t"))
class DetachCopy(nn.Module):
    def forward(self, x):
        y = x.detach() * 2.0
        z = x.detach_()[:, 1:3]
        return y, z + 1.0, torch.ops.aten.copy(x, y[:, :1])


@case(ops=["aten::numel", "aten::new_full", "aten::new_ones", "aten::full_like", "aten::empty"],
      inputs=X("b", 3, "n"))
class Creation(nn.Module):
    def forward(self, x):
        n = x.numel()
        a = x.new_full([x.size(0), 2], 1.5) * x[:, :2, 0]
        b = x.new_ones(x.shape) - x
        c = torch.full_like(x, 0.25) * x + n
        d = torch.empty(x.size(0), 3, x.size(2)).fill_(2.0) + x
        return a, b, c, d

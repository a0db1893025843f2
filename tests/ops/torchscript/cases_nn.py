"""Convolution, pooling and padding in 1, 2 and 3 spatial dims, channel shuffle."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from ts_case import In, case

SEQ = [In("x", ["b", 4, "w"])]          # [batch, C, L]
VOL = [In("x", ["b", 4, 3, "h", "w"])]  # [batch, C, D, H, W]
IMG = [In("x", ["b", 4, "h", "w"])]


@case(ops=["aten::conv1d", "aten::conv3d"], inputs=[In("x", ["b", 4, "h", "w"])])
class Conv1d3d(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv1d(4, 6, 3, stride=2, padding=1, dilation=1)
        self.c1g = nn.Conv1d(4, 4, 2, groups=2, dilation=2, bias=False)
        self.c3 = nn.Conv3d(4, 5, (1, 3, 3), stride=(1, 2, 1), padding=(0, 1, 2))
        self.c3s = nn.Conv3d(4, 2, 3, padding="same")

    def forward(self, x):
        s = x.flatten(2)
        v = x.unsqueeze(2).repeat(1, 1, 3, 1, 1)
        return self.c1(s), self.c1g(s), self.c3(v), self.c3s(v)


@case(ops=["aten::convolution"], inputs=IMG)
class Convolution(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.randn(6, 2, 3, 3) * 0.3)
        self.wt = nn.Parameter(torch.randn(4, 3, 2, 2) * 0.3)
        self.b = nn.Parameter(torch.randn(6))

    def forward(self, x):
        a = torch.convolution(x, self.w, self.b, [1, 2], [1, 0], [1, 1], False, [0, 0], 2)
        t = torch.convolution(x, self.wt, None, [2, 2], [0, 0], [1, 1], True, [1, 0], 1)
        return a, t


@case(ops=["aten::avg_pool1d", "aten::max_pool1d", "aten::adaptive_avg_pool1d", "aten::adaptive_max_pool1d"],
      inputs=SEQ, kinds=("s", "t"))
class Pool1d(nn.Module):
    def forward(self, x):
        return (F.avg_pool1d(x, 3, 2, 1), F.avg_pool1d(x, 2, ceil_mode=True, count_include_pad=False),
                F.max_pool1d(x, 3, 1, 1), F.max_pool1d(x, 2, 2, ceil_mode=True),
                F.adaptive_avg_pool1d(x, 1), F.adaptive_max_pool1d(x, 1))


@case(ops=["aten::avg_pool3d", "aten::max_pool3d", "aten::adaptive_avg_pool3d"], inputs=VOL, kinds=("s", "t"))
class Pool3d(nn.Module):
    def forward(self, x):
        return (F.avg_pool3d(x, (1, 2, 2)), F.avg_pool3d(x, 3, 1, 1, count_include_pad=False),
                F.max_pool3d(x, (3, 2, 2), (1, 2, 2)), F.max_pool3d(x, 2, 1, (1, 0, 1), ceil_mode=True),
                F.adaptive_avg_pool3d(x, 1))


@case(ops=["aten::adaptive_max_pool2d"], inputs=IMG, kinds=("s", "t"))
class AdaptiveMax2d(nn.Module):
    def forward(self, x):
        return F.adaptive_max_pool2d(x, 1), F.adaptive_max_pool2d(x, (1, 1)) * 2.0


# Adaptive pooling on a static input size divisible by the output size: one pooling op.
@case(ops=["aten::adaptive_avg_pool1d", "aten::adaptive_max_pool1d", "aten::adaptive_avg_pool3d",
           "aten::adaptive_max_pool2d"], inputs=[In("x", ["b", 4, 4, 8])], kinds=("s", "t"))
class AdaptivePoolStatic(nn.Module):
    def forward(self, x):
        s, v = x.flatten(2), x.unsqueeze(2).repeat(1, 1, 2, 1, 1)
        return (F.adaptive_avg_pool1d(s, 4), F.adaptive_max_pool1d(s, 8), F.adaptive_avg_pool3d(v, (2, 2, 4)),
                F.adaptive_max_pool2d(x, (2, 4)))


@case(ops=["aten::constant_pad_nd", "aten::reflection_pad1d", "aten::reflection_pad2d", "aten::reflection_pad3d",
           "aten::replication_pad1d", "aten::replication_pad2d", "aten::replication_pad3d"], inputs=IMG)
class PadOps(nn.Module):
    # The aten ops F.pad dispatches to, called directly (scripted F.pad records aten::pad).
    def forward(self, x):
        s, v = x.flatten(2), x.unsqueeze(2).repeat(1, 1, 3, 1, 1)
        return (torch.constant_pad_nd(x, [1, 2, 0, 1], -0.5), torch.constant_pad_nd(s, [2, 0]),
                torch._C._nn.reflection_pad1d(s, [2, 1]), torch._C._nn.reflection_pad2d(x, [1, 2, 2, 1]),
                torch._C._nn.reflection_pad3d(v, [1, 1, 2, 0, 1, 1]), torch._C._nn.replication_pad1d(s, [0, 3]),
                torch._C._nn.replication_pad2d(x, [2, 1, 0, 2]), torch._C._nn.replication_pad3d(v, [1, 0, 1, 2, 2, 1]))


@case(ops=["aten::native_channel_shuffle"], inputs=[In("x", ["b", 6, "h", "w"])])
class NativeChannelShuffle(nn.Module):
    def forward(self, x):
        return torch.native_channel_shuffle(x, 3), torch.native_channel_shuffle(x, 2)


@case(ops=["aten::lstm_cell", "aten::gru_cell", "aten::rnn_tanh_cell", "aten::rnn_relu_cell"],
      inputs=[In("x", ["b", 8]), In("h", ["b", 16]), In("c", ["b", 16])], kinds=("s", "t"))
class RecurrentCells(nn.Module):
    """nn.LSTMCell / GRUCell / RNNCell with given state, without state (zeros) and unbatched."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTMCell(8, 16)
        self.gru = nn.GRUCell(8, 16)
        self.tanh = nn.RNNCell(8, 16)
        self.relu = nn.RNNCell(8, 16, bias=False, nonlinearity="relu")

    def forward(self, x, h, c):
        h1, c1 = self.lstm(x, (h, c))
        h2, c2 = self.lstm(x)
        return (h1, c1, h2, c2, self.gru(x, h), self.gru(x[0], h[0]), self.tanh(x, h), self.relu(x, h),
                self.relu(x))


@case(ops=["aten::adaptive_avg_pool1d", "aten::adaptive_max_pool1d", "aten::adaptive_avg_pool2d",
           "aten::adaptive_max_pool2d", "aten::adaptive_avg_pool3d", "aten::adaptive_max_pool3d"],
      inputs=[In("x", ["b", 3, "ph", "pw"])], kinds=("s", "t"))
class AdaptivePoolDynamic(nn.Module):
    """Adaptive pooling to sizes that do not divide the run-time input sizes (per-cell Slice bounds
    from Shape); the 3-D ones pool a fixed depth of 3 to 2 (overlapping cells) and the run-time H/W."""

    def forward(self, x):
        v = torch.stack([x, x * 2.0, x.sin()], 2)  # [b, 3, 3, ph, pw]
        s = x.flatten(2)  # [b, 3, ph * pw]
        return (F.adaptive_max_pool2d(x, 3), F.adaptive_avg_pool2d(x, 3), F.adaptive_avg_pool2d(x, (5, 7)),
                F.adaptive_max_pool1d(s, 7), F.adaptive_avg_pool1d(s, 5),
                F.adaptive_max_pool3d(v, (2, 3, 3)), F.adaptive_avg_pool3d(v, (2, 3, 4)))

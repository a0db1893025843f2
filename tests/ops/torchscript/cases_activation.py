"""Activations (functional, in-place, private spellings) and dropout in eval mode."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from ts_case import X, case


@case(ops=["aten::elu", "aten::leaky_relu"], kinds=("s", "t"))
class EluLeaky(nn.Module):
    def forward(self, x):
        return F.elu(x), F.elu(x, alpha=0.4), F.leaky_relu(x), F.leaky_relu(x, 0.2)


@case(ops=["aten::_softmax", "aten::_log_softmax"], inputs=X("b", 4, "n"))
class PrivateSoftmax(nn.Module):
    def forward(self, x):
        return torch._softmax(x, 1, False), torch._log_softmax(x, -1, False), torch._softmax(x, 2, False)




# In-place activations on a forward() argument (libtorch keeps mutations of graph inputs): the
# result and every later read of the argument see the new value.
@case(ops=["aten::relu_", "aten::relu6_", "aten::elu_", "aten::leaky_relu_", "aten::selu_", "aten::celu_"],
      inputs=X("b", 6, "n"))
class InPlaceAct(nn.Module):
    def forward(self, x):
        a = x[:, 0].relu_()
        b = F.relu6(x[:, 1], inplace=True)
        c = F.elu_(x[:, 2])
        d = F.leaky_relu_(x[:, 3], 0.3)
        e = torch.selu_(x[:, 4])
        f = torch.celu_(x[:, 5], 0.7)
        return a, b, c, d, e, f, x


@case(ops=["aten::sigmoid_", "aten::silu_", "aten::tanh_", "aten::mish_", "aten::hardsigmoid_",
           "aten::hardswish_", "aten::hardtanh_"], inputs=X("b", 7, "n"))
class InPlaceAct2(nn.Module):
    def forward(self, x):
        y = x * 3.0
        y[:, 0].sigmoid_()
        F.silu(y[:, 1], inplace=True)
        y[:, 2].tanh_()
        F.mish(y[:, 3], inplace=True)
        F.hardsigmoid(y[:, 4], inplace=True)
        F.hardswish(y[:, 5], inplace=True)
        F.hardtanh(y[:, 6], -0.5, 0.5, inplace=True)
        return y


@case(ops=["aten::alpha_dropout", "aten::feature_alpha_dropout", "aten::feature_dropout", "aten::dropout_"],
      inputs=X("b", 4, "n"))
class EvalDropout(nn.Module):
    def forward(self, x):
        y = x * 2.0
        F.dropout(y[:, 0], 0.5, False, inplace=True)
        return (F.alpha_dropout(x, 0.3, False) + F.feature_alpha_dropout(x, 0.2, False) + F.dropout2d(x, 0.1, False),
                torch.feature_dropout(x, 0.5, False), y)

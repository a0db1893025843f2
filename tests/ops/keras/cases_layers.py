"""Keras layers the make_keras_h5.py cases do not reach: activations, layers that are identities at
inference, merges, 1-D / 2-D / 3-D pooling, padding, cropping and convolutions (Keras 2 alias names
included). References: torch on the same weights, following Keras's documented semantics (NWC /
NHWC / NDHWC layouts, TF "same" padding, average pooling that excludes the padding)."""
import os

import numpy as np
import torch
import torch.nn.functional as F

from keras_case import case, mk

t2n = mk.t2n


def k2layer(cls, name, cfg, inbound):
    return {"class_name": cls, "name": name, "config": dict(cfg, name=name),
            "inbound_nodes": [[[n, 0, 0, {}] for n in inbound]] if inbound else []}


def functional(name, inputs, layers, outputs):
    """A Keras 2 Functional config: inputs [(name, shape)], layers [(cls, name, cfg, inbound)]."""
    ls = [k2layer("InputLayer", n, {"batch_input_shape": [None] + list(s), "dtype": "float32"}, None)
          for n, s in inputs]
    ls += [k2layer(*l) for l in layers]
    return {"class_name": "Functional", "config": {"name": name, "layers": ls,
                                                   "input_layers": [[n, 0, 0] for n, _ in inputs],
                                                   "output_layers": [[n, 0, 0] for n in outputs]}}


def same_pads(n, k, s):
    """TF "same": ceil(n / s) windows, total padding split with the extra element after."""
    total = max((-(-n // s) - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def same_padding(x, k, s):
    """F.pad's list for a TF "same" window over every spatial dim of channel-first x."""
    pads = []
    for i in reversed(range(x.dim() - 2)):
        pads += list(same_pads(x.shape[2 + i], k[i], s[i]))
    return pads


def avg_pool_same(x, k, s):
    """Average over the real (unpadded) elements of each window, channel-first x of any rank."""
    pool = [F.avg_pool1d, F.avg_pool2d, F.avg_pool3d][x.dim() - 3]
    pads = same_padding(x, k, s)
    return pool(F.pad(x, pads), k, s) / pool(F.pad(torch.ones_like(x), pads), k, s)


def max_pool_same(x, k, s):
    pool = [F.max_pool1d, F.max_pool2d, F.max_pool3d][x.dim() - 3]
    return pool(F.pad(x, same_padding(x, k, s), value=float("-inf")), k, s)


cl = lambda x: x.movedim(-1, 1)   # channel-last -> channel-first
cf = lambda x: x.movedim(1, -1)   # channel-first -> channel-last


def write(outdir, name, config, weights, inputs, outputs):
    mk.write_legacy_h5(os.path.join(outdir, name + ".h5"), config, weights)
    mk.save_io(outdir, name, [t2n(x) for x in inputs], [t2n(y) for y in outputs])
    return name + ".h5"


@case(ops=["Activation", "ELU", "LeakyReLU", "PReLU", "Softmax", "ThresholdedReLU", "ReLU"])
def activations(outdir):
    x = torch.randn(3, 5, 6) * 2
    alpha = torch.rand(1, 6) - 0.5
    ys = [torch.tanh(x), x / (x.abs() + 1), F.elu(x, 0.7), F.leaky_relu(x, 0.2),
          torch.where(x >= 0, x, alpha * x), torch.softmax(x, -1), torch.where(x > 0.3, x, torch.zeros_like(x)),
          torch.clamp(x, 0, 1.5)]
    layers = [("Activation", "tanh", {"activation": "tanh"}, ["x"]),
              ("Activation", "softsign", {"activation": "softsign"}, ["x"]),
              ("ELU", "elu", {"alpha": 0.7}, ["x"]),
              ("LeakyReLU", "leaky", {"alpha": 0.2}, ["x"]),
              ("PReLU", "prelu", {"shared_axes": [1]}, ["x"]),
              ("Softmax", "softmax", {"axis": -1}, ["x"]),
              ("ThresholdedReLU", "thresholded", {"theta": 0.3}, ["x"]),
              ("ReLU", "relu", {"max_value": 1.5}, ["x"])]
    cfg = functional("activations", [("x", [5, 6])], layers, [l[1] for l in layers])
    return write(outdir, "activations", cfg, [("prelu", [("prelu/alpha:0", t2n(alpha))])], [x], ys)


@case(ops=["Dropout", "AlphaDropout", "GaussianDropout", "GaussianNoise", "SpatialDropout1D",
           "ActivityRegularization", "Dense"])
def inference_identities(outdir):
    lin = torch.nn.Linear(6, 4)
    x = torch.randn(3, 5, 6)
    cfg = mk.sequential("identities", [5, 6], [
        mk.layer("Dense", "dense", units=4, activation="linear", use_bias=True),
        mk.layer("Dropout", "dropout", rate=0.5),
        mk.layer("AlphaDropout", "alpha_dropout", rate=0.1),
        mk.layer("GaussianDropout", "gaussian_dropout", rate=0.2),
        mk.layer("GaussianNoise", "gaussian_noise", stddev=0.3),
        mk.layer("SpatialDropout1D", "spatial_dropout1d", rate=0.2),
        mk.layer("ActivityRegularization", "activity_regularization", l1=0.01, l2=0.0)])
    return write(outdir, "inference_identities", cfg,
                 [("dense", [("dense/kernel:0", t2n(lin.weight.T)), ("dense/bias:0", t2n(lin.bias))])],
                 [x], [lin(x)])


@case(ops=["Average", "Maximum", "Minimum", "Multiply"])
def merges(outdir):
    a, b, c = torch.randn(3, 4, 5), torch.randn(3, 4, 5), torch.randn(3, 4, 5)
    layers = [("Average", "avg", {}, ["a", "b", "c"]), ("Maximum", "max", {}, ["a", "b"]),
              ("Minimum", "min", {}, ["a", "c", "b"]), ("Multiply", "mul", {}, ["b", "c"])]
    cfg = functional("merges", [("a", [4, 5]), ("b", [4, 5]), ("c", [4, 5])], layers, [l[1] for l in layers])
    ys = [(a + b + c) / 3, torch.maximum(a, b), torch.minimum(torch.minimum(a, c), b), b * c]
    return write(outdir, "merges", cfg, [], [a, b, c], ys)


@case(ops=["AveragePooling1D", "AvgPool1D", "MaxPooling1D", "MaxPool1D", "UpSampling1D", "ZeroPadding1D",
           "Cropping1D", "Convolution1D", "DepthwiseConv1D", "SeparableConv1D", "Conv1DTranspose"])
def layers_1d(outdir):
    cin, mult = 3, 2
    conv = torch.nn.Conv1d(cin, 4, 3)
    dw = torch.nn.Conv1d(cin, cin * mult, 3, groups=cin)
    sdw = torch.nn.Conv1d(cin, cin * mult, 3, groups=cin, bias=False)
    spw = torch.nn.Conv1d(cin * mult, 2, 1)
    ct = torch.nn.ConvTranspose1d(cin, 2, 3, stride=2)
    x = torch.randn(2, 7, cin)
    xc = cl(x)
    ys = [cf(F.avg_pool1d(xc, 2, 2)), cf(avg_pool_same(xc, [3], [1])), cf(max_pool_same(xc, [2], [2])),
          cf(F.max_pool1d(xc, 3, 2)), x.repeat_interleave(2, dim=1), F.pad(x, (0, 0, 1, 2)), x[:, 1:-2],
          cf(conv(xc)), cf(dw(xc)), cf(spw(sdw(F.pad(xc, (1, 1))))), cf(ct(xc))]
    dw_k = lambda w: t2n(w).reshape(cin, mult, 3).transpose(2, 0, 1)  # Keras [k, cin, mult]
    layers = [("AveragePooling1D", "avg", {"pool_size": [2], "strides": [2], "padding": "valid"}, ["x"]),
              ("AvgPool1D", "avg_same", {"pool_size": [3], "strides": [1], "padding": "same"}, ["x"]),
              ("MaxPooling1D", "max_same", {"pool_size": [2], "strides": [2], "padding": "same"}, ["x"]),
              ("MaxPool1D", "max", {"pool_size": [3], "strides": [2], "padding": "valid"}, ["x"]),
              ("UpSampling1D", "up", {"size": 2}, ["x"]),
              ("ZeroPadding1D", "pad", {"padding": [1, 2]}, ["x"]),
              ("Cropping1D", "crop", {"cropping": [1, 2]}, ["x"]),
              ("Convolution1D", "conv", {"filters": 4, "kernel_size": [3], "strides": [1], "padding": "valid",
                                         "activation": "linear", "use_bias": True}, ["x"]),
              ("DepthwiseConv1D", "dw", {"kernel_size": [3], "strides": [1], "padding": "valid",
                                         "depth_multiplier": mult, "activation": "linear", "use_bias": True}, ["x"]),
              ("SeparableConv1D", "sep", {"filters": 2, "kernel_size": [3], "strides": [1], "padding": "same",
                                          "depth_multiplier": mult, "activation": "linear", "use_bias": True}, ["x"]),
              ("Conv1DTranspose", "convt", {"filters": 2, "kernel_size": [3], "strides": [2], "padding": "valid",
                                            "output_padding": None, "activation": "linear", "use_bias": True}, ["x"])]
    cfg = functional("layers_1d", [("x", [7, cin])], layers, [l[1] for l in layers])
    weights = [("conv", [("conv/kernel:0", t2n(conv.weight.permute(2, 1, 0))), ("conv/bias:0", t2n(conv.bias))]),
               ("dw", [("dw/depthwise_kernel:0", dw_k(dw.weight)), ("dw/bias:0", t2n(dw.bias))]),
               ("sep", [("sep/depthwise_kernel:0", dw_k(sdw.weight)),
                        ("sep/pointwise_kernel:0", t2n(spw.weight.permute(2, 1, 0))), ("sep/bias:0", t2n(spw.bias))]),
               ("convt", [("convt/kernel:0", t2n(ct.weight.permute(2, 1, 0))), ("convt/bias:0", t2n(ct.bias))])]
    return write(outdir, "layers_1d", cfg, weights, [x], ys)


@case(ops=["AvgPool2D", "MaxPool2D", "GlobalMaxPooling2D", "Convolution2D", "SpatialDropout2D"])
def layers_2d(outdir):
    conv = torch.nn.Conv2d(3, 2, 2)
    x = torch.randn(2, 5, 6, 3)
    xc = cl(x)
    ys = [cf(F.avg_pool2d(xc, 2)), cf(max_pool_same(xc, [2, 2], [1, 1])), x.amax(dim=(1, 2)), cf(conv(xc)), x]
    layers = [("AvgPool2D", "avg", {"pool_size": [2, 2], "strides": [2, 2], "padding": "valid"}, ["x"]),
              ("MaxPool2D", "max_same", {"pool_size": [2, 2], "strides": [1, 1], "padding": "same"}, ["x"]),
              ("GlobalMaxPooling2D", "gmax", {}, ["x"]),
              ("Convolution2D", "conv", {"filters": 2, "kernel_size": [2, 2], "strides": [1, 1], "padding": "valid",
                                         "activation": "linear", "use_bias": True}, ["x"]),
              ("SpatialDropout2D", "sdrop", {"rate": 0.3}, ["x"])]
    cfg = functional("layers_2d", [("x", [5, 6, 3])], layers, [l[1] for l in layers])
    weights = [("conv", [("conv/kernel:0", t2n(conv.weight.permute(2, 3, 1, 0))), ("conv/bias:0", t2n(conv.bias))])]
    return write(outdir, "layers_2d", cfg, weights, [x], ys)


@case(ops=["Conv3D", "AveragePooling3D", "MaxPooling3D", "GlobalAveragePooling3D", "GlobalMaxPooling3D",
           "Cropping3D", "ZeroPadding3D", "SpatialDropout3D"])
def layers_3d(outdir):
    conv = torch.nn.Conv3d(2, 3, (2, 3, 3))
    x = torch.randn(2, 4, 5, 6, 2)
    xc = cl(x)
    ys = [cf(conv(xc)), cf(F.avg_pool3d(xc, 2)), cf(max_pool_same(xc, [1, 2, 2], [1, 2, 2])), x.mean(dim=(1, 2, 3)),
          x.amax(dim=(1, 2, 3)), x[:, 1:, 1:-1, :-2], F.pad(x, (0, 0, 2, 1, 1, 0, 0, 1)), x]
    layers = [("Conv3D", "conv", {"filters": 3, "kernel_size": [2, 3, 3], "strides": [1, 1, 1], "padding": "valid",
                                  "activation": "linear", "use_bias": True}, ["x"]),
              ("AveragePooling3D", "avg", {"pool_size": [2, 2, 2], "strides": [2, 2, 2], "padding": "valid"}, ["x"]),
              ("MaxPooling3D", "max_same", {"pool_size": [1, 2, 2], "strides": [1, 2, 2], "padding": "same"}, ["x"]),
              ("GlobalAveragePooling3D", "gavg", {}, ["x"]),
              ("GlobalMaxPooling3D", "gmax", {}, ["x"]),
              ("Cropping3D", "crop", {"cropping": [[1, 0], [1, 1], [0, 2]]}, ["x"]),
              ("ZeroPadding3D", "pad", {"padding": [[0, 1], [1, 0], [2, 1]]}, ["x"]),
              ("SpatialDropout3D", "sdrop", {"rate": 0.3}, ["x"])]
    cfg = functional("layers_3d", [("x", [4, 5, 6, 2])], layers, [l[1] for l in layers])
    weights = [("conv", [("conv/kernel:0", t2n(conv.weight.permute(2, 3, 4, 1, 0))), ("conv/bias:0", t2n(conv.bias))])]
    return write(outdir, "layers_3d", cfg, weights, [x], ys)


@case(ops=["Identity", "GlobalMaxPool1D", "GlobalAvgPool1D", "GlobalMaxPool2D", "GlobalAvgPool2D", "GlobalMaxPool3D",
           "GlobalAvgPool3D", "CuDNNLSTM", "CuDNNGRU"])
def aliases_and_cudnn(outdir):
    """Keras alias names, tf.keras Identity, and the Keras 2.1-2.3 CuDNNLSTM / CuDNNGRU layers, whose
    weights keep both cuDNN biases (input and recurrent, [8u] / [6u]); CuDNNGRU is reset-after."""
    lstm, gru = torch.nn.LSTM(4, 3, batch_first=True), torch.nn.GRU(4, 2, batch_first=True)
    x1, x2, x3 = torch.randn(2, 5, 4), torch.randn(2, 3, 4, 2), torch.randn(2, 2, 3, 4, 2)
    lo, _ = lstm(x1)
    go, _ = gru(x1)
    zrh = lambda t: torch.cat([torch.chunk(t, 3, 0)[i] for i in (1, 0, 2)], 0)  # torch r,z,n -> keras z,r,h
    ys = [x1, x1.amax(1), x1.mean(1), x2.amax((1, 2)), x2.mean((1, 2)), x3.amax((1, 2, 3)), x3.mean((1, 2, 3)),
          lo[:, -1], go]
    layers = [("Identity", "identity", {}, ["x1"]),
              ("GlobalMaxPool1D", "gmax1", {}, ["x1"]), ("GlobalAvgPool1D", "gavg1", {}, ["x1"]),
              ("GlobalMaxPool2D", "gmax2", {}, ["x2"]), ("GlobalAvgPool2D", "gavg2", {}, ["x2"]),
              ("GlobalMaxPool3D", "gmax3", {}, ["x3"]), ("GlobalAvgPool3D", "gavg3", {}, ["x3"]),
              ("CuDNNLSTM", "cudnn_lstm", {"units": 3, "return_sequences": False}, ["x1"]),
              ("CuDNNGRU", "cudnn_gru", {"units": 2, "return_sequences": True}, ["x1"])]
    cfg = functional("aliases_and_cudnn", [("x1", [5, 4]), ("x2", [3, 4, 2]), ("x3", [2, 3, 4, 2])], layers,
                     [l[1] for l in layers])
    weights = [("cudnn_lstm", [("cudnn_lstm/kernel:0", t2n(lstm.weight_ih_l0.T)),
                               ("cudnn_lstm/recurrent_kernel:0", t2n(lstm.weight_hh_l0.T)),
                               ("cudnn_lstm/bias:0", t2n(torch.cat([lstm.bias_ih_l0, lstm.bias_hh_l0])))]),
               ("cudnn_gru", [("cudnn_gru/kernel:0", t2n(zrh(gru.weight_ih_l0).T)),
                              ("cudnn_gru/recurrent_kernel:0", t2n(zrh(gru.weight_hh_l0).T)),
                              ("cudnn_gru/bias:0", t2n(torch.cat([zrh(gru.bias_ih_l0), zrh(gru.bias_hh_l0)])))])]
    return write(outdir, "aliases_and_cudnn", cfg, weights, [x1, x2, x3], ys)

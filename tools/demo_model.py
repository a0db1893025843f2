#!/usr/bin/python3
"""Writes the README demo: a small CNN as TorchScript, an input batch and PyTorch's output."""
import sys

import numpy as np
import torch
import torch.nn as nn

out = sys.argv[1]
torch.manual_seed(0)
model = nn.Sequential(
    nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.Hardswish(),
    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10), nn.Softmax(dim=1),
).eval()
for m in model.modules():  # non-trivial running statistics so batch-norm folding is exercised
    if isinstance(m, nn.BatchNorm2d):
        m.running_mean.uniform_(-0.5, 0.5)
        m.running_var.uniform_(0.5, 2.0)
scripted = torch.jit.script(model)
scripted.save(f"{out}/demo_cnn.pt")
x = torch.randn(4, 3, 64, 64)
with torch.no_grad():
    y = scripted(x)
np.save(f"{out}/x.npy", x.numpy())
np.save(f"{out}/y_torch.npy", y.numpy())

#!/usr/bin/python3
"""Writes the Keras op cases (the cases_*.py tables beside this file) into OUT_DIR/keras_ops.

Usage: /usr/bin/python3 tests/ops/keras/make_keras_op_cases.py OUT_DIR

Each case writes its Keras file with NAME.input<i>.npy and NAME.output<i>.npy (torch's outputs on
those inputs); OUT_DIR/keras_ops/cases.json lists group, file, inputs, outputs, ops and tolerances.
"""
import glob
import json
import os
import sys

import numpy as np
import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [here, os.path.dirname(here)]
import op_case_groups  # noqa: E402
import keras_case  # noqa: E402


def main():
    out = os.path.join(sys.argv[1], "keras_ops")
    os.makedirs(out, exist_ok=True)
    op_case_groups.load_groups(here, keras_case.CASES)
    rows = []
    for c in keras_case.CASES:
        torch.manual_seed(0)
        np.random.seed(0)
        with torch.no_grad():
            file = c.write(out)
        stem = os.path.splitext(file)[0]
        count = lambda kind: len(glob.glob(os.path.join(out, f"{glob.escape(stem)}.{kind}[0-9]*.npy")))
        n_in, n_out = count("input"), count("output")
        assert n_in and n_out, f"{c.name}: {file} has no inputs/outputs written"
        rows.append({"name": c.name, "group": c.group, "file": "keras_ops/" + file, "ops": c.ops,
                     "inputs": [f"keras_ops/{stem}.input{i}.npy" for i in range(n_in)],
                     "outputs": [f"keras_ops/{stem}.output{i}.npy" for i in range(n_out)],
                     "atol": c.atol, "rtol": c.rtol, "min_opset": c.min_opset, "why": c.why})
    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump({"cases": rows}, f, indent=1)
    print(f"{len(rows)} Keras op cases in {out}")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Writes the TorchScript op cases (the cases_*.py tables beside this file) into OUT_DIR/ts_ops.

Usage: /usr/bin/python3 tests/ops/torchscript/make_ts_op_cases.py OUT_DIR

For each case: <name>_s.pt (scripted) and/or <name>_t.pt (traced), with weights from
torch.manual_seed(0); each file is checked here against the eager module at both sizes of every
symbolic axis (a traced case that baked a size in is a mistake in the case). Then
OUT_DIR/ts_ops/cases.json lists every case: group, files, ops, inputs, sizes, tolerances, refusal.
"""
import json
import os
import sys
import warnings

import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [here, os.path.dirname(here)]
import op_case_groups  # noqa: E402
import ts_case  # noqa: E402


def example_inputs(c, which):
    g = torch.Generator().manual_seed(1234 + which)
    out = []
    for i in c.inputs:
        dims = [ts_case.SIZES[d][which] if isinstance(d, str) else d for d in i.dims]
        if i.dtype.startswith("float"):
            out.append(torch.randn(dims, generator=g, dtype=getattr(torch, i.dtype)))
        elif i.dtype == "bool":
            out.append(torch.randint(0, 2, dims, generator=g) > 0)
        else:
            out.append(torch.randint(i.low, i.high, dims, generator=g, dtype=getattr(torch, i.dtype)))
    return out


def flat(v):
    if isinstance(v, (tuple, list)):
        return [y for x in v for y in flat(x)]
    if isinstance(v, dict):
        return [y for x in v.values() for y in flat(x)]
    return [v]


def same(a, b):
    for x, y in zip(flat(a), flat(b)):
        if isinstance(x, torch.Tensor):
            torch.testing.assert_close(x, y, equal_nan=True)
        else:
            assert x == y, (x, y)


def write(c, out):
    files = []
    for kind in c.kinds:
        torch.manual_seed(0)
        m = c.module().eval()
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ex = example_inputs(c, 0)
            sm = torch.jit.script(m) if kind == "s" else torch.jit.trace(m, tuple(ex), check_trace=False)
            if c.refused is None:
                for which in (0, 1):
                    ex = example_inputs(c, which)
                    same(sm(*ex), m(*ex))
        name = f"{c.name}_{kind}.pt"
        sm.save(os.path.join(out, name))
        files.append("ts_ops/" + name)
    return files


def main():
    out = os.path.join(sys.argv[1], "ts_ops")
    os.makedirs(out, exist_ok=True)
    rows = []
    op_case_groups.load_groups(here, ts_case.CASES)
    names = [c.name for c in ts_case.CASES]
    dup = {n for n in names if names.count(n) > 1}
    assert not dup, f"duplicate case names: {sorted(dup)}"
    for c in ts_case.CASES:
        files = [c.file] if c.file else write(c, out)
        used = {d for i in c.inputs for d in i.dims if isinstance(d, str)}
        rows.append({"name": c.name, "group": c.group, "files": files, "ops": c.ops,
                     "inputs": [i.json() for i in c.inputs], "sizes": {s: ts_case.SIZES[s] for s in sorted(used)},
                     "aliases": c.aliases, "dropped": c.dropped, "atol": c.atol, "rtol": c.rtol, "min_opset": c.min_opset, "refused": c.refused,
                     "reference": c.reference,
                     "why": c.why})
    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump({"cases": rows, "unavailable": ts_case.UNAVAILABLE}, f, indent=1)
    print(f"{len(rows)} TorchScript op cases in {out}")


if __name__ == "__main__":
    main()

"""The Keras op-case table's vocabulary (used by cases_*.py, read by make_keras_op_cases.py).

A case writes one Keras file (legacy .h5 or Keras 3 .keras, with tests/fixtures/make_keras_h5.py's
writers) plus its inputs and the outputs of a torch computation of the same layers with the same
weights (Keras semantics written out in torch; Keras itself is not installed). The file's model
config must contain every layer class in `ops` (op_coverage_test.cpp checks that);
keras_ops_test.cpp converts it, runs it in ONNX Runtime at two batch sizes (the batch as written and
the inputs repeated twice along it) and compares with the torch outputs.

    @case(ops=["Maximum"])
    def merges(outdir):
        ... write_legacy_h5(os.path.join(outdir, "merges.h5"), ...); save_io(outdir, "merges", ins, outs)
        return "merges.h5"
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fixtures"))
import make_keras_h5 as mk  # noqa: E402  the writers (write_legacy_h5, write_keras_v3, save_io, ...)

ATOL, RTOL = 1e-5, 1e-4  # float32 kernels vs torch: a few ulp per accumulated term
CASES = []


class Case:
    def __init__(self, name, ops, write, atol, rtol, min_opset, why):
        self.name, self.ops, self.write, self.atol, self.rtol = name, list(ops), write, atol, rtol
        self.min_opset, self.why, self.group = min_opset, why, None


def case(ops, atol=ATOL, rtol=RTOL, min_opset=11, why=""):
    """Registers `write(outdir) -> file name` (written with its NAME.input<i>.npy / NAME.output<i>.npy).
    min_opset: the lowest opset the case is converted at (>= 11); why: justifies it or a tolerance."""

    def register(fn):
        CASES.append(Case(fn.__name__, ops, fn, atol, rtol, min_opset, why))
        return fn

    return register


def existing(name, mk_case, file, ops, atol=ATOL, rtol=RTOL, min_opset=11, why=""):
    """A case make_keras_h5.py already writes (`mk_case` writes `file` among others)."""

    def write(outdir):
        mk_case(outdir)
        return file

    CASES.append(Case(name, ops, write, atol, rtol, min_opset, why))

"""The TorchScript op-case table's vocabulary (used by cases_*.py, read by make_ts_op_cases.py).

A case is a tiny nn.Module (or an existing fixture) that proves some registered source ops lower
correctly: its prepared graph (frozen, inlined, as modelport loads it) must contain every op in
`ops` (op_coverage_test.cpp checks that), and torchscript_ops_test.cpp converts it, runs it in ONNX
Runtime and compares every output with libtorch at two sizes of each symbolic axis.

    @case(ops=["aten::abs"], inputs=[In("x", ["b", 5])])
    class Abs(nn.Module):
        def forward(self, x):
            return x.abs()

Inputs are random (seeded) in the C++ test: float32 ~ N(0, 1), ints uniform in [low, high), bools
uniform. A module maps them into its op's domain itself (log(x.abs() + 0.5)). Outputs must depend on
the inputs and not be constant: the test refuses a constant reference (it proves nothing).
"""
import re

# Sizes of the symbolic axes used by the cases: the first is used to trace, both are tested.
SIZES = {"b": (2, 3), "n": (3, 5), "c": (4, 6), "h": (6, 8), "w": (8, 10), "t": (4, 7),
         # adaptive pooling on run-time image sizes (issue 15): (32, 32) then (48, 40)
         "ph": (32, 48), "pw": (32, 40),
         # audio signal lengths for torch.stft (64-sample frames)
         "sig": (400, 257)}

# Default tolerance: |onnx - libtorch| <= atol + rtol * |libtorch| elementwise (float32 kernels that
# compute the same formula in another order differ by a few ulp; 1e-5/1e-4 leaves room for sums of
# a few dozen terms and nothing more).
ATOL, RTOL = 1e-5, 1e-4

CASES = []
UNAVAILABLE = {}  # registered op -> why no case can exist with this build's libtorch


class In:
    """A forward() argument: name, dims (ints, or symbols from SIZES), dtype, int range [low, high)."""

    def __init__(self, name, dims, dtype="float32", low=0, high=5):
        self.name, self.dims, self.dtype, self.low, self.high = name, list(dims), dtype, low, high

    def json(self):
        return {"name": self.name, "dims": self.dims, "dtype": self.dtype, "low": self.low, "high": self.high}


def X(*dims):
    """The common single float input x."""
    return [In("x", dims or ["b", 3, 5])]


def snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class Case:
    def __init__(self, name, ops, inputs, kinds, atol, rtol, min_opset, refused, aliases, dropped, module=None,
                 file=None, why="", reference=None):
        self.name, self.inputs, self.kinds = name, inputs, kinds
        self.ops = list(ops) + list(aliases) + list(dropped)
        self.atol, self.rtol, self.min_opset, self.refused = atol, rtol, min_opset, refused
        self.aliases, self.dropped, self.module, self.file, self.why = dict(aliases), list(dropped), module, file, why
        self.reference = reference
        self.group = None  # the cases_<group>.py module that defines it, set by the generator


def case(ops, inputs=None, kinds=("s",), atol=ATOL, rtol=RTOL, min_opset=11, refused=None, aliases=None,
         dropped=(), why=""):
    """Registers an nn.Module class as a case. kinds: "s" scripted, "t" traced (or both).
    refused: the conversion must fail with an error containing this text (ops registered only to
    give a clear error). aliases: {alias op: op} for registered alias spellings (aten::clip) that
    libtorch's compiler always rewrites to another op (its NormalizeOps pass): the module calls the
    alias and its graph must contain the op it becomes. dropped: ops the module calls that libtorch's
    freezing removes before modelport sees the graph (aten::detach): the saved graph must contain
    them and the frozen one must not. why: the justification of a tolerance above the default, or
    of anything unusual."""

    def register(cls):
        CASES.append(Case(snake(cls.__name__), ops, inputs or X(), tuple(kinds), atol, rtol, min_opset, refused,
                          aliases or {}, dropped, module=cls, why=why))
        return cls

    return register


def existing(name, file, ops, inputs, atol=ATOL, rtol=RTOL, min_opset=11, why="", reference=None, refused=None):
    """A case on a fixture another generator already writes (tests/fixtures/make_*.py). reference:
    another fixture libtorch runs instead of `file` for the expected outputs (for archives in
    PyTorch 2.x form, which call ops this libtorch has no kernel for: their 1.13 equivalent).
    refused: as for case() (the default options refuse the fixture with this text)."""
    CASES.append(Case(name, ops, inputs, (), atol, rtol, min_opset, refused, {}, (), file=file, why=why,
                      reference=reference))


def unavailable(op, why):
    """A registered op that is no operator of the linked libtorch (registered for archives of newer
    PyTorch versions, which this libtorch cannot load): op_coverage_test.cpp checks that libtorch
    indeed has no such operator, so the entry must become a case once it does."""
    UNAVAILABLE[op] = why

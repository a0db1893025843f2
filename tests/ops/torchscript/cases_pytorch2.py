"""Builtins newer than libtorch 1.13, in archives of PyTorch 2.x form (tests/fixtures/make_torch_v2_ops.py
rewrites 1.13 archives' code/ to call them as 2.x writes them). libtorch 1.13 loads them once the
loader registers their schemas but has no kernel to run them, so each is compared with the same
module and weights written in 1.13 ops (its *_ref.pt)."""
from ts_case import In, existing

SEQ = [In("x", ["b", "t", 16])]
SDPA = "aten::scaled_dot_product_attention"


def v2(name, op, inputs):
    existing(name + "_v2", f"v2_ops/{name}.pt", [op], inputs, reference=f"v2_ops/{name}_ref.pt")


v2("sdpa", SDPA, SEQ)
v2("sdpa_float_mask", SDPA, SEQ + [In("mask", ["t", "t"])])
v2("sdpa_bool_mask", SDPA, SEQ + [In("mask", ["b", 1, "t", "t"], dtype="bool")])
v2("sdpa_causal", SDPA, SEQ)
v2("sdpa_mask_scale", SDPA, SEQ + [In("mask", ["t", "t"])])
v2("rms_norm", "aten::rms_norm", SEQ)
v2("rms_norm_default_eps", "aten::rms_norm", SEQ)
v2("prelu_kernel", "aten::_prelu_kernel", [In("x", ["b", 4, "t"])])

#!/usr/bin/python3
"""Seed corpora for the fuzz harnesses (tests/fuzz/harnesses), from the project's fixtures: the
models tests/fixtures/make_test_models.py generates and, when present, ../shared/fixtures (read in
place, never copied into the repository). Each seed is in its harness's input layout.

Usage: /usr/bin/python3 tests/fuzz/make_seeds.py OUT_DIR [TEST_MODELS_DIR] [SHARED_FIXTURES_DIR]
Writes OUT_DIR/<harness>/<name>. Files over 256 kB are left out (libFuzzer works best on small inputs).
"""
import glob
import hashlib
import json
import os
import struct
import sys
import zipfile

import h5py

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.abspath(sys.argv[1])
sources = [p for p in sys.argv[2:3] if os.path.isdir(p)]
shared = sys.argv[3] if len(sys.argv) > 3 else os.path.join(here, "..", "..", "..", "shared", "fixtures")
if os.path.isdir(shared):
    sources.append(shared)
MAX = 256 * 1024
counts = {}


def seed(harness, data, tag=""):
    if len(data) > MAX:
        return
    d = os.path.join(out, harness)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16] + (("-" + tag) if tag else "")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)
    counts[harness] = counts.get(harness, 0) + 1


def files(*patterns):
    for src in sources:
        for pat in patterns:
            yield from sorted(glob.glob(os.path.join(src, "**", pat), recursive=True))


def read(p):
    with open(p, "rb") as f:
        return f.read()


for p in files("*.h5", "*.keras", "*.pt", "*.pb", "*.npy"):
    if os.path.getsize(p) <= MAX:
        seed("detect", read(p))

for p in files("*.h5"):
    if os.path.getsize(p) <= MAX:
        seed("hdf5", read(p))
    try:
        with h5py.File(p, "r") as f:
            cfg = f.attrs.get("model_config")
            if cfg is not None:
                text = cfg.decode() if isinstance(cfg, bytes) else str(cfg)
                seed("keras_config", b"\x00" + text.encode())
                seed("cli_options", text.encode())
    except OSError:
        pass

for p in files("*.keras"):
    seed("keras_zip", read(p))
    try:
        with zipfile.ZipFile(p) as z:
            names = z.namelist()
            if "config.json" in names:
                seed("keras_config", b"\x01" + z.read("config.json"))
            if "model.weights.h5" in names:
                seed("hdf5", z.read("model.weights.h5"))
    except zipfile.BadZipFile:
        pass

for p in files("saved_model.pb"):
    seed("tf_graph", b"\x01" + read(p))
for p in files("*.pb"):
    if os.path.basename(p) != "saved_model.pb":
        seed("tf_graph", b"\x00" + read(p))

for p in files("*.index"):
    shard = p[: -len(".index")] + ".data-00000-of-00001"
    if os.path.exists(shard):
        index = read(p)
        seed("tensor_bundle", struct.pack("<I", len(index)) + index + read(shard))

for p in files("*.npy"):
    seed("npy", read(p))

seed("cli_options", b"x:float32[batch,3,224,224]\ny\n16G\nkeras_v3\n")
seed("cli_options", b"input_1:int64[2,seq]\n512M\n1073741824\ntorchscript\n")
for p in glob.glob(os.path.join(here, "..", "fixtures", "keras", "*.json")):
    seed("cli_options", read(p))
    seed("keras_config", b"\x00" + read(p))



def tfjs_seed(model, shard, tag):
    text = json.dumps(model).encode()
    seed("tfjs_model", struct.pack("<H", len(text)) + text + shard, tag)


# TensorFlow.js model.json + shard (layout of harnesses/tfjs_model.cpp), one per weight encoding.
dense = {"class_name": "Dense", "config": {"name": "dense", "units": 2, "batch_input_shape": [None, 3]}}
layers = {"format": "layers-model", "modelTopology": {"class_name": "Sequential",
          "config": {"name": "s", "layers": [dense]}, "keras_version": "tfjs-layers 4.22.0"}}
for quant, shard in [(None, struct.pack("<8f", *range(8))),
                     ({"dtype": "uint8", "scale": 0.1, "min": -0.5}, bytes(range(8))),
                     ({"dtype": "uint16", "scale": 0.01, "min": -1.0}, struct.pack("<8H", *range(0, 8000, 1000))),
                     ({"dtype": "float16"}, struct.pack("<8H", 0x3c00, 0x8001, 0x7c00, 0x7e00, 0, 0x3555, 0xfbff, 1))]:
    ws = [{"name": "dense/kernel", "shape": [3, 2], "dtype": "float32"},
          {"name": "dense/bias", "shape": [2], "dtype": "float32"}]
    for w in ws:
        if quant:
            w["quantization"] = quant
    tfjs_seed(dict(layers, weightsManifest=[{"paths": ["w.bin"], "weights": ws}]), shard, quant["dtype"] if quant else "f32")
graph = {"format": "graph-model",
         "modelTopology": {"node": [
             {"name": "x", "op": "Placeholder", "attr": {"dtype": {"type": "DT_FLOAT"}}},
             {"name": "w", "op": "Const", "attr": {"value": {"tensor": {"dtype": "DT_FLOAT"}}, "dtype": {"type": "DT_FLOAT"}}},
             {"name": "i", "op": "Const", "attr": {"value": {"tensor": {"dtype": "DT_INT32"}}, "dtype": {"type": "DT_INT32"}}},
             {"name": "y", "op": "_FusedMatMul", "input": ["x", "w", "w"],
              "attr": {"fused_ops": {"list": {"s": ["Qmlhc0FkZA==", "UmVsdQ=="]}}, "num_args": {"i": "1"}}}],
             "versions": {"producer": 716}},
         "signature": {"outputs": {"y": {"name": "y:0", "dtype": "DT_FLOAT"}}},
         "weightsManifest": [{"paths": ["w.bin"], "weights": [
             {"name": "w", "shape": [2, 2], "dtype": "float32"}, {"name": "i", "shape": [2], "dtype": "int32"},
             {"name": "s", "shape": [1], "dtype": "string"}, {"name": "b", "shape": [2], "dtype": "bool"}]}]}
tfjs_seed(graph, struct.pack("<4f2i", 1, 2, 3, 4, 5, 6) + struct.pack("<I", 2) + b"ok" + b"\x01\x00", "graph")

print("fuzz seeds:", ", ".join(f"{h} {n}" for h, n in sorted(counts.items())), "->", out)
harnesses = [os.path.basename(p)[:-4] for p in glob.glob(os.path.join(here, "harnesses", "*.cpp"))]
missing = [h for h in harnesses if not counts.get(h)]
if missing:
    sys.exit("no seeds for harness(es): " + ", ".join(missing))

#!/usr/bin/python3
"""Writes the models tools/bench measures (needs Debian's /usr/bin/python3: torch, torchvision, h5py).

    /usr/bin/python3 tools/bench_floor/make_bench_models.py WORKDIR KIND [ARG]

KIND:
  torchvision NAME      WORKDIR/NAME.pt: torchvision.models.NAME (seed 0), traced at 1x3x224x224
  keras_dense N         WORKDIR/keras_dense_N.h5: Keras 2 Sequential, N Dense(2048, relu) on [None, 2048]
                        (16 MiB of float32 kernel per layer: N=64 is about 1 GiB)
  savedmodel_dense N    WORKDIR/savedmodel_dense_N/: the same stack as a TF1-style SavedModel with
                        VariableV2 weights in a TensorBundle (variables.index + one data shard)
  torch_chain N         WORKDIR/torch_chain_N.pt: traced x -> relu(x + c_i), N/2 times (N nodes)
  graphdef_chain N      WORKDIR/graphdef_chain_N.pb: frozen GraphDef, the same chain (N nodes)
  keras_chain N         WORKDIR/keras_chain_N.keras: Keras 3 Sequential, Rescaling and ReLU layers
                        alternating (Rescaling is Mul+Add, so about N ONNX nodes)

No TensorFlow is needed: the TF files come from the loader's own copies of TensorFlow's protos
(src/loaders/savedmodel/proto, same field numbers) and a TensorBundle index written here in
LevelDB's table format (the format TF's tensor bundles use).
"""
import atexit
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "fixtures"))

WIDTH = 2048


def protos():
    tmp = tempfile.mkdtemp(prefix="modelport_bench_proto_")
    atexit.register(shutil.rmtree, tmp, True)
    proto_dir = os.path.join(ROOT, "src", "loaders", "savedmodel", "proto")
    subprocess.run(["protoc", "-I", proto_dir, "--python_out", tmp, "tf_tensor.proto", "tf_graph.proto",
                    "tf_saved_model.proto", "tf_bundle.proto"], check=True)
    sys.path.insert(0, tmp)
    import tf_bundle_pb2
    import tf_graph_pb2
    import tf_saved_model_pb2
    import tf_tensor_pb2
    return tf_graph_pb2, tf_tensor_pb2, tf_saved_model_pb2, tf_bundle_pb2


# ------------------------------------------------------------------ TensorFlow pieces
def tf_node(g, name, op, inputs=(), dtype_attr="T"):
    n = g.node.add()
    n.name, n.op = name, op
    n.input.extend(inputs)
    if dtype_attr:
        n.attr[dtype_attr].type = 1  # DT_FLOAT
    return n


def tf_shape(proto_shape, dims):
    for d in dims:
        proto_shape.dim.add().size = d


def tf_scalar_const(g, name, value):
    n = tf_node(g, name, "Const", dtype_attr="dtype")
    t = n.attr["value"].tensor
    t.dtype = 1
    t.float_val.append(value)
    return n


def tf_chain(graph_pb2, n_nodes):
    g = graph_pb2.GraphDef()
    x = tf_node(g, "x", "Placeholder", dtype_attr="dtype")
    tf_shape(x.attr["shape"].shape, [-1, 16])
    h = "x"
    for i in range(n_nodes // 2):
        tf_scalar_const(g, f"c{i}", 0.001 * (i % 7))
        tf_node(g, f"add{i}", "AddV2", [h, f"c{i}"])
        tf_node(g, f"relu{i}", "Relu", [f"add{i}"])
        h = f"relu{i}"
    tf_node(g, "y", "Identity", [h])
    return g


def tf_dense_stack(graph_pb2, layers):
    """x[-1, WIDTH] -> layers x (MatMul, BiasAdd, Relu) with VariableV2 weights read through Identity."""
    g = graph_pb2.GraphDef()
    x = tf_node(g, "x", "Placeholder", dtype_attr="dtype")
    tf_shape(x.attr["shape"].shape, [-1, WIDTH])
    h = "x"
    for i in range(layers):
        for var, dims in ((f"dense_{i}/kernel", [WIDTH, WIDTH]), (f"dense_{i}/bias", [WIDTH])):
            v = tf_node(g, var, "VariableV2", dtype_attr="dtype")
            tf_shape(v.attr["shape"].shape, dims)
            tf_node(g, var + "/read", "Identity", [var])
        mm = tf_node(g, f"dense_{i}/MatMul", "MatMul", [h, f"dense_{i}/kernel/read"])
        mm.attr["transpose_a"].b = mm.attr["transpose_b"].b = False
        tf_node(g, f"dense_{i}/BiasAdd", "BiasAdd", [f"dense_{i}/MatMul", f"dense_{i}/bias/read"])
        tf_node(g, f"dense_{i}/Relu", "Relu", [f"dense_{i}/BiasAdd"])
        h = f"dense_{i}/Relu"
    tf_node(g, "y", "Identity", [h])
    return g


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def crc32c_fn():
    import crcmod.predefined
    return crcmod.predefined.mkCrcFun("crc-32c")


def masked(crc):
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def write_table(path, items, crc32c):
    """A LevelDB-format table (what TF's tensor bundle .index is): one data block holding every
    (key, value) in key order with a restart point per entry, an empty metaindex block, an index
    block and the 48-byte footer; blocks uncompressed, each with its masked CRC32C trailer."""
    def block(entries):
        body, restarts = bytearray(), []
        for k, v in entries:
            restarts.append(len(body))
            body += varint(0) + varint(len(k)) + varint(len(v)) + k + v
        for r in restarts or [0]:
            body += struct.pack("<I", r)
        body += struct.pack("<I", len(restarts or [0]))
        return bytes(body)

    out = bytearray()

    def put(contents):
        handle = varint(len(out)) + varint(len(contents))
        out.extend(contents + b"\0" + struct.pack("<I", masked(crc32c(contents + b"\0"))))
        return handle

    items = sorted(items)
    data = put(block(items))
    meta = put(block([]))
    index = put(block([(items[-1][0], data)]))
    footer = (meta + index).ljust(40, b"\0") + struct.pack("<Q", 0xDB4775248B80FB57)
    out.extend(footer)
    with open(path, "wb") as f:
        f.write(out)


def make_savedmodel_dense(workdir, layers):
    graph_pb2, tensor_pb2, sm_pb2, bundle_pb2 = protos()
    crc32c = crc32c_fn()
    d = os.path.join(workdir, f"savedmodel_dense_{layers}")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "variables"))
    sm = sm_pb2.SavedModel(saved_model_schema_version=1)
    mg = sm.meta_graphs.add()
    mg.meta_info_def.tags.append("serve")
    mg.meta_info_def.tensorflow_version = "2.15.0"
    mg.graph_def.CopyFrom(tf_dense_stack(graph_pb2, layers))
    sig = mg.signature_def["serving_default"]
    sig.method_name = "tensorflow/serving/predict"
    for io_map, name in ((sig.inputs, "x"), (sig.outputs, "y")):
        io_map[name].name = name + ":0"
        io_map[name].dtype = 1
        tf_shape(io_map[name].tensor_shape, [-1, WIDTH])
    with open(os.path.join(d, "saved_model.pb"), "wb") as f:
        f.write(sm.SerializeToString())

    header = bundle_pb2.BundleHeaderProto(num_shards=1)
    header.version.producer = 1
    entries = [(b"", header.SerializeToString())]
    rng = np.random.default_rng(0)
    offset = 0
    with open(os.path.join(d, "variables", "variables.data-00000-of-00001"), "wb") as f:
        for i in range(layers):
            for var, arr in ((f"dense_{i}/kernel", dense_kernel(rng)), (f"dense_{i}/bias", dense_bias(rng))):
                raw = arr.tobytes()
                e = bundle_pb2.BundleEntryProto(dtype=1, shard_id=0, offset=offset, size=len(raw),
                                                crc32c=masked(crc32c(raw)))
                tf_shape(e.shape, arr.shape)
                entries.append((var.encode(), e.SerializeToString()))
                f.write(raw)
                offset += len(raw)
    write_table(os.path.join(d, "variables", "variables.index"), entries, crc32c)
    return d


def dense_kernel(rng):
    return (rng.standard_normal((WIDTH, WIDTH), dtype=np.float32) * np.float32(1 / np.sqrt(WIDTH)))


def dense_bias(rng):
    return rng.standard_normal(WIDTH, dtype=np.float32) * np.float32(0.01)


# ------------------------------------------------------------------ Keras
def make_keras_dense(workdir, layers):
    from make_keras_h5 import layer, sequential, write_legacy_h5
    rng = np.random.default_rng(0)
    path = os.path.join(workdir, f"keras_dense_{layers}.h5")
    cfg = sequential("dense_stack", [None, WIDTH],
                     [layer("Dense", f"dense_{i}", units=WIDTH, activation="relu", use_bias=True)
                      for i in range(layers)])
    weights = [(f"dense_{i}", [(f"dense_{i}/kernel:0", dense_kernel(rng)), (f"dense_{i}/bias:0", dense_bias(rng))])
               for i in range(layers)]
    write_legacy_h5(path, cfg, weights)
    return path


def make_keras_chain(workdir, n_nodes):
    from make_keras_h5 import write_keras_v3
    layers = [{"module": "keras.layers", "class_name": "InputLayer",
               "config": {"batch_shape": [None, 16], "dtype": "float32", "name": "x"}}]
    for i in range(n_nodes // 3):
        layers.append({"module": "keras.layers", "class_name": "Rescaling",
                       "config": {"name": f"scale{i}", "scale": 0.5 + 0.001 * (i % 7), "offset": 0.01}})
        layers.append({"module": "keras.layers", "class_name": "ReLU", "config": {"name": f"relu{i}"}})
    config = {"module": "keras", "class_name": "Sequential", "config": {"name": "chain", "layers": layers}}
    path = os.path.join(workdir, f"keras_chain_{n_nodes}.keras")
    write_keras_v3(path, config, {})
    return path


# ------------------------------------------------------------------ TorchScript
def make_torchvision(workdir, name):
    import torch
    import torchvision
    torch.manual_seed(0)
    path = os.path.join(workdir, f"{name}.pt")
    m = getattr(torchvision.models, name)().eval()
    with torch.no_grad():
        torch.jit.trace(m, torch.randn(1, 3, 224, 224)).save(path)
    return path


def make_torch_chain(workdir, n_nodes):
    import resource
    import torch
    # The tracer recurses once per op: a 10k-op chain overflows the default 8 MiB stack.
    resource.setrlimit(resource.RLIMIT_STACK, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))

    class Chain(torch.nn.Module):
        def forward(self, x):
            for i in range(n_nodes // 2):
                x = torch.relu(x + 0.001 * (i % 7))
            return x

    path = os.path.join(workdir, f"torch_chain_{n_nodes}.pt")
    torch.jit.trace(Chain(), torch.randn(2, 16)).save(path)
    return path


def main():
    workdir, kind = sys.argv[1], sys.argv[2]
    arg = sys.argv[3] if len(sys.argv) > 3 else ""
    os.makedirs(workdir, exist_ok=True)
    make = {
        "torchvision": lambda: make_torchvision(workdir, arg),
        "keras_dense": lambda: make_keras_dense(workdir, int(arg)),
        "savedmodel_dense": lambda: make_savedmodel_dense(workdir, int(arg)),
        "torch_chain": lambda: make_torch_chain(workdir, int(arg)),
        "graphdef_chain": lambda: write_graphdef_chain(workdir, int(arg)),
        "keras_chain": lambda: make_keras_chain(workdir, int(arg)),
    }
    print(make[kind]())


def write_graphdef_chain(workdir, n_nodes):
    graph_pb2 = protos()[0]
    path = os.path.join(workdir, f"graphdef_chain_{n_nodes}.pb")
    with open(path, "wb") as f:
        f.write(tf_chain(graph_pb2, n_nodes).SerializeToString())
    return path


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Writes a TensorFlow.js graph model (model.json + shards) as a frozen TensorFlow GraphDef (.pb).

    /usr/bin/python3 tools/real_models/tfjs_graph_to_pb.py MODEL.json OUT.pb

A tfjs graph model's modelTopology is a GraphDef in protobuf's JSON form whose Const nodes carry no
values; the values are the weights of the manifest, named after their Const node. This fills them
in (dequantised as tfjs does, see tfjs_weights.py) and
serialises the result with modelport's own copies of TensorFlow's graph messages (same field
numbers), so the GraphDef loader can be tried on real graphs before the tfjs loader exists. Ops are
left as the tfjs converter wrote them (_FusedConv2D, FusedDepthwiseConv2dNative, Prelu, ...).
Prints the signature's input and output tensor names as JSON.
Needs Debian's python3-protobuf and protoc (both installed by tools/setup.sh for the build).
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

from tfjs_weights import read_weights

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
PROTO_DIR = os.path.join(ROOT, 'src', 'loaders', 'savedmodel', 'proto')
TF_DTYPE = {'float32': 1, 'int32': 3, 'bool': 10}  # TensorFlow's DataType enum


def load_protos():
    out = tempfile.mkdtemp(prefix='modelport-proto-')
    subprocess.run(['protoc', f'-I{PROTO_DIR}', f'--python_out={out}', 'tf_tensor.proto', 'tf_graph.proto'], check=True)
    sys.path.insert(0, out)
    import tf_graph_pb2  # noqa: E402  (generated above)
    return tf_graph_pb2


def main():
    if len(sys.argv) != 3:
        raise SystemExit('usage: tfjs_graph_to_pb.py MODEL.json OUT.pb')
    src, dst = sys.argv[1], sys.argv[2]
    pb = load_protos()
    from google.protobuf import json_format
    model = json.load(open(src))
    graph = json_format.ParseDict(model['modelTopology'], pb.GraphDef(), ignore_unknown_fields=True)
    nodes = {n.name: n for n in graph.node}
    for name, dtype, shape, vals in read_weights(src, model.get('weightsManifest', [])):
        node = nodes.get(name)
        if node is None:
            raise SystemExit(f'{src}: weight {name} names no node')
        t = node.attr['value'].tensor
        t.Clear()
        t.dtype = TF_DTYPE[dtype]
        for d in shape:
            t.tensor_shape.dim.add().size = d
        t.tensor_content = np.ascontiguousarray(vals).tobytes()
        node.attr['dtype'].type = TF_DTYPE[dtype]
    with open(dst + '.part', 'wb') as f:
        f.write(graph.SerializeToString(deterministic=True))
    os.replace(dst + '.part', dst)
    sig = model.get('signature', {})
    print(json.dumps({'inputs': [v['name'] for v in sig.get('inputs', {}).values()],
                      'outputs': [v['name'] for v in sig.get('outputs', {}).values()]}))


if __name__ == '__main__':
    main()

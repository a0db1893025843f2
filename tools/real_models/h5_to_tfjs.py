#!/usr/bin/python3
"""Writes a Keras 2 HDF5 model (config + weights) as a TensorFlow.js layers model, float32.

    /usr/bin/python3 tools/real_models/h5_to_tfjs.py MODEL.h5 OUT_DIR

OUT_DIR gets model.json (the Keras model_config as modelTopology) and weights.bin, with each weight
named "<layer>/<weight>" as tfjs-layers expects. This lets tfjs_reference.js record a tfjs reference
for the real Keras files of tests/real_models/models.json. (modelport's verify will hand tfjs the
model in the same terms from C++; this script is only for recording references.) Needs Debian's
python3-h5py and numpy.
"""
import json
import os
import sys

import h5py
import numpy as np


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def main():
    if len(sys.argv) != 3:
        raise SystemExit('usage: h5_to_tfjs.py MODEL.h5 OUT_DIR')
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    with h5py.File(src, 'r') as f:
        if 'model_config' not in f.attrs:
            raise SystemExit(f'{src}: no model_config (weights-only file)')
        config = json.loads(text(f.attrs['model_config']))
        mw = f['model_weights']
        specs, blobs = [], []
        for layer in (text(n) for n in mw.attrs['layer_names']):
            g = mw[layer]
            for wname in (text(n) for n in g.attrs.get('weight_names', [])):
                arr = np.asarray(g[wname])
                if arr.dtype != np.float32:
                    raise SystemExit(f'{src}: weight {wname} is {arr.dtype}, only float32 handled')
                short = wname.split('/')[-1].split(':')[0]
                specs.append({'name': f'{layer}/{short}', 'shape': list(arr.shape), 'dtype': 'float32'})
                blobs.append(np.ascontiguousarray(arr).tobytes())
        topo = {'keras_version': text(f.attrs.get('keras_version', '2.2.4')),
                'backend': 'tensorflow', 'model_config': config}
    with open(os.path.join(out, 'weights.bin'), 'wb') as w:
        w.write(b''.join(blobs))
    model = {'format': 'layers-model', 'generatedBy': 'modelport tools/real_models/h5_to_tfjs.py',
             'modelTopology': topo, 'weightsManifest': [{'paths': ['weights.bin'], 'weights': specs}]}
    with open(os.path.join(out, 'model.json'), 'w') as m:
        json.dump(model, m)


if __name__ == '__main__':
    main()

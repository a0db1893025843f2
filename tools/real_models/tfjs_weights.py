"""Reads the weights of a TensorFlow.js model (the shards its weightsManifest names), dequantised
exactly as tfjs does: uint8/uint16 -> q * scale + min, float16 -> float32."""
import os

import numpy as np

DTYPES = {'float32': np.float32, 'int32': np.int32, 'bool': np.bool_}
QUANT = {'uint8': np.uint8, 'uint16': np.uint16, 'float16': np.float16}


def read_weights(model_path, manifest):
    """Yields (name, dtype name, shape, numpy array) in manifest order."""
    base = os.path.dirname(model_path)
    data = b''.join(open(os.path.join(base, p), 'rb').read() for g in manifest for p in g['paths'])
    off = 0
    for g in manifest:
        for w in g['weights']:
            if w['dtype'] not in DTYPES:
                raise SystemExit(f'{model_path}: weight {w["name"]} has dtype {w["dtype"]}, not handled here')
            n = int(np.prod(w['shape'])) if w['shape'] else 1
            q = w.get('quantization')
            stored = QUANT[q['dtype']] if q else DTYPES[w['dtype']]
            vals = np.frombuffer(data, stored, n, off)
            off += n * np.dtype(stored).itemsize
            if q:
                vals = vals.astype(np.float32) if q['dtype'] == 'float16' else vals.astype(np.float32) * q['scale'] + q['min']
            yield w['name'], w['dtype'], w['shape'], np.asarray(vals, DTYPES[w['dtype']]).reshape(w['shape'])

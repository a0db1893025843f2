#!/usr/bin/python3
"""Writes a TensorFlow.js layers model (model.json + shards) as a Keras 2 HDF5 file.

    /usr/bin/python3 tools/real_models/tfjs_layers_to_h5.py MODEL.json OUT.h5

A tfjs layers model is the Keras model_config JSON plus weights named "<layer>/<weight>". This
writes them in the layout Keras 2's save_model uses (root attrs model_config / keras_version /
backend; model_weights/<layer>/<layer>/<weight>:0 with weight_names in Keras's order), dequantised
as tfjs does (tfjs_weights.py). It lets the Keras
loader be tried on real trained layers models before the tfjs loader exists. Needs Debian's
python3-h5py and numpy.
"""
import json
import os
import sys

import h5py
import numpy as np

from tfjs_weights import read_weights

# Keras's own order of a layer's weights (the rest keep the manifest's order).
ORDER = ['kernel', 'depthwise_kernel', 'pointwise_kernel', 'recurrent_kernel', 'bias',
         'gamma', 'beta', 'moving_mean', 'moving_variance', 'alpha']


def layer_names(config):
    layers = config['config'] if isinstance(config['config'], list) else config['config']['layers']
    return [l['config']['name'] if 'name' not in l else l['name'] for l in layers]


def main():
    if len(sys.argv) != 3:
        raise SystemExit('usage: tfjs_layers_to_h5.py MODEL.json OUT.h5')
    src, dst = sys.argv[1], sys.argv[2]
    model = json.load(open(src))
    topo = model['modelTopology']
    config = topo.get('model_config', topo)
    by_layer = {}
    for name, _, _, vals in read_weights(src, model.get('weightsManifest', [])):
        layer, _, wname = name.partition('/')
        by_layer.setdefault(layer, []).append((wname, vals))
    rank = lambda w: ORDER.index(w[0]) if w[0] in ORDER else len(ORDER)
    with h5py.File(dst + '.part', 'w') as f:
        f.attrs['model_config'] = json.dumps(config).encode()
        f.attrs['keras_version'] = str(topo.get('keras_version', '2.2.4')).encode()
        f.attrs['backend'] = str(topo.get('backend', 'tensorflow')).encode()
        mw = f.create_group('model_weights')
        names = layer_names(config)
        mw.attrs['layer_names'] = np.array([n.encode() for n in names])
        mw.attrs['keras_version'] = f.attrs['keras_version']
        mw.attrs['backend'] = f.attrs['backend']
        for layer in names:
            g = mw.create_group(layer)
            ws = sorted(by_layer.pop(layer, []), key=rank)
            g.attrs['weight_names'] = np.array([f'{layer}/{w}:0'.encode() for w, _ in ws])
            for w, vals in ws:
                g.create_dataset(f'{layer}/{w}:0', data=vals)
        if by_layer:
            raise SystemExit(f'{src}: weights of no layer: {", ".join(sorted(by_layer))}')
    os.replace(dst + '.part', dst)


if __name__ == '__main__':
    main()

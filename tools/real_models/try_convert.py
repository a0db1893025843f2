#!/usr/bin/python3
"""Tries the current modelport on every fetched real model and compares ONNX Runtime with tfjs.

    /usr/bin/python3 tools/real_models/try_convert.py [CACHE_DIR] [--modelport BIN] [--only NAME,...] [--json OUT]

Until modelport reads TensorFlow.js itself, a tfjs graph model is tried as the frozen GraphDef
tfjs_graph_to_pb.py writes and a tfjs layers model as the Keras .h5 tfjs_layers_to_h5.py writes.
Where the export succeeds and tools/real_models/tfjs_reference.js has recorded a reference
(CACHE/<name>/reference/), the ONNX model runs in ONNX Runtime (tools/ort_run.js) on the same input
and every output is compared: max |onnx - tfjs|, and max relative difference |onnx - tfjs| / |tfjs|
over elements whose reference is not 0 (the definition modelport verify prints).
Prints one line per model; --json writes the rows.
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
HERE = os.path.dirname(os.path.abspath(__file__))


def first_line(text):
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return lines[-1] if lines else ''


def derive(model, mdir, work):
    """The file modelport can read today, and the output names to ask for (graph models)."""
    src = os.path.join(mdir, model['file'])
    if model['format'] == 'keras-h5':
        return src, []
    if model['format'] == 'tfjs-layers':
        dst = os.path.join(work, model['name'] + '.h5')
        subprocess.run([sys.executable, os.path.join(HERE, 'tfjs_layers_to_h5.py'), src, dst], check=True, capture_output=True)
        return dst, []
    dst = os.path.join(work, model['name'] + '.pb')
    subprocess.run([sys.executable, os.path.join(HERE, 'tfjs_graph_to_pb.py'), src, dst], check=True, capture_output=True)
    ref = os.path.join(mdir, 'reference', 'reference.json')
    outs = [o['name'].split(':')[0] for o in json.load(open(ref))['outputs']] if os.path.exists(ref) else []
    return dst, outs


def compare(onnx_path, mdir, work):
    ref = json.load(open(os.path.join(mdir, 'reference', 'reference.json')))
    names = [i.name for i in onnx.load(onnx_path, load_external_data=False).graph.input]
    args = ['node', os.path.join(ROOT, 'tools', 'ort_run.js'), onnx_path, '--outdir', work]
    bare = lambda n: n.split(':')[0]
    for k, inp in enumerate(ref['inputs']):
        name = next((n for n in names if bare(n) == bare(inp['name'])), names[k])  # by name, else by order
        args += ['--input', f'{name}={os.path.join(mdir, inp["file"])}']
    run = subprocess.run(args, capture_output=True, text=True)
    if run.returncode != 0:
        return {'ort_error': first_line(run.stderr)}
    got = json.loads(run.stdout)['outputs']
    rows = []
    for g, r in zip(got, ref['outputs']):
        a = np.load(g['file']).astype(np.float64)
        b = np.load(os.path.join(mdir, r['file'])).astype(np.float64)
        if a.shape != b.shape:
            rows.append({'output': r['name'], 'problem': f'shape {list(a.shape)} vs tfjs {list(b.shape)}'})
            continue
        d = np.abs(a - b)
        nz = b != 0
        rows.append({'output': r['name'], 'max_abs': float(d.max()) if d.size else 0.0,
                     'max_rel': float((d[nz] / np.abs(b[nz])).max()) if nz.any() else 0.0,
                     'ref_max_abs': float(np.abs(b).max()) if b.size else 0.0})
    return {'outputs': rows, 'count_mismatch': len(got) != len(ref['outputs'])}


def main():
    argv = sys.argv[1:]
    cache, binary, only, out_json = os.path.join(ROOT, 'build', 'real_models'), os.path.join(ROOT, 'build', 'modelport'), None, None
    i = 0
    while i < len(argv):
        if argv[i] == '--modelport':
            binary = argv[i + 1]; i += 1
        elif argv[i] == '--only':
            only = argv[i + 1].split(','); i += 1
        elif argv[i] == '--json':
            out_json = argv[i + 1]; i += 1
        else:
            cache = os.path.abspath(argv[i])
        i += 1
    spec = json.load(open(os.path.join(ROOT, 'tests', 'real_models', 'models.json')))
    results = []
    for m in spec['models']:
        mdir = os.path.join(cache, m['name'])
        if (only and m['name'] not in only) or not os.path.exists(os.path.join(mdir, m['file'])):
            continue
        work = tempfile.mkdtemp(prefix='modelport-try-')
        row = {'name': m['name'], 'format': m['format']}
        try:
            src, outputs = derive(m, mdir, work)
            onnx_path = os.path.join(work, 'model.onnx')
            cmd = [binary, 'export', src, '-o', onnx_path, '--no-manifest'] + [a for o in outputs for a in ('--output', o)]
            run = subprocess.run(cmd, capture_output=True, text=True)
            row['exit_code'] = run.returncode
            if run.returncode != 0:
                row['error'] = first_line(run.stderr)
            elif os.path.exists(os.path.join(mdir, 'reference', 'reference.json')):
                row.update(compare(onnx_path, mdir, work))
        except subprocess.CalledProcessError as e:
            row['error'] = 'derive: ' + first_line((e.stderr or b'').decode())
        finally:
            subprocess.run(['rm', '-rf', work])
        results.append(row)
        if 'error' in row:
            status = f'FAIL ({row.get("exit_code", "-")}): {row["error"]}'
        elif 'outputs' in row:
            rel = max((o.get('max_rel', float('inf')) for o in row['outputs']), default=0.0)
            ab = max((o.get('max_abs', float('inf')) for o in row['outputs']), default=0.0)
            status = f'converts; vs tfjs max_abs {ab:.3g} max_rel {rel:.3g}' + ('; OUTPUT COUNT DIFFERS' if row['count_mismatch'] else '')
            status += ''.join(f'; {o["output"]}: {o["problem"]}' for o in row['outputs'] if 'problem' in o)
        elif 'ort_error' in row:
            status = f'converts; ORT fails: {row["ort_error"]}'
        else:
            status = 'converts (no tfjs reference recorded)'
        print(f'{m["name"]:34s} {status}', flush=True)
    if out_json:
        json.dump(results, open(out_json, 'w'), indent=1)


if __name__ == '__main__':
    main()

#!/usr/bin/env node
// Runs an ONNX model in ONNX Runtime (the onnxruntime-node npm package installed by tools/setup.sh).
//
//   node tools/ort_run.js MODEL.onnx --input NAME=FILE.npy ... --outdir DIR
//
// Writes every output to DIR/output_<i>.npy and prints one JSON object on stdout:
//   {"outputs":[{"name":..., "file":..., "dtype":..., "dims":[...]}], "inputs":[{"name":...}]}
// Exit codes: 0 ok, 1 failure (one line on stderr).
'use strict';
const fs = require('fs');
const path = require('path');

function fail(msg) { process.stderr.write(`ort_run: ${msg}\n`); process.exit(1); }

function loadOrt() {
  const candidates = [];
  if (process.env.MODELPORT_ORT_DIR) candidates.push(path.join(process.env.MODELPORT_ORT_DIR, 'node_modules', 'onnxruntime-node'));
  candidates.push(path.join(__dirname, 'runtime', 'node_modules', 'onnxruntime-node'));
  for (const c of candidates) {
    if (fs.existsSync(path.join(c, 'package.json'))) return require(c);
  }
  try { return require('onnxruntime-node'); } catch (e) { /* fall through */ }
  fail('ONNX Runtime not found: run tools/setup.sh (installs onnxruntime-node with npm), or set MODELPORT_ORT_DIR');
}

// ---- .npy
const NPY = {
  f4: ['float32', Float32Array], f8: ['float64', Float64Array], f2: ['float16', Uint16Array],
  i1: ['int8', Int8Array], i2: ['int16', Int16Array], i4: ['int32', Int32Array], i8: ['int64', BigInt64Array],
  u1: ['uint8', Uint8Array], b1: ['bool', Uint8Array],
};
function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.slice(0, 6).toString('latin1') !== '\x93NUMPY') fail(`${file}: not a .npy file`);
  const major = buf[6];
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const off = major === 1 ? 10 : 12;
  const header = buf.slice(off, off + hlen).toString('latin1');
  const descr = /'descr':\s*'([<|>=])(\w+)'/.exec(header);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !shape) fail(`${file}: bad .npy header`);
  if (/'fortran_order':\s*True/.test(header)) fail(`${file}: Fortran order not supported`);
  const kind = NPY[descr[2]];
  if (!kind) fail(`${file}: unsupported dtype ${descr[2]}`);
  const dims = shape[1].split(',').map(s => s.trim()).filter(s => s.length).map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  const start = off + hlen;
  const bytes = buf.slice(start, start + count * kind[1].BYTES_PER_ELEMENT);
  const aligned = new Uint8Array(bytes.length); aligned.set(bytes);
  let data = new kind[1](aligned.buffer, 0, count);
  if (kind[0] === 'bool') data = Uint8Array.from(data, v => (v ? 1 : 0));
  return { type: kind[0], data, dims };
}
function writeNpy(file, type, data, dims) {
  const code = Object.keys(NPY).find(k => NPY[k][0] === type);
  if (!code) fail(`cannot write dtype ${type}`);
  const order = ['i1', 'u1', 'b1'].includes(code) ? '|' : '<';
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${order}${code}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1'); head[6] = 1; head[7] = 0; head.writeUInt16LE(header.length, 8);
  let body;
  if (type === 'bool') body = Buffer.from(Uint8Array.from(data, v => (v ? 1 : 0)));
  else body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(header, 'latin1'), body]));
}

// MODEL --input NAME=FILE.npy ... --outdir DIR (the protocol of ort_run.js and tfjs_run.js).
function parseRunArgs(args, usage) {
  let model = null, outdir = null; const inputs = {};
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--input') {
      const spec = args[++i] || ''; const eq = spec.lastIndexOf('=');
      if (eq <= 0) fail(`--input wants NAME=FILE.npy, got '${spec}'`);
      inputs[spec.slice(0, eq)] = spec.slice(eq + 1);
    } else if (args[i] === '--outdir') outdir = args[++i];
    else if (!model) model = args[i];
    else fail(`unexpected argument '${args[i]}'`);
  }
  if (!model || !outdir) fail(`usage: ${usage} --input NAME=FILE.npy ... --outdir DIR`);
  return { model, outdir, inputs };
}

async function main() {
  const { model, outdir, inputs } = parseRunArgs(process.argv.slice(2), 'ort_run.js MODEL.onnx');
  const ort = loadOrt();
  let session;
  try {
    session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'all', intraOpNumThreads: 2 });
  } catch (e) { fail(`${model}: ONNX Runtime cannot load the model: ${String(e.message || e).split('\n')[0]}`); }
  const feeds = {};
  for (const name of session.inputNames) {
    if (!(name in inputs)) fail(`no --input given for model input '${name}'`);
    const t = readNpy(inputs[name]);
    feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
  }
  for (const name of Object.keys(inputs))
    if (!session.inputNames.includes(name)) fail(`model has no input '${name}' (inputs: ${session.inputNames.join(', ')})`);
  let results;
  try { results = await session.run(feeds); } catch (e) { fail(`${model}: ONNX Runtime run failed: ${String(e.message || e).split('\n')[0]}`); }
  fs.mkdirSync(outdir, { recursive: true });
  const outputs = session.outputNames.map((name, i) => {
    const t = results[name];
    const file = path.join(outdir, `output_${i}.npy`);
    writeNpy(file, t.type, t.data, t.dims);
    return { name, file, dtype: t.type, dims: t.dims.map(Number) };
  });
  process.stdout.write(JSON.stringify({ inputs: session.inputNames.map(name => ({ name })), outputs }) + '\n');
}
// Run as a script; required as a module (tests/ops/ort_batch.js), it only lends its helpers.
if (require.main === module) main().catch(e => fail(String(e && e.message || e).split('\n')[0]));
module.exports = { loadOrt, readNpy, writeNpy, parseRunArgs };

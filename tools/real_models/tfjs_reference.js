#!/usr/bin/env node
// Runs each fetched TensorFlow.js model of tests/real_models/models.json in @tensorflow/tfjs (CPU
// backend) on a fixed input and records the result: the reference the real-model tests compare with.
//
//   node tools/real_models/tfjs_reference.js [CACHE_DIR] [--only NAME,...] [--skip NAME,...] [--seed N] [--input K=FILE.npy] [--small]
//
// For each model it writes CACHE/<name>/reference/input_<k>.npy and output_<k>.npy and a
// reference.json (tfjs version, inputs, outputs with shape/dtype/statistics). The input is the image
// the package ships (assets/input.png) when it also ships the output its author recorded for it
// (assets/expected.png), and the tfjs output is then checked against that PNG after the package's
// post-processing (clip, round). Otherwise it is seeded uniform values in the model's stated range at
// its test_shape. --input K=FILE.npy feeds input K from a file instead (e.g. a real photo for a
// detector, decoded with Debian's python3-pil; use with --only). --small skips the shipped images:
// pure-JS tfjs takes minutes per super-resolution model at 128x128. Keras .h5 entries run as the tfjs
// layers model h5_to_tfjs.py writes beside them.
// Exit codes: 0 every selected model ran, 1 some failed (one line each on stderr), 2 bad arguments.
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { execFileSync } = require('child_process');
const io = require('./tfjs_model_io');

const ROOT = path.resolve(__dirname, '..', '..');
const SPEC = path.join(ROOT, 'tests', 'real_models', 'models.json');

// ---- deterministic input values
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- PNG (8-bit RGB/RGBA, not interlaced: what the packages ship)
function decodePng(buf) {
  if (buf.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let off = 8; let w = 0; let h = 0; let type = 0; const idat = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off); const kind = buf.toString('latin1', off + 4, off + 8);
    const body = buf.subarray(off + 8, off + 8 + len);
    if (kind === 'IHDR') {
      w = body.readUInt32BE(0); h = body.readUInt32BE(4); type = body[9];
      if (body[8] !== 8 || (type !== 2 && type !== 6) || body[12] !== 0) throw new Error('only 8-bit RGB/RGBA non-interlaced PNG');
    } else if (kind === 'IDAT') idat.push(body);
    off += 12 + len;
  }
  const ch = type === 6 ? 4 : 3; const stride = w * ch;
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const out = new Uint8Array(h * stride);
  for (let y = 0; y < h; y++) {
    const f = raw[y * (stride + 1)]; const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= ch ? out[y * stride + x - ch] : 0; const b = y ? out[(y - 1) * stride + x] : 0;
      const c = x >= ch && y ? out[(y - 1) * stride + x - ch] : 0;
      let p = 0;
      if (f === 1) p = a; else if (f === 2) p = b; else if (f === 3) p = (a + b) >> 1;
      else if (f === 4) { const pa = Math.abs(b - c); const pb = Math.abs(a - c); const pc = Math.abs(a + b - 2 * c); p = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c); }
      out[y * stride + x] = (src[x] + p) & 255;
    }
  }
  const rgb = new Float32Array(w * h * 3);
  for (let i = 0; i < w * h; i++) for (let k = 0; k < 3; k++) rgb[i * 3 + k] = out[i * ch + k];
  return { width: w, height: h, rgb };
}

// ---- .npy (little-endian, C order)
const NPY_CODE = { float32: '<f4', int32: '<i4', bool: '|b1' };
const NPY_READ = { '<f4': [Float32Array, 'float32'], '<i4': [Int32Array, 'int32'], '|u1': [Uint8Array, 'int32'] };
function readNpy(tf, file) {
  const buf = fs.readFileSync(file);
  const hlen = buf.readUInt16LE(8); const header = buf.toString('latin1', 10, 10 + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').map(v => v.trim()).filter(Boolean).map(Number);
  if (!NPY_READ[descr] || buf[6] !== 1 || /True/.test(header)) throw new Error(`${file}: only v1 C-order <f4, <i4, |u1 .npy`);
  const [Type, dtype] = NPY_READ[descr];
  const body = buf.subarray(10 + hlen); const copy = new Uint8Array(body.length); copy.set(body);
  const data = new Type(copy.buffer, 0, shape.reduce((a, b) => a * b, 1));
  return tf.tensor(dtype === 'int32' ? Int32Array.from(data) : data, shape, dtype);  // tfjs has no uint8: int32
}
function writeNpy(file, dtype, data, shape) {
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${NPY_CODE[dtype]}', 'fortran_order': False, 'shape': ${dims}, }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1'); pre[6] = 1; pre[7] = 0; pre.writeUInt16LE(header.length, 8);
  const body = dtype === 'bool' ? Buffer.from(Uint8Array.from(data, v => (v ? 1 : 0))) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), body]));
}

// The two custom layers of @upscalerjs/esrgan-legacy's RRDN ("gans"), as that package defines them.
function registerCustomLayers(tf, model) {
  const known = {
    MultiplyBeta: class extends tf.layers.Layer {
      call(x) { return tf.mul(Array.isArray(x) ? x[0] : x, 0.2); }
      static get className() { return 'MultiplyBeta'; }
    },
    PixelShuffle4x: class extends tf.layers.Layer {
      computeOutputShape(s) { return [s[0], s[1] && s[1] * 4, s[2] && s[2] * 4, 3]; }
      call(x) { return tf.depthToSpace(Array.isArray(x) ? x[0] : x, 4, 'NHWC'); }
      static get className() { return 'PixelShuffle4x'; }
    },
  };
  for (const name of Object.keys(model.custom_layers || {})) {
    if (!known[name]) throw new Error(`custom layer ${name} has no definition here`);
    tf.serialization.registerClass(known[name]);
  }
}

function makeInput(tf, spec, dir, seed, given, small) {
  if (given) return { tensor: readNpy(tf, given), source: path.basename(given) };
  const dtype = spec.dtype === 'uint8' || spec.dtype === 'int32' ? 'int32' : spec.dtype;
  const [lo, hi] = spec.range;
  const png = path.join(dir, 'assets', 'input.png');
  const recorded = fs.existsSync(path.join(dir, 'assets', 'expected.png'));
  if (!small && spec.test_shape.length === 4 && spec.test_shape[3] === 3 && recorded && fs.existsSync(png)) {
    const img = decodePng(fs.readFileSync(png));
    const scaled = img.rgb.map(v => lo + (hi - lo) * v / 255);
    return { tensor: tf.tensor4d(scaled, [1, img.height, img.width, 3], 'float32'), source: 'assets/input.png' };
  }
  const n = spec.test_shape.reduce((a, b) => a * b, 1);
  const rnd = mulberry32(seed);
  const vals = new Float32Array(n).map(() => lo + (hi - lo) * rnd());
  const data = dtype === 'int32' ? Int32Array.from(vals, Math.round) : vals;
  return { tensor: tf.tensor(data, spec.test_shape, dtype), source: `uniform [${lo}, ${hi}] seed ${seed}` };
}

function stats(data) {
  let min = Infinity; let max = -Infinity; let sum = 0; let sq = 0; let nz = 0;
  for (const v of data) { const x = Number(v); min = Math.min(min, x); max = Math.max(max, x); sum += x; sq += x * x; if (x !== 0) nz++; }
  const mean = data.length ? sum / data.length : 0;
  return { min, max, mean, std: Math.sqrt(Math.max(0, sq / Math.max(1, data.length) - mean * mean)), nonzero: nz };
}

// Compares a [1,H,W,3] output in the model's output range with the package's recorded PNG.
function compareExpected(dir, range, out) {
  const png = path.join(dir, 'assets', 'expected.png');
  if (!fs.existsSync(png)) return null;
  const exp = decodePng(fs.readFileSync(png));
  const [, h, w] = out.shape;
  if (exp.height !== h || exp.width !== w) return { file: 'assets/expected.png', error: `size ${exp.width}x${exp.height} vs output ${w}x${h}` };
  let maxAbs = 0; let over1 = 0;
  for (let i = 0; i < exp.rgb.length; i++) {
    const v = Math.round(Math.min(255, Math.max(0, (out.data[i] - range[0]) * 255 / (range[1] - range[0]))));
    const d = Math.abs(v - exp.rgb[i]);
    maxAbs = Math.max(maxAbs, d); if (d > 1) over1++;
  }
  return { file: 'assets/expected.png', max_abs_diff_0_255: maxAbs, values_off_by_more_than_1: over1, values: exp.rgb.length };
}

// Keras .h5 entries run as the tfjs layers model h5_to_tfjs.py writes beside them (CACHE/<name>/tfjs/).
function tfjsModelPath(model, dir) {
  if (model.format !== 'keras-h5') return path.join(dir, model.file);
  execFileSync('/usr/bin/python3', [path.join(__dirname, 'h5_to_tfjs.py'), path.join(dir, model.file), path.join(dir, 'tfjs')]);
  return path.join(dir, 'tfjs', 'model.json');
}

async function referenceFor(tf, model, dir, seed, given, small) {
  registerCustomLayers(tf, model);
  const loaded = await io.loadModel(tf, tfjsModelPath(model, dir));
  const feeds = {}; const inputs = [];
  const refDir = path.join(dir, 'reference');
  fs.mkdirSync(refDir, { recursive: true });
  const bare = n => n.replace(/:0$/, '');
  model.inputs.forEach((spec, k) => {
    // models.json lists inputs in graph order, tfjs in signature order: match them by name.
    const found = loaded.inputs.find(i => bare(i.name) === bare(spec.name));
    const name = found ? found.name : loaded.inputs[k].name;
    const { tensor, source } = makeInput(tf, spec, dir, seed + k, given[k], small);
    feeds[name] = tensor;
    writeNpy(path.join(refDir, `input_${k}.npy`), tensor.dtype, tensor.dataSync(), tensor.shape);
    inputs.push({ name, file: `reference/input_${k}.npy`, dtype: tensor.dtype, shape: tensor.shape, source });
  });
  const t0 = Date.now();
  const outs = await io.run(tf, loaded, feeds);
  const ms = Date.now() - t0;
  const outputs = outs.map(({ name, tensor }, k) => {
    const data = tensor.dataSync();
    // tfjs can declare float32 for a tensor whose values it holds as int32 (seen on the outputs of
    // Cast after a TF1 loop); the stored array is what the values are.
    const dtype = data instanceof Int32Array ? 'int32' : data instanceof Uint8Array ? 'bool' : 'float32';
    writeNpy(path.join(refDir, `output_${k}.npy`), dtype, data, tensor.shape);
    return { name, file: `reference/output_${k}.npy`, dtype, tfjs_dtype: tensor.dtype, shape: tensor.shape, ...stats(data) };
  });
  const first = outs[0].tensor;
  const fromAsset = inputs[0].source === 'assets/input.png';
  const expected = fromAsset && first.shape.length === 4 ? compareExpected(dir, model.inputs[0].range, { shape: first.shape, data: first.dataSync() }) : null;
  // A reference that is the same value everywhere proves little (a single value cannot tell).
  const constant = outputs.every(o => o.std === 0 && o.shape.reduce((a, b) => a * b, 1) > 1);
  // Outputs that are ~0 everywhere (a segmenter on noise) compare nothing either: feed a real image.
  const nearZero = outputs.filter(o => Math.max(Math.abs(o.min), Math.abs(o.max)) < 1e-6).map(o => o.name);
  const rec = { model: model.name, runtime: `@tensorflow/tfjs ${tf.version.tfjs} (cpu)`, kind: loaded.kind, run_ms: ms, inputs, outputs, constant_output: constant, near_zero_outputs: nearZero, expected };
  fs.writeFileSync(path.join(refDir, 'reference.json'), JSON.stringify(rec, null, 1) + '\n');
  tf.dispose([...Object.values(feeds), ...outs.map(o => o.tensor)]);
  loaded.model.dispose();
  return rec;
}

async function main() {
  const argv = process.argv.slice(2);
  let cache = path.join(ROOT, 'build', 'real_models'); let only = null; let seed = 0; const given = {}; let small = false; let skip = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--only') only = argv[++i].split(',');
    else if (argv[i] === '--seed') seed = Number(argv[++i]);
    else if (argv[i] === '--small') small = true;
    else if (argv[i] === '--skip') skip = argv[++i].split(',');
    else if (argv[i] === '--input') { const [k, f] = argv[++i].split('='); given[Number(k)] = path.resolve(f); }
    else if (argv[i].startsWith('-')) { process.stderr.write(`tfjs_reference: unknown option ${argv[i]}\n`); return 2; }
    else cache = path.resolve(argv[i]);
  }
  const spec = JSON.parse(fs.readFileSync(SPEC, 'utf8'));
  const tf = io.loadTf();
  const warn = console.warn; console.warn = () => {}; // tfjs's advice ("use execute()") is noise here
  let failed = 0; let ran = 0;
  for (const m of spec.models) {
    if (only && !only.includes(m.name)) continue;
    if (!only && skip.includes(m.name)) continue;
    const dir = path.join(cache, m.name);
    if (!fs.existsSync(path.join(dir, m.file))) { if (only) { process.stderr.write(`tfjs_reference: ${m.name}: not fetched in ${cache}\n`); failed++; } continue; }
    try {
      const r = await referenceFor(tf, m, dir, seed, given, small);
      ran++;
      const o = r.outputs.map(x => `${x.name}:${x.dtype}[${x.shape}] range ${x.min.toPrecision(4)}..${x.max.toPrecision(4)}`).join('; ');
      const e = !r.expected ? '' : r.expected.error ? ` | package's recorded output: ${r.expected.error}`
        : ` | vs package's recorded output: max |diff| ${r.expected.max_abs_diff_0_255}/255, ${r.expected.values_off_by_more_than_1} values off by >1`;
      console.log(`ok   ${m.name} (${r.kind}, ${r.run_ms} ms)${r.constant_output ? ' CONSTANT OUTPUT' : ''}${r.near_zero_outputs.length ? ` NEAR-ZERO: ${r.near_zero_outputs.join(',')}` : ''}: ${o}${e}`);
    } catch (e) {
      failed++;
      process.stderr.write(`tfjs_reference: ${m.name}: ${e.message.split('\n')[0]}\n`);
    }
  }
  console.warn = warn;
  console.log(`${ran} ran, ${failed} failed`);
  return failed ? 1 : 0;
}

main().then((rc) => { process.exitCode = rc; });

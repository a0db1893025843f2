#!/usr/bin/env node
// Runs a TensorFlow.js model in @tensorflow/tfjs (pure-JS CPU backend): verify's reference for
// Keras, TensorFlow and TensorFlow.js models.
//
//   node tools/tfjs_run.js MODEL.json --input NAME=FILE.npy ... --outdir DIR
//
// MODEL.json is a tfjs model.json (layers or graph model, weight shards beside it), or the bundle
// modelport writes for a Keras or TensorFlow model, which adds "modelport": {
//   "inputs": [{"name": ONNX input name, "tensor": tfjs input}], "outputs": [{"name", "tensor"}],
//   "layer_weights": {"file": "weights.bin", "layers": [{"path": [model, ..., layer],
//                     "weights": [{"dtype", "shape", "offset"}]}]}}   (layers models only)
// Layer weights are set layer by layer in Keras order (no reliance on weight names).
// tfjs has no int64/float64: such inputs are fed as int32/float32 (int64 values must fit).
//
// Writes DIR/output_<i>.npy and prints {"runtime": ..., "outputs": [{"name", "file", "dtype", "dims"}]}.
// Exit codes: 0 ok; 2 tfjs cannot load or run this model (one line on stderr: the reason);
// 1 anything else (bad arguments, tfjs not installed).
'use strict';
const fs = require('fs');
const path = require('path');
const { readNpy, writeNpy, parseRunArgs } = require('./ort_run');
const io = require('./real_models/tfjs_model_io');

// tfjs greets node users on the console (advice to install tfjs-node): not for our stderr.
const warn = console.warn;
console.warn = (...a) => { if (!String(a[0]).includes('looks like you are running TensorFlow.js in Node.js')) warn(...a); };
const log = console.log;
console.log = (...a) => { if (!/^\s*=+\s*$|looks like you are running TensorFlow.js/.test(String(a[0]))) log(...a); };

function fail(msg, code = 1) { process.stderr.write(`tfjs_run: ${msg}\n`); process.exit(code); }
const firstLine = e => String((e && e.message) || e).split('\n')[0];

function tfjsVersion() {
  try {
    const dir = path.dirname(require.resolve('@tensorflow/tfjs/package.json', { paths: [path.join(__dirname, 'runtime')] }));
    return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
  } catch (e) { return 'unknown'; }
}

// Sets every layer's weights from the bundle, recursing into nested models.
function setLayerWeights(tf, model, spec, dir) {
  const buf = fs.readFileSync(path.join(dir, spec.file));
  const byPath = new Map(spec.layers.map(l => [l.path.join('/'), l]));
  const used = new Set();
  const visit = (m, prefix) => {
    for (const layer of m.layers) {
      const p = [...prefix, layer.name];
      if (layer.layers && layer.layers.length) { visit(layer, p); continue; }
      const want = layer.weights.length;
      const entry = byPath.get(p.join('/'));
      const have = entry ? entry.weights.length : 0;
      if (want !== have)
        throw new Error(`layer ${p.join('/')}: tfjs expects ${want} weights, the model file has ${have}`);
      if (!have) continue;
      used.add(p.join('/'));
      layer.setWeights(entry.weights.map(w => {
        const count = w.shape.reduce((a, b) => a * b, 1);
        const Arr = w.dtype === 'int32' ? Int32Array : Float32Array;
        const bytes = buf.subarray(w.offset, w.offset + count * 4);
        if (bytes.length !== count * 4) throw new Error(`${spec.file}: weight data too short`);
        const aligned = new Uint8Array(bytes.length); aligned.set(bytes);
        return tf.tensor(new Arr(aligned.buffer), w.shape, w.dtype);
      }));
    }
  };
  visit(model, []);
  for (const k of byPath.keys())
    if (!used.has(k) && byPath.get(k).weights.length) throw new Error(`weights of layer ${k} have no layer in tfjs's model`);
}

// The TF ops tfjs's graph executor knows (the op lists of the pinned @tensorflow/tfjs-converter).
function tfjsGraphOps() {
  const ops = new Set();
  try {
    const dir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-converter/package.json',
      { paths: [path.join(__dirname, 'runtime')] })), 'dist', 'operations', 'op_list');
    for (const f of fs.readdirSync(dir).filter(f => f.endsWith('.js')))
      for (const op of require(path.join(dir, f)).json || []) ops.add(op.tfOpName);
  } catch (e) { return null; }
  return ops;
}

// Names every op of a graph model that tfjs has no kernel for, with counts and a first node.
function checkGraphOps(json) {
  const known = tfjsGraphOps();
  const nodes = (json.modelTopology && json.modelTopology.node) || [];
  if (!known || !nodes.length) return;
  const missing = new Map();
  for (const n of nodes) {
    if (known.has(n.op)) continue;
    const m = missing.get(n.op) || { count: 0, first: n.name };
    m.count++; missing.set(n.op, m);
  }
  if (missing.size)
    throw new Error(`TensorFlow.js has no kernel for ${[...missing].map(([op, m]) => `${op} x${m.count} (first: ${m.first})`).join(', ')}`);
}

// tfjs-layers' UpSampling2D calls resizeBilinear without half-pixel centers, where Keras (tf.image.resize) uses half-pixel centers.
// Same op, Keras's convention: the reference computes what Keras computes.
function patchKerasConventions(tf) {
  const UpSampling2D = tf.layers.upSampling2d({}).constructor;
  const call = UpSampling2D.prototype.call;
  UpSampling2D.prototype.call = function (inputs, kwargs) {
    if (this.interpolation !== 'bilinear') return call.call(this, inputs, kwargs);
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const first = this.dataFormat === 'channelsFirst';
      const nhwc = first ? tf.transpose(x, [0, 2, 3, 1]) : x;
      const size = [nhwc.shape[1] * this.size[0], nhwc.shape[2] * this.size[1]];
      const y = tf.image.resizeBilinear(nhwc, size, false, true);
      return first ? tf.transpose(y, [0, 3, 1, 2]) : y;
    });
  };
}

// Layers whose tfjs result is known to differ from Keras: comparing with them would blame the export.
// (tfjs 4.22's BatchNormalization on a non-last axis: checked against the Keras formula.)
function checkKnownDeviations(model) {
  const visit = m => {
    for (const layer of m.layers) {
      if (layer.layers && layer.layers.length) { visit(layer); continue; }
      if (layer.getClassName() === 'BatchNormalization') {
        const rank = layer.inputSpec && layer.inputSpec[0] && layer.inputSpec[0].ndim;
        const shape = layer.input && layer.input.shape;
        const r = rank || (shape && shape.length);
        const axis = Array.isArray(layer.axis) ? layer.axis[0] : layer.axis;
        if (r && axis !== -1 && axis !== r - 1)
          throw new Error(`TensorFlow.js's BatchNormalization computes a non-last axis wrongly (layer ${layer.name}, axis ${axis} of rank ${r})`);
      }
    }
  };
  visit(model);
}

async function load(tf, modelJson) {
  const json = JSON.parse(fs.readFileSync(modelJson, 'utf8'));
  if (io.isGraphModel(json)) checkGraphOps(json);
  const mp = json.modelport;
  if (!mp || !mp.layer_weights) return { loaded: await io.loadModel(tf, modelJson), mp };
  await tf.setBackend('cpu');
  const model = await tf.models.modelFromJSON({ modelTopology: json.modelTopology });
  checkKnownDeviations(model);
  setLayerWeights(tf, model, mp.layer_weights, path.dirname(modelJson));
  const loaded = {
    kind: 'layers', model,
    inputs: model.inputs.map((t, i) => ({ name: model.inputNames[i], dtype: t.dtype, shape: t.shape })),
    outputs: model.outputs.map((t, i) => ({ name: model.outputNames[i], dtype: t.dtype, shape: t.shape })),
  };
  return { loaded, mp };
}

function toTfjs(tf, t, what) {
  let { type, data } = t;
  if (type === 'int64' || type === 'int8' || type === 'int16' || type === 'uint8') {
    const out = new Int32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = Number(data[i]);
      if (v > 2147483647 || v < -2147483648) fail(`${what}: value ${v} does not fit tfjs's int32`, 2);
      out[i] = v;
    }
    return tf.tensor(out, t.dims, 'int32');
  }
  if (type === 'float64') return tf.tensor(Float32Array.from(data), t.dims, 'float32');
  if (type === 'float16') fail(`${what}: float16 inputs are not supported by tfjs`, 2);
  return tf.tensor(data, t.dims, type);
}

async function main() {
  const { model: modelJson, outdir, inputs } = parseRunArgs(process.argv.slice(2), 'tfjs_run.js MODEL.json');
  let tf;
  try { tf = io.loadTf(); patchKerasConventions(tf); } catch (e) { fail(firstLine(e)); }
  let loaded, mp;
  try { ({ loaded, mp } = await load(tf, modelJson)); } catch (e) { fail(`tfjs cannot load the model: ${firstLine(e)}`, 2); }

  // ONNX input name -> tfjs input name; outputs to fetch, in ONNX order.
  const inMap = mp ? mp.inputs : loaded.inputs.map(i => ({ name: i.name, tensor: i.name }));
  const outMap = mp ? mp.outputs : loaded.outputs.map(o => ({ name: o.name, tensor: o.name }));
  // A layers model's inputs and outputs are taken by position (tfjs may name a Sequential's input
  // differently from Keras); an input exported channel-first (--inputs-as-nchw) goes back to last.
  if (loaded.kind === 'layers' && mp) {
    if (inMap.length !== loaded.inputs.length || outMap.length !== loaded.outputs.length)
      fail(`tfjs's model has ${loaded.inputs.length} inputs and ${loaded.outputs.length} outputs, the export ${inMap.length} and ${outMap.length}`, 2);
    inMap.forEach((m, i) => { m.tensor = loaded.inputs[i].name; });
    outMap.forEach((o, i) => { o.tensor = loaded.outputs[i].name; });
  }
  const feeds = {};
  for (const m of inMap) {
    if (!(m.name in inputs)) fail(`no --input given for model input '${m.name}'`);
    let t = toTfjs(tf, readNpy(inputs[m.name]), `input '${m.name}'`);
    if (m.nchw && t.rank >= 3) t = tf.transpose(t, [0, ...Array.from({ length: t.rank - 2 }, (_, k) => k + 2), 1]);
    feeds[m.tensor] = t;
  }
  let list;
  try {
    if (loaded.kind === 'graph') {
      const r = await loaded.model.executeAsync(feeds, outMap.map(o => o.tensor));
      list = Array.isArray(r) ? r : [r];
    } else {
      const names = loaded.inputs.map(i => i.name);
      for (const n of names) if (!(n in feeds)) throw new Error(`no feed for tfjs input '${n}'`);
      const xs = names.map(n => feeds[n]);
      const r = loaded.model.predict(xs.length === 1 ? xs[0] : xs);
      const all = Array.isArray(r) ? r : [r];
      list = outMap.map(o => {
        const k = loaded.outputs.findIndex(x => x.name === o.tensor);
        if (k < 0) throw new Error(`tfjs's model has no output '${o.tensor}'`);
        return all[k];
      });
    }
  } catch (e) { fail(`tfjs cannot run the model: ${firstLine(e)}`, 2); }
  fs.mkdirSync(outdir, { recursive: true });
  const outputs = [];
  for (let i = 0; i < list.length; i++) {
    const t = list[i];
    const data = await t.data();
    if (!['float32', 'int32', 'bool'].includes(t.dtype)) fail(`output '${outMap[i].name}' has dtype ${t.dtype}, which verify cannot compare`, 2);
    const file = path.join(outdir, `output_${i}.npy`);
    writeNpy(file, t.dtype, data, t.shape);
    outputs.push({ name: outMap[i].name, file, dtype: t.dtype, dims: t.shape });
  }
  process.stdout.write(JSON.stringify({ runtime: `@tensorflow/tfjs ${tfjsVersion()} (${tf.getBackend()})`, outputs }) + '\n');
}

main().catch(e => fail(firstLine(e)));

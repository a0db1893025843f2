#!/usr/bin/env node
// ctest tfjs_real_models: real TensorFlow.js models (layers and graph, float32 / float16 / uint8
// weights) exported by modelport from their model.json and run in ONNX Runtime, compared with the
// outputs TensorFlow.js itself computes on the same input.
//
//   node tests/real_models/tfjs_export_test.js MODELPORT CACHE_DIR WORK_DIR
//
// 1. tools/real_models/fetch.js fetches the pinned, checksummed npm packages into CACHE_DIR (skip,
//    exit 77, when npm cannot be reached: tests/support/skip_policy.sh makes that a failure in CI);
// 2. tools/real_models/tfjs_reference.js records tfjs 4.22.0's outputs (cpu backend; --small
//    32x32 inputs for the super-resolution models) as CACHE/<name>/reference/*.npy;
// 3. `modelport export model.json -o m.onnx` then `modelport verify model.json m.onnx
//    --input-data IN=input.npy --expected OUT=output.npy` per model, with the tolerances below;
//    for a few, `modelport export model.json -o m.onnx --verify` too (tfjs runs the model.json).
// Exit codes: 0 every model matched, 1 a conversion, reference or comparison failed, 77 skipped.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync, spawnSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..', '..');
const TOOLS = path.join(ROOT, 'tools', 'real_models');

// Tolerances: |onnx - tfjs| <= atol + rtol * |tfjs| per element. Classifier scores and landmark
// coordinates are float32 through tens of convolutions in two different runtimes; 1e-3 relative
// holds them. The super-resolution models output 0..255 pixel values, compared to 1e-2 absolute
// (1/25 of a grey level).
const MODELS = [
  { name: 'human-antispoof', atol: 1e-4, rtol: 1e-3 },          // graph, float16 weights, _FusedConv2D, _FusedMatMul
  { name: 'human-emotion', tfjs_verify: true, atol: 1e-4, rtol: 1e-3 },            // graph, float32
  { name: 'human-iris', atol: 1e-3, rtol: 1e-3 },               // graph, Prelu, fused Prelu
  { name: 'human-liveness', tfjs_verify: true, atol: 1e-4, rtol: 1e-3 },           // graph, _FusedMatMul
  { name: 'human-facemesh', atol: 1e-3, rtol: 1e-3 },           // graph, float16, Prelu
  { name: 'human-faceres', atol: 1e-4, rtol: 1e-3 },            // graph, float16, 3 outputs
  { name: 'human-handlandmark-lite', atol: 1e-3, rtol: 1e-3 },  // graph, float16, 4 outputs
  { name: 'nsfwjs-mobilenet-v2-mid', atol: 1e-4, rtol: 1e-3 },  // graph, uint8, FusedDepthwiseConv2dNative
  { name: 'human-blazeface', atol: 1e-3, rtol: 1e-3 },          // graph, 4 outputs (box regressors, scores)
  { name: 'nsfwjs-mobilenet-v2', atol: 1e-4, rtol: 1e-3 },      // layers (Keras 2.2.4 Model), uint8
  { name: 'nsfwjs-inception-v3', atol: 1e-4, rtol: 1e-3 },      // layers, uint8, 6 weight shards
  { name: 'esrgan-slim-x2', tfjs_verify: true, atol: 1e-2, rtol: 1e-4 },           // layers (Functional), float32
  { name: 'esrgan-legacy-psnr-small', atol: 1e-2, rtol: 1e-4 }, // layers, uint8
  // A TF Object Detection API SSD: a TF1 while loop (tf.map_fn preprocessing over TensorLists) and
  // NonMaxSuppressionV5 per class. Fed the photo collage Human ships (on noise every score is ~0.05
  // and NMS would compare ties); detection indices, classes and counts must match exactly.
  { name: 'human-handtrack', photo: { size: '320x320' }, atol: 1e-4, rtol: 1e-3 },
];

function run(cmd, args) {
  return spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
}

function main() {
  const [modelport, cache, work] = process.argv.slice(2).map(p => p && path.resolve(p));
  if (!work) {
    process.stderr.write('usage: node tfjs_export_test.js MODELPORT CACHE_DIR WORK_DIR\n');
    return 1;
  }
  const only = MODELS.map(m => m.name).join(',');
  const fetch = run('node', [path.join(TOOLS, 'fetch.js'), cache, '--tier', 'all', '--only', only]);
  if (fetch.status !== 0) {
    process.stderr.write(`tfjs_real_models: fetching the models failed (npm unreachable?); skipped:\n${fetch.stderr}`);
    return 77;
  }
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const onNoise = MODELS.filter(m => !m.photo).map(m => m.name).join(',');
  const ref = run('node', [path.join(TOOLS, 'tfjs_reference.js'), cache, '--only', onNoise, '--small']);
  if (ref.status !== 0) {
    process.stderr.write(`tfjs_real_models: tfjs reference run failed:\n${ref.stdout}${ref.stderr}`);
    return 1;
  }
  // Detectors run on the real photo their package ships (decoded by Debian's python3-pil).
  for (const m of MODELS.filter(x => x.photo)) {
    m.photoNpy = path.join(work, `${m.name}.photo.npy`);
    const dec = run('/usr/bin/python3', [path.join(TOOLS, 'photo_to_npy.py'), path.join(cache, m.name, 'assets', 'sample.jpg'),
      m.photoNpy, '--size', m.photo.size]);
    const r = dec.status === 0 && run('node', [path.join(TOOLS, 'tfjs_reference.js'), cache, '--only', m.name, '--input', `0=${m.photoNpy}`]);
    if (!r || r.status !== 0) {
      process.stderr.write(`tfjs_real_models: ${m.name}: photo reference failed:\n${dec.stderr}${r ? r.stdout + r.stderr : ''}`);
      return 1;
    }
  }
  let failed = 0;
  for (const m of MODELS) {
    const dir = path.join(cache, m.name);
    const modelJson = path.join(dir, 'model.json');
    const rec = JSON.parse(fs.readFileSync(path.join(dir, 'reference', 'reference.json'), 'utf8'));
    const onnx = path.join(work, `${m.name}.onnx`);
    const exp = run(modelport, ['export', modelJson, '-o', onnx, '--quiet']);
    if (exp.status !== 0) {
      failed++;
      console.log(`FAIL ${m.name}: export exited ${exp.status}: ${exp.stderr.trim()}`);
      continue;
    }
    // tfjs names a graph model's tensors by the signature's tensor names without ":0"; the ONNX
    // names are the signature keys. Layers models use the Keras layer names on both sides.
    const sig = signatureOf(modelJson);
    const names = onnxNames(sig);
    const args = ['verify', modelJson, onnx, '--atol', String(m.atol), '--rtol', String(m.rtol)];
    // tfjs holds uint8 inputs as int32: a photo is fed to ONNX Runtime as the uint8 file it came from.
    for (const i of rec.inputs) args.push('--input-data', `${names(i.name)}=${m.photoNpy || path.join(dir, i.file)}`);
    for (const o of rec.outputs) {
      args.push('--expected', `${names(o.name)}=${asSignatureDtype(sig, o, path.join(dir, o.file), work)}`);
    }
    const v = run(modelport, args);
    const lines = (v.stdout + v.stderr).trim().split('\n').filter(l => /^verify: /.test(l));
    console.log(`${v.status === 0 ? 'ok  ' : 'FAIL'} ${m.name} (${rec.kind}, atol ${m.atol}, rtol ${m.rtol})`);
    for (const l of lines) console.log(`     ${l}`);
    if (v.status !== 0) {
      failed++;
      if (!lines.length) console.log(`     verify exited ${v.status}: ${v.stderr.trim()}`);
    }
    if (m.tfjs_verify) {  // `export --verify`: tfjs runs the model.json itself, at two batch sizes
      const t = run(modelport, ['export', modelJson, '-o', path.join(work, `${m.name}.verify.onnx`), '--verify',
        '--atol', String(m.atol), '--rtol', String(m.rtol)]);
      const passed = t.status === 0 && /passed against @tensorflow\/tfjs/.test(t.stdout + t.stderr);
      console.log(`     export --verify: ${passed ? 'passed against tfjs' : `FAILED (exit ${t.status}): ${(t.stdout + t.stderr).trim()}`}`);
      if (!passed) failed++;
    }
  }
  console.log(`${MODELS.length - failed} of ${MODELS.length} real tfjs models match tfjs`);
  return failed ? 1 : 0;
}

// tfjs may hold as int32 an output its signature declares DT_FLOAT (a Cast after a TF1 loop; the
// reference keeps what tfjs holds). The exported model follows the signature, so such a reference is
// compared as float32: a copy of the .npy with the same values (integers below 2^24, exact).
function asSignatureDtype(sig, out, file, work) {
  const spec = Object.values(sig.outputs || {}).find(s => s.name.replace(/:0$/, '') === out.name.replace(/:0$/, ''));
  if (!spec || spec.dtype !== 'DT_FLOAT' || out.dtype !== 'int32') return file;
  const npy = fs.readFileSync(file);
  const headerLen = npy.readUInt16LE(8);
  const header = npy.subarray(0, 10 + headerLen).toString('latin1');
  if (!header.includes("'<i4'")) return file;
  const body = npy.subarray(10 + headerLen);
  const ints = new Int32Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength));
  const floats = Float32Array.from(ints);
  const copy = path.join(work, `${path.basename(path.dirname(path.dirname(file)))}.${path.basename(file, '.npy')}.float32.npy`);
  fs.writeFileSync(copy, Buffer.concat([Buffer.from(header.replace("'<i4'", "'<f4'"), 'latin1'), Buffer.from(floats.buffer)]));
  return copy;
}

// A graph model's signature ({} for layers models).
function signatureOf(modelJson) {
  const doc = JSON.parse(fs.readFileSync(modelJson, 'utf8'));
  return doc.signature || (doc.userDefinedMetadata || {}).signature || {};
}

// tfjs tensor name -> ONNX name, from the model's signature (graph models).
function onnxNames(sig) {
  const map = {};
  for (const part of ['inputs', 'outputs']) {
    for (const [key, info] of Object.entries(sig[part] || {})) map[info.name.replace(/:0$/, '')] = key;
  }
  return n => map[n.replace(/:0$/, '')] || n;
}

process.exitCode = main();

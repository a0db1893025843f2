#!/usr/bin/env node
// The reference for tfjs_weights_test: decodes weights with TensorFlow.js's own
// tf.io.decodeWeights and writes every value exactly (float32 as its bit pattern).
//   node decode_weights_ref.js SPECS.json DATA.bin OUT.json
// Exit codes: 0 ok, 77 @tensorflow/tfjs is not installed, 1 anything else.
'use strict';
const fs = require('fs');
const tf = require('./tfjs_or_skip')('decode_weights_ref');
const [specsFile, dataFile, outFile] = process.argv.slice(2);
const specs = JSON.parse(fs.readFileSync(specsFile, 'utf8'));
const b = fs.readFileSync(dataFile);
const decoded = tf.io.decodeWeights(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength), specs);
const out = {};
for (const s of specs) {
  const t = decoded[s.name];
  let values;
  if (t.dtype === 'float32') values = Array.from(new Uint32Array(t.dataSync().buffer.slice(0)));
  else if (t.dtype === 'string') values = t.dataSync().map(v => Array.from(typeof v === 'string' ? Buffer.from(v, 'utf8') : v));
  else values = Array.from(t.dataSync(), Number);
  out[s.name] = { dtype: t.dtype, shape: t.shape, values };
}
fs.writeFileSync(outFile, JSON.stringify(out));

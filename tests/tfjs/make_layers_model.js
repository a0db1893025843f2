#!/usr/bin/env node
// Writes a TensorFlow.js layers model saved by tfjs-layers itself (a functional model with a
// nested Sequential model, convolutions, batch norm, pooling, dense layers; seeded random
// weights) as DIR/model.json + DIR/weights.bin, a seeded input DIR/input.npy and tfjs's
// predict() output DIR/output.npy: the reference for tfjs_layers_test.
//   node make_layers_model.js DIR
// Exit codes: 0 ok, 77 @tensorflow/tfjs is not installed, 1 anything else.
'use strict';
const fs = require('fs');
const path = require('path');
const tf = require('./tfjs_or_skip')('make_layers_model');

function npy(file, tensor) {
  const dims = tensor.shape.join(', ') + (tensor.shape.length === 1 ? ',' : '');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 255, header.length >> 8]);
  const body = Buffer.from(tensor.dataSync().buffer);
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), body]));
}

async function main() {
  const dir = path.resolve(process.argv[2]);
  fs.mkdirSync(dir, { recursive: true });
  await tf.setBackend('cpu');
  let seed = 1;
  const init = () => tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: seed++ });
  const positive = () => tf.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: seed++ });
  const inner = tf.sequential({ name: 'inner' });
  inner.add(tf.layers.conv2d({ inputShape: [6, 6, 4], filters: 5, kernelSize: 3, padding: 'valid', name: 'conv_b',
    kernelInitializer: init(), biasInitializer: init() }));
  inner.add(tf.layers.batchNormalization({ name: 'bn', gammaInitializer: positive(), betaInitializer: init(),
    movingMeanInitializer: init(), movingVarianceInitializer: positive() }));
  inner.add(tf.layers.activation({ activation: 'relu', name: 'act' }));
  inner.add(tf.layers.globalAveragePooling2d({ name: 'gap' }));
  const x = tf.input({ shape: [6, 6, 3], name: 'image' });
  const a = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'tanh', name: 'conv_a',
    kernelInitializer: init(), biasInitializer: init() }).apply(x);
  const b = inner.apply(a);
  const y = tf.layers.dense({ units: 3, activation: 'softmax', name: 'head', kernelInitializer: init(),
    biasInitializer: init() }).apply(b);
  const model = tf.model({ inputs: x, outputs: y, name: 'outer' });
  await model.save(tf.io.withSaveHandler(async (art) => {
    const json = { format: 'layers-model', generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`, convertedBy: null,
      modelTopology: art.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: art.weightSpecs }] };
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
    fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(art.weightData));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const input = tf.randomUniform([2, 6, 6, 3], -1, 1, 'float32', 7);
  npy(path.join(dir, 'input.npy'), input);
  npy(path.join(dir, 'output.npy'), model.predict(input));
}

main().catch((e) => { process.stderr.write(`make_layers_model: ${e.message}\n`); process.exitCode = 1; });

// Loads a TensorFlow.js model (model.json + weight shards) from the local file system into
// @tensorflow/tfjs (pure-JS CPU backend) and runs it. tf.io.fileSystem exists only in tfjs-node,
// which this project does not use, so this file supplies the IOHandler itself.
//
//   const io = require('./tfjs_model_io');
//   const tf = io.loadTf();                       // tools/runtime/node_modules/@tensorflow/tfjs, cpu backend
//   const m = await io.loadModel(tf, 'dir/model.json');   // {kind: 'graph'|'layers', model, inputs, outputs}
//   const outs = await io.run(tf, m, {name: tensor});     // [{name, tensor}] in the model's output order
'use strict';
const fs = require('fs');
const path = require('path');

function loadTf() {
  const candidates = [];
  if (process.env.MODELPORT_TFJS_DIR) candidates.push(path.join(process.env.MODELPORT_TFJS_DIR, 'node_modules', '@tensorflow', 'tfjs'));
  candidates.push(path.join(__dirname, '..', 'runtime', 'node_modules', '@tensorflow', 'tfjs'));
  for (const c of candidates) {
    if (fs.existsSync(path.join(c, 'package.json'))) return require(c);
  }
  throw new Error('@tensorflow/tfjs not found: run tools/setup.sh, or set MODELPORT_TFJS_DIR');
}

// An IOHandler reading model.json and the shards its weightsManifest names (paths relative to it).
function fileIOHandler(tf, modelJsonPath) {
  const dir = path.dirname(modelJsonPath);
  return {
    load: async () => {
      const json = JSON.parse(fs.readFileSync(modelJsonPath, 'utf8'));
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const buffers = [];
        for (const group of manifest) {
          for (const p of group.paths) {
            const b = fs.readFileSync(path.join(dir, p));
            buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
          }
        }
        return [tf.io.getWeightSpecs(manifest), tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}

function isGraphModel(json) {
  return json.format === 'graph-model' || (json.modelTopology && Array.isArray(json.modelTopology.node));
}

async function loadModel(tf, modelJsonPath) {
  await tf.setBackend('cpu');
  const json = JSON.parse(fs.readFileSync(modelJsonPath, 'utf8'));
  const handler = fileIOHandler(tf, modelJsonPath);
  if (isGraphModel(json)) {
    const model = await tf.loadGraphModel(handler);
    return {
      kind: 'graph', model,
      inputs: model.inputs.map(t => ({ name: t.name, dtype: t.dtype, shape: t.shape })),
      outputs: model.outputs.map(t => ({ name: t.name, dtype: t.dtype, shape: t.shape })),
    };
  }
  const model = await tf.loadLayersModel(handler, { strict: true });
  return {
    kind: 'layers', model,
    inputs: model.inputs.map((t, i) => ({ name: model.inputNames[i], dtype: t.dtype, shape: t.shape })),
    outputs: model.outputs.map((t, i) => ({ name: model.outputNames[i], dtype: t.dtype, shape: t.shape })),
  };
}

// feeds: {inputName: tf.Tensor}. Graph models run with executeAsync (needed for control flow and
// NonMaxSuppression, which tfjs only runs asynchronously).
async function run(tf, loaded, feeds) {
  const names = loaded.outputs.map(o => o.name);
  let result;
  if (loaded.kind === 'graph') {
    result = await loaded.model.executeAsync(feeds, names);
  } else {
    const xs = loaded.inputs.map(i => feeds[i.name]);
    result = loaded.model.predict(xs.length === 1 ? xs[0] : xs);
  }
  const list = Array.isArray(result) ? result : [result];
  return list.map((t, i) => ({ name: names[i], tensor: t }));
}

module.exports = { loadTf, fileIOHandler, isGraphModel, loadModel, run };

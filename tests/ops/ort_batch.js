#!/usr/bin/env node
// Runs many ONNX models in ONNX Runtime in one process (the op-case tests convert hundreds of tiny
// models; one node process each would cost more than the models). Uses tools/ort_run.js's helpers.
//
//   node tests/ops/ort_batch.js JOBS.json
//
// JOBS.json: [{"model": "m.onnx", "inputs": {"NAME": "FILE.npy", ...}, "outdir": "DIR"}, ...]
// Prints one JSON array on stdout, one entry per job in order: {"outputs": [{"name", "file"}, ...]}
// (outputs written to DIR/output_<i>.npy) or {"error": "<one line>"}. Exit code 0 unless JOBS.json
// cannot be read or ONNX Runtime is missing.
'use strict';
const fs = require('fs');
const path = require('path');
const { loadOrt, readNpy, writeNpy } = require(path.join(__dirname, '..', '..', 'tools', 'ort_run.js'));

async function runJob(ort, job) {
  const session = await ort.InferenceSession.create(job.model, { graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
  const feeds = {};
  for (const name of session.inputNames) {
    if (!(name in job.inputs)) throw new Error(`no input given for model input '${name}'`);
    const t = readNpy(job.inputs[name]);
    feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
  }
  const results = await session.run(feeds);
  fs.mkdirSync(job.outdir, { recursive: true });
  return session.outputNames.map((name, i) => {
    const t = results[name];
    const file = path.join(job.outdir, `output_${i}.npy`);
    writeNpy(file, t.type, t.data, t.dims);
    return { name, file };
  });
}

async function main() {
  const jobs = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const ort = loadOrt();
  const out = [];
  for (const job of jobs) {
    try {
      out.push({ outputs: await runJob(ort, job) });
    } catch (e) {
      out.push({ error: String(e && e.message || e).split('\n')[0] });
    }
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}
main().catch(e => { process.stderr.write(`ort_batch: ${String(e && e.message || e).split('\n')[0]}\n`); process.exit(1); });

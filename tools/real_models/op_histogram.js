#!/usr/bin/env node
// Lists the ops (graph models) or layer classes (layers models) each fetched TensorFlow.js model of
// tests/real_models/models.json uses, and which of them modelport does not translate yet.
//
//   node tools/real_models/op_histogram.js [CACHE_DIR] [--supported FILE] [--json]
//
// FILE is the output of `modelport ops` (one source op per line is enough: the first word of each
// line is taken); without it only the histogram is printed. Keras .h5 entries are not read here
// (run `modelport inspect` on them).
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const SPEC = path.join(ROOT, 'tests', 'real_models', 'models.json');
// Graph plumbing and model inputs, which no translator table lists.
const PLUMBING = new Set(['Const', 'Placeholder', 'Identity', 'NoOp', 'InputLayer']);

function histogram(json) {
  const topo = json.modelTopology || {};
  const counts = {};
  const bump = (k) => { counts[k] = (counts[k] || 0) + 1; };
  if (Array.isArray(topo.node)) {
    for (const n of topo.node) bump(n.op);
    for (const f of (topo.library && topo.library.function) || []) for (const n of f.nodeDef || []) bump(n.op);
    return { kind: 'graph', counts };
  }
  const walk = (cfg) => {
    const layers = Array.isArray(cfg.config) ? cfg.config : (cfg.config && cfg.config.layers) || [];
    for (const l of layers) {
      bump(l.class_name);
      if (l.config && (Array.isArray(l.config) || l.config.layers)) walk(l);
      if (l.config && l.config.layer) bump(l.config.layer.class_name); // wrappers
    }
  };
  walk(topo.model_config || topo);
  return { kind: 'layers', counts };
}

function main() {
  const argv = process.argv.slice(2);
  let cache = path.join(ROOT, 'build', 'real_models'); let supportedFile = null; let asJson = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--supported') supportedFile = argv[++i];
    else if (argv[i] === '--json') asJson = true;
    else cache = path.resolve(argv[i]);
  }
  const supported = supportedFile
    ? new Set(fs.readFileSync(supportedFile, 'utf8').split('\n').map(l => l.trim().split(/[\s|,]+/).filter(Boolean)).flat())
    : null;
  const spec = JSON.parse(fs.readFileSync(SPEC, 'utf8'));
  const rows = []; const blocking = {};
  for (const m of spec.models) {
    if (!m.format.startsWith('tfjs')) continue;
    const file = path.join(cache, m.name, m.file);
    if (!fs.existsSync(file)) continue;
    const h = histogram(JSON.parse(fs.readFileSync(file, 'utf8')));
    const missing = supported ? Object.keys(h.counts).filter(o => !PLUMBING.has(o) && !supported.has(o)).sort() : [];
    for (const o of missing) (blocking[o] = blocking[o] || []).push(m.name);
    rows.push({ name: m.name, kind: h.kind, ops: h.counts, missing });
  }
  if (asJson) { console.log(JSON.stringify({ models: rows, blocking }, null, 1)); return; }
  for (const r of rows) {
    const ops = Object.entries(r.ops).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}:${v}`).join(' ');
    console.log(`${r.name} [${r.kind}] ${ops}`);
    if (supported) console.log(`  missing: ${r.missing.length ? r.missing.join(', ') : '-'}`);
  }
  if (supported) {
    console.log('\nops/layers modelport lacks, by number of real models they block:');
    for (const [o, ms] of Object.entries(blocking).sort((a, b) => b[1].length - a[1].length)) console.log(`${String(ms.length).padStart(3)}  ${o}  (${ms.join(', ')})`);
  }
}

main();

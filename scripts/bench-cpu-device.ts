// Microbenchmarks behind the [M] numbers of the CPU device spec (src/engine/hardware/device/specs/cpu-*.json):
// what one onnxruntime CPU thread achieves on this machine, measured with onnxruntime-node's own profiler
// (per-kernel times, the same numbers an imported profile carries):
//   1. dispatch: the kernel time of a 1-element Add alone (the floor subtracted below), and the mean kernel time
//      in a chain of 40 kernels of 13 kinds on 8-element tensors (the fixed cost per kernel inside a graph, the
//      spec's kernel.dispatch_us: the executor's work per node, what a real model's many small kernels pay);
//   2. streaming bandwidth per cache level: fp32 Adds whose three tensors (12 bytes per element) fit the per-core
//      L2 (2 MiB), fit the last-level cache, or exceed this machine's LLC (read from /sys when it can be);
//      bandwidth = bytes / (kernel time - dispatch floor);
//   3. matrix efficiency by work size: MatMuls (weights as initializers, pre-packed as in a real model) and Convs
//      of several sizes; efficiency = FLOPs / ((kernel time - dispatch floor) x clock x FLOP/cycle), the spec's
//      one-core peak (singleCoreTurbo_GHz x flopsPerCycle_perCore.fp32; the vCPU's own clock is not known: the
//      fraction carries it), then the median per work bin: the spec's efficiency.matrixByWork_GFLOP rows;
//   4. the 1024^3 GEMM on every logical CPU (the multi-thread rate, for the record).
// Everything on intraOpNumThreads 1 unless said, all graph optimisations; a kernel's time is the trimmed mean
// (middle 60 %) over warm runs (one warm-up dropped): the profiler counts whole microseconds, and the mean of
// many runs resolves below that where a median cannot. The whole set is repeated ROUNDS times (default 5) and
// each number is the median over the rounds, with its min and max (the machine is shared: the spread says how
// noisy it was). `spec` at the end holds the values the spec takes (medians over rounds).
// Run: npm run bench:cpu-device [-- ROUNDS]   (prints one JSON object; nothing is written into the repository)
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { graph, model, node, rawOf, tensor, vi, T } from '../test/fixtures/onnx-writer';
import { loadOrt, type OrtTensor } from '../test/fixtures/ort';
import cpuSpec from '../src/engine/hardware/device/specs/cpu-xeon-8480.json';

const loaded = loadOrt();
if (!loaded) {
  console.error('bench:cpu-device: onnxruntime-node is not installed (npm ci installs it)');
  process.exit(2);
}
const ort = loaded;
const ROUNDS = Math.max(1, Number(process.argv[2] ?? 5) || 5);
/** the spec's one-core fp32 peak the efficiencies are fractions of (cpu-xeon-8480.json: max turbo x FLOP/cycle) */
const CORE_PEAK = cpuSpec.singleCoreTurbo_GHz * 1e9 * cpuSpec.flopsPerCycle_perCore.fp32;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpu-bench-'));

function write(name: string, bytes: Uint8Array): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, bytes);
  return f;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** The mean of the middle 60 % of `xs` (robust to a shared machine's outliers, unbiased for whole-us ticks). */
const trimmedMean = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const cut = Math.floor(s.length * 0.2);
  const mid = s.slice(cut, s.length - cut);
  return mid.reduce((a, b) => a + b, 0) / mid.length;
};

/** Per-run kernel time (seconds) of the kernels whose op is `opName` (summed per run): the trimmed mean over
 * `runs` profiled runs after one warm-up. */
async function kernelSeconds(
  file: string,
  feeds: Record<string, OrtTensor>,
  opName: string,
  threads: number,
  runs: number,
): Promise<number> {
  const prefix = path.join(dir, `p${Math.random().toString(36).slice(2)}`);
  const s = await ort.InferenceSession.create(file, {
    enableProfiling: true,
    profileFilePrefix: prefix,
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
  });
  for (let i = 0; i < runs + 1; i++) await s.run(feeds);
  s.endProfiling();
  await s.release();
  const f = fs.readdirSync(dir).find((x) => path.join(dir, x).startsWith(prefix) && x.endsWith('.json'));
  const events = JSON.parse(fs.readFileSync(path.join(dir, f!), 'utf8')) as {
    cat?: string;
    name?: string;
    dur?: number;
    args?: { op_name?: string };
  }[];
  fs.rmSync(path.join(dir, f!));
  const durs = events
    .filter(
      (e) => e.cat === 'Node' && e.name?.endsWith('_kernel_time') && (opName === '*' || e.args?.op_name === opName),
    )
    .map((e) => e.dur ?? 0);
  const per = durs.length / (runs + 1);
  if (!Number.isInteger(per) || per < 1)
    throw new Error(`${file}: ${durs.length} ${opName} kernels in ${runs + 1} runs`);
  const sums: number[] = [];
  for (let r = 1; r <= runs; r++) sums.push(durs.slice(r * per, (r + 1) * per).reduce((a, b) => a + b, 0));
  return trimmedMean(sums) / 1e6;
}

const weights = (name: string, dims: number[]) =>
  tensor(name, T.FLOAT, dims, {
    raw: rawOf(
      T.FLOAT,
      Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => ((i % 7) - 3) * 0.01),
    ),
  });

/** y = x @ W, W [k, n] an initializer (onnxruntime pre-packs it at session creation, as in a real model) */
async function matmul(m: number, k: number, n: number, threads = 1) {
  const file = write(
    `mm${m}x${k}x${n}.onnx`,
    model({
      graph: graph({
        nodes: [node('MatMul', ['x', 'W'], ['y'], {}, { name: 'mm' })],
        inputs: [vi('x', T.FLOAT, [m, k])],
        outputs: [vi('y', T.FLOAT, [m, n])],
        initializers: [weights('W', [k, n])],
      }),
    }),
  );
  const x = new ort.Tensor('float32', new Float32Array(m * k).fill(0.5), [m, k]);
  const flops = 2 * m * k * n;
  const runs = flops > 1e9 ? 5 : 40;
  return { flops, seconds: await kernelSeconds(file, { x }, 'MatMul', threads, runs) };
}

/** a [1, c, hw, hw] fp32 Conv, k x k, stride s, `group` groups (c for depthwise), pads k/2 */
async function conv(cin: number, cout: number, hw: number, k: number, s: number, group = 1) {
  const file = write(
    `conv${cin}-${cout}-${hw}-${k}-${s}-${group}.onnx`,
    model({
      graph: graph({
        nodes: [
          node(
            'Conv',
            ['x', 'W', 'b'],
            ['y'],
            { kernel_shape: [k, k], strides: [s, s], pads: [k >> 1, k >> 1, k >> 1, k >> 1], group },
            { name: 'conv' },
          ),
        ],
        inputs: [vi('x', T.FLOAT, [1, cin, hw, hw])],
        outputs: [vi('y', T.FLOAT, [1, cout, null, null])],
        initializers: [weights('W', [cout, cin / group, k, k]), weights('b', [cout])],
      }),
    }),
  );
  const x = new ort.Tensor('float32', new Float32Array(cin * hw * hw).fill(0.5), [1, cin, hw, hw]);
  const out = Math.floor((hw + 2 * (k >> 1) - k) / s) + 1;
  const flops = 2 * cout * out * out * (cin / group) * k * k;
  return { flops, seconds: await kernelSeconds(file, { x }, 'Conv', 1, 40) };
}

/** z = x + y over `elems` fp32 elements each: 12 bytes per element (two reads, one write) */
async function add(elems: number, runs: number) {
  const file = write(
    `add${elems}.onnx`,
    model({
      graph: graph({
        nodes: [node('Add', ['x', 'y'], ['z'], {}, { name: 'add' })],
        inputs: [vi('x', T.FLOAT, [elems]), vi('y', T.FLOAT, [elems])],
        outputs: [vi('z', T.FLOAT, [elems])],
      }),
    }),
  );
  const x = new ort.Tensor('float32', new Float32Array(elems).fill(1), [elems]);
  const y = new ort.Tensor('float32', new Float32Array(elems).fill(2), [elems]);
  return { bytes: 12 * elems, seconds: await kernelSeconds(file, { x, y }, 'Add', 1, runs) };
}

/** Kinds of the dispatch chain: element-wise and layout ops as a model's small kernels are (a constant operand
 * for the binary ones, a shape for Reshape) */
const CHAIN_OPS = [
  'Add',
  'Tanh',
  'Mul',
  'Sigmoid',
  'Sub',
  'Abs',
  'Div',
  'Exp',
  'Softmax',
  'Neg',
  'Transpose',
  'Reshape',
  'Sqrt',
];

/** Mean kernel time (seconds) per kernel of a 40-kernel chain cycling through CHAIN_OPS on [1, 8] fp32 tensors. */
async function dispatchInGraph() {
  const n = 40;
  const nodes = Array.from({ length: n }, (_, i) => {
    const op = CHAIN_OPS[i % CHAIN_OPS.length]!;
    const prev = i ? `t${i - 1}` : 'x';
    const ins = ['Add', 'Mul', 'Sub', 'Div'].includes(op) ? [prev, 'c'] : op === 'Reshape' ? [prev, 'shape'] : [prev];
    const attrs: Record<string, number | number[]> =
      op === 'Transpose' ? { perm: [0, 1] } : op === 'Softmax' ? { axis: -1 } : {};
    return node(op, ins, [i === n - 1 ? 'y' : `t${i}`], attrs, { name: `n${i}` });
  });
  const file = write(
    'chain.onnx',
    model({
      graph: graph({
        nodes,
        inputs: [vi('x', T.FLOAT, [1, 8])],
        outputs: [vi('y', T.FLOAT, [1, 8])],
        initializers: [
          tensor('c', T.FLOAT, [8], { raw: rawOf(T.FLOAT, new Array(8).fill(0.5)) }),
          tensor('shape', T.INT64, [2], { values: [1, 8] }),
        ],
      }),
    }),
  );
  const x = new ort.Tensor('float32', new Float32Array(8).fill(0.5), [1, 8]);
  return (await kernelSeconds(file, { x }, '*', 1, 40)) / n;
}

/** This machine's cache sizes (bytes) from Linux's sysfs, when it has them: L2 of cpu0 and the largest level. */
function cacheSizes(): { l2?: number; llc?: number } {
  const base = '/sys/devices/system/cpu/cpu0/cache';
  const out: { l2?: number; llc?: number } = {};
  try {
    for (const idx of fs.readdirSync(base).filter((d) => d.startsWith('index'))) {
      const read = (f: string) => fs.readFileSync(path.join(base, idx, f), 'utf8').trim();
      if (read('type') === 'Instruction') continue;
      const m = /^(\d+)K$/.exec(read('size'));
      if (!m) continue;
      const size = Number(m[1]) * 1024;
      const level = Number(read('level'));
      if (level === 2) out.l2 = size;
      if (level >= 2 && size > (out.llc ?? 0)) out.llc = size;
    }
  } catch {
    // not Linux, or no sysfs: the defaults below
  }
  return out;
}

const MiB = 2 ** 20;
const caches = cacheSizes();
const l2 = caches.l2 ?? 2 * MiB;
const llc = caches.llc ?? 105 * MiB;
/** Add sizes by level: working sets (12 bytes per element) of 1/8, 1/4 and 1/2 of L2; 4, 12 and 24 MiB (past L2,
 * inside the 8480+'s 105 MB and this machine's LLC); 48 MiB, the 'edge' (inside both LLCs on paper, but a VM shares
 * its host's LLC: shown, not used for the LLC rate); 1.5 x this machine's LLC (at least 192 MiB) */
const ADDS: { level: 'L2' | 'LLC' | 'edge' | 'DRAM'; elems: number }[] = [
  { level: 'L2', elems: Math.floor(l2 / 8 / 12 / 64) * 64 },
  { level: 'L2', elems: Math.floor(l2 / 4 / 12 / 64) * 64 },
  { level: 'L2', elems: Math.floor(l2 / 2 / 12 / 64) * 64 },
  { level: 'LLC', elems: Math.floor(MiB / 3 / 64) * 64 },
  { level: 'LLC', elems: MiB },
  { level: 'LLC', elems: 2 * MiB },
  { level: 'edge', elems: 4 * MiB },
  { level: 'DRAM', elems: Math.ceil(Math.max(1.5 * llc, 192 * MiB) / 12 / MiB) * MiB },
];
const MATMULS: [number, number, number][] = [
  [16, 64, 64],
  [32, 64, 64],
  [16, 128, 128],
  [64, 64, 64],
  [32, 128, 128],
  [16, 256, 256],
  [16, 512, 512],
  [64, 256, 256],
  [16, 1024, 1024],
  [128, 128, 128],
  [64, 512, 512],
  [256, 256, 256],
  [512, 512, 512],
  [1024, 1024, 1024],
];
const CONVS: [number, number, number, number, number, number][] = [
  // cin, cout, hw, k, stride, group
  [8, 16, 64, 3, 2, 1],
  [16, 16, 32, 3, 1, 1],
  [32, 64, 32, 1, 1, 1],
  [64, 64, 28, 3, 1, 1],
  [128, 128, 14, 3, 1, 1],
  [32, 32, 32, 3, 1, 32],
];

/** Work bins (GFLOP, lower bounds) of the matrix efficiency table: a decade split in about three per step. */
const BINS = [0, 0.0005, 0.002, 0.01, 0.1, 1];

void (async () => {
  const work: Record<string, number> = {};
  const rounds: Record<string, number>[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const row: Record<string, number> = {};
    row['dispatch'] = (await add(1, 60)).seconds;
    row['dispatch in a graph'] = await dispatchInGraph();
    for (const a of ADDS) {
      const { bytes, seconds } = await add(a.elems, a.level === 'DRAM' ? 5 : 40);
      row[`add ${a.level} ${(bytes / MiB).toFixed(2)} MiB`] = bytes / Math.max(seconds - row['dispatch'], 1e-9) / 1e9;
    }
    for (const [m, k, n] of MATMULS) {
      const { flops, seconds } = await matmul(m, k, n);
      const key = `matmul ${m}x${k}x${n} ${(flops / 1e9).toPrecision(3)} GFLOP`;
      work[key] = flops / 1e9;
      row[key] = flops / Math.max(seconds - row['dispatch'], 1e-9) / CORE_PEAK;
    }
    for (const [cin, cout, hw, k, s, g] of CONVS) {
      const { flops, seconds } = await conv(cin, cout, hw, k, s, g);
      const key = `conv ${cin}->${cout} ${hw}x${hw} k${k} s${s}${g > 1 ? ` g${g}` : ''} ${(flops / 1e9).toPrecision(3)} GFLOP`;
      work[key] = flops / 1e9;
      row[key] = flops / Math.max(seconds - row['dispatch'], 1e-9) / CORE_PEAK;
    }
    const all = await matmul(1024, 1024, 1024, os.cpus().length);
    row[`matmul 1024^3 on ${os.cpus().length} threads GFLOP/s`] = all.flops / all.seconds / 1e9;
    rounds.push(row);
  }
  const summary: Record<string, { median: number; min: number; max: number }> = {};
  for (const key of Object.keys(rounds[0]!)) {
    const xs = rounds.map((r) => r[key]!);
    const sig = (v: number) => Number(v.toPrecision(3));
    summary[key] = { median: sig(median(xs)), min: sig(Math.min(...xs)), max: sig(Math.max(...xs)) };
  }
  const med = (prefix: string) =>
    Number(
      median(
        Object.keys(summary)
          .filter((k) => k.startsWith(prefix))
          .map((k) => summary[k]!.median),
      ).toPrecision(3),
    );
  // the spec's rows: each bin's median efficiency over the kernels measured in it, capped at 1
  const rows: [number, number][] = [];
  BINS.forEach((lo, i) => {
    const hi = BINS[i + 1] ?? Infinity;
    const inBin = Object.keys(work).filter((k) => work[k]! >= lo && work[k]! < hi);
    if (inBin.length) rows.push([lo, Math.min(1, Number(median(inBin.map((k) => summary[k]!.median)).toPrecision(2)))]);
  });
  const spec = {
    'kernel.dispatch_us': Number((summary['dispatch in a graph']!.median * 1e6).toPrecision(2)),
    'cache.l2BandwidthPerCore_GBps': med('add L2 '),
    'cache.llcBandwidthPerCore_GBps': med('add LLC '),
    memoryBandwidthPerCore_GBps: med('add DRAM '),
    'efficiency.matrixByWork_GFLOP': rows.reverse(),
  };
  console.log(
    JSON.stringify(
      {
        cpu: os.cpus()[0]?.model,
        logicalCpus: os.cpus().length,
        cacheBytes: { l2, llc, fromSysfs: caches.l2 !== undefined },
        loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
        rounds: ROUNDS,
        units:
          'dispatch: seconds per kernel; add: GB/s (bytes / (kernel - dispatch)); matmul, conv: fraction of 2.0 GHz x 64',
        results: summary,
        spec,
      },
      null,
      2,
    ),
  );
  fs.rmSync(dir, { recursive: true, force: true });
})();

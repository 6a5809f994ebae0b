// Microbenchmarks behind the [M] numbers of the CPU device spec (src/engine/hardware/device/specs/cpu-*.json):
// what one onnxruntime CPU thread achieves on this machine, measured with onnxruntime-node's own profiler
// (per-kernel times, the same numbers an imported profile carries):
//   1. GEMM rate: a [M,K] x [K,N] fp32 MatMul, large enough to be compute-bound (MLAS SGEMM);
//   2. streaming bandwidth: an fp32 Add of two 64 MiB tensors (reads 128 MiB, writes 64 MiB; far past the caches);
//   3. dispatch floor: the kernel time of a 1-element Add (the executor's fixed cost per kernel).
// Each runs with intraOpNumThreads 1 (and N threads for the GEMM), 5 warm runs after one warm-up.
// Run: npm run bench:cpu-device   (prints one JSON object; nothing is written into the repository)
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { graph, model, node, tensor, vi, T } from '../test/fixtures/onnx-writer';
import { loadOrt, type OrtTensor } from '../test/fixtures/ort';

const loaded = loadOrt();
if (!loaded) {
  console.error('bench:cpu-device: onnxruntime-node is not installed (npm ci installs it)');
  process.exit(2);
}
const ort = loaded;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpu-bench-'));

function write(name: string, bytes: Uint8Array): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, bytes);
  return f;
}

/** Median per-run kernel time (seconds) of the node named `nodeName` over `runs` profiled runs after a warm-up. */
async function kernelSeconds(
  file: string,
  feeds: Record<string, OrtTensor>,
  nodeName: string,
  threads: number,
  runs = 5,
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
  }[];
  const durs = events
    .filter((e) => e.cat === 'Node' && e.name === `${nodeName}_kernel_time`)
    .map((e) => e.dur ?? 0)
    .slice(1); // the warm-up run
  durs.sort((a, b) => a - b);
  return durs[Math.floor(durs.length / 2)]! / 1e6;
}

async function gemm(m: number, k: number, n: number, threads: number) {
  const file = write(
    `gemm${m}.onnx`,
    model({
      graph: graph({
        nodes: [node('MatMul', ['a', 'b'], ['c'], {}, { name: 'mm' })],
        inputs: [vi('a', T.FLOAT, [m, k]), vi('b', T.FLOAT, [k, n])],
        outputs: [vi('c', T.FLOAT, [m, n])],
      }),
    }),
  );
  const a = new ort.Tensor('float32', new Float32Array(m * k).fill(0.5), [m, k]);
  const b = new ort.Tensor('float32', new Float32Array(k * n).fill(0.25), [k, n]);
  const s = await kernelSeconds(file, { a, b }, 'mm', threads);
  return { shape: [m, k, n], threads, seconds: s, gflops: (2 * m * k * n) / s / 1e9 };
}

async function stream(elems: number) {
  const file = write(
    'add.onnx',
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
  const s = await kernelSeconds(file, { x, y }, 'add', 1);
  return { elements: elems, bytes: 12 * elems, seconds: s, GBps: (12 * elems) / s / 1e9 };
}

async function dispatch() {
  const file = write(
    'tiny.onnx',
    model({
      graph: graph({
        nodes: [node('Add', ['x', 'one'], ['z'], {}, { name: 'add' })],
        inputs: [vi('x', T.FLOAT, [1])],
        outputs: [vi('z', T.FLOAT, [1])],
        initializers: [tensor('one', T.FLOAT, [1], { values: [1] })],
      }),
    }),
  );
  const x = new ort.Tensor('float32', new Float32Array([1]), [1]);
  return { seconds: await kernelSeconds(file, { x }, 'add', 1, 50) };
}

void (async () => {
  const out = {
    cpu: os.cpus()[0]?.model,
    logicalCpus: os.cpus().length,
    gemm1: await gemm(1024, 1024, 1024, 1),
    gemmAll: await gemm(1024, 1024, 1024, os.cpus().length),
    stream1: await stream(16 << 20),
    dispatch: await dispatch(),
  };
  console.log(JSON.stringify(out, null, 2));
  fs.rmSync(dir, { recursive: true, force: true });
})();

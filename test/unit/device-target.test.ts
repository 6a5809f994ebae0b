// The single-device target kind ("device": one CPU socket or one GPU; src/engine/hardware/device): its per-layer
// roofline against numbers worked out by hand from the specs, the CLI on the new built-ins, spec files of the
// kind, the comparison leaving devices out with a reason, and the prediction held against real onnxruntime CPU
// profiles (measured / predicted per kernel and in total).
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../../src/cli/run';
import { figureLine } from '../../src/report/comparison';
import { loadSpec, builtinTargetIds } from '../../src/engine/hardware';
import { devicePeaks, type DeviceSpec } from '../../src/engine/hardware/device/spec';
import { kernelsOf, levelOf, matrixEfficiency } from '../../src/engine/hardware/device/model';
import { hardwareSpecSchema } from '../../src/engine/hardware/schema';
import { TARGET_KINDS } from '../../src/engine/hardware';
import { readModelFile } from '../../src/engine/onnx/reader';
import { profileModel } from '../../src/engine/profile';
import { defaultRunOptions } from '../../src/engine/options';
import { resultOfKind } from '../../src/engine/hardware/types';
import { parseOrtProfile, precisionOfDtype } from '../../src/measured/ortProfile';
import { matchMeasured } from '../../src/measured/match';
import { joinMeasured, ratioOf } from '../../src/measured/compare';
import { nodeFactsOf } from '../../src/measured/facts';
import type { MeasuredMessage } from '../../src/shared/protocol';
import { T, graph, model, node, tensor, vi } from '../fixtures/onnx-writer';
import { cnnModel } from '../fixtures/cnn';
import { projectRoot } from '../fixtures/paths';
import { cnnFeeds, loadOrt, ortProfileFile, sampleFeeds } from '../fixtures/ort';
import type { Node } from '../../src/engine/onnx/ir';

function run(args: string[]): { code: number; out: string; err: string } {
  let out = '',
    err = '';
  const code = runCli(
    args,
    (s) => (out += s),
    (s) => (err += s),
  );
  return { code, out, err };
}

function tmp(name: string, bytes: Uint8Array | string): string {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'device-')), name);
  fs.writeFileSync(f, bytes);
  return f;
}

/** y = x @ W: x [2048, 1024] fp32, W [1024, 1024] fp32 (an initializer without data: the engine needs dims only) */
const gemmFile = () =>
  tmp(
    'gemm.onnx',
    model({
      graph: graph({
        nodes: [node('MatMul', ['x', 'W'], ['y'], {}, { name: '/fc/MatMul' })],
        inputs: [vi('x', T.FLOAT, [2048, 1024])],
        outputs: [vi('y', T.FLOAT, [2048, 1024])],
        initializers: [tensor('W', T.FLOAT, [1024, 1024])],
      }),
    }),
  );

/** z = x + y over 16 Mi fp32 elements each: 1 FLOP per element, 192 MiB moved */
const addFile = () =>
  tmp(
    'add.onnx',
    model({
      graph: graph({
        nodes: [node('Add', ['x', 'y'], ['z'], {}, { name: '/add/Add' })],
        inputs: [vi('x', T.FLOAT, [1, 16 << 20]), vi('y', T.FLOAT, [1, 16 << 20])],
        outputs: [vi('z', T.FLOAT, [1, 16 << 20])],
      }),
    }),
  );

/** z = x + y over `n` fp32 elements each (12 bytes per element: two reads, one write) */
const smallAdd = (n: number) =>
  tmp(
    `add${n}.onnx`,
    model({
      graph: graph({
        nodes: [node('Add', ['x', 'y'], ['z'], {}, { name: '/add/Add' })],
        inputs: [vi('x', T.FLOAT, [1, n]), vi('y', T.FLOAT, [1, n])],
        outputs: [vi('z', T.FLOAT, [1, n])],
      }),
    }),
  );

/** y = x @ W with x [m, k], W [k, n] */
const matmulFile = (m: number, k: number, n: number) =>
  tmp(
    `mm${m}x${k}x${n}.onnx`,
    model({
      graph: graph({
        nodes: [node('MatMul', ['x', 'W'], ['y'], {}, { name: '/fc/MatMul' })],
        inputs: [vi('x', T.FLOAT, [m, k])],
        outputs: [vi('y', T.FLOAT, [m, n])],
        initializers: [tensor('W', T.FLOAT, [k, n])],
      }),
    }),
  );

const xeon = () => loadSpec('cpu-xeon-8480').spec as unknown as DeviceSpec;

/** the table row for a work size, read by hand: the row with the largest threshold <= size */
const rowFor = (gflop: number) =>
  [...xeon().efficiency.matrixByWork_GFLOP!].sort((a, b) => b[0] - a[0]).find(([g]) => gflop >= g)![1];

function deviceReport(file: string, args: string[]) {
  const r = run([file, '--format', 'json', ...args]);
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out.trim());
}

const close = (a: number, b: number, rel = 1e-6) => assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${a} vs ${b}`);

describe('device roofline by hand', () => {
  test('a GEMM-bound layer on 4 cores of the Xeon 8480+ spec', () => {
    const rep = deviceReport(gemmFile(), ['--target', 'cpu-xeon-8480', '--precision', 'fp32', '--threads', '4']);
    const t = rep.targets[0];
    assert.equal(t.kind, 'device');
    assert.equal(t.processor, 'cpu');
    assert.equal(t.cores, 4);
    const l = t.layers[0];
    const spec = xeon();
    // FLOPs 2 x 2048 x 1024 x 1024, 1.07 GFLOP per core; peak 4 cores x 2.0 GHz (base: more than one core)
    // x 64 FLOP/cycle = 512 GFLOP/s, x the table's row for >= 1 GFLOP per core
    const flops = 2 * 2048 * 1024 * 1024;
    assert.equal(matrixEfficiency(spec, flops, 4), rowFor(flops / 4 / 1e9));
    const compute = flops / (4 * 2.0e9 * 64 * rowFor(1.07));
    // bytes: x 8 MiB + y 8 MiB + W 4 MiB = 20 MiB: past 4 cores' L2 (4 x 2 MiB), inside the 105 MiB LLC, which
    // 4 cores stream at 4 x the per-core LLC rate
    const bytes = 8 * 2 ** 20 + 8 * 2 ** 20 + 4 * 2 ** 20;
    const memory = bytes / (4 * spec.cache!.llcBandwidthPerCore_GBps * 1e9);
    assert.ok(compute > memory, 'compute-bound');
    close(l.detail.computeSeconds, compute);
    close(l.detail.memorySeconds, memory);
    assert.equal(l.detail.kernels, 1);
    close(l.seconds, compute + spec.kernel.dispatch_us * 1e-6); // + one dispatch
    assert.equal(l.bound, 'compute');
    close(t.stepSeconds, compute + spec.kernel.dispatch_us * 1e-6);
    assert.equal(t.throughput.unit, 'samples/s');
  });

  test('the same GEMM on one H100 in fp16: tensor-core rate, HBM, one host launch', () => {
    const t = deviceReport(gemmFile(), ['--target', 'h100-sxm', '--precision', 'fp16']).targets[0];
    const l = t.layers[0];
    const compute = (2 * 2048 * 1024 * 1024) / (989.4e12 * 0.803);
    // fp16 activations (half the graph's fp32 bytes) and fp16 weights: 4 + 4 + 2 MiB
    const memory = (10 * 2 ** 20) / (3350e9 * 0.9);
    close(l.detail.computeSeconds, compute);
    close(l.detail.memorySeconds, memory);
    close(l.seconds, 3.6e-6 + Math.max(compute, memory));
    assert.equal(l.bound, 'compute');
    assert.equal(t.cores, undefined);
  });

  test('a memory-bound layer: one thread streams at its per-core bandwidth, not the socket wire rate', () => {
    const t = deviceReport(addFile(), ['--target', 'cpu-xeon-8480', '--precision', 'fp32', '--threads', '1'])
      .targets[0];
    const l = t.layers[0];
    const n = 16 * 2 ** 20;
    const perCore = xeon().memoryBandwidthPerCore_GBps!;
    // 1 FLOP per element at the vector rate of one core at its 3.8 GHz max turbo
    const compute = n / (3.8e9 * 64 * xeon().efficiency.vector);
    // two reads and a write (192 MiB: past the 105 MiB LLC), what one core measured streaming from DRAM
    const memory = (3 * 4 * n) / (perCore * 1e9);
    close(l.detail.computeSeconds, compute);
    close(l.detail.memorySeconds, memory);
    close(l.seconds, xeon().kernel.dispatch_us * 1e-6 + memory);
    assert.equal(l.bound, 'memory');
    // every core: the socket's wire rate 307.2 GB/s at STREAM's 0.8 caps what 56 cores could pull
    assert.ok(56 * perCore > 307.2 * 0.8);
    const all = deviceReport(addFile(), ['--target', 'cpu-xeon-8480', '--precision', 'fp32']).targets[0];
    close(all.layers[0].detail.memorySeconds, (3 * 4 * n) / (307.2e9 * 0.8));
    assert.equal(all.cores, 56);
  });

  test('peaks follow cores x clock x FLOP/cycle and channels x MT/s x width; a missing precision falls back, said', () => {
    const spec = loadSpec('cpu-xeon-8480').spec as unknown as DeviceSpec;
    const p = devicePeaks(spec, 'fp32');
    close(p.matrixFlops, 56 * 2.0e9 * 64);
    close(p.bandwidth, 8 * 4800e6 * 8 * 0.8);
    // one core: the datasheet's 3.8 GHz max turbo
    close(devicePeaks(spec, 'fp32', 1).matrixFlops, 3.8e9 * 64);
    const bf16 = devicePeaks(spec, 'bf16', 2);
    close(bf16.matrixFlops, 2 * 2.0e9 * 1024); // AMX tiles
    const fp8 = devicePeaks(spec, 'fp8', 2);
    assert.equal(fp8.computePrecision, 'bf16');
    assert.ok(fp8.notes.some((n) => /no fp8 rate/.test(n)));
    const many = devicePeaks(spec, 'fp32', 500);
    assert.equal(many.cores, 56);
  });

  test('cache levels: a working set that fits L2 streams at the L2 rate, one that fits the LLC at the LLC rate', () => {
    const c = xeon().cache!;
    const levels = devicePeaks(xeon(), 'fp32', 1).levels;
    assert.deepEqual(
      levels.map((l) => l.name),
      ['L2', 'LLC', 'DRAM'],
    );
    assert.equal(levelOf(levels, 2 * 2 ** 20).name, 'L2');
    assert.equal(levelOf(levels, 2 * 2 ** 20 + 1).name, 'LLC');
    assert.equal(levelOf(levels, 105 * 2 ** 20 + 1).name, 'DRAM');
    // 32 Ki elements: 384 KiB moved, inside one core's 2 MiB L2
    const l2 = deviceReport(smallAdd(32768), ['--target', 'cpu-xeon-8480', '--precision', 'fp32', '--threads', '1'])
      .targets[0];
    close(l2.layers[0].detail.memorySeconds, (12 * 32768) / (c.l2BandwidthPerCore_GBps * 1e9));
    assert.ok(
      l2.notes.some((n: string) => /memory level .*: L2 1/.test(n)),
      l2.notes.join('\n'),
    );
    // 1 Mi elements: 12 MiB, past L2, inside the LLC; on 2 cores twice the per-core LLC rate
    const llc = deviceReport(smallAdd(2 ** 20), ['--target', 'cpu-xeon-8480', '--precision', 'fp32', '--threads', '2'])
      .targets[0];
    close(llc.layers[0].detail.memorySeconds, (12 * 2 ** 20) / (2 * c.llcBandwidthPerCore_GBps * 1e9));
    // L2 is per core: 8 cores hold 16 MiB, so the same 12 MiB streams from their L2s
    const l2x8 = deviceReport(smallAdd(2 ** 20), ['--target', 'cpu-xeon-8480', '--precision', 'fp32', '--threads', '8'])
      .targets[0];
    close(l2x8.layers[0].detail.memorySeconds, (12 * 2 ** 20) / (8 * c.l2BandwidthPerCore_GBps * 1e9));
    // the levels are ordered: each faster than the one past it
    assert.ok(c.l2BandwidthPerCore_GBps > c.llcBandwidthPerCore_GBps);
    assert.ok(c.llcBandwidthPerCore_GBps > xeon().memoryBandwidthPerCore_GBps!);
  });

  test('matrix efficiency by work: a small GEMM runs at the small row, a large one at the large row', () => {
    const spec = xeon();
    const oneCore = ['--target', 'cpu-xeon-8480', '--precision', 'fp32', '--threads', '1'];
    // [16, 64] x [64, 64]: 131 kFLOP, the smallest row; one core at 3.8 GHz x 64 FLOP/cycle
    const small = deviceReport(matmulFile(16, 64, 64), oneCore).targets[0];
    const f = 2 * 16 * 64 * 64;
    close(small.layers[0].detail.computeSeconds, f / (3.8e9 * 64 * rowFor(f / 1e9)));
    const big = deviceReport(matmulFile(512, 512, 512), oneCore).targets[0];
    const F = 2 * 512 ** 3;
    close(big.layers[0].detail.computeSeconds, F / (3.8e9 * 64 * rowFor(F / 1e9)));
    assert.ok(rowFor(f / 1e9) < rowFor(F / 1e9), 'a small GEMM reaches less of the peak');
    // a spec without a table keeps its single large-kernel fraction, one without caches streams from DRAM only
    const plain: DeviceSpec = { ...spec, cache: undefined, efficiency: { matrix: 0.5, vector: 0.5, memory: 0.8 } };
    assert.equal(matrixEfficiency(plain, f), 0.5);
    const levels = devicePeaks(plain, 'fp32', 1).levels;
    assert.deepEqual(
      levels.map((l) => [l.name, l.capacity]),
      [['DRAM', Infinity]],
    );
    close(levels[0]!.bandwidth, spec.memoryBandwidthPerCore_GBps! * 1e9);
  });

  test('kernels a runtime dispatches: activations folded into the GEMM/Conv before them, constants elided', () => {
    const n = (opType: string): Node => ({
      name: opType,
      opType,
      domain: '',
      inputs: [],
      outputs: [],
      attrs: {},
      index: 0,
    });
    assert.equal(kernelsOf([n('Conv'), n('BatchNormalization'), n('Relu')]), 1);
    assert.equal(kernelsOf([n('MatMul'), n('Add'), n('Gelu')]), 2);
    assert.equal(kernelsOf([n('Constant'), n('Reshape'), n('Transpose')]), 2);
    assert.equal(kernelsOf([n('Softmax'), n('Relu')]), 2);
    // MatMul + Add becomes one Gemm only when the MatMul's left input is 2-D or fixed at load time
    const mm = { ...n('MatMul'), inputs: ['a', 'W'] };
    assert.equal(
      kernelsOf([mm, n('Add')], () => ({ rank: 2, fixed: false })),
      1,
    );
    assert.equal(
      kernelsOf([mm, n('Add')], () => ({ rank: 3, fixed: true })),
      1,
    );
    assert.equal(
      kernelsOf([mm, n('Add')], () => ({ rank: 3, fixed: false })),
      2,
    );
    assert.equal(
      kernelsOf([n('Conv'), n('Add')], () => ({ rank: 4, fixed: false })),
      1,
    );
  });
});

describe('device targets in the CLI and in spec files', () => {
  test('--target accepts the CPU and single-GPU built-ins; they are not in the default list', () => {
    for (const id of ['cpu-xeon-8480', 'h100-sxm', 'a100-sxm']) assert.ok(builtinTargetIds().includes(id), id);
    const rep = deviceReport(path.join(projectRoot(), 'media', 'sample', 'tiny-gpt.onnx'), [
      '--target',
      'cpu-xeon-8480',
      '--target',
      'h100-sxm',
      '--target',
      'a100-sxm',
      '--dim',
      'seq=16',
    ]);
    assert.deepEqual(
      rep.targets.map((t: { id: string; kind: string; processor: string }) => [t.id, t.kind, t.processor]),
      [
        ['cpu-xeon-8480', 'device', 'cpu'],
        ['h100-sxm', 'device', 'gpu'],
        ['a100-sxm', 'device', 'gpu'],
      ],
    );
    for (const t of rep.targets) {
      assert.ok(t.stepSeconds > 0 && t.throughput.value > 0 && t.fits, t.id);
      assert.equal(t.layers.length, rep.layers.length);
      assert.ok(t.grid && t.grid.kind === 'device' && t.grid.share.length === t.layers.length);
    }
    // devices are not compared with each other across kinds, nor with systems
    assert.equal(rep.comparison, undefined);
    const def = deviceReport(path.join(projectRoot(), 'media', 'sample', 'tiny-gpt.onnx'), ['--dim', 'seq=16']);
    assert.deepEqual(
      def.targets.map((t: { id: string }) => t.id),
      ['wse3', 'h100-dgx'],
    );
  });

  test('a device next to systems is left out of the comparison with the reason stated', () => {
    const rep = deviceReport(path.join(projectRoot(), 'media', 'sample', 'tiny-gpt.onnx'), [
      '--target',
      'wse3',
      '--target',
      'h100-dgx',
      '--target',
      'cpu-xeon-8480',
      '--dim',
      'seq=16',
    ]);
    const c = rep.comparison;
    assert.deepEqual(
      c.targets.map((t: { id: string }) => t.id),
      ['wse3', 'h100-dgx'],
    );
    assert.ok(
      c.notes.some((n: string) => /cpu-xeon-8480 .*left out of the comparison/.test(n)),
      c.notes.join('\n'),
    );
    assert.doesNotMatch(c.verdict, /Xeon|cpu-xeon/);
    // its figures line (verdict panel, table report) says so instead of "energy unknown, cost unknown"
    const cpu = rep.targets.find((t: { id: string }) => t.id === 'cpu-xeon-8480');
    assert.match(figureLine(cpu), /one device: not compared with the systems/);
    assert.doesNotMatch(figureLine(cpu), /unknown/);
    // the table report and CSV still list it
    const table = run([path.join(projectRoot(), 'media', 'sample', 'tiny-gpt.onnx'), '--target', 'cpu-xeon-8480']);
    assert.equal(table.code, 0, table.err);
    assert.match(table.out, /one CPU socket \(56 of 56 cores\)/);
    const csv = run([
      path.join(projectRoot(), 'media', 'sample', 'tiny-gpt.onnx'),
      '--target',
      'h100-sxm',
      '--format',
      'csv',
    ]);
    assert.equal(csv.code, 0, csv.err);
    assert.match(csv.out, /h100-sxm/);
  });

  test('--threads must be a positive integer (exit 2); a device spec file works; a bad one names the field', () => {
    const gemm = gemmFile();
    const bad = run([gemm, '--target', 'cpu-xeon-8480', '--threads', '0']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--threads/);
    const mine = JSON.parse(JSON.stringify(loadSpec('cpu-xeon-8480').spec));
    mine.id = 'my-laptop';
    mine.name = 'My laptop';
    mine.cores_count = 8;
    const file = tmp('laptop.hwspec.json', JSON.stringify(mine));
    const t = deviceReport(gemm, ['--target', file, '--precision', 'fp32']).targets[0];
    assert.equal(t.id, 'my-laptop');
    assert.equal(t.cores, 8);
    mine.processor = 'tpu';
    const r = run([gemm, '--target', tmp('bad.json', JSON.stringify(mine))]);
    assert.equal(r.code, 1);
    assert.match(r.err, /field 'processor' must be "cpu" or "gpu"/);
    delete mine.processor;
    mine.processor = 'gpu';
    const r2 = run([gemm, '--target', tmp('bad2.json', JSON.stringify(mine))]);
    assert.match(r2.err, /field 'matrix_TFLOPS' must be an object/);
    // the cache and the matrix table are checked too, naming the field
    const cpu = JSON.parse(JSON.stringify(loadSpec('cpu-xeon-8480').spec));
    cpu.cache.l2PerCore_MiB = -2;
    const r3 = run([gemm, '--target', tmp('bad3.json', JSON.stringify(cpu))]);
    assert.equal(r3.code, 1);
    assert.match(r3.err, /field 'cache.l2PerCore_MiB' must not be negative/);
    cpu.cache.l2PerCore_MiB = 2;
    cpu.efficiency.matrixByWork_GFLOP = [[0, 1.4]];
    const r4 = run([gemm, '--target', tmp('bad4.json', JSON.stringify(cpu))]);
    assert.equal(r4.code, 1);
    assert.match(r4.err, /matrixByWork_GFLOP\[0\]\[1\]' must be a number in \(0, 1\]/);
    cpu.efficiency.matrixByWork_GFLOP = [[0.5]];
    assert.match(
      run([gemm, '--target', tmp('bad5.json', JSON.stringify(cpu))]).err,
      /must be a \[GFLOP, efficiency\] pair/,
    );
  });

  test('the spec schema has a branch for kind "device" with the built-ins\' keys and their sources', () => {
    const schema = hardwareSpecSchema(TARGET_KINDS) as {
      properties: { kind: { enum: string[] } };
      allOf: {
        if: { properties: { kind: { const: string } } };
        then: { properties: Record<string, unknown>; required: string[] };
      }[];
    };
    assert.ok(schema.properties.kind.enum.includes('device'));
    const dev = schema.allOf.find((b) => b.if.properties.kind.const === 'device')!;
    for (const k of ['processor', 'memory_GiB', 'kernel', 'efficiency', 'cores_count', 'matrix_TFLOPS'])
      assert.ok(k in dev.then.properties, k);
    // CPU-only and GPU-only keys are optional; the common ones required
    assert.ok(dev.then.required.includes('efficiency') && !dev.then.required.includes('cores_count'));
  });

  test('every number of every built-in device spec cites a source', () => {
    for (const id of builtinTargetIds().filter((i) => loadSpec(i).kind === 'device')) {
      const s = loadSpec(id).spec as Record<string, unknown>;
      const sources = s.sources as Record<string, string>;
      const leaves = (o: Record<string, unknown>, pre = ''): string[] =>
        Object.entries(o).flatMap(([k, v]) =>
          k === 'sources' || k === 'notes'
            ? []
            : typeof v === 'number'
              ? [pre + k]
              : Array.isArray(v)
                ? [pre + k] // a table cites one source
                : v && typeof v === 'object'
                  ? leaves(v as Record<string, unknown>, `${pre}${k}.`)
                  : [],
        );
      for (const f of leaves(s)) assert.ok(sources[f], `${id}: ${f} has a source`);
    }
  });
});

const ort = loadOrt();
const skip = ort ? false : 'onnxruntime-node is not installed (npm ci installs it): no real profile to compare with';

/** Measured vs predicted for a real profile of `file` on the CPU device target, as the measured view joins them:
 * the profile as onnxruntime writes it (5 runs, the cold first one included) and its 4 warm runs alone. */
async function measuredVsPredicted(
  file: string,
  feeds: Parameters<typeof ortProfileFile>[2],
  dims: Record<string, number>,
) {
  const pf = await ortProfileFile(ort!, file, feeds, 1, 5);
  const text = fs.readFileSync(pf, 'utf8');
  const all = joinProfile(file, text, dims, 'include');
  const warm = joinProfile(file, text, dims);
  assert.equal(warm.runs, all.runs - 1, 'the measured view leaves the cold first run out');
  return { ...all, warm: warm.join };
}

function joinProfile(file: string, text: string, dims: Record<string, number>, firstRun?: 'include') {
  const prof = parseOrtProfile(text, 'p.json', { firstRun });
  assert.equal(prof.device, 'cpu');
  assert.equal(prof.threads, 1, 'one intra-op thread, read from the profile');
  const precision = precisionOfDtype(prof.dtype);
  assert.equal(precision, 'fp32');
  const { report, analysis } = profileModel(readModelFile(file), {
    ...defaultRunOptions(),
    targets: ['cpu-xeon-8480'],
    precision: precision!,
    threads: prof.threads,
    dims,
  });
  const target = resultOfKind(report.targets?.[0], 'device');
  const facts = nodeFactsOf(analysis);
  const dimsOf = new Map(facts.map((n) => [n.outputs[0] ?? '', n.outputDims ?? null]));
  const match = matchMeasured(prof.nodes, facts, (t) => dimsOf.get(t) ?? null);
  const m: MeasuredMessage = {
    type: 'measured' as MeasuredMessage['type'],
    source: 'p.json',
    nodes: match.nodes,
    runs: prof.runs,
    device: prof.device,
    coverage: match.coverage,
    prediction: { spec: 'cpu-xeon-8480', generic: true, threads: 1, precision: 'fp32', target },
  };
  return { join: joinMeasured(m, facts, report, []), target, runs: prof.runs };
}

describe('prediction against real onnxruntime CPU profiles', { skip }, () => {
  let cnnFile = '';
  before(() => {
    cnnFile = tmp('cnn.onnx', cnnModel());
  });

  for (const which of ['CNN', 'GPT sample'] as const) {
    test(`${which}: every matched kernel has a prediction on the CPU target; the total ratio is finite`, async () => {
      const { join, target, warm } =
        which === 'CNN'
          ? await measuredVsPredicted(cnnFile, cnnFeeds(ort!), { batch: 1 })
          : await measuredVsPredicted(
              path.join(projectRoot(), 'media', 'sample', 'tiny-gpt.onnx'),
              sampleFeeds(ort!, 16),
              {
                batch: 1,
                seq: 16,
              },
            );
      assert.equal(join.target, target, 'the CPU device target is the one compared');
      assert.equal(target.cores, 1);
      const matched = join.rows.filter((r) => r.layer !== null);
      assert.ok(matched.length > 5);
      for (const r of matched) assert.ok(r.predicted !== null && r.predicted > 0, `${r.name} predicted`);
      // what this machine measured against the generic spec's prediction (printed for the record; the band is wide
      // on purpose: the spec is generic and the machine is shared): as written (5 runs, the cold one included) and
      // the 4 warm runs alone
      for (const [runs, j] of [
        ['5 runs', join],
        ['warm runs', warm],
      ] as const) {
        const rows = j.rows.filter((r) => r.layer !== null);
        const t = j.totals;
        const ratio = ratioOf(t.matchedMeasured, t.matchedPredicted)!;
        const whole = ratioOf(t.measured, t.predictedStep)!;
        const per = rows.map((r) => r.measured / r.predicted!).sort((a, b) => a - b);
        const med = per[Math.floor(per.length / 2)]!;
        console.log(
          `# ${which} (${runs}): measured ${(t.matchedMeasured * 1e6).toFixed(0)} us, predicted ${(t.matchedPredicted * 1e6).toFixed(0)} us: measured/predicted ${ratio.toFixed(2)}; whole run ${whole.toFixed(2)}; per kernel (${per.length}) min ${per[0]!.toFixed(2)} median ${med.toFixed(2)} max ${per[per.length - 1]!.toFixed(2)}`,
        );
        if (process.env.DEVICE_KERNELS)
          for (const r of rows)
            console.log(
              `#   ${r.opType} ${r.name}: measured ${(r.measured * 1e6).toFixed(1)} us, predicted ${(r.predicted! * 1e6).toFixed(1)} us (${(r.measured / r.predicted!).toFixed(2)})`,
            );
        assert.ok(ratio > 0.1 && ratio < 10, `ratio ${ratio}`);
      }
    });
  }

  test('never across kinds: a GPU target is not used for a CPU profile', async () => {
    const pf = await ortProfileFile(ort!, cnnFile, cnnFeeds(ort!));
    const prof = parseOrtProfile(fs.readFileSync(pf, 'utf8'));
    const { report, analysis } = profileModel(readModelFile(cnnFile), {
      ...defaultRunOptions(),
      targets: ['h100-sxm', 'wse3'],
      dims: { batch: 1 },
    });
    const facts = nodeFactsOf(analysis);
    const match = matchMeasured(prof.nodes, facts);
    const m = {
      type: 'measured',
      source: 'p.json',
      nodes: match.nodes,
      runs: prof.runs,
      device: prof.device,
      coverage: match.coverage,
    } as MeasuredMessage;
    const j = joinMeasured(m, facts, report, report.targets!.filter((t) => !('error' in t)) as never);
    assert.equal(j.target, undefined);
    assert.ok(j.rows.every((r) => r.predicted === null));
  });
});

// Single-GPU fidelity: the h100-dgx predictions for the corpus torch models (ResNet-50, ViT-B/16, BERT-base
// seq 128, GPT-2 small seq 1024; 1 GPU, inference, tp = pp = dp = 1) against real times measured on the lent
// H100 by scripts/bench-gpu-layers.py (test/corpus/data/h100-measured.json: plain PyTorch, random weights,
// eager kernels; the whole forward replayed from a CUDA graph, kernels attributed to layer roles by
// torch.profiler). Prints the whole-forward table, the per-group table (conv / GEMM / attention matmuls /
// softmax / norm + elementwise / kernels the engine's fused layers do not have) and an isolated-GEMM table, and
// asserts the tolerances docs/GPU-MODEL.md states. The h100-dgx GEMM constants (efficiency table, GEMM minimum,
// unaligned ceiling) were fitted to the isolated GEMM sweep only; nothing was fitted to the model rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { readModelFile } from '../../src/engine/onnx/reader';
import { analyseFor, profileModel } from '../../src/engine/profile';
import { defaultRunOptions, type RunOptions } from '../../src/engine/options';
import { resultOfKind, type Precision } from '../../src/engine/hardware/types';
import { loadSpec } from '../../src/engine/hardware';
import { buildContext } from '../../src/engine/hardware/gpu/mapper';
import { blockShape, evaluate, outsideLayers } from '../../src/engine/hardware/gpu/plan';
import { planOf } from '../fixtures/plan';
import { genericForward } from '../../src/engine/hardware/gpu/generic';
import { blockForward, embeddingForward, headForward } from '../../src/engine/hardware/gpu/megatron';
import { deviceFor, gemmAligned, kernelTime } from '../../src/engine/hardware/gpu/roofline';
import type { Work } from '../../src/engine/hardware/gpu/work';
import { projectRoot, sharedDir, SKIP_NO_SHARED } from '../fixtures/paths';

type Group = 'conv' | 'gemm' | 'attn-matmul' | 'softmax' | 'norm+elementwise' | 'unmodelled';
const GROUPS: Group[] = ['conv', 'gemm', 'attn-matmul', 'softmax', 'norm+elementwise', 'unmodelled'];

interface MeasuredRun {
  model: string;
  dtype: 'float16' | 'float32';
  batch: number;
  seq: number | null;
  variant: string;
  graph_ms: number;
  graph_ms_repeat: number;
  eager_ms: number;
  kernel_ms: number;
  kernels_per_forward: number;
  by_label: Record<string, [number, number]>;
  by_role: Record<string, Partial<Record<'matrix' | 'other', [number, number]>>>;
}

interface GemmPoint {
  M: number;
  K: number;
  N: number;
  us: number;
}

/** Roles of scripts/bench-gpu-layers.py whose main kernel is a matrix (GEMM / convolution / attention) kernel. */
const MATRIX_ROLE: Record<string, Group> = {
  conv: 'conv',
  patch: 'conv',
  qkv: 'gemm',
  oproj: 'gemm',
  up: 'gemm',
  down: 'gemm',
  'lm-head': 'gemm',
  fc: 'gemm',
  head: 'gemm',
  pooler: 'gemm',
  scores: 'attn-matmul',
  context: 'attn-matmul',
  'attn-fused': 'attn-matmul',
};

/** Measured kernel seconds per group. In a matrix role only the matrix kernels count for its group; the rest
 * there (PyTorch's separate conv-bias add, cuDNN's NCHW <-> NHWC transposes, the scale and contiguous copies
 * around the attention matmuls, memsets) are 'unmodelled', as are the head split / merge copies and ResNet's
 * ReLU and residual add, which the engine fuses into the convolution layer (the ONNX layer Conv+Add+Relu), and
 * eager PyTorch's separate mask passes before the softmax: the engine costs one fused scale-mask-softmax kernel
 * (as a fused runtime runs it), compared with PyTorch's softmax kernel, which reads and writes the scores once
 * as the fused kernel does. */
function measuredGroups(run: MeasuredRun): Record<Group, number> {
  const g = emptyGroups();
  for (const [role, cls] of Object.entries(run.by_role)) {
    const mg = MATRIX_ROLE[role];
    if (!mg) continue;
    g[mg] += (cls.matrix?.[0] ?? 0) * 1e-6;
    g.unmodelled += (cls.other?.[0] ?? 0) * 1e-6;
  }
  for (const [label, [us]] of Object.entries(run.by_label)) {
    const [role, inst] = label.split('|');
    if (MATRIX_ROLE[role]) continue;
    const s = us * 1e-6;
    if (
      role === 'split-heads' ||
      role === 'merge-heads' ||
      role === 'relu' ||
      role === 'add' ||
      (role === 'mask' && inst !== 'extended')
    )
      g.unmodelled += s;
    else if (role === 'softmax') g.softmax += s;
    else g['norm+elementwise'] += s; // norms, GeLU, residual adds, embeddings, pooling, BERT's mask preparation
  }
  return g;
}

/** The engine's kernel roles (megatron.ts) by group. */
function predictedRoleGroup(role: string): Group {
  if (['qkv', 'oproj', 'up', 'down', 'lm-head'].includes(role)) return 'gemm';
  if (role === 'scores' || role === 'context') return 'attn-matmul';
  if (role === 'softmax') return 'softmax';
  return 'norm+elementwise';
}

/** Analysis layer kinds by group (layers outside the transformer blocks, and graphs without the pattern). */
function layerKindGroup(kind: string): Group {
  if (kind === 'conv') return 'conv';
  if (kind === 'matmul') return 'gemm';
  if (kind === 'attention') return 'attn-matmul';
  return 'norm+elementwise';
}

interface Prediction {
  seconds: number;
  groups: Record<Group, number>;
  kernels: number;
}

const emptyGroups = (): Record<Group, number> => ({
  conv: 0,
  gemm: 0,
  'attn-matmul': 0,
  softmax: 0,
  'norm+elementwise': 0,
  unmodelled: 0,
});

/** The h100-dgx prediction for one measured configuration: the CLI path (profileModel) for the whole
 * forward, and the same plan's kernels, grouped, from the engine's own pieces (they must add up to it). */
function predict(shared: string, run: MeasuredRun): Prediction {
  const file = path.join(shared, 'corpus', 'torch', run.model, `${run.model}.onnx`);
  const model = readModelFile(file);
  const precision: Precision = run.dtype === 'float16' ? 'fp16' : 'fp32';
  // BERT's batch and sequence are symbolic (bound as measured); the other graphs are fixed at batch 1, and the
  // microbatch scales them (the mapper's rule for fixed-batch graphs)
  const dims: Record<string, number> = run.model === 'bert_base' ? { batch: run.batch, sequence: run.seq ?? 128 } : {};
  const opts: RunOptions = {
    ...defaultRunOptions(),
    targets: ['h100-dgx'],
    mode: 'inference',
    precision,
    dims,
    nodes: 1,
    // the measured models write attention out (MatMul, scale/mask, Softmax, MatMul): the unfused kernels
    gpu: { tp: 1, pp: 1, dp: 1, microbatch: run.batch, globalBatch: run.batch, attention: 'unfused' },
  };
  const t = resultOfKind(profileModel(model, opts).report.targets![0], 'gpu-cluster');
  assert.equal(t.parallelism.gpus, 1);
  assert.equal(t.parallelism.microbatch, run.batch);

  const a = analyseFor(model, opts);
  const { ctx } = buildContext(a, loadSpec('h100-dgx').spec as never, {
    mode: 'inference',
    precision,
    gpu: { attention: 'unfused' },
    execution: 'auto',
    bindings: dims,
  });
  const plan = planOf({ microbatch: run.batch, globalBatch: run.batch });
  const e = evaluate(ctx, plan);
  const groups = emptyGroups();
  let kernels = 0,
    sum = 0;
  const add = (g: Group, s: number) => {
    groups[g] += s;
    sum += s;
    if (s > 0) kernels++;
  };
  const p = ctx.pattern;
  if (!p) {
    for (const [layer, lt] of e.layerTimes) add(layerKindGroup(a.layers[layer].kind), lt.seconds);
  } else {
    const x = blockShape(ctx, plan);
    const run1 = (items: Work[], times: number) => {
      for (const w of items) {
        if (w.kind === 'comm') continue;
        const k = kernelTime(ctx.dev, w.kind, w.flops, w.bytes, w.gemm).seconds;
        for (let i = 0; i < times; i++) add(predictedRoleGroup(w.role), k);
      }
    };
    run1(blockForward(ctx.dev, x), p.layers);
    run1(embeddingForward(ctx.dev, x, ctx.positional), 1);
    if (p.vocab > 0) run1(headForward(ctx.dev, x), 1);
    // graph layers outside the blocks, the embedding and the head run as per-layer kernels (plan.ts)
    for (const l of outsideLayers(ctx).others) {
      const w = genericForward(ctx.dev, ctx.generic, l, plan.microbatch);
      add(
        layerKindGroup(a.layers[l.layer].kind),
        kernelTime(ctx.dev, w.kind as 'matrix' | 'vector', w.flops, w.bytes, w.gemm).seconds,
      );
    }
  }
  // the grouped kernels are the plan's forward pass, which is the CLI's step
  assert.ok(
    Math.abs(sum / e.stepSeconds - 1) < 1e-9,
    `${run.model}: grouped kernels ${sum} s vs step ${e.stepSeconds} s`,
  );
  assert.ok(
    Math.abs(t.stepSeconds / e.stepSeconds - 1) < 1e-9,
    `${run.model}: CLI step ${t.stepSeconds} s vs plan ${e.stepSeconds} s`,
  );
  return { seconds: t.stepSeconds, groups, kernels };
}

const shared = sharedDir();
const dataFile = path.join(projectRoot(), 'test', 'corpus', 'data', 'h100-measured.json');
interface Data {
  meta: Record<string, unknown>;
  runs: MeasuredRun[];
  gemm_fp16: GemmPoint[];
}
const load = (): Data => JSON.parse(fs.readFileSync(dataFile, 'utf8')) as Data;

const ms = (s: number) => (s * 1e3).toFixed(3);

// Stated tolerances (docs/GPU-MODEL.md, "Single-GPU fidelity"), set to what the model achieves with a small
// margin. The engine times a fused inference runtime; eager PyTorch runs extra unfused kernels (conv bias,
// layout transposes, head copies, ReLU / add, separate scale and mask passes), which are not the model's business.
// - whole forward (CUDA graph of eager PyTorch) within [0.25, 1.0]x: never slower than eager PyTorch, which runs
//   all the engine's kernels and more; at least a quarter of it (the eager-only kernels are up to 2/3 of ResNet-50
//   at batch 32). Measured 0.29-0.84 (before the GEMM model of docs/GPU-MODEL.md: 0.38-1.29)
const WHOLE_LOW = 0.25,
  WHOLE_HIGH = 1.0;
// - the modelled kernels alone (measured minus 'unmodelled') within [0.65, 1.2]x: measured 0.71-1.06 (before:
//   0.47-1.35); the low end is BERT / ViT at batch 1 (three Q/K/V GEMMs measured where the engine runs one fused
//   QKV, ViT's patch convolution on a slow cuDNN algorithm) and ViT's unaligned batched attention at batch 32
const MODELLED_LOW = 0.65,
  MODELLED_HIGH = 1.2;
// - the GEMM (linear-layer) kernels of the transformers within [0.6, 1.25]x: measured 0.67-1.18 (before: 0.39-1.68)
const GEMMS_LOW = 0.6,
  GEMMS_HIGH = 1.25;
// - ResNet-50's convolution kernels (cuDNN's own, without the separate bias add and layout transposes) within
//   25 %: measured 0.77-1.07
const CONV = 0.25;
// - every isolated fp16 GEMM of the sweep, aligned or not, within 20 %: measured 0.82-1.19 (this is the
//   calibration set: the check guards the fit; the long-K [197,3072]x[3072,768] is the worst, 0.82)
const SWEEP_GEMM = 0.2;

test(
  'gpu single-GPU fidelity: h100-dgx predictions vs measured H100 forward times of the corpus torch models',
  { skip: shared ? false : SKIP_NO_SHARED },
  () => {
    const data = load();
    const runs = data.runs.filter((r) => r.variant === 'explicit');
    assert.equal(runs.length, 16, 'four models x two dtypes x two batches measured');
    const head = `single-GPU fidelity: h100-dgx (inference, 1 GPU) vs ${data.meta.gpu}, torch ${data.meta.torch}, ${data.meta.date}`;
    const lines = [
      head,
      'model      dtype   batch | measured: graph (repeat) kernels eager, ms | predicted ms | pred/graph | pred/modelled | kernels meas/pred',
    ];
    const groupLines = [`kernel ms per forward by group, measured/predicted: ${GROUPS.join(', ')}`];
    const failures: string[] = [];
    for (const run of runs) {
      const pr = predict(shared!, run);
      const graph = run.graph_ms / 1e3;
      const mg = measuredGroups(run);
      const modelled = run.kernel_ms / 1e3 - mg.unmodelled;
      const id = `${run.model.padEnd(10)} ${run.dtype.replace('float', 'fp').padEnd(5)} ${String(run.batch).padStart(5)}`;
      const r = pr.seconds / graph,
        rm = pr.seconds / modelled;
      lines.push(
        `${id} | ${ms(graph).padStart(7)} (${run.graph_ms_repeat.toFixed(3)}) ${ms(run.kernel_ms / 1e3).padStart(7)} ${ms(run.eager_ms / 1e3).padStart(7)} | ${ms(pr.seconds).padStart(7)} | ${r.toFixed(2).padStart(5)} | ${rm.toFixed(2).padStart(5)} | ${run.kernels_per_forward} / ${pr.kernels}`,
      );
      groupLines.push(`${id} | ` + GROUPS.map((g) => `${ms(mg[g])}/${ms(pr.groups[g])}`).join('  '));
      if (!(r >= WHOLE_LOW && r <= WHOLE_HIGH))
        failures.push(
          `${id}: whole forward predicted/measured ${r.toFixed(2)} outside [${WHOLE_LOW.toFixed(2)}, ${WHOLE_HIGH}]`,
        );
      if (!(rm >= MODELLED_LOW && rm <= MODELLED_HIGH))
        failures.push(
          `${id}: predicted / modelled kernels ${rm.toFixed(2)} outside [${MODELLED_LOW}, ${MODELLED_HIGH}]`,
        );
      if (run.model !== 'resnet50') {
        const rg = pr.groups.gemm / mg.gemm;
        if (!(rg >= GEMMS_LOW && rg <= GEMMS_HIGH))
          failures.push(
            `${id}: GEMM kernels predicted/measured ${rg.toFixed(2)} outside [${GEMMS_LOW}, ${GEMMS_HIGH}]`,
          );
      }
      if (run.model === 'resnet50') {
        const rc = pr.groups.conv / mg.conv;
        if (!(Math.abs(rc - 1) <= CONV))
          failures.push(`${id}: convolution kernels predicted/measured ${rc.toFixed(2)} outside ${CONV * 100} %`);
      }
    }
    // the fused variants against the same prediction (not asserted: flash attention is not modelled, and
    // channels_last still runs the separate conv-bias add)
    const variants = data.runs
      .filter((r) => r.variant !== 'explicit')
      .map((r) => {
        const base = runs.find((x) => x.model === r.model && x.dtype === r.dtype && x.batch === r.batch);
        const p = base ? predict(shared!, base).seconds : NaN;
        return `${r.model} ${r.dtype} batch ${r.batch} ${r.variant}: graph ${r.graph_ms.toFixed(3)} ms, predicted (explicit attention, NCHW) / measured ${(p / (r.graph_ms / 1e3)).toFixed(2)}`;
      });
    console.log([...lines, ...groupLines, 'fused variants (not asserted):', ...variants].join('\n'));
    assert.deepEqual(failures, []);
  },
);

test('gpu single-GPU fidelity: isolated fp16 GEMMs on the H100 vs the h100-dgx kernel model', () => {
  const data = load();
  const dev = deviceFor(loadSpec('h100-dgx').spec as never, 'fp16');
  assert.ok(data.gemm_fp16.length >= 10);
  const lines = [
    'isolated fp16 GEMM [M,K]x[K,N] (weights past L2, CUDA graph; the h100-dgx GEMM calibration set): measured us vs predicted us',
  ];
  const failures: string[] = [];
  for (const g of data.gemm_fp16) {
    const flops = 2 * g.M * g.K * g.N;
    const k = kernelTime(dev, 'matrix', flops, (g.M * g.K + g.M * g.N + g.K * g.N) * 2, {
      m: g.M,
      k: g.K,
      n: g.N,
      batch: 1,
    });
    const r = (k.seconds * 1e6) / g.us;
    // cuBLAS runs an N that is not a multiple of 8 fp16 elements on align1 kernels (cutlass_75 ... align1)
    const aligned = gemmAligned(dev, { m: g.M, k: g.K, n: g.N, batch: 1 });
    lines.push(
      `${String(g.M).padStart(6)} x ${String(g.K).padStart(5)} x ${String(g.N).padStart(6)}  ${(flops / 1e9).toFixed(2).padStart(7)} GFLOP: measured ${g.us.toFixed(2).padStart(8)} us, predicted ${(k.seconds * 1e6).toFixed(2).padStart(8)} us (x${r.toFixed(2)}, ${k.bound})${aligned ? '' : '  unaligned'}`,
    );
    if (Math.abs(r - 1) > SWEEP_GEMM)
      failures.push(`${g.M}x${g.K}x${g.N}: ${r.toFixed(2)} outside ${SWEEP_GEMM * 100} %`);
  }
  console.log(lines.join('\n'));
  assert.deepEqual(failures, []);
});

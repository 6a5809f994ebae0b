// Hand-computed memory and pipeline cases: Korthikanti et al. 2022 activation memory per transformer
// layer (Table 2 forms), bytes per parameter with ZeRO, microbatches in flight, the pipeline bubble.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockActivationBytes, type BlockShape } from '../../src/engine/hardware/gpu/megatron';
import {
  bytesPerParam,
  inflightStageFraction,
  pipelineSeconds,
  stageCuts,
  stageOfBlock,
} from '../../src/engine/hardware/gpu/plan';

const close = (got: number, want: number, rel = 1e-12) =>
  assert.ok(Math.abs(got - want) <= rel * Math.abs(want), `${got} != ${want}`);

// Megatron 22B layer: s 2048, h 6144, a 64, f 4h, t 8, microbatch 1, 16-bit activations
const x: BlockShape = {
  b: 1,
  sq: 2048,
  skv: 2048,
  cp: 1,
  h: 6144,
  a: 64,
  g: 64,
  d: 96,
  f: 4 * 6144,
  gated: false,
  vocab: 51200,
  t: 8,
  sp: false,
  training: true,
  flash: false,
  causal: true,
  tpOverlap: 0,
  flashForward: 0.6,
  flashBackward: 0.5,
};
const s = 2048,
  b = 1,
  h = 6144,
  a = 64,
  t = 8;
const sbh = s * b * h;

test('activation memory per layer, tensor parallel without SP: sbh (10 + 24/t + 5as/(ht))', () => {
  close(blockActivationBytes(x, 'none', 2).stored, sbh * (10 + 24 / t + (5 * a * s) / (h * t)));
});

test('activation memory per layer, tensor + sequence parallel: sbh/t (34 + 5as/h)', () => {
  close(blockActivationBytes({ ...x, sp: true }, 'none', 2).stored, (sbh / t) * (34 + (5 * a * s) / h));
});

test('selective recompute keeps 34 sbh/t with SP (the attention core is recomputed)', () => {
  const r = blockActivationBytes({ ...x, sp: true }, 'selective', 2);
  close(r.stored, (34 * sbh) / t);
  close(r.working, (5 * a * s * s * b) / t);
});

test('full recompute keeps only the layer input, 2 sbh', () => {
  close(blockActivationBytes(x, 'full', 2).stored, 2 * sbh);
});

test('no parallelism: sbh (34 + 5as/h)', () => {
  close(blockActivationBytes({ ...x, t: 1 }, 'none', 2).stored, sbh * (34 + (5 * a * s) / h));
});

test('bytes per parameter: Megatron mixed precision 18 B, ZeRO shards over dp', () => {
  const z0 = bytesPerParam('bf16', 0, 8, true);
  assert.equal(z0.weights + z0.gradients + z0.optimizer, 18);
  const z1 = bytesPerParam('bf16', 1, 8, true);
  assert.equal(z1.weights + z1.gradients + z1.optimizer, 2 + 4 + 12 / 8);
  const z3 = bytesPerParam('bf16', 3, 8, true);
  assert.equal(z3.weights + z3.gradients + z3.optimizer, 18 / 8);
  assert.deepEqual(bytesPerParam('fp16', 0, 1, false), { weights: 2, gradients: 0, optimizer: 0 });
});

test('pipeline: step = (m + (p-1)/v) t_stage, bubble fraction (p-1)/(v m)', () => {
  close(pipelineSeconds(64, 8, 3, 0.2), (64 + 7 / 3) * 0.2);
  close(pipelineSeconds(64, 8, 3, 0.2) / (64 * 0.2) - 1, 7 / (3 * 64));
  assert.equal(pipelineSeconds(4, 1, 1, 0.5), 2);
});

test('microbatches in flight: 1F1B keeps p - i on rank i; interleaving adds (p-1)/(pv) on the first', () => {
  assert.equal(inflightStageFraction(0, 8, 1, 64), 8);
  assert.equal(inflightStageFraction(7, 8, 1, 64), 1);
  assert.equal(inflightStageFraction(0, 8, 1, 4), 4);
  // Korthikanti §4.2.3: the first stage holds p (1 + (p-1)/(p v)) stage-microbatches
  close(inflightStageFraction(0, 8, 3, 64), 8 * (1 + 7 / 24));
});

test('blocks split into pp x interleave contiguous chunks, round-robin over stages', () => {
  assert.deepEqual(
    Array.from({ length: 12 }, (_, j) => stageOfBlock(j, 12, 2, 3)),
    [0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1],
  );
  assert.deepEqual(
    Array.from({ length: 8 }, (_, j) => stageOfBlock(j, 8, 4, 1)),
    [0, 0, 1, 1, 2, 2, 3, 3],
  );
  // uneven: the middle stages take the extra block
  assert.deepEqual(
    Array.from({ length: 5 }, (_, j) => stageOfBlock(j, 5, 4, 1)),
    [0, 1, 1, 2, 3],
  );
});

test('generic layers split into contiguous stages of about equal time', () => {
  // p + 1 cut points: stage s holds layers cuts[s] .. cuts[s + 1] - 1
  assert.deepEqual([...stageCuts([1, 1, 1, 1], 2)], [0, 2, 4]);
  assert.deepEqual([...stageCuts([3, 1, 1, 1], 2)], [0, 1, 4]);
  assert.deepEqual([...stageCuts([1, 1], 3)], [0, 1, 2, 2]);
  assert.deepEqual([...stageCuts([], 2)], [0, 0, 0]);
});

test('per-GPU activation memory reproduces Korthikanti et al. 2022 Figure 1 (22B and 175B, 1F1B in flight)', () => {
  // profiled GiB as Calculon's validation.py (seqsel_fig1) lists them: 22B tp 8, microbatch 4, 48 layers;
  // 175B tp 8, pp 8, interleave 3, microbatch 1, 96 layers (the first stage holds L (1 + (p-1)/(p v)) layers)
  const GiB = 2 ** 30;
  const m22: BlockShape = { ...x, b: 4 };
  const m175: BlockShape = { ...x, h: 12288, a: 96, g: 96, d: 128, f: 4 * 12288 };
  const cases: [BlockShape, number, number, number, 'none' | 'selective', boolean, number][] = [
    [m22, 48, 1, 1, 'none', false, 59.25],
    [m22, 48, 1, 1, 'selective', true, 9.5625],
    [m175, 96, 8, 3, 'none', false, 66.84375],
    [m175, 96, 8, 3, 'selective', true, 12.3515625],
  ];
  for (const [shape, L, p, v, rc, sp, want] of cases) {
    const perLayer = blockActivationBytes({ ...shape, sp }, rc, 2).stored;
    const got = (perLayer * (L / p) * inflightStageFraction(0, p, v, 64)) / GiB;
    assert.ok(Math.abs(got / want - 1) < 0.01, `${L} layers ${rc}${sp ? '+sp' : ''}: ${got.toFixed(2)} GiB vs ${want}`);
  }
});

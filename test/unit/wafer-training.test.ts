// Weight-streaming training: the whole-wafer matmul form, embedding tables streamed sparsely, gradient
// accumulation and activation checkpointing, and the model FLOPs utilisation the report states. The model is
// a generated GPT-2-style graph whose weights are declared external (dims only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readModelBytes } from '../../src/engine/onnx/reader';
import { profileModel } from '../../src/engine/profile';
import { defaultRunOptions, type RunOptions } from '../../src/engine/options';
import { resultOfKind, type WaferTargetResult } from '../../src/engine/hardware/types';
import { wholeWaferGemmEfficiency } from '../../src/engine/hardware/wafer/streaming';
import { gpt2Graph, OPSET } from '../fixtures/gpt2';
import { model, tensor, T } from '../fixtures/onnx-writer';

function gpt2(layers: number, d: number, heads: number, vocab: number, seq: number): Uint8Array {
  const g = gpt2Graph({
    layers,
    d,
    heads,
    vocab,
    maxPositions: seq,
    batch: 'batch',
    seq,
    lmHead: 'copy',
    dtype: T.FLOAT16,
  });
  let offset = 0;
  const inits = [...(g.graph.initializer ?? [])];
  for (const w of g.weights) {
    const length = w.dims.reduce((a, b) => a * b, 1) * 2;
    inits.push(tensor(w.name, w.dtype, w.dims, { external: { location: 'absent.bin', offset, length } }));
    offset += length;
  }
  return model({ irVersion: 8, opsets: { '': OPSET }, graph: { ...g.graph, initializer: inits } });
}

function run(bytes: Uint8Array, o: Partial<RunOptions>): WaferTargetResult {
  const opts = {
    ...defaultRunOptions(),
    targets: ['wse3'],
    mode: 'training' as const,
    precision: 'bf16' as const,
    ...o,
  };
  return resultOfKind(profileModel(readModelBytes(bytes, 'gpt2.onnx'), opts).report.targets![0], 'wafer');
}

test('whole-wafer matmul efficiency grows with the per-core tile and stays below peak', () => {
  const e = [1, 16, 256, 4096].map((t) => wholeWaferGemmEfficiency(t, 8, 1));
  for (let i = 1; i < e.length; i++) assert.ok(e[i] > e[i - 1], `${e}`);
  assert.ok(e[e.length - 1] < 1 && e[0] > 0);
});

test('weight-streaming training: checkpointing, gradient accumulation, MFU, and the embedding is not the slowest layer', () => {
  const m = gpt2(4, 4096, 32, 128000, 2048);
  const r = run(m, { batch: 1024, execution: 'weight-streaming' });
  assert.equal(r.execution, 'weight-streaming');
  assert.ok(r.fits, r.notes.join('\n'));
  const u = r.utilization!;
  assert.ok(u.mfu > 0.05 && u.mfu < 0.9, `mfu ${u.mfu}`);
  assert.ok(r.notes.some((n) => /model FLOPs utilisation/.test(n)));
  assert.ok(
    r.notes.some((n) => /gradient accumulation: 1024 samples/.test(n)),
    r.notes.join('\n'),
  );
  const slowest = r.layers.reduce((b, l) => (l.seconds > b.seconds ? l : b));
  assert.ok(!/Gather/.test(slowest.name), `slowest ${slowest.name}`);
  // the embedding streams only the rows looked up: 1024 x 2048 tokens touch at most the 128000-row table once
  const emb = r.layers.find((l) => /wte|embed/.test(l.name) && /Gather/.test(l.name))!;
  assert.ok(emb, r.layers.map((l) => l.name).join(' '));
  const mm = r.layers.filter((l) => /MatMul/.test(l.name));
  assert.ok(emb.seconds < Math.max(...mm.map((l) => l.seconds)));
  // a larger batch per weight fetch raises the utilisation
  const small = run(m, { batch: 4, execution: 'weight-streaming' });
  assert.ok(small.utilization!.mfu < u.mfu, `${small.utilization!.mfu} vs ${u.mfu}`);
});

// Pipelined maps that use the wafer: kernels split over output positions and channels until the pipeline is
// balanced or a kernel reaches one output element per core (the stated limit), copies of the pipeline when
// the batch allows, and the report's share of cores holding work with what limits it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readModelBytes } from '../../src/engine/onnx/reader';
import { profileModel } from '../../src/engine/profile';
import { defaultRunOptions, type RunOptions } from '../../src/engine/options';
import { resultOfKind, type WaferTargetResult } from '../../src/engine/hardware/types';
import { graph, model, node, tensor, T, vi } from '../fixtures/onnx-writer';
import { gpt2Graph, OPSET } from '../fixtures/gpt2';

/** x[batch, 3, 112, 112] -> 6 x (Conv 3x3 + Relu), channels 32..256, stride 2 every other layer. */
function convNet(): Uint8Array {
  const nodes: ReturnType<typeof node>[] = [],
    inits: ReturnType<typeof tensor>[] = [];
  let cur = 'x',
    cin = 3;
  const chans = [32, 64, 64, 128, 128, 256];
  chans.forEach((cout, i) => {
    const w = `conv${i}.weight`;
    inits.push(
      tensor(w, T.FLOAT, [cout, cin, 3, 3], {
        external: { location: 'absent.bin', offset: 0, length: cout * cin * 36 },
      }),
    );
    nodes.push(
      node(
        'Conv',
        [cur, w],
        [`c${i}`],
        { pads: [1, 1, 1, 1], strides: i % 2 ? [2, 2] : [1, 1] },
        { name: `/conv${i}/Conv` },
      ),
    );
    nodes.push(node('Relu', [`c${i}`], [`r${i}`], {}, { name: `/conv${i}/Relu` }));
    cur = `r${i}`;
    cin = cout;
  });
  return model({
    graph: graph({
      nodes,
      initializers: inits,
      inputs: [vi('x', T.FLOAT, ['batch', 3, 112, 112])],
      outputs: [vi(cur, T.FLOAT, null)],
    }),
  });
}

function smallGpt(): Uint8Array {
  const g = gpt2Graph({
    layers: 4,
    d: 256,
    heads: 4,
    vocab: 2000,
    maxPositions: 128,
    batch: 'batch',
    seq: 128,
    lmHead: 'copy',
    dtype: T.FLOAT16,
  });
  const inits = [...(g.graph.initializer ?? [])];
  for (const w of g.weights)
    inits.push(
      tensor(w.name, w.dtype, w.dims, {
        external: { location: 'absent.bin', offset: 0, length: 2 * w.dims.reduce((a, b) => a * b, 1) },
      }),
    );
  return model({ irVersion: 8, opsets: { '': OPSET }, graph: { ...g.graph, initializer: inits } });
}

function run(bytes: Uint8Array, o: Partial<RunOptions>): WaferTargetResult {
  const opts = { ...defaultRunOptions(), targets: ['wse3'], ...o };
  return resultOfKind(profileModel(readModelBytes(bytes, 'm.onnx'), opts).report.targets![0], 'wafer');
}

test('a CNN at batch 1 uses most of the wafer or the report names the limit', () => {
  const r = run(convNet(), { batch: 1 });
  const u = r.utilization!;
  assert.equal(r.execution, 'pipelined');
  assert.ok(u.placedFraction > 0 && u.placedFraction <= 1 && u.busyFraction <= u.placedFraction + 1e-9);
  assert.ok(u.placedFraction > 0.5 || /one output element per core|batch 1 allows/.test(u.limit!), JSON.stringify(u));
  assert.ok(r.notes.some((n) => /wafer use: .*% of the cores hold work/.test(n)));
});

test('a larger batch places copies of a small pipeline side by side (the rate never falls; the shared input stream caps it)', () => {
  const one = run(convNet(), { batch: 1 });
  const many = run(convNet(), { batch: 64 });
  const copies = 1 + Math.max(0, ...many.grid!.rects.map((rc) => rc.replica ?? 0));
  if (copies > 1) {
    assert.ok(many.notes.some((n) => /copies of the pipeline side by side/.test(n)));
    assert.ok(many.throughput.value >= 0.99 * one.throughput.value);
  }
  assert.ok(many.utilization!.placedFraction >= one.utilization!.placedFraction - 0.05);
});

test('a small transformer fills most of the wafer', () => {
  const r = run(smallGpt(), { batch: 8 });
  assert.equal(r.execution, 'pipelined');
  assert.ok(r.utilization!.placedFraction > 0.5, JSON.stringify(r.utilization));
});

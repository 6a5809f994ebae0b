// FLOPs and bytes of the tensor (data movement) family, checked against hand counts (docs/COSTS.md "## tensor").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T, type AttrInput } from '../fixtures/onnx-writer';
import { oneNode, X, I, F, type In } from '../fixtures/op-model';

/** The cost of a one-node model that infers without errors; `bindings` give symbolic dims their values. */
const cost = (
  op: string,
  ins: In[],
  outs: string[],
  attrs: Record<string, AttrInput>,
  opset: number,
  bindings: Record<string, number> = {},
) => oneNode(op, ins, outs, attrs, { opset, bindings }).clean('error', `${op}: no diagnostics`).cost();

test('views move no data and cost nothing', () => {
  for (const [op, ins, attrs, opset] of [
    ['Reshape', [X([2, 3, 4]), I('s', [6, 4])], {}, 13],
    ['Flatten', [X([2, 3, 4])], {}, 13],
    ['Squeeze', [X([1, 3]), I('a', [0])], {}, 13],
    ['Unsqueeze', [X([3]), I('a', [0])], {}, 13],
    ['BitCast', [X([3])], { to: T.INT32 }, 26],
  ] as [string, In[], Record<string, AttrInput>, number][]) {
    const c = cost(op, ins, ['y'], attrs, opset);
    assert.deepEqual([c.flops, c.bytesRead, c.bytesWritten, c.modelled], [0, 0, 0, true], op);
    assert.equal(
      c.outputBytes,
      96 / (op === 'Squeeze' || op === 'Unsqueeze' || op === 'BitCast' ? 8 : 1),
      `${op}: the output still counts as an activation`,
    );
  }
});

test('copies read their inputs and write their outputs once: Transpose, Concat, Expand, Pad', () => {
  const t = cost('Transpose', [X([2, 3, 4])], ['y'], { perm: [2, 0, 1] }, 13);
  assert.deepEqual([t.flops, t.bytesRead, t.bytesWritten], [0, 96, 96]);
  const c = cost('Concat', [X([2, 3]), { name: 'z', dims: [2, 5] }], ['y'], { axis: 1 }, 13);
  assert.deepEqual([c.flops, c.bytesRead, c.bytesWritten], [0, 24 + 40, 64]);
  // Expand reads a [1, 4] row (16 B) and its int64 shape (16 B, a constant), writes [3, 4] (48 B)
  const e = cost('Expand', [X([1, 4]), I('s', [3, 4])], ['y'], {}, 13);
  assert.deepEqual([e.flops, e.bytesRead, e.bytesWritten], [0, 32, 48]);
  const p = cost('Pad', [X([1, 2, 2]), I('p', [0, 1, 1, 0, 1, 1])], ['y'], {}, 13);
  assert.deepEqual([p.flops, p.bytesWritten], [0, 4 * 16]);
});

test('Gather reads only the gathered rows: an embedding lookup of 128 tokens from a 50257 x 768 table', () => {
  const c = cost(
    'Gather',
    [
      { name: 'w', dims: [50257, 768] },
      { name: 'ids', dtype: T.INT64, dims: [1, 128] },
    ],
    ['y'],
    {},
    13,
  );
  assert.equal(c.flops, 0);
  assert.equal(c.bytesRead, 128 * 8 + 128 * 768 * 4);
  assert.equal(c.bytesWritten, 128 * 768 * 4);
});

test('Slice reads the sliced elements and its arguments; Shape reads metadata only', () => {
  const s = cost('Slice', [X([10, 8]), I('s', [2]), I('e', [4]), I('a', [0])], ['y'], {}, 13);
  assert.deepEqual([s.flops, s.bytesRead, s.bytesWritten], [0, 2 * 8 * 4 + 3 * 8, 64]);
  const sh = cost('Shape', [X([10, 8])], ['y'], {}, 13);
  assert.deepEqual([sh.flops, sh.bytesRead, sh.bytesWritten], [0, 0, 16]);
});

test('Resize: 2 FLOPs per tap, taps = 2^k linear, 4^k cubic over resized axes, 0 nearest', () => {
  const ins = [X([1, 3, 4, 4]), F('r', []), F('s', [1, 1, 2, 2])];
  const out = 3 * 8 * 8;
  assert.equal(cost('Resize', ins, ['y'], { mode: 'linear' }, 13).flops, 2 * 4 * out);
  assert.equal(cost('Resize', ins, ['y'], { mode: 'cubic' }, 13).flops, 2 * 16 * out);
  assert.equal(cost('Resize', ins, ['y'], { mode: 'nearest' }, 13).flops, 0);
  // only the width changes: 1 resized axis, 2 taps
  assert.equal(
    cost('Resize', [X([1, 3, 4, 4]), F('r', []), F('s', [1, 1, 1, 2])], ['y'], { mode: 'linear' }, 13).flops,
    2 * 2 * 3 * 4 * 8,
  );
});

test('GridSample, AffineGrid, Col2Im', () => {
  assert.equal(
    cost('GridSample', [X([1, 2, 3, 3]), { name: 'g', dims: [1, 5, 6, 2] }], ['y'], {}, 16).flops,
    2 * 4 * 2 * 30,
  );
  assert.equal(
    cost('GridSample', [X([1, 2, 3, 3]), { name: 'g', dims: [1, 5, 6, 2] }], ['y'], { mode: 'bicubic' }, 16).flops,
    2 * 16 * 2 * 30,
  );
  // 2-D: each of the N*H*W*2 output coordinates is a dot product with 3 terms = 6 FLOPs
  assert.equal(
    cost('AffineGrid', [{ name: 't', dims: [2, 2, 3] }, I('s', [2, 3, 5, 6])], ['y'], {}, 20).flops,
    6 * 2 * 5 * 6 * 2,
  );
  assert.equal(cost('Col2Im', [X([1, 5, 15]), I('i', [5, 5]), I('b', [1, 5])], ['y'], {}, 18).flops, 75);
});

test('Scatter reductions, TensorScatter in place, Range, TopK, Unique, NonZero', () => {
  const sin = [X([4, 4, 4]), { name: 'i', dtype: T.INT64, dims: [2, 1] }, { name: 'u', dims: [2, 4, 4] }];
  assert.equal(cost('ScatterND', sin, ['y'], {}, 18).flops, 0);
  assert.equal(cost('ScatterND', sin, ['y'], { reduction: 'add' }, 18).flops, 32);
  const ts = cost(
    'TensorScatter',
    [X([3, 4, 5]), { name: 'u', dims: [3, 2, 5] }, { name: 'w', dtype: T.INT64, dims: [3] }],
    ['y'],
    {},
    24,
  );
  assert.deepEqual([ts.flops, ts.bytesRead, ts.bytesWritten], [0, 30 * 4 + 24, 30 * 4]);
  assert.equal(cost('Range', [I('a', [0], []), I('b', [10], []), I('c', [2], [])], ['y'], {}, 11).flops, 5);
  // TopK k=4 of 3 x 16: 48 elements x ceil(log2 4) = 2 comparisons
  assert.equal(cost('TopK', [X([3, 16]), I('k', [4])], ['v', 'i'], {}, 11).flops, 48 * 2);
  assert.equal(cost('Unique', [X([8])], ['y'], {}, 11).flops, 8 * 3);
  assert.equal(cost('NonZero', [X([2, 5])], ['y'], {}, 13).flops, 10);
});

test('symbolic dims are costed under bindings', () => {
  const c = cost(
    'Gather',
    [
      { name: 'w', dims: [1000, 64] },
      { name: 'ids', dtype: T.INT64, dims: ['b', 'seq'] },
    ],
    ['y'],
    {},
    13,
    { b: 2, seq: 16 },
  );
  assert.equal(c.bytesRead, 32 * 8 + 32 * 64 * 4);
  assert.equal(c.approximate, false);
});

// FLOPs and bytes of the reduce family on one-node models, checked against hand counts (docs/COSTS.md "## reduce").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { graph, model, node, tensor, vi, T, type AttrInput, type Dim } from '../fixtures/onnx-writer';
import { readModelBytes } from '../../src/engine/onnx/reader';
import { inferShapes } from '../../src/engine/shapes/infer';
import { computeCosts } from '../../src/engine/cost/cost';

interface In { name: string; dtype?: number; dims: Dim[] | null; init?: number[] }

/** The cost of a one-node model; graph inputs have no data, `init` inputs are int64 initializers. */
function cost(op: string, ins: In[], outs: string[], attrs: Record<string, AttrInput>, opset: number) {
  const m = readModelBytes(model({
    opsets: { '': opset },
    graph: graph({
      nodes: [node(op, ins.map((i) => i.name), outs, attrs)],
      inputs: ins.filter((i) => i.name && !i.init).map((i) => vi(i.name, i.dtype ?? T.FLOAT, i.dims)),
      initializers: ins.filter((i) => i.init).map((i) => tensor(i.name, i.dtype ?? T.INT64, i.dims as number[], { values: i.init })),
      outputs: outs.filter(Boolean).map((name) => ({ name })),
    }),
  }));
  const s = inferShapes(m, { useDeclared: false });
  assert.deepEqual(s.diagnostics.map((d) => d.message), [], `${op}: no diagnostics`);
  return computeCosts(m, s, { bindings: {} })[0];
}

const X = (dims: Dim[], dtype: number = T.FLOAT): In => ({ name: 'x', dtype, dims });
const P = (name: string, dims: Dim[], dtype: number = T.FLOAT): In => ({ name, dtype, dims });

test('reductions: 1 FLOP per input element plus their formula extras', () => {
  const axes1: In = { name: 'axes', dims: [1], init: [1] };
  const sum = cost('ReduceSum', [X([2, 3, 4]), axes1], ['y'], {}, 13);
  assert.equal(sum.flops, 24);
  assert.equal(sum.bytesWritten, 8 * 4); // [2,1,4] float
  assert.equal(sum.bytesRead, 24 * 4 + 8); // x + the int64 axes
  assert.equal(cost('ReduceMean', [X([2, 3, 4])], ['y'], { axes: [2] }, 17).flops, 24 + 6); // adds + one divide per output
  assert.equal(cost('ReduceLogSumExp', [X([2, 3, 4]), axes1], ['y'], {}, 18).flops, 4 * 24 + 2 * 8);
  assert.equal(cost('ReduceL2', [X([4, 5])], ['y'], { keepdims: 0 }, 18).flops, 2 * 20 + 1);
  assert.equal(cost('ReduceSumSquare', [X([4, 5])], ['y'], { axes: [0] }, 13).flops, 2 * 20);
  assert.equal(cost('ReduceSum', [X([4, 5])], ['y'], { noop_with_empty_axes: 1 }, 13).flops, 0);
});

test('ArgMax, CumSum: one operation per element', () => {
  assert.equal(cost('ArgMax', [X([3, 4])], ['y'], { axis: 1 }, 13).flops, 12);
  assert.equal(cost('CumSum', [X([3, 4]), { name: 'ax', dims: [], init: [1] }], ['y'], {}, 14).flops, 12);
});

test('softmax 5 per element; LogSoftmax adds a log per row (the axis at 13+, the coerced 2-D row before)', () => {
  assert.equal(cost('Softmax', [X([2, 3, 4])], ['y'], {}, 13).flops, 120);
  assert.equal(cost('LogSoftmax', [X([2, 3, 4])], ['y'], {}, 13).flops, 120 + 6);
  assert.equal(cost('LogSoftmax', [X([2, 3, 4])], ['y'], { axis: 1 }, 11).flops, 120 + 2);
  assert.equal(cost('Hardmax', [X([2, 3, 4])], ['y'], {}, 13).flops, 24);
});

test('losses: NLL per target element; SCE = LogSoftmax over classes + NLL', () => {
  const t = P('t', [3, 2], T.INT64);
  assert.equal(cost('NegativeLogLikelihoodLoss', [X([3, 5, 2]), t, P('w', [5])], ['l'], {}, 22).flops, 6 * 2 + 6 * 2 + 1);
  assert.equal(cost('NegativeLogLikelihoodLoss', [X([3, 5, 2]), t], ['l'], { reduction: 'none' }, 22).flops, 6);
  assert.equal(cost('SoftmaxCrossEntropyLoss', [X([3, 5]), P('t', [3], T.INT64)], ['l'], {}, 13).flops, (5 * 15 + 3) + (3 + 3 + 1));
});

test('Det: 2n^3/3 for the LU plus n-1 multiplies, per matrix', () => {
  assert.equal(cost('Det', [X([2, 3, 3])], ['y'], {}, 22).flops, 2 * (18 + 2));
});

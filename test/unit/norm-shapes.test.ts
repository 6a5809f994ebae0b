// Shape inference of the norm family on one-node models encoded as real ONNX bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { graph, model, node, tensor, vi, T, type AttrInput, type Dim } from '../fixtures/onnx-writer';
import { readModelBytes } from '../../src/engine/onnx/reader';
import { inferShapes } from '../../src/engine/shapes/infer';

interface In { name: string; dtype?: number; dims: Dim[] | null; init?: number[] }

/** Infers a model of `nodes` (op, inputs, outputs, attrs) with graph inputs / int initializers `ins`. */
function infer(nodes: [string, string[], string[], Record<string, AttrInput>?][], ins: In[], opset: number) {
  const m = readModelBytes(model({
    opsets: { '': opset },
    graph: graph({
      nodes: nodes.map(([op, i, o, a]) => node(op, i, o, a ?? {})),
      inputs: ins.filter((i) => !i.init).map((i) => vi(i.name, i.dtype ?? T.FLOAT, i.dims)),
      initializers: ins.filter((i) => i.init).map((i) => tensor(i.name, i.dtype ?? T.INT64, i.dims as number[], { values: i.init })),
      outputs: nodes.flatMap(([, , o]) => o.filter(Boolean)).map((name) => ({ name })),
    }),
  }));
  const s = inferShapes(m, { useDeclared: false });
  const get = (n: string) => {
    const t = s.main.values.get(n)?.type;
    return t && t.kind === 'tensor' ? { dtype: t.dtype, dims: t.dims, data: s.main.values.get(n)?.data } : undefined;
  };
  return { get, diagnostics: s.diagnostics.map((d) => d.message) };
}


const X = (dims: Dim[] | null, dtype: number = T.FLOAT): In => ({ name: 'x', dtype, dims });
const P = (name: string, dims: Dim[], dtype: number = T.FLOAT): In => ({ name, dtype, dims });

test('BatchNormalization opset 15 training mode: Y and running stats of shape (C)', () => {
  const ins = [X(['n', 3, 8, 8]), P('s', [3]), P('b', [3]), P('m', [3]), P('v', [3])];
  const r = infer([['BatchNormalization', ['x', 's', 'b', 'm', 'v'], ['y', 'rm', 'rv'], { training_mode: 1 }]], ins, 15);
  assert.deepEqual(r.get('y')?.dims, ['n', 3, 8, 8]);
  assert.deepEqual(r.get('rm')?.dims, [3]);
  assert.deepEqual(r.get('rv')?.dims, [3]);
  assert.deepEqual(infer([['BatchNormalization', ['x', 's', 'b', 'm', 'v'], ['y']]], ins, 9).get('y')?.dims, ['n', 3, 8, 8]);
});

test('BatchNormalization before opset 14: mean, var, saved_mean, saved_var outputs', () => {
  const ins = [X([2, 4, 5]), P('s', [4]), P('b', [4]), P('m', [4]), P('v', [4])];
  const r = infer([['BatchNormalization', ['x', 's', 'b', 'm', 'v'], ['y', 'mo', 'vo', 'sm', 'sv']]], ins, 9);
  for (const o of ['mo', 'vo', 'sm', 'sv']) assert.deepEqual(r.get(o)?.dims, [4], o);
});

test('LayerNormalization: Mean/InvStdDev keep dims before axis, ones after, in stash_type', () => {
  const ins = [X(['b', 'seq', 768], T.FLOAT16), P('g', [768], T.FLOAT16)];
  const r = infer([['LayerNormalization', ['x', 'g'], ['y', 'mean', 'isd']]], ins, 17);
  assert.deepEqual(r.get('y')?.dims, ['b', 'seq', 768]);
  assert.equal(r.get('y')?.dtype, T.FLOAT16);
  assert.deepEqual(r.get('mean')?.dims, ['b', 'seq', 1]);
  assert.equal(r.get('mean')?.dtype, T.FLOAT);
  assert.deepEqual(r.get('isd')?.dims, ['b', 'seq', 1]);
  const a1 = infer([['LayerNormalization', ['x', 'g'], ['y', 'mean'], { axis: 1, stash_type: T.DOUBLE }]], [X([2, 3, 4, 5]), P('g', [3, 4, 5])], 17);
  assert.deepEqual(a1.get('mean')?.dims, [2, 1, 1, 1]);
  assert.equal(a1.get('mean')?.dtype, T.DOUBLE);
  assert.ok(infer([['LayerNormalization', ['x', 'g'], ['y'], { axis: 4 }]], [X([2, 3, 4, 5]), P('g', [5])], 17).diagnostics.some((m) => /out of range/.test(m)));
});

test('shape-preserving normalisations keep the input shape and dtype', () => {
  const cases: [string, Record<string, AttrInput>, number][] = [
    ['InstanceNormalization', {}, 6], ['LpNormalization', { axis: 1, p: 1 }, 22], ['MeanVarianceNormalization', {}, 13],
    ['LRN', { size: 5 }, 13], ['GroupNormalization', { num_groups: 2 }, 21], ['RMSNormalization', { axis: -1 }, 23],
  ];
  for (const [op, attrs, opset] of cases) {
    const r = infer([[op, ['x', 's', 'b'], ['y'], attrs]], [X(['n', 4, 'h', 'w'], T.FLOAT16), P('s', [4]), P('b', [4])], opset);
    assert.deepEqual(r.get('y')?.dims, ['n', 4, 'h', 'w'], op);
    assert.equal(r.get('y')?.dtype, T.FLOAT16, op);
  }
});

test('GroupNormalization rejects channels not divisible by num_groups; LRN needs size', () => {
  assert.ok(infer([['GroupNormalization', ['x', 's', 'b'], ['y'], { num_groups: 3 }]], [X([1, 4, 2, 2]), P('s', [4]), P('b', [4])], 21).diagnostics.some((m) => /divisible/.test(m)));
  assert.ok(infer([['LRN', ['x'], ['y']]], [X([1, 4, 2, 2])], 13).diagnostics.some((m) => /size/.test(m)));
});

test('Dropout: mask is bool from opset 10 and the input type before; data passes through in inference', () => {
  const r = infer([['Dropout', ['x'], ['y', 'mask']]], [X(['n', 16])], 13);
  assert.deepEqual(r.get('y')?.dims, ['n', 16]);
  assert.deepEqual(r.get('mask')?.dims, ['n', 16]);
  assert.equal(r.get('mask')?.dtype, T.BOOL);
  assert.equal(infer([['Dropout', ['x'], ['y', 'mask']]], [X(['n', 16])], 7).get('mask')?.dtype, T.FLOAT);
  const c = infer([['Dropout', ['c'], ['y']]], [{ name: 'c', dims: [2], init: [3, 4] }], 13);
  assert.deepEqual(c.get('y')?.data, [3, 4]);
});

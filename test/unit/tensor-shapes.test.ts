// Shape inference and data propagation of the tensor (data movement) family on small models encoded as
// real ONNX bytes. Expected dims are worked out by hand from the ONNX operator specs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attr, graph, model, node, tensor, vi, T, type AttrInput, type Dim } from '../fixtures/onnx-writer';
import { readModelBytes } from '../../src/engine/onnx/reader';
import { inferShapes } from '../../src/engine/shapes/infer';

interface In { name: string; dtype?: number; dims: Dim[] | null; init?: number[]; raw?: Uint8Array }
type N = [string, string[], string[], Record<string, AttrInput>?];

/** Infers a model of `nodes` with graph inputs (no data) and initializers (`init` values, int64 unless dtype says). */
function infer(nodes: N[], ins: In[], opset: number) {
  const m = readModelBytes(model({
    opsets: { '': opset },
    graph: graph({
      nodes: nodes.map(([op, i, o, a]) => node(op, i, o, a ?? {})),
      inputs: ins.filter((i) => !i.init).map((i) => vi(i.name, i.dtype ?? T.FLOAT, i.dims)),
      initializers: ins.filter((i) => i.init).map((i) => tensor(i.name, i.dtype ?? T.INT64, i.dims as number[], i.raw ? { raw: i.raw } : { values: i.init })),
      outputs: nodes.flatMap(([, , o]) => o.filter(Boolean)).map((name) => ({ name })),
    }),
  }));
  const s = inferShapes(m, { useDeclared: false });
  const get = (n: string) => {
    const v = s.main.values.get(n);
    const t = v?.type;
    return t && t.kind === 'tensor' ? { dtype: t.dtype, dims: t.dims, data: v?.data } : undefined;
  };
  const dims = (n: string) => get(n)?.dims;
  const msgs = (sev: string) => s.diagnostics.filter((d) => d.severity === sev).map((d) => d.message);
  return { get, dims, diagnostics: msgs('error'), notes: msgs('info') };
}

const X = (dims: Dim[] | null, dtype: number = T.FLOAT): In => ({ name: 'x', dtype, dims });
const I = (name: string, values: number[], dims: number[] = [values.length]): In => ({ name, dims, init: values });
const F = (name: string, values: number[]): In => ({ name, dtype: T.FLOAT, dims: [values.length], init: values });
/** int64 initializer written as raw bytes, so INT64_MAX / INT64_MIN survive exactly as exporters write them. */
function I64(name: string, values: bigint[]): In {
  const buf = Buffer.alloc(8 * values.length);
  values.forEach((v, k) => buf.writeBigInt64LE(v, k * 8));
  return { name, dims: [values.length], init: values.map(Number), raw: buf };
}
const MAX = 9223372036854775807n, MIN = -9223372036854775808n;

test('Reshape keeps symbolic products: [batch, seq, 768] -> Shape/Gather/Concat -> [batch, seq, 12, 64] and back', () => {
  const r = infer([
    ['Shape', ['x'], ['s']],
    ['Gather', ['s', 'i0'], ['b']], ['Gather', ['s', 'i1'], ['q']],
    ['Unsqueeze', ['b', 'ax0'], ['b1']], ['Unsqueeze', ['q', 'ax0'], ['q1']],
    ['Concat', ['b1', 'q1', 'heads'], ['shape'], { axis: 0 }],
    ['Reshape', ['x', 'shape'], ['y']],
    ['Reshape', ['y', 'back'], ['z']],
  ], [X(['batch', 'seq', 768]), I('i0', [0], []), I('i1', [1], []), I('ax0', [0]), I('heads', [12, 64]), I('back', [0, -1, 768])], 13);
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.get('b')?.dims, []);
  assert.deepEqual(r.get('b')?.data, ['batch']);
  assert.deepEqual(r.get('shape')?.data, ['batch', 'seq', 12, 64]);
  assert.deepEqual(r.dims('y'), ['batch', 'seq', 12, 64]);
  assert.deepEqual(r.dims('z'), ['batch', 'seq', 768]);
});

test('Reshape: 0 copies, -1 infers, allowzero keeps 0, attribute form before opset 5, bad sizes fail', () => {
  assert.deepEqual(infer([['Reshape', ['x', 's'], ['y']]], [X([2, 3, 4]), I('s', [0, -1])], 13).dims('y'), [2, 12]);
  assert.deepEqual(infer([['Reshape', ['x', 's'], ['y']]], [X([2, 3, 4]), I('s', [0, 4, 3])], 14).dims('y'), [2, 4, 3]);
  assert.deepEqual(infer([['Reshape', ['x', 's'], ['y'], { allowzero: 1 }]], [X([0, 3, 4]), I('s', [3, 4, 0])], 14).dims('y'), [3, 4, 0]);
  assert.deepEqual(infer([['Reshape', ['x'], ['y'], { shape: [4, -1] }]], [X([2, 3, 4])], 4).dims('y'), [4, 6]);
  // shape values unknown: the rank is the shape input's length
  assert.deepEqual(infer([['Reshape', ['x', 's'], ['y']]], [X([2, 3, 4]), { name: 's', dtype: T.INT64, dims: [3] }], 13).dims('y'), [null, null, null]);
  assert.match(infer([['Reshape', ['x', 's'], ['y']]], [X([2, 3, 4]), I('s', [5, -1])], 13).diagnostics[0], /do not divide/);
  const bad = infer([['Reshape', ['x', 's'], ['y']]], [X([2, 3, 4]), I('s', [5, 5])], 13);
  assert.match(bad.notes[0], /cannot reshape/);
  assert.deepEqual(bad.dims('y'), [5, 5], 'the explicit target shape still defines the output');
});

test('Flatten, Squeeze, Unsqueeze across opsets', () => {
  assert.deepEqual(infer([['Flatten', ['x'], ['y'], { axis: 2 }]], [X([2, 3, 4, 5])], 13).dims('y'), [6, 20]);
  assert.deepEqual(infer([['Flatten', ['x'], ['y'], { axis: -4 }]], [X([2, 3, 4, 5])], 13).dims('y'), [1, 120]);
  assert.deepEqual(infer([['Flatten', ['x'], ['y']]], [X(['n', 3, 4])], 13).dims('y'), ['n', 12]);
  assert.deepEqual(infer([['Squeeze', ['x'], ['y'], { axes: [0, -2] }]], [X([1, 3, 1, 5])], 11).dims('y'), [3, 5]);
  assert.deepEqual(infer([['Squeeze', ['x', 'a'], ['y']]], [X([1, 3, 1, 5]), I('a', [2])], 13).dims('y'), [1, 3, 5]);
  assert.deepEqual(infer([['Squeeze', ['x'], ['y']]], [X([1, 3, 1, 5])], 13).dims('y'), [3, 5]);
  assert.equal(infer([['Squeeze', ['x'], ['y']]], [X(['n', 3, 1])], 13).dims('y'), null, 'a symbolic dim might be 1');
  assert.match(infer([['Squeeze', ['x', 'a'], ['y']]], [X([2, 3]), I('a', [0])], 13).diagnostics[0], /not 1/);
  assert.deepEqual(infer([['Unsqueeze', ['x'], ['y'], { axes: [0, 4] }]], [X([3, 4, 5])], 11).dims('y'), [1, 3, 4, 5, 1]);
  assert.deepEqual(infer([['Unsqueeze', ['x', 'a'], ['y']]], [X([3, 4, 5]), I('a', [5, 4, 2])], 13).dims('y'), [3, 4, 1, 5, 1, 1]);
  assert.deepEqual(infer([['Unsqueeze', ['x', 'a'], ['y']]], [X([3, 4]), { name: 'a', dtype: T.INT64, dims: [2] }], 13).dims('y'), [null, null, null, null]);
});

test('Transpose: perm, default reversal, and data permutation', () => {
  assert.deepEqual(infer([['Transpose', ['x'], ['y'], { perm: [0, 2, 1, 3] }]], [X(['b', 'seq', 12, 64])], 13).dims('y'), ['b', 12, 'seq', 64]);
  assert.deepEqual(infer([['Transpose', ['x'], ['y']]], [X([2, 3, 4])], 13).dims('y'), [4, 3, 2]);
  const r = infer([['Transpose', ['c'], ['y']]], [I('c', [1, 2, 3, 4, 5, 6], [2, 3])], 13);
  assert.deepEqual(r.get('y')?.data, [1, 4, 2, 5, 3, 6]);
});

test('Concat adds symbolic dims along the axis and concatenates data', () => {
  assert.deepEqual(infer([['Concat', ['x', 'p'], ['y'], { axis: -2 }]], [X(['b', 'seq', 64]), { name: 'p', dims: ['b', 'past', 64] }], 13).dims('y'), ['b', 'past+seq', 64]);
  const r = infer([['Concat', ['a', 'c'], ['y'], { axis: 0 }]], [I('a', [1, 2]), I('c', [3])], 13);
  assert.deepEqual(r.get('y')?.data, [1, 2, 3]);
  const r2 = infer([['Concat', ['a', 'c'], ['y'], { axis: 1 }]], [I('a', [1, 2], [2, 1]), I('c', [3, 4, 5, 6], [2, 2])], 13);
  assert.deepEqual(r2.get('y')?.data, [1, 3, 4, 2, 5, 6]);
  assert.match(infer([['Concat', ['x', 'p'], ['y'], { axis: 0 }]], [X([2, 3]), { name: 'p', dims: [2, 4] }], 13).diagnostics[0], /differs/);
});

test('Split: attribute (opset 11), input (13), num_outputs with an uneven last chunk (18)', () => {
  const a = infer([['Split', ['x'], ['o1', 'o2'], { axis: 1, split: [2, 4] }]], [X([2, 6])], 11);
  assert.deepEqual([a.dims('o1'), a.dims('o2')], [[2, 2], [2, 4]]);
  const b = infer([['Split', ['x', 's'], ['o1', 'o2']]], [X([6]), I('s', [1, 5])], 13);
  assert.deepEqual([b.dims('o1'), b.dims('o2')], [[1], [5]]);
  const c = infer([['Split', ['x'], ['o1', 'o2', 'o3', 'o4'], { num_outputs: 4 }]], [X([7])], 18);
  assert.deepEqual(['o1', 'o2', 'o3', 'o4'].map(c.dims), [[2], [2], [2], [1]]);
  const d = infer([['Split', ['x'], ['o1', 'o2', 'o3'], { axis: 2 }]], [X(['b', 'seq', 2304])], 13);
  assert.deepEqual(d.dims('o3'), ['b', 'seq', 768]);
  const e = infer([['Split', ['c'], ['o1', 'o2']]], [I('c', [7, 8, 9, 10])], 13);
  assert.deepEqual([e.get('o1')?.data, e.get('o2')?.data], [[7, 8], [9, 10]]);
});

test('Slice: attribute form, clamped and INT64_MAX ends, negative steps, symbolic dims, data', () => {
  assert.deepEqual(infer([['Slice', ['x'], ['y'], { starts: [0, 1], ends: [2, 1000], axes: [0, 1] }]], [X([20, 10, 5])], 9).dims('y'), [2, 9, 5]);
  const x = X([20, 10, 5]);
  assert.deepEqual(infer([['Slice', ['x', 's', 'e', 'a', 'st'], ['y']]], [x, I('s', [0, 0, 3]), I('e', [20, 10, 4]), I('a', [0, 1, 2]), I('st', [1, 1, 1])], 13).dims('y'), [20, 10, 1]);
  assert.deepEqual(infer([['Slice', ['x', 's', 'e', 'a', 'st'], ['y']]], [x, I('s', [20, 10, 4]), I('e', [0, 0, 1]), I('a', [0, 1, 2]), I('st', [-1, -3, -2])], 13).dims('y'), [19, 3, 2]);
  assert.deepEqual(infer([['Slice', ['x', 's', 'e', 'a'], ['y']]], [x, I('s', [1000]), I('e', [1000]), I('a', [1])], 13).dims('y'), [20, 0, 5]);
  assert.deepEqual(infer([['Slice', ['x', 's', 'e', 'a'], ['y']]], [X(['b', 'seq', 768]), I('s', [1]), I64('e', [MAX]), I('a', [1])], 13).dims('y'), ['b', 'seq-1', 768]);
  assert.deepEqual(infer([['Slice', ['x', 's', 'e', 'a'], ['y']]], [X(['b', 'seq', 768]), I('s', [-1]), I64('e', [MAX]), I('a', [1])], 13).dims('y'), ['b', 1, 768]);
  assert.deepEqual(infer([['Slice', ['x', 's', 'e', 'a', 'st'], ['y']]], [X(['n']), I('s', [-1]), I64('e', [MIN]), I('a', [0]), I('st', [-1])], 13).dims('y'), ['n']);
  // a fixed end inside a symbolic dim: one element is certain, min(seq, 512) is not
  assert.deepEqual(infer([['Slice', ['x', 's', 'e', 'a'], ['y']]], [X(['b', 'seq', 768]), I('s', [0]), I('e', [1]), I('a', [1])], 13).dims('y'), ['b', 1, 768]);
  assert.deepEqual(infer([['Slice', ['x', 's', 'e', 'a'], ['y']]], [X(['b', 'seq', 768]), I('s', [0]), I('e', [512]), I('a', [1])], 13).dims('y'), ['b', null, 768]);
  // Shape -> Slice keeps the sliced dims as data
  const r = infer([['Shape', ['x'], ['s0']], ['Slice', ['s0', 's', 'e'], ['y']]], [X(['b', 'seq', 768]), I('s', [0]), I('e', [-1])], 13);
  assert.deepEqual(r.get('y')?.data, ['b', 'seq']);
  assert.deepEqual(r.dims('y'), [2]);
  // a causal mask [1,1,1024,1024] sliced to the sequence length taken from data
  const m = infer([
    ['Shape', ['x'], ['s0']], ['Gather', ['s0', 'i1'], ['q']], ['Unsqueeze', ['q', 'a0'], ['q1']],
    ['Slice', ['mask', 'z', 'q1', 'a2'], ['y']],
  ], [X(['b', 'seq', 768]), { name: 'mask', dtype: T.BOOL, dims: [1, 1, 1024, 1024] }, I('i1', [1], []), I('a0', [0]), I('z', [0]), I('a2', [2])], 13);
  assert.deepEqual(m.dims('y'), [1, 1, 'seq', 1024]);
});

test('Gather: rows of a table, scalar index on data, 2-D indices; out-of-range indices fail', () => {
  assert.deepEqual(infer([['Gather', ['w', 'x'], ['y']]], [{ name: 'w', dims: [50257, 768] }, X(['b', 'seq'], T.INT64)], 13).dims('y'), ['b', 'seq', 768]);
  assert.deepEqual(infer([['Gather', ['x', 'i'], ['y'], { axis: 1 }]], [X([3, 3]), { name: 'i', dtype: T.INT64, dims: [1, 2] }], 13).dims('y'), [3, 1, 2]);
  const r = infer([['Shape', ['x'], ['s']], ['Gather', ['s', 'i'], ['y']]], [X([2, 'seq', 5]), I('i', [-1, 1])], 13);
  assert.deepEqual(r.get('y')?.data, [5, 'seq']);
  const g2 = infer([['Gather', ['c', 'i'], ['y'], { axis: 1 }]], [I('c', [1, 2, 3, 4, 5, 6], [2, 3]), I('i', [2, 0])], 13);
  assert.deepEqual(g2.get('y')?.data, [3, 1, 6, 4]);
  assert.match(infer([['Gather', ['c', 'i'], ['y']]], [I('c', [1, 2]), I('i', [2])], 13).diagnostics[0], /out of range/);
  assert.deepEqual(infer([['GatherElements', ['x', 'i'], ['y'], { axis: 1 }]], [X([3, 3]), { name: 'i', dtype: T.INT64, dims: [2, 3] }], 13).dims('y'), [2, 3]);
  assert.deepEqual(infer([['GatherND', ['x', 'i'], ['y']]], [X([2, 2, 2]), { name: 'i', dtype: T.INT64, dims: [2, 1, 2] }], 13).dims('y'), [2, 1, 2]);
  assert.deepEqual(infer([['GatherND', ['x', 'i'], ['y'], { batch_dims: 1 }]], [X([2, 2, 2]), { name: 'i', dtype: T.INT64, dims: [2, 1] }], 13).dims('y'), [2, 2]);
});

test('Scatter family and TensorScatter keep the data shape', () => {
  const idx = { name: 'i', dtype: T.INT64, dims: [2, 1] };
  assert.deepEqual(infer([['ScatterND', ['x', 'i', 'u'], ['y']]], [X([4, 4, 4]), idx, { name: 'u', dims: [2, 4, 4] }], 18).dims('y'), [4, 4, 4]);
  assert.deepEqual(infer([['ScatterElements', ['x', 'i', 'u'], ['y'], { axis: 1 }]], [X([1, 5]), idx, { name: 'u', dims: [2, 1] }], 18).dims('y'), [1, 5]);
  assert.deepEqual(infer([['TensorScatter', ['x', 'u', 'w'], ['y']]], [X([3, 4, 5]), { name: 'u', dims: [3, 2, 5] }, { name: 'w', dtype: T.INT64, dims: [3] }], 24).dims('y'), [3, 4, 5]);
});

test('Pad: attribute forms (opset 1 paddings, opset 2 pads), pads input (11), axes input (18)', () => {
  assert.deepEqual(infer([['Pad', ['x'], ['y'], { paddings: [0, 0, 1, 2, 0, 0, 3, 4] }]], [X([1, 3, 4, 5])], 1).dims('y'), [1, 3, 8, 11]);
  assert.deepEqual(infer([['Pad', ['x'], ['y'], { pads: [0, 0, 1, 2, 0, 0, 3, 4] }]], [X([1, 3, 4, 5])], 2).dims('y'), [1, 3, 8, 11]);
  assert.deepEqual(infer([['Pad', ['x', 'p'], ['y']]], [X(['n', 3, 'h', 5]), I('p', [0, 0, 1, -1, 0, 0, 1, -1])], 11).dims('y'), ['n', 3, 'h+2', 3]);
  assert.deepEqual(infer([['Pad', ['x', 'p', '', 'a'], ['y']]], [X([1, 3, 4, 5]), I('p', [0, 3, 0, 4]), I('a', [-3, -1])], 18).dims('y'), [1, 3, 4, 12]);
  assert.deepEqual(infer([['Pad', ['x', 'p'], ['y']]], [X([1, 3, 4, 5]), { name: 'p', dtype: T.INT64, dims: [8] }], 11).dims('y'), [null, null, null, null]);
});

test('Expand and Tile, with data', () => {
  assert.deepEqual(infer([['Expand', ['x', 's'], ['y']]], [X([3, 1]), I('s', [2, 1, 6])], 13).dims('y'), [2, 3, 6]);
  assert.deepEqual(infer([['Expand', ['x', 's'], ['y']]], [X([3, 1]), { name: 's', dtype: T.INT64, dims: [3] }], 13).dims('y'), [null, 3, null]);
  // torch's Expand shape: Where(Equal(ConstantOfShape * -1, shape), ones, shape)
  const r = infer([
    ['Shape', ['x'], ['s']], ['ConstantOfShape', ['three'], ['c'], { value: tensor('v', T.INT64, [1], { values: [1] }) }],
    ['Mul', ['c', 'm1'], ['neg']], ['Equal', ['s', 'neg'], ['eq']], ['Where', ['eq', 'c', 's'], ['shape']],
    ['Expand', ['bias', 'shape'], ['y']],
  ], [X(['b', 'seq', 768]), I('three', [3]), I('m1', [-1], []), { name: 'bias', dims: [1, 1, 768] }], 13);
  assert.deepEqual(r.get('c')?.data, [1, 1, 1]);
  assert.deepEqual(r.dims('y'), ['b', 'seq', 768]);
  assert.deepEqual(infer([['Expand', ['c', 's'], ['y']]], [I('c', [4, 5], [2, 1]), I('s', [2, 3])], 13).get('y')?.data, [4, 4, 4, 5, 5, 5]);
  assert.deepEqual(infer([['Tile', ['x', 'r'], ['y']]], [X(['b', 3]), I('r', [2, 2])], 13).dims('y'), ['2*b', 6]);
  assert.deepEqual(infer([['Tile', ['c', 'r'], ['y']]], [I('c', [1, 2]), I('r', [2])], 13).get('y')?.data, [1, 2, 1, 2]);
});

test('Shape start/end, Size, ConstantOfShape, Range', () => {
  assert.deepEqual(infer([['Shape', ['x'], ['y'], { start: 1, end: -1 }]], [X([3, 'seq', 5, 6])], 15).get('y')?.data, ['seq', 5]);
  assert.deepEqual(infer([['Shape', ['x'], ['y'], { start: -10, end: 10 }]], [X([3, 4])], 15).dims('y'), [2]);
  const s = infer([['Size', ['x'], ['y']]], [X(['b', 3, 4])], 13);
  assert.deepEqual([s.dims('y'), s.get('y')?.data], [[], ['12*b']]);
  const c = infer([['ConstantOfShape', ['s'], ['y']]], [I('s', [4, 3, 2])], 13);
  assert.deepEqual([c.dims('y'), c.get('y')?.dtype], [[4, 3, 2], T.FLOAT]);
  const c2 = infer([['ConstantOfShape', ['s'], ['y'], { value: tensor('v', T.INT32, [1], { values: [7] }) }]], [I('s', [2])], 13);
  assert.deepEqual([c2.get('y')?.dtype, c2.get('y')?.data], [T.INT32, [7, 7]]);
  const r = infer([['Range', ['a', 'b', 'c'], ['y']]], [I('a', [10], []), I('b', [4], []), I('c', [-3], [])], 11);
  assert.deepEqual([r.dims('y'), r.get('y')?.data], [[2], [10, 7]]);
  const q = infer([['Shape', ['x'], ['s']], ['Gather', ['s', 'i'], ['n']], ['Range', ['z', 'n', 'one'], ['y']]], [X(['b', 'seq']), I('i', [1], []), I('z', [0], []), I('one', [1], [])], 11);
  assert.deepEqual(q.dims('y'), ['seq']);
});

test('OneHot, TopK, NonZero, Compress, Unique: data-dependent counts stay unknown', () => {
  assert.deepEqual(infer([['OneHot', ['x', 'd', 'v'], ['y'], { axis: 1 }]], [X([2, 2], T.INT64), I('d', [10], []), F('v', [0, 1])], 11).dims('y'), [2, 10, 2]);
  const t = infer([['TopK', ['x', 'k'], ['v', 'i']]], [X([3, 4]), I('k', [3])], 11);
  assert.deepEqual([t.dims('v'), t.dims('i'), t.get('i')?.dtype], [[3, 3], [3, 3], T.INT64]);
  assert.deepEqual(infer([['TopK', ['x'], ['v', 'i'], { k: 2, axis: 0 }]], [X([3, 4])], 1).dims('v'), [2, 4]);
  assert.deepEqual(infer([['NonZero', ['x'], ['y']]], [X([2, 2])], 13).dims('y'), [2, null]);
  assert.deepEqual(infer([['Compress', ['x', 'c'], ['y'], { axis: 0 }]], [X([3, 2]), { name: 'c', dtype: T.BOOL, dims: [3] }], 11).dims('y'), [null, 2]);
  assert.deepEqual(infer([['Compress', ['x', 'c'], ['y'], { axis: 0 }]], [X([3, 2]), { name: 'c', dtype: T.BOOL, dims: [3], init: [0, 1, 1] }], 11).dims('y'), [2, 2]);
  const u = infer([['Unique', ['x'], ['y', 'i', 'inv', 'c'], { axis: 1 }]], [X([2, 4, 2])], 11);
  assert.deepEqual(['y', 'i', 'inv', 'c'].map(u.dims), [[2, null, 2], [null], [4], [null]]);
});

test('DepthToSpace, SpaceToDepth, Trilu, ReverseSequence, EyeLike, BitCast', () => {
  assert.deepEqual(infer([['DepthToSpace', ['x'], ['y'], { blocksize: 2 }]], [X([1, 8, 2, 3])], 13).dims('y'), [1, 2, 4, 6]);
  assert.deepEqual(infer([['SpaceToDepth', ['x'], ['y'], { blocksize: 2 }]], [X([2, 2, 6, 6])], 13).dims('y'), [2, 8, 3, 3]);
  assert.deepEqual(infer([['Trilu', ['x'], ['y']]], [X([2, 3, 3])], 14).dims('y'), [2, 3, 3]);
  assert.deepEqual(infer([['ReverseSequence', ['x', 'l'], ['y']]], [X([4, 4]), { name: 'l', dtype: T.INT64, dims: [4] }], 10).dims('y'), [4, 4]);
  const e = infer([['EyeLike', ['x'], ['y'], { dtype: T.INT32 }]], [X([3, 4])], 9);
  assert.deepEqual([e.dims('y'), e.get('y')?.dtype], [[3, 4], T.INT32]);
  const b = infer([['BitCast', ['x'], ['y'], { to: T.INT32 }]], [X([2, 3])], 26);
  assert.deepEqual([b.dims('y'), b.get('y')?.dtype], [[2, 3], T.INT32]);
  assert.match(infer([['BitCast', ['x'], ['y'], { to: T.INT64 }]], [X([2])], 26).diagnostics[0], /width/);
});

test('Resize: opset 10 scales, 11+ sizes, 18 axes and keep_aspect_ratio_policy, symbolic dims', () => {
  assert.deepEqual(infer([['Resize', ['x', 's'], ['y']]], [X([1, 1, 2, 4]), F('s', [1, 1, 0.6, 0.6])], 10).dims('y'), [1, 1, 1, 2]);
  assert.deepEqual(infer([['Resize', ['x', '', 's'], ['y']]], [X([1, 1, 2, 2]), F('s', [1, 1, 2, 3])], 13).dims('y'), [1, 1, 4, 6]);
  assert.deepEqual(infer([['Resize', ['x', 'r', 's', 'z'], ['y']]], [X([1, 1, 4, 4]), F('r', []), F('s', []), I('z', [1, 1, 3, 3])], 11).dims('y'), [1, 1, 3, 3]);
  assert.deepEqual(infer([['Resize', ['x', '', '', 'z'], ['y'], { axes: [3, 2] }]], [X([1, 1, 2, 2]), I('z', [8, 7])], 18).dims('y'), [1, 1, 7, 8]);
  assert.deepEqual(infer([['Resize', ['x', '', '', 'z'], ['y'], { axes: [2, 3], keep_aspect_ratio_policy: 'not_larger' }]], [X([1, 1, 2, 2]), I('z', [7, 8])], 18).dims('y'), [1, 1, 7, 7]);
  assert.deepEqual(infer([['Resize', ['x', '', '', 'z'], ['y'], { axes: [2, 3], keep_aspect_ratio_policy: 'not_smaller' }]], [X([1, 1, 2, 4]), I('z', [1, 3])], 18).dims('y'), [1, 1, 2, 3]);
  assert.deepEqual(infer([['Resize', ['x', '', 's'], ['y']]], [X(['n', 96, 'h', 'w']), F('s', [1, 1, 2, 2])], 13).dims('y'), ['n', 96, '2*h', '2*w']);
  assert.deepEqual(infer([['Resize', ['x', '', 's'], ['y']]], [X([1, 3, 4, 4]), { name: 's', dtype: T.FLOAT, dims: [4] }], 13).dims('y'), [null, null, null, null]);
  assert.deepEqual(infer([['Upsample', ['x'], ['y'], { scales: attr.fs('scales', [1, 1, 2, 3]) }]], [X([1, 1, 2, 2])], 7).dims('y'), [1, 1, 4, 6]);
  assert.deepEqual(infer([['Upsample', ['x', 's'], ['y']]], [X([1, 1, 2, 2]), F('s', [1, 1, 2, 3])], 9).dims('y'), [1, 1, 4, 6]);
});

test('GridSample, AffineGrid, Col2Im, CenterCropPad', () => {
  assert.deepEqual(infer([['GridSample', ['x', 'g'], ['y']]], [X([1, 1, 3, 2, 2]), { name: 'g', dims: [1, 2, 4, 2, 3] }], 22).dims('y'), [1, 1, 2, 4, 2]);
  assert.deepEqual(infer([['AffineGrid', ['t', 's'], ['y']]], [{ name: 't', dims: [2, 3, 4] }, I('s', [2, 3, 4, 5, 6])], 20).dims('y'), [2, 4, 5, 6, 3]);
  assert.deepEqual(infer([['AffineGrid', ['t', 's'], ['y']]], [{ name: 't', dims: [2, 2, 3] }, { name: 's', dtype: T.INT64, dims: [4] }], 20).dims('y'), [2, null, null, 2]);
  assert.deepEqual(infer([['Col2Im', ['x', 'i', 'b'], ['y']]], [X([1, 10, 12]), I('i', [3, 4, 5]), I('b', [1, 1, 5])], 18).dims('y'), [1, 2, 3, 4, 5]);
  assert.deepEqual(infer([['CenterCropPad', ['x', 's'], ['y'], { axes: [0, 1] }]], [X([20, 8, 3]), I('s', [10, 9])], 18).dims('y'), [10, 9, 3]);
});

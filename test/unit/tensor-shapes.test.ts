// Shape inference and data propagation of the tensor (data movement) family on small models encoded as
// real ONNX bytes. Expected dims are worked out by hand from the ONNX operator specs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attr, tensor, T } from '../fixtures/onnx-writer';
import { graphOf, X, I, F, type In } from '../fixtures/op-model';

/** int64 initializer written as raw bytes, so INT64_MAX / INT64_MIN survive exactly as exporters write them. */
function I64(name: string, values: bigint[]): In {
  const buf = Buffer.alloc(8 * values.length);
  values.forEach((v, k) => buf.writeBigInt64LE(v, k * 8));
  return { name, dims: [values.length], init: values.map(Number), raw: buf };
}
const MAX = 9223372036854775807n,
  MIN = -9223372036854775808n;

test('Reshape keeps symbolic products: [batch, seq, 768] -> Shape/Gather/Concat -> [batch, seq, 12, 64] and back', () => {
  const r = graphOf(
    [
      ['Shape', ['x'], ['s']],
      ['Gather', ['s', 'i0'], ['b']],
      ['Gather', ['s', 'i1'], ['q']],
      ['Unsqueeze', ['b', 'ax0'], ['b1']],
      ['Unsqueeze', ['q', 'ax0'], ['q1']],
      ['Concat', ['b1', 'q1', 'heads'], ['shape'], { axis: 0 }],
      ['Reshape', ['x', 'shape'], ['y']],
      ['Reshape', ['y', 'back'], ['z']],
    ],
    [
      X(['batch', 'seq', 768]),
      I('i0', [0], []),
      I('i1', [1], []),
      I('ax0', [0]),
      I('heads', [12, 64]),
      I('back', [0, -1, 768]),
    ],
    13,
  );
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.dims('b'), []);
  assert.deepEqual(r.data('b'), ['batch']);
  assert.deepEqual(r.data('shape'), ['batch', 'seq', 12, 64]);
  assert.deepEqual(r.dims('y'), ['batch', 'seq', 12, 64]);
  assert.deepEqual(r.dims('z'), ['batch', 'seq', 768]);
});

test('Reshape: 0 copies, -1 infers, allowzero keeps 0, attribute form before opset 5, bad sizes fail', () => {
  assert.deepEqual(graphOf([['Reshape', ['x', 's'], ['y']]], [X([2, 3, 4]), I('s', [0, -1])], 13).dims('y'), [2, 12]);
  assert.deepEqual(
    graphOf([['Reshape', ['x', 's'], ['y']]], [X([2, 3, 4]), I('s', [0, 4, 3])], 14).dims('y'),
    [2, 4, 3],
  );
  assert.deepEqual(
    graphOf([['Reshape', ['x', 's'], ['y'], { allowzero: 1 }]], [X([0, 3, 4]), I('s', [3, 4, 0])], 14).dims('y'),
    [3, 4, 0],
  );
  assert.deepEqual(graphOf([['Reshape', ['x'], ['y'], { shape: [4, -1] }]], [X([2, 3, 4])], 4).dims('y'), [4, 6]);
  // shape values unknown: the rank is the shape input's length
  assert.deepEqual(
    graphOf([['Reshape', ['x', 's'], ['y']]], [X([2, 3, 4]), { name: 's', dtype: T.INT64, dims: [3] }], 13).dims('y'),
    [null, null, null],
  );
  assert.match(
    graphOf([['Reshape', ['x', 's'], ['y']]], [X([2, 3, 4]), I('s', [5, -1])], 13).errors[0],
    /do not divide/,
  );
  const bad = graphOf([['Reshape', ['x', 's'], ['y']]], [X([2, 3, 4]), I('s', [5, 5])], 13);
  assert.match(bad.notes[0], /cannot reshape/);
  assert.deepEqual(bad.dims('y'), [5, 5], 'the explicit target shape still defines the output');
});

test('Flatten, Squeeze, Unsqueeze across opsets', () => {
  assert.deepEqual(graphOf([['Flatten', ['x'], ['y'], { axis: 2 }]], [X([2, 3, 4, 5])], 13).dims('y'), [6, 20]);
  assert.deepEqual(graphOf([['Flatten', ['x'], ['y'], { axis: -4 }]], [X([2, 3, 4, 5])], 13).dims('y'), [1, 120]);
  assert.deepEqual(graphOf([['Flatten', ['x'], ['y']]], [X(['n', 3, 4])], 13).dims('y'), ['n', 12]);
  assert.deepEqual(graphOf([['Squeeze', ['x'], ['y'], { axes: [0, -2] }]], [X([1, 3, 1, 5])], 11).dims('y'), [3, 5]);
  assert.deepEqual(graphOf([['Squeeze', ['x', 'a'], ['y']]], [X([1, 3, 1, 5]), I('a', [2])], 13).dims('y'), [1, 3, 5]);
  assert.deepEqual(graphOf([['Squeeze', ['x'], ['y']]], [X([1, 3, 1, 5])], 13).dims('y'), [3, 5]);
  assert.equal(graphOf([['Squeeze', ['x'], ['y']]], [X(['n', 3, 1])], 13).dims('y'), null, 'a symbolic dim might be 1');
  assert.match(graphOf([['Squeeze', ['x', 'a'], ['y']]], [X([2, 3]), I('a', [0])], 13).errors[0], /not 1/);
  assert.deepEqual(
    graphOf([['Unsqueeze', ['x'], ['y'], { axes: [0, 4] }]], [X([3, 4, 5])], 11).dims('y'),
    [1, 3, 4, 5, 1],
  );
  assert.deepEqual(
    graphOf([['Unsqueeze', ['x', 'a'], ['y']]], [X([3, 4, 5]), I('a', [5, 4, 2])], 13).dims('y'),
    [3, 4, 1, 5, 1, 1],
  );
  assert.deepEqual(
    graphOf([['Unsqueeze', ['x', 'a'], ['y']]], [X([3, 4]), { name: 'a', dtype: T.INT64, dims: [2] }], 13).dims('y'),
    [null, null, null, null],
  );
});

test('Transpose: perm, default reversal, and data permutation', () => {
  assert.deepEqual(
    graphOf([['Transpose', ['x'], ['y'], { perm: [0, 2, 1, 3] }]], [X(['b', 'seq', 12, 64])], 13).dims('y'),
    ['b', 12, 'seq', 64],
  );
  assert.deepEqual(graphOf([['Transpose', ['x'], ['y']]], [X([2, 3, 4])], 13).dims('y'), [4, 3, 2]);
  const r = graphOf([['Transpose', ['c'], ['y']]], [I('c', [1, 2, 3, 4, 5, 6], [2, 3])], 13);
  assert.deepEqual(r.data('y'), [1, 4, 2, 5, 3, 6]);
});

test('Concat adds symbolic dims along the axis and concatenates data', () => {
  assert.deepEqual(
    graphOf(
      [['Concat', ['x', 'p'], ['y'], { axis: -2 }]],
      [X(['b', 'seq', 64]), { name: 'p', dims: ['b', 'past', 64] }],
      13,
    ).dims('y'),
    ['b', 'past+seq', 64],
  );
  const r = graphOf([['Concat', ['a', 'c'], ['y'], { axis: 0 }]], [I('a', [1, 2]), I('c', [3])], 13);
  assert.deepEqual(r.data('y'), [1, 2, 3]);
  const r2 = graphOf(
    [['Concat', ['a', 'c'], ['y'], { axis: 1 }]],
    [I('a', [1, 2], [2, 1]), I('c', [3, 4, 5, 6], [2, 2])],
    13,
  );
  assert.deepEqual(r2.data('y'), [1, 3, 4, 2, 5, 6]);
  assert.match(
    graphOf([['Concat', ['x', 'p'], ['y'], { axis: 0 }]], [X([2, 3]), { name: 'p', dims: [2, 4] }], 13).errors[0],
    /differs/,
  );
});

test('Split: attribute (opset 11), input (13), num_outputs with an uneven last chunk (18)', () => {
  const a = graphOf([['Split', ['x'], ['o1', 'o2'], { axis: 1, split: [2, 4] }]], [X([2, 6])], 11);
  assert.deepEqual(
    [a.dims('o1'), a.dims('o2')],
    [
      [2, 2],
      [2, 4],
    ],
  );
  const b = graphOf([['Split', ['x', 's'], ['o1', 'o2']]], [X([6]), I('s', [1, 5])], 13);
  assert.deepEqual([b.dims('o1'), b.dims('o2')], [[1], [5]]);
  const c = graphOf([['Split', ['x'], ['o1', 'o2', 'o3', 'o4'], { num_outputs: 4 }]], [X([7])], 18);
  assert.deepEqual(['o1', 'o2', 'o3', 'o4'].map(c.dims), [[2], [2], [2], [1]]);
  const d = graphOf([['Split', ['x'], ['o1', 'o2', 'o3'], { axis: 2 }]], [X(['b', 'seq', 2304])], 13);
  assert.deepEqual(d.dims('o3'), ['b', 'seq', 768]);
  const e = graphOf([['Split', ['c'], ['o1', 'o2']]], [I('c', [7, 8, 9, 10])], 13);
  assert.deepEqual(
    [e.data('o1'), e.data('o2')],
    [
      [7, 8],
      [9, 10],
    ],
  );
});

test('Slice: attribute form, clamped and INT64_MAX ends, negative steps, symbolic dims, data', () => {
  assert.deepEqual(
    graphOf([['Slice', ['x'], ['y'], { starts: [0, 1], ends: [2, 1000], axes: [0, 1] }]], [X([20, 10, 5])], 9).dims(
      'y',
    ),
    [2, 9, 5],
  );
  const x = X([20, 10, 5]);
  assert.deepEqual(
    graphOf(
      [['Slice', ['x', 's', 'e', 'a', 'st'], ['y']]],
      [x, I('s', [0, 0, 3]), I('e', [20, 10, 4]), I('a', [0, 1, 2]), I('st', [1, 1, 1])],
      13,
    ).dims('y'),
    [20, 10, 1],
  );
  assert.deepEqual(
    graphOf(
      [['Slice', ['x', 's', 'e', 'a', 'st'], ['y']]],
      [x, I('s', [20, 10, 4]), I('e', [0, 0, 1]), I('a', [0, 1, 2]), I('st', [-1, -3, -2])],
      13,
    ).dims('y'),
    [19, 3, 2],
  );
  assert.deepEqual(
    graphOf([['Slice', ['x', 's', 'e', 'a'], ['y']]], [x, I('s', [1000]), I('e', [1000]), I('a', [1])], 13).dims('y'),
    [20, 0, 5],
  );
  assert.deepEqual(
    graphOf(
      [['Slice', ['x', 's', 'e', 'a'], ['y']]],
      [X(['b', 'seq', 768]), I('s', [1]), I64('e', [MAX]), I('a', [1])],
      13,
    ).dims('y'),
    ['b', 'seq-1', 768],
  );
  assert.deepEqual(
    graphOf(
      [['Slice', ['x', 's', 'e', 'a'], ['y']]],
      [X(['b', 'seq', 768]), I('s', [-1]), I64('e', [MAX]), I('a', [1])],
      13,
    ).dims('y'),
    ['b', 1, 768],
  );
  assert.deepEqual(
    graphOf(
      [['Slice', ['x', 's', 'e', 'a', 'st'], ['y']]],
      [X(['n']), I('s', [-1]), I64('e', [MIN]), I('a', [0]), I('st', [-1])],
      13,
    ).dims('y'),
    ['n'],
  );
  // a fixed end inside a symbolic dim: one element is certain, min(seq, 512) is not
  assert.deepEqual(
    graphOf(
      [['Slice', ['x', 's', 'e', 'a'], ['y']]],
      [X(['b', 'seq', 768]), I('s', [0]), I('e', [1]), I('a', [1])],
      13,
    ).dims('y'),
    ['b', 1, 768],
  );
  assert.deepEqual(
    graphOf(
      [['Slice', ['x', 's', 'e', 'a'], ['y']]],
      [X(['b', 'seq', 768]), I('s', [0]), I('e', [512]), I('a', [1])],
      13,
    ).dims('y'),
    ['b', null, 768],
  );
  // Shape -> Slice keeps the sliced dims as data
  const r = graphOf(
    [
      ['Shape', ['x'], ['s0']],
      ['Slice', ['s0', 's', 'e'], ['y']],
    ],
    [X(['b', 'seq', 768]), I('s', [0]), I('e', [-1])],
    13,
  );
  assert.deepEqual(r.data('y'), ['b', 'seq']);
  assert.deepEqual(r.dims('y'), [2]);
  // a causal mask [1,1,1024,1024] sliced to the sequence length taken from data
  const m = graphOf(
    [
      ['Shape', ['x'], ['s0']],
      ['Gather', ['s0', 'i1'], ['q']],
      ['Unsqueeze', ['q', 'a0'], ['q1']],
      ['Slice', ['mask', 'z', 'q1', 'a2'], ['y']],
    ],
    [
      X(['b', 'seq', 768]),
      { name: 'mask', dtype: T.BOOL, dims: [1, 1, 1024, 1024] },
      I('i1', [1], []),
      I('a0', [0]),
      I('z', [0]),
      I('a2', [2]),
    ],
    13,
  );
  assert.deepEqual(m.dims('y'), [1, 1, 'seq', 1024]);
});

test('Gather: rows of a table, scalar index on data, 2-D indices; out-of-range indices fail', () => {
  assert.deepEqual(
    graphOf([['Gather', ['w', 'x'], ['y']]], [{ name: 'w', dims: [50257, 768] }, X(['b', 'seq'], T.INT64)], 13).dims(
      'y',
    ),
    ['b', 'seq', 768],
  );
  assert.deepEqual(
    graphOf(
      [['Gather', ['x', 'i'], ['y'], { axis: 1 }]],
      [X([3, 3]), { name: 'i', dtype: T.INT64, dims: [1, 2] }],
      13,
    ).dims('y'),
    [3, 1, 2],
  );
  const r = graphOf(
    [
      ['Shape', ['x'], ['s']],
      ['Gather', ['s', 'i'], ['y']],
    ],
    [X([2, 'seq', 5]), I('i', [-1, 1])],
    13,
  );
  assert.deepEqual(r.data('y'), [5, 'seq']);
  const g2 = graphOf(
    [['Gather', ['c', 'i'], ['y'], { axis: 1 }]],
    [I('c', [1, 2, 3, 4, 5, 6], [2, 3]), I('i', [2, 0])],
    13,
  );
  assert.deepEqual(g2.data('y'), [3, 1, 6, 4]);
  assert.match(graphOf([['Gather', ['c', 'i'], ['y']]], [I('c', [1, 2]), I('i', [2])], 13).errors[0], /out of range/);
  assert.deepEqual(
    graphOf(
      [['GatherElements', ['x', 'i'], ['y'], { axis: 1 }]],
      [X([3, 3]), { name: 'i', dtype: T.INT64, dims: [2, 3] }],
      13,
    ).dims('y'),
    [2, 3],
  );
  assert.deepEqual(
    graphOf([['GatherND', ['x', 'i'], ['y']]], [X([2, 2, 2]), { name: 'i', dtype: T.INT64, dims: [2, 1, 2] }], 13).dims(
      'y',
    ),
    [2, 1, 2],
  );
  assert.deepEqual(
    graphOf(
      [['GatherND', ['x', 'i'], ['y'], { batch_dims: 1 }]],
      [X([2, 2, 2]), { name: 'i', dtype: T.INT64, dims: [2, 1] }],
      13,
    ).dims('y'),
    [2, 2],
  );
});

test('Scatter family and TensorScatter keep the data shape', () => {
  const idx = { name: 'i', dtype: T.INT64, dims: [2, 1] };
  assert.deepEqual(
    graphOf([['ScatterND', ['x', 'i', 'u'], ['y']]], [X([4, 4, 4]), idx, { name: 'u', dims: [2, 4, 4] }], 18).dims('y'),
    [4, 4, 4],
  );
  assert.deepEqual(
    graphOf(
      [['ScatterElements', ['x', 'i', 'u'], ['y'], { axis: 1 }]],
      [X([1, 5]), idx, { name: 'u', dims: [2, 1] }],
      18,
    ).dims('y'),
    [1, 5],
  );
  assert.deepEqual(
    graphOf(
      [['TensorScatter', ['x', 'u', 'w'], ['y']]],
      [X([3, 4, 5]), { name: 'u', dims: [3, 2, 5] }, { name: 'w', dtype: T.INT64, dims: [3] }],
      24,
    ).dims('y'),
    [3, 4, 5],
  );
});

test('Pad: attribute forms (opset 1 paddings, opset 2 pads), pads input (11), axes input (18)', () => {
  assert.deepEqual(
    graphOf([['Pad', ['x'], ['y'], { paddings: [0, 0, 1, 2, 0, 0, 3, 4] }]], [X([1, 3, 4, 5])], 1).dims('y'),
    [1, 3, 8, 11],
  );
  assert.deepEqual(
    graphOf([['Pad', ['x'], ['y'], { pads: [0, 0, 1, 2, 0, 0, 3, 4] }]], [X([1, 3, 4, 5])], 2).dims('y'),
    [1, 3, 8, 11],
  );
  assert.deepEqual(
    graphOf([['Pad', ['x', 'p'], ['y']]], [X(['n', 3, 'h', 5]), I('p', [0, 0, 1, -1, 0, 0, 1, -1])], 11).dims('y'),
    ['n', 3, 'h+2', 3],
  );
  assert.deepEqual(
    graphOf([['Pad', ['x', 'p', '', 'a'], ['y']]], [X([1, 3, 4, 5]), I('p', [0, 3, 0, 4]), I('a', [-3, -1])], 18).dims(
      'y',
    ),
    [1, 3, 4, 12],
  );
  assert.deepEqual(
    graphOf([['Pad', ['x', 'p'], ['y']]], [X([1, 3, 4, 5]), { name: 'p', dtype: T.INT64, dims: [8] }], 11).dims('y'),
    [null, null, null, null],
  );
});

test('Expand and Tile, with data', () => {
  assert.deepEqual(graphOf([['Expand', ['x', 's'], ['y']]], [X([3, 1]), I('s', [2, 1, 6])], 13).dims('y'), [2, 3, 6]);
  assert.deepEqual(
    graphOf([['Expand', ['x', 's'], ['y']]], [X([3, 1]), { name: 's', dtype: T.INT64, dims: [3] }], 13).dims('y'),
    [null, 3, null],
  );
  // torch's Expand shape: Where(Equal(ConstantOfShape * -1, shape), ones, shape)
  const r = graphOf(
    [
      ['Shape', ['x'], ['s']],
      ['ConstantOfShape', ['three'], ['c'], { value: tensor('v', T.INT64, [1], { values: [1] }) }],
      ['Mul', ['c', 'm1'], ['neg']],
      ['Equal', ['s', 'neg'], ['eq']],
      ['Where', ['eq', 'c', 's'], ['shape']],
      ['Expand', ['bias', 'shape'], ['y']],
    ],
    [X(['b', 'seq', 768]), I('three', [3]), I('m1', [-1], []), { name: 'bias', dims: [1, 1, 768] }],
    13,
  );
  assert.deepEqual(r.data('c'), [1, 1, 1]);
  assert.deepEqual(r.dims('y'), ['b', 'seq', 768]);
  assert.deepEqual(
    graphOf([['Expand', ['c', 's'], ['y']]], [I('c', [4, 5], [2, 1]), I('s', [2, 3])], 13).data('y'),
    [4, 4, 4, 5, 5, 5],
  );
  assert.deepEqual(graphOf([['Tile', ['x', 'r'], ['y']]], [X(['b', 3]), I('r', [2, 2])], 13).dims('y'), ['2*b', 6]);
  assert.deepEqual(graphOf([['Tile', ['c', 'r'], ['y']]], [I('c', [1, 2]), I('r', [2])], 13).data('y'), [1, 2, 1, 2]);
});

test('Shape start/end, Size, ConstantOfShape, Range', () => {
  assert.deepEqual(graphOf([['Shape', ['x'], ['y'], { start: 1, end: -1 }]], [X([3, 'seq', 5, 6])], 15).data('y'), [
    'seq',
    5,
  ]);
  assert.deepEqual(graphOf([['Shape', ['x'], ['y'], { start: -10, end: 10 }]], [X([3, 4])], 15).dims('y'), [2]);
  const s = graphOf([['Size', ['x'], ['y']]], [X(['b', 3, 4])], 13);
  assert.deepEqual([s.dims('y'), s.data('y')], [[], ['12*b']]);
  const c = graphOf([['ConstantOfShape', ['s'], ['y']]], [I('s', [4, 3, 2])], 13);
  assert.deepEqual([c.dims('y'), c.dtype('y')], [[4, 3, 2], T.FLOAT]);
  const c2 = graphOf(
    [['ConstantOfShape', ['s'], ['y'], { value: tensor('v', T.INT32, [1], { values: [7] }) }]],
    [I('s', [2])],
    13,
  );
  assert.deepEqual([c2.dtype('y'), c2.data('y')], [T.INT32, [7, 7]]);
  const r = graphOf([['Range', ['a', 'b', 'c'], ['y']]], [I('a', [10], []), I('b', [4], []), I('c', [-3], [])], 11);
  assert.deepEqual([r.dims('y'), r.data('y')], [[2], [10, 7]]);
  const q = graphOf(
    [
      ['Shape', ['x'], ['s']],
      ['Gather', ['s', 'i'], ['n']],
      ['Range', ['z', 'n', 'one'], ['y']],
    ],
    [X(['b', 'seq']), I('i', [1], []), I('z', [0], []), I('one', [1], [])],
    11,
  );
  assert.deepEqual(q.dims('y'), ['seq']);
});

test('OneHot, TopK, NonZero, Compress, Unique: data-dependent counts stay unknown', () => {
  assert.deepEqual(
    graphOf(
      [['OneHot', ['x', 'd', 'v'], ['y'], { axis: 1 }]],
      [X([2, 2], T.INT64), I('d', [10], []), F('v', [0, 1])],
      11,
    ).dims('y'),
    [2, 10, 2],
  );
  const t = graphOf([['TopK', ['x', 'k'], ['v', 'i']]], [X([3, 4]), I('k', [3])], 11);
  assert.deepEqual([t.dims('v'), t.dims('i'), t.dtype('i')], [[3, 3], [3, 3], T.INT64]);
  assert.deepEqual(graphOf([['TopK', ['x'], ['v', 'i'], { k: 2, axis: 0 }]], [X([3, 4])], 1).dims('v'), [2, 4]);
  assert.deepEqual(graphOf([['NonZero', ['x'], ['y']]], [X([2, 2])], 13).dims('y'), [2, null]);
  assert.deepEqual(
    graphOf(
      [['Compress', ['x', 'c'], ['y'], { axis: 0 }]],
      [X([3, 2]), { name: 'c', dtype: T.BOOL, dims: [3] }],
      11,
    ).dims('y'),
    [null, 2],
  );
  assert.deepEqual(
    graphOf(
      [['Compress', ['x', 'c'], ['y'], { axis: 0 }]],
      [X([3, 2]), { name: 'c', dtype: T.BOOL, dims: [3], init: [0, 1, 1] }],
      11,
    ).dims('y'),
    [2, 2],
  );
  const u = graphOf([['Unique', ['x'], ['y', 'i', 'inv', 'c'], { axis: 1 }]], [X([2, 4, 2])], 11);
  assert.deepEqual(['y', 'i', 'inv', 'c'].map(u.dims), [[2, null, 2], [null], [4], [null]]);
});

test('DepthToSpace, SpaceToDepth, Trilu, ReverseSequence, EyeLike, BitCast', () => {
  assert.deepEqual(
    graphOf([['DepthToSpace', ['x'], ['y'], { blocksize: 2 }]], [X([1, 8, 2, 3])], 13).dims('y'),
    [1, 2, 4, 6],
  );
  assert.deepEqual(
    graphOf([['SpaceToDepth', ['x'], ['y'], { blocksize: 2 }]], [X([2, 2, 6, 6])], 13).dims('y'),
    [2, 8, 3, 3],
  );
  assert.deepEqual(graphOf([['Trilu', ['x'], ['y']]], [X([2, 3, 3])], 14).dims('y'), [2, 3, 3]);
  assert.deepEqual(
    graphOf([['ReverseSequence', ['x', 'l'], ['y']]], [X([4, 4]), { name: 'l', dtype: T.INT64, dims: [4] }], 10).dims(
      'y',
    ),
    [4, 4],
  );
  const e = graphOf([['EyeLike', ['x'], ['y'], { dtype: T.INT32 }]], [X([3, 4])], 9);
  assert.deepEqual([e.dims('y'), e.dtype('y')], [[3, 4], T.INT32]);
  const b = graphOf([['BitCast', ['x'], ['y'], { to: T.INT32 }]], [X([2, 3])], 26);
  assert.deepEqual([b.dims('y'), b.dtype('y')], [[2, 3], T.INT32]);
  assert.match(graphOf([['BitCast', ['x'], ['y'], { to: T.INT64 }]], [X([2])], 26).errors[0], /width/);
});

test('Resize: opset 10 scales, 11+ sizes, 18 axes and keep_aspect_ratio_policy, symbolic dims', () => {
  assert.deepEqual(
    graphOf([['Resize', ['x', 's'], ['y']]], [X([1, 1, 2, 4]), F('s', [1, 1, 0.6, 0.6])], 10).dims('y'),
    [1, 1, 1, 2],
  );
  assert.deepEqual(
    graphOf([['Resize', ['x', '', 's'], ['y']]], [X([1, 1, 2, 2]), F('s', [1, 1, 2, 3])], 13).dims('y'),
    [1, 1, 4, 6],
  );
  assert.deepEqual(
    graphOf(
      [['Resize', ['x', 'r', 's', 'z'], ['y']]],
      [X([1, 1, 4, 4]), F('r', []), F('s', []), I('z', [1, 1, 3, 3])],
      11,
    ).dims('y'),
    [1, 1, 3, 3],
  );
  assert.deepEqual(
    graphOf([['Resize', ['x', '', '', 'z'], ['y'], { axes: [3, 2] }]], [X([1, 1, 2, 2]), I('z', [8, 7])], 18).dims('y'),
    [1, 1, 7, 8],
  );
  assert.deepEqual(
    graphOf(
      [['Resize', ['x', '', '', 'z'], ['y'], { axes: [2, 3], keep_aspect_ratio_policy: 'not_larger' }]],
      [X([1, 1, 2, 2]), I('z', [7, 8])],
      18,
    ).dims('y'),
    [1, 1, 7, 7],
  );
  assert.deepEqual(
    graphOf(
      [['Resize', ['x', '', '', 'z'], ['y'], { axes: [2, 3], keep_aspect_ratio_policy: 'not_smaller' }]],
      [X([1, 1, 2, 4]), I('z', [1, 3])],
      18,
    ).dims('y'),
    [1, 1, 2, 3],
  );
  assert.deepEqual(
    graphOf([['Resize', ['x', '', 's'], ['y']]], [X(['n', 96, 'h', 'w']), F('s', [1, 1, 2, 2])], 13).dims('y'),
    ['n', 96, '2*h', '2*w'],
  );
  assert.deepEqual(
    graphOf([['Resize', ['x', '', 's'], ['y']]], [X([1, 3, 4, 4]), { name: 's', dtype: T.FLOAT, dims: [4] }], 13).dims(
      'y',
    ),
    [null, null, null, null],
  );
  assert.deepEqual(
    graphOf([['Upsample', ['x'], ['y'], { scales: attr.fs('scales', [1, 1, 2, 3]) }]], [X([1, 1, 2, 2])], 7).dims('y'),
    [1, 1, 4, 6],
  );
  assert.deepEqual(
    graphOf([['Upsample', ['x', 's'], ['y']]], [X([1, 1, 2, 2]), F('s', [1, 1, 2, 3])], 9).dims('y'),
    [1, 1, 4, 6],
  );
});

test('GridSample, AffineGrid, Col2Im, CenterCropPad', () => {
  assert.deepEqual(
    graphOf([['GridSample', ['x', 'g'], ['y']]], [X([1, 1, 3, 2, 2]), { name: 'g', dims: [1, 2, 4, 2, 3] }], 22).dims(
      'y',
    ),
    [1, 1, 2, 4, 2],
  );
  assert.deepEqual(
    graphOf([['AffineGrid', ['t', 's'], ['y']]], [{ name: 't', dims: [2, 3, 4] }, I('s', [2, 3, 4, 5, 6])], 20).dims(
      'y',
    ),
    [2, 4, 5, 6, 3],
  );
  assert.deepEqual(
    graphOf(
      [['AffineGrid', ['t', 's'], ['y']]],
      [
        { name: 't', dims: [2, 2, 3] },
        { name: 's', dtype: T.INT64, dims: [4] },
      ],
      20,
    ).dims('y'),
    [2, null, null, 2],
  );
  assert.deepEqual(
    graphOf([['Col2Im', ['x', 'i', 'b'], ['y']]], [X([1, 10, 12]), I('i', [3, 4, 5]), I('b', [1, 1, 5])], 18).dims('y'),
    [1, 2, 3, 4, 5],
  );
  assert.deepEqual(
    graphOf([['CenterCropPad', ['x', 's'], ['y'], { axes: [0, 1] }]], [X([20, 8, 3]), I('s', [10, 9])], 18).dims('y'),
    [10, 9, 3],
  );
});

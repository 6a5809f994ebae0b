// Shape inference of If / Loop / Scan, sequences and optionals on small models encoded as real ONNX bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, vi, viOf, attr, tensorType, T } from '../fixtures/onnx-writer';
import { graphOf, subgraph, P, I, S } from '../fixtures/op-model';

// ---------------------------------------------------------------- If

const branches = {
  then_branch: subgraph(
    [
      ['Relu', ['a'], ['t']],
      ['Constant', [], ['tc'], { value: tensor('', T.INT64, [2], { values: [5, 6] }) }],
    ],
    [],
    ['t', 'tc'],
  ),
  else_branch: subgraph(
    [
      ['Concat', ['a', 'a'], ['e'], { axis: 1 }],
      ['Constant', [], ['ec'], { value: tensor('', T.INT64, [2], { values: [5, 7] }) }],
    ],
    [],
    ['e', 'ec'],
  ),
};

test('If with an unknown condition: equal dims kept, differing dims unknown, agreeing data kept', () => {
  const r = graphOf([['If', ['c'], ['y', 'k'], branches]], [P('c', [], T.BOOL), P('a', [2, 3])], 13);
  assert.deepEqual(r.dims('y'), [2, null]);
  assert.deepEqual(r.dims('k'), [2]);
  assert.deepEqual(r.data('k'), [5, null]);
});

test('If with a known constant condition takes that branch, data included', () => {
  const yes = graphOf([['If', ['c'], ['y', 'k'], branches]], [I('c', [1], [], T.BOOL), P('a', [2, 3])], 13);
  assert.deepEqual(yes.dims('y'), [2, 3]);
  assert.deepEqual(yes.data('k'), [5, 6]);
  const no = graphOf([['If', ['c'], ['y', 'k'], branches]], [I('c', [0], [], T.BOOL), P('a', [2, 3])], 13);
  assert.deepEqual(no.dims('y'), [2, 6]);
  assert.deepEqual(no.data('k'), [5, 7]);
});

// ---------------------------------------------------------------- Loop

const loopBody = subgraph(
  [
    ['Identity', ['cin'], ['cout']],
    ['Add', ['x_in', 'x_in'], ['x_out']],
    ['Relu', ['x_in'], ['scan']],
  ],
  [vi('i', T.INT64, []), vi('cin', T.BOOL, []), vi('x_in', T.FLOAT, null)],
  ['cout', 'x_out', 'scan'],
);

test('Loop with known M and cond true: scan outputs stacked with the trip count', () => {
  const r = graphOf(
    [['Loop', ['m', 'c', 'x'], ['xf', 'ys'], { body: loopBody }]],
    [S('m', 4), I('c', [1], [], T.BOOL), P('x', [2, 3])],
    13,
  );
  assert.deepEqual(r.dims('xf'), [2, 3]);
  assert.deepEqual(r.dims('ys'), [4, 2, 3]);
});

test('Loop whose cond is a runtime input: the trip count stays unknown', () => {
  const r = graphOf(
    [['Loop', ['m', 'c', 'x'], ['xf', 'ys'], { body: loopBody }]],
    [S('m', 4), P('c', [], T.BOOL), P('x', [2, 3])],
    13,
  );
  assert.deepEqual(r.dims('ys'), [null, 2, 3]);
  assert.deepEqual(r.dims('xf'), [2, 3]);
});

test('Loop-carried value that grows each iteration is widened to an unknown dim', () => {
  const grow = subgraph(
    [
      ['Identity', ['cin'], ['cout']],
      ['Concat', ['x_in', 'x_in'], ['x_out'], { axis: 0 }],
    ],
    [vi('i', T.INT64, []), vi('cin', T.BOOL, []), vi('x_in', T.FLOAT, null)],
    ['cout', 'x_out'],
  );
  const r = graphOf([['Loop', ['m', '', 'x'], ['xf'], { body: grow }]], [P('m', [], T.INT64), P('x', [2, 3])], 13);
  assert.deepEqual(r.dims('xf'), [null, 3]);
});

test('Loop building a sequence from SequenceEmpty: elements take the inserted tensor type', () => {
  const body = subgraph(
    [
      ['Identity', ['cin'], ['cout']],
      ['SequenceInsert', ['s_in', 'x'], ['s_out']],
    ],
    [vi('i', T.INT64, []), vi('cin', T.BOOL, []), viOf('s_in', null)],
    ['cout', 's_out'],
  );
  const r = graphOf(
    [
      ['SequenceEmpty', [], ['s0']],
      ['Loop', ['m', '', 's0'], ['sf'], { body }],
    ],
    [P('m', [], T.INT64), P('x', [2, 3])],
    13,
  );
  assert.deepEqual(r.type('sf'), { kind: 'sequence', elem: { kind: 'tensor', dtype: T.FLOAT, dims: [2, 3] } });
});

// ---------------------------------------------------------------- Scan

test('Scan-9 with scan_input_axes / scan_output_axes', () => {
  const body = subgraph(
    [
      ['Add', ['s', 'xt'], ['s2']],
      ['Relu', ['s2'], ['yt']],
    ],
    [vi('s', T.FLOAT, [2, 3]), vi('xt', T.FLOAT, [2, 3])],
    ['s2', 'yt'],
  );
  const r = graphOf(
    [['Scan', ['s0', 'x'], ['sf', 'y'], { body, num_scan_inputs: 1, scan_input_axes: [1], scan_output_axes: [-1] }]],
    [P('s0', [2, 3]), P('x', [2, 'T', 3])],
    11,
  );
  assert.deepEqual(r.dims('sf'), [2, 3]);
  assert.deepEqual(r.dims('y'), [2, 3, 'T']);
});

test('Scan-8: batch axis 0 on every input, sequence axis 1 on scan inputs', () => {
  const body = subgraph(
    [
      ['Add', ['s', 'xt'], ['s2']],
      ['Identity', ['s2'], ['yt']],
    ],
    [vi('s', T.FLOAT, [2]), vi('xt', T.FLOAT, [2])],
    ['s2', 'yt'],
  );
  const r = graphOf(
    [['Scan', ['', 's0', 'x'], ['sf', 'y'], { body, num_scan_inputs: 1 }]],
    [P('s0', [1, 2]), P('x', [1, 3, 2])],
    8,
  );
  assert.deepEqual(r.dims('sf'), [1, 2]);
  assert.deepEqual(r.dims('y'), [1, 3, 2]);
});

// ---------------------------------------------------------------- sequences

test('SequenceConstruct / Insert / Erase / At / Length with known contents', () => {
  const r = graphOf(
    [
      ['SequenceConstruct', ['a', 'b'], ['s']],
      ['SequenceInsert', ['s', 'c', 'zero'], ['s2']],
      ['SequenceErase', ['s2'], ['s3']],
      ['SequenceLength', ['s3'], ['n']],
      ['SequenceAt', ['s3', 'zero'], ['first']],
      ['SequenceAt', ['s3', 'p'], ['any']],
    ],
    [P('a', [2, 3]), P('b', [4, 3]), P('c', [1, 3]), S('zero', 0), P('p', [], T.INT64)],
    13,
  );
  assert.deepEqual(r.data('n'), [2]); // [c, a] after erasing the last (b)
  assert.deepEqual(r.dims('first'), [1, 3]);
  assert.deepEqual(r.dims('any'), [null, 3]); // unknown position: the union of the elements
  assert.deepEqual(r.type('s'), { kind: 'sequence', elem: { kind: 'tensor', dtype: T.FLOAT, dims: [null, 3] } });
});

test('ConcatFromSequence: concat along an axis sums it; new_axis stacks', () => {
  const r = graphOf(
    [
      ['SequenceConstruct', ['a', 'b'], ['s']],
      ['ConcatFromSequence', ['s'], ['cat'], { axis: 0 }],
      ['SequenceConstruct', ['a', 'a', 'a'], ['t']],
      ['ConcatFromSequence', ['t'], ['stk'], { axis: -1, new_axis: 1 }],
    ],
    [P('a', [2, 3]), P('b', ['n', 3])],
    13,
  );
  assert.deepEqual(r.dims('cat'), ['n+2', 3]);
  assert.deepEqual(r.dims('stk'), [2, 3, 3]);
});

test('SplitToSequence: explicit sizes, equal chunks, and one per index without keepdims', () => {
  const r = graphOf(
    [
      ['SplitToSequence', ['x', 'sizes'], ['s1']],
      ['SequenceAt', ['s1', 'last'], ['e1']],
      ['SplitToSequence', ['x', 'three'], ['s2']],
      ['SequenceLength', ['s2'], ['n2']],
      ['SequenceAt', ['s2', 'last'], ['e2']],
      ['SplitToSequence', ['x'], ['s3'], { axis: 1, keepdims: 0 }],
      ['SequenceLength', ['s3'], ['n3']],
      ['SequenceAt', ['s3', 'last'], ['e3']],
    ],
    [P('x', [7, 5]), I('sizes', [2, 5], [2]), S('three', 3), S('last', -1)],
    13,
  );
  assert.deepEqual(r.dims('e1'), [5, 5]);
  assert.deepEqual(r.data('n2'), [3]);
  assert.deepEqual(r.dims('e2'), [1, 5]); // 7 = 3 + 3 + 1
  assert.deepEqual(r.data('n3'), [5]);
  assert.deepEqual(r.dims('e3'), [7]);
});

test('SequenceMap maps the body over each known element', () => {
  const body = subgraph([['Shape', ['e'], ['sh']]], [viOf('e', null)], ['sh']);
  const r = graphOf(
    [
      ['SequenceConstruct', ['a', 'b'], ['s']],
      ['SequenceMap', ['s'], ['shapes'], { body }],
      ['SequenceAt', ['shapes', 'one'], ['sh1']],
    ],
    [P('a', [2, 3]), P('b', [4, 5, 6]), S('one', 1)],
    17,
  );
  assert.deepEqual(r.dims('sh1'), [3]);
  assert.deepEqual(r.data('sh1'), [4, 5, 6]);
});

// ---------------------------------------------------------------- optionals

test('Optional / OptionalHasElement / OptionalGetElement', () => {
  const r = graphOf(
    [
      ['Optional', ['x'], ['o']],
      ['OptionalHasElement', ['o'], ['has']],
      ['OptionalGetElement', ['o'], ['back']],
      ['Optional', [], ['none'], { type: attr.tp('type', tensorType(T.FLOAT, [4])) }],
      ['OptionalHasElement', ['none'], ['hasnt']],
      ['OptionalHasElement', [], ['missing']],
    ],
    [P('x', [2, 'b'])],
    18,
  );
  assert.deepEqual(r.type('o'), { kind: 'optional', elem: { kind: 'tensor', dtype: T.FLOAT, dims: [2, 'b'] } });
  assert.deepEqual(r.dims('has'), []);
  assert.deepEqual(r.data('has'), [1]);
  assert.deepEqual(r.dims('back'), [2, 'b']);
  assert.deepEqual(r.type('none'), { kind: 'optional', elem: { kind: 'tensor', dtype: T.FLOAT, dims: [4] } });
  assert.deepEqual(r.data('hasnt'), [0]);
  assert.deepEqual(r.data('missing'), [0]);
});

test('errors: out-of-range sequence position and a missing If branch are diagnostics', () => {
  const r = graphOf(
    [
      ['SequenceConstruct', ['a'], ['s']],
      ['SequenceAt', ['s', 'five'], ['e']],
    ],
    [P('a', [2]), S('five', 5)],
    13,
  );
  assert.ok(r.diagnostics.some((m) => /out of range/.test(m)));
  const g = graphOf(
    [['If', ['c'], ['y'], { then_branch: branches.then_branch }]],
    [P('c', [], T.BOOL), P('a', [2])],
    13,
  );
  assert.ok(g.diagnostics.some((m) => /else_branch/.test(m)));
});

// FLOPs and bytes of control flow and sequence ops (docs/COSTS.md "## control").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { graph, node, vi, attr, T } from '../fixtures/onnx-writer';
import { graphOf, subgraph, P, I, S, type In, type NodeSpec } from '../fixtures/op-model';

/** Node costs of a model that infers without errors or warnings, looked up by a node's output. */
const costs = (nodes: NodeSpec[], ins: In[], opset: number) => graphOf(nodes, ins, opset).clean('warning').costOf;

// then: one Add on [2,3] = 6 FLOPs; else: Mul + Add = 12 FLOPs
const branches = {
  then_branch: subgraph([['Add', ['a', 'a'], ['t']]], [], ['t']),
  else_branch: subgraph(
    [
      ['Mul', ['a', 'a'], ['m']],
      ['Add', ['m', 'a'], ['e']],
    ],
    [],
    ['e'],
  ),
};

test('If: the larger branch when the condition is unknown, the taken branch when it is known', () => {
  assert.equal(costs([['If', ['c'], ['y'], branches]], [P('c', [], T.BOOL), P('a', [2, 3])], 13)('y').flops, 12);
  assert.equal(costs([['If', ['c'], ['y'], branches]], [I('c', [1], [], T.BOOL), P('a', [2, 3])], 13)('y').flops, 6);
});

const body = subgraph(
  [
    ['Identity', ['cin'], ['cout']],
    ['Add', ['x_in', 'x_in'], ['x_out']],
  ],
  [vi('i', T.INT64, []), vi('cin', T.BOOL, []), vi('x_in', T.FLOAT, null)],
  ['cout', 'x_out'],
);

test('Loop: body x M when M is known, one iteration otherwise', () => {
  assert.equal(costs([['Loop', ['m', '', 'x'], ['xf'], { body }]], [S('m', 5), P('x', [4])], 13)('xf').flops, 5 * 4);
  assert.equal(
    costs([['Loop', ['m', '', 'x'], ['xf'], { body }]], [P('m', [], T.INT64), P('x', [4])], 13)('xf').flops,
    4,
  );
  // INT64_MAX-like "no limit" counts are not trip counts
  assert.equal(costs([['Loop', ['m', '', 'x'], ['xf'], { body }]], [S('m', 2 ** 53), P('x', [4])], 13)('xf').flops, 4);
});

test('Scan: body x sequence length; Scan-8 also x batch', () => {
  const b9 = subgraph([['Add', ['s', 'xt'], ['s2']]], [vi('s', T.FLOAT, [3]), vi('xt', T.FLOAT, [3])], ['s2']);
  assert.equal(
    costs(
      [['Scan', ['s0', 'x'], ['sf'], { body: b9, num_scan_inputs: 1, scan_input_axes: [1] }]],
      [P('s0', [3]), P('x', [3, 5])],
      11,
    )('sf').flops,
    3 * 5,
  );
  const b8 = subgraph([['Add', ['s', 'xt'], ['s2']]], [vi('s', T.FLOAT, [3]), vi('xt', T.FLOAT, [3])], ['s2']);
  assert.equal(
    costs(
      [['Scan', ['', 's0', 'x'], ['sf'], { body: b8, num_scan_inputs: 1 }]],
      [P('s0', [2, 3]), P('x', [2, 5, 3])],
      8,
    )('sf').flops,
    3 * 2 * 5,
  );
});

test('SequenceMap: body x number of elements', () => {
  const b = subgraph([['Add', ['e', 'e'], ['o']]], [vi('e', T.FLOAT, null)], ['o']);
  const c = costs(
    [
      ['SequenceConstruct', ['a', 'a', 'a'], ['s']],
      ['SequenceMap', ['s'], ['r'], { body: b }],
    ],
    [P('a', [2, 3])],
    17,
  );
  assert.equal(c('r').flops, 3 * 6);
});

test('sequence ops move only the tensors copied in or out, 0 FLOPs', () => {
  const c = costs(
    [
      ['SequenceConstruct', ['a', 'b'], ['s']],
      ['SequenceAt', ['s', 'one'], ['e']],
      ['ConcatFromSequence', ['s'], ['cat'], { axis: 0 }],
      ['SequenceLength', ['s'], ['n']],
    ],
    [P('a', [2, 3]), P('b', [4, 3]), S('one', 1)],
    13,
  );
  assert.deepEqual([c('s').flops, c('s').bytesRead, c('s').bytesWritten], [0, 72, 72]); // (6 + 12) floats
  assert.deepEqual([c('e').bytesRead, c('e').bytesWritten], [48, 48]);
  assert.deepEqual([c('cat').bytesRead, c('cat').bytesWritten], [72, 72]);
  assert.deepEqual([c('n').bytesRead, c('n').bytesWritten], [0, 8]);
});

test('If inside a model-local function: each call is costed with its own branch shapes, ref attributes substituted inside branches', () => {
  // F(x, c) = Concat<axis=@ax>(If(c){Add(x,x)}{Concat<axis=@ax>(x,x)}, x): called on [2,3] (ax=1) and on its own [2,9] result
  const branch = (op: string) =>
    graph({
      nodes: [
        { opType: op, input: ['x', 'x'], output: ['o'], attribute: op === 'Concat' ? [attr.ref('axis', 'ax', 2)] : [] },
      ],
      outputs: [{ name: 'o' }],
    });
  const r = graphOf(
    [
      ['F', ['a', 'c'], ['b'], { ax: 1 }, 'local'],
      ['F', ['b', 'c'], ['d'], { ax: 0 }, 'local'],
    ],
    [P('a', [2, 3]), P('c', [], T.BOOL)],
    {
      opsets: { '': 17, local: 1 },
      functions: [
        {
          name: 'F',
          domain: 'local',
          inputs: ['x', 'c'],
          outputs: ['y'],
          opsets: { '': 17 },
          attributes: ['ax'],
          nodes: [
            node('If', ['c'], ['t'], { then_branch: branch('Add'), else_branch: branch('Concat') }),
            { opType: 'Concat', input: ['t', 'x'], output: ['y'], attribute: [attr.ref('axis', 'ax', 2)] },
          ],
        },
      ],
    },
  );
  assert.deepEqual(r.shapes.diagnostics, []);
  assert.deepEqual(r.dims('b'), [2, null]); // If: [2,3] or [2,6]; then concat with x on axis 1
  assert.deepEqual(r.dims('d'), [null, null]);
  assert.equal(r.cost(0).flops, 6); // Add on [2,3]; the Concat branch is 0 FLOPs
});

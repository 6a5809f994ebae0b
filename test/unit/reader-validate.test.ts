// Structural problems do not stop reading: cycles, dangling names, duplicate producers, duplicate
// initializers and node names each become a diagnostic naming the node, tensor and graph path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readModelBytes } from '../../src/engine/onnx/reader';
import { T, graph, model, node, tensor, vi } from '../fixtures/onnx-writer';
import type { onnx } from '../fixtures/onnx-writer';

function read(g: onnx.IGraphProto) {
  return readModelBytes(model({ graph: g }), 'v.onnx');
}

test('a clean graph has no diagnostics', () => {
  const m = read(
    graph({
      nodes: [
        node('Add', ['x', 'b'], ['h'], {}, { name: 'add' }),
        node('Relu', ['h'], ['y'], {}, { name: 'relu' }),
        node('Relu', ['', 'h'], ['z', ''], {}, { name: '' }),
        node('Relu', ['h'], ['z2'], {}, { name: '' }),
      ],
      inputs: [vi('x', T.FLOAT, [2])],
      outputs: [vi('y', T.FLOAT, [2])],
      initializers: [tensor('b', T.FLOAT, [2], { values: [1, 2] })],
    }),
  );
  assert.deepEqual(m.diagnostics, []); // empty names (optional inputs/outputs, unnamed nodes) are not problems
});

test('a cycle is an error diagnostic naming the nodes on it; the model still reads', () => {
  const m = read(
    graph({
      nodes: [
        node('Relu', ['x'], ['a'], {}, { name: 'n0' }),
        node('Add', ['a', 'c'], ['b'], {}, { name: 'n1' }),
        node('Relu', ['b'], ['c'], {}, { name: 'n2' }),
        node('Neg', ['b'], ['y'], {}, { name: 'n3' }),
      ],
      inputs: [vi('x', T.FLOAT, [2])],
      outputs: [vi('y', T.FLOAT, [2])],
    }),
  );
  assert.equal(m.graph.nodes.length, 4);
  const cyc = m.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(cyc.length, 1);
  assert.match(cyc[0].message, /graph main has a cycle through 'n1', 'n2'/);
  assert.equal(cyc[0].graph, 'main');
});

test('a node that consumes its own output is a cycle', () => {
  const m = read(
    graph({ nodes: [node('Add', ['x', 's'], ['s'], {}, { name: 'self' })], inputs: [vi('x', T.FLOAT, [1])] }),
  );
  assert.match(m.diagnostics.find((d) => d.severity === 'error')!.message, /cycle through 'self'/);
});

test('dangling inputs and outputs are warnings naming node, tensor and graph', () => {
  const body = graph({
    nodes: [node('Add', ['x', 'nowhere'], ['o'], {}, { name: 'inner' })],
    outputs: [vi('o', T.FLOAT, [1])],
  });
  const m = read(
    graph({
      nodes: [
        node('Relu', ['ghost'], ['y'], {}, { name: 'r' }),
        node('If', ['c'], ['z'], { then_branch: body, else_branch: body }, { name: 'if0' }),
      ],
      inputs: [vi('x', T.FLOAT, [1]), vi('c', T.BOOL, [])],
      outputs: [vi('y', T.FLOAT, [1]), vi('missing_out', T.FLOAT, [1])],
    }),
  );
  const w = m.diagnostics.map((d) => [d.severity, d.message, d.node, d.tensor, d.graph]);
  assert.deepEqual(w, [
    ['warning', "input 'ghost' of node 'r' is produced by nothing in scope", 'r', 'ghost', 'main'],
    ['warning', "graph output 'missing_out' is produced by nothing in scope", undefined, 'missing_out', 'main'],
    [
      'warning',
      "input 'nowhere' of node 'inner' is produced by nothing in scope",
      'inner',
      'nowhere',
      'main/if0.then_branch',
    ],
    [
      'warning',
      "input 'nowhere' of node 'inner' is produced by nothing in scope",
      'inner',
      'nowhere',
      'main/if0.else_branch',
    ],
  ]);
});

test("a subgraph sees outer-scope names, the outer graph does not see a subgraph's names", () => {
  const body = graph({ nodes: [node('Add', ['x', 'h'], ['inner_t'])], outputs: [vi('inner_t', T.FLOAT, [1])] });
  const m = read(
    graph({
      nodes: [
        node('Relu', ['x'], ['h']),
        node('If', ['c'], ['z'], { then_branch: body, else_branch: body }, { name: 'if0' }),
        node('Neg', ['inner_t'], ['y'], {}, { name: 'leak' }),
      ],
      inputs: [vi('x', T.FLOAT, [1]), vi('c', T.BOOL, [])],
    }),
  );
  assert.deepEqual(
    m.diagnostics.map((d) => d.message),
    ["input 'inner_t' of node 'leak' is produced by nothing in scope"],
  );
});

test('duplicate names: SSA violations, initializers defined twice, node names used twice', () => {
  const m = read(
    graph({
      nodes: [
        node('Relu', ['x'], ['t'], {}, { name: 'a' }),
        node('Neg', ['x'], ['t'], {}, { name: 'a' }),
        node('Abs', ['x'], ['x'], {}, { name: 'b' }),
        node('Abs', ['x'], ['w'], {}, { name: 'c' }),
      ],
      inputs: [vi('x', T.FLOAT, [1])],
      initializers: [tensor('w', T.FLOAT, [1], { values: [1] }), tensor('w', T.FLOAT, [1], { values: [2] })],
    }),
  );
  assert.deepEqual(
    m.diagnostics.map((d) => [d.severity, d.message]),
    [
      ['warning', "initializer 'w' is defined more than once"],
      ['info', "node name 'a' is used by more than one node"],
      ['warning', "tensor 't' is produced more than once (SSA violated)"],
      ['warning', "tensor 'x' is produced more than once (SSA violated)"],
      ['warning', "tensor 'w' is produced more than once (SSA violated)"],
    ],
  );
});

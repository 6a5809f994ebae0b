// Passes that keep per-tensor state by name id (onnx/nameIds.ts) give the same answers on the reader's numbering
// as on a graph numbered afresh (one built in memory), and the rule tables are values built in one place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { graph, model, node, tensor, T, vi, rawOf } from '../fixtures/onnx-writer';
import { readModelBytes } from '../../src/engine/onnx/reader';
import type { Model } from '../../src/engine/onnx/ir';
import { graphIds } from '../../src/engine/onnx/nameIds';
import { analyse, modelReport } from '../../src/engine/profile';
import { topoOrder } from '../../src/engine/shapes/infer';
import { SHAPE_RULES } from '../../src/engine/shapes/ops';
import { COST_RULES } from '../../src/engine/cost/ops';

/** x -> (MatMul W, Add B, Relu) x3, with a side branch read by two layers and a second graph output. */
function chainBytes(): Uint8Array {
  const ns = [];
  let cur = 'x';
  for (let i = 0; i < 3; i++) {
    ns.push(node('MatMul', [cur, 'W'], [`m${i}`], {}, { name: `/b${i}/MatMul` }));
    ns.push(node('Add', [`m${i}`, 'B'], [`a${i}`], {}, { name: `/b${i}/Add` }));
    ns.push(node('Relu', [`a${i}`], [`h${i}`], {}, { name: `/b${i}/Relu` }));
    cur = `h${i}`;
  }
  ns.push(node('Add', ['m0', cur], ['y'], {}, { name: '/skip/Add' }));
  return model({
    graph: graph({
      name: 'chain',
      nodes: ns,
      inputs: [vi('x', T.FLOAT, ['batch', 8])],
      outputs: [vi('y', T.FLOAT, ['batch', 8]), vi('a1', T.FLOAT, ['batch', 8])],
      initializers: [
        tensor('W', T.FLOAT, [8, 8], { raw: rawOf(T.FLOAT, new Array(64).fill(0.5)) }),
        tensor('B', T.FLOAT, [8], { raw: rawOf(T.FLOAT, new Array(8).fill(0)) }),
      ],
    }),
  });
}

/** The same model with new node and graph objects: no reader numbering, so the passes number it themselves. */
function rebuilt(m: Model): Model {
  return { ...m, graph: { ...m.graph, nodes: m.graph.nodes.map((n) => ({ ...n, inputs: [...n.inputs] })) } };
}

function summary(m: Model) {
  const a = analyse(m, { batch: 4 });
  const r = modelReport(a, true);
  return { layers: r.layers, peak: r.model.peakActivationBytes, flops: r.model.forwardFlops, tensors: r.tensors };
}

test('layers, costs and peak activation agree on the reader numbering and a fresh one', () => {
  const read = readModelBytes(chainBytes());
  const fresh = rebuilt(read);
  assert.notEqual(graphIds(read.graph), graphIds(fresh.graph));
  const a = summary(read),
    b = summary(fresh);
  assert.deepEqual(b, a);
  // x and the two live chain tensors of 4 x 8 floats at the widest point; the skip keeps m0 alive to the end
  assert.ok(a.peak >= 3 * 4 * 8 * 4, `peak ${a.peak}`);
  assert.equal(a.flops, 3 * (2 * 4 * 8 * 8 + 4 * 8 + 4 * 8) + 4 * 8);
  // a1 is a graph output: its layer writes it out
  const l1 = a.layers.find((l) => l.nodes.includes('/b1/Add'))!;
  assert.ok(l1.activationBytes > 0);
});

test('topological order of an out-of-order graph, by ids, keeps file order where it can', () => {
  const m = rebuilt(readModelBytes(chainBytes()));
  const nodes = m.graph.nodes;
  // move the first Relu to the end: it must come back before the MatMul that reads h0
  const g = {
    ...m.graph,
    nodes: [nodes[0], nodes[1], ...nodes.slice(3), nodes[2]].map((n, k) => ({ ...n, index: k })),
  };
  const order = topoOrder(g).map((n) => n.name);
  assert.deepEqual(order.slice(0, 4), ['/b0/MatMul', '/b0/Add', '/b0/Relu', '/b1/MatMul']);
  assert.equal(order.length, nodes.length);
});

test('the shape and cost rule tables are values with one rule per op', () => {
  for (const op of ['MatMul', 'Add', 'Relu', 'Slice', 'DynamicSlice', 'If', 'Loop'])
    assert.equal(typeof SHAPE_RULES.lookup('', op), 'function', op);
  assert.equal(SHAPE_RULES.lookup('ai.onnx', 'MatMul'), SHAPE_RULES.lookup('', 'MatMul'));
  assert.equal(typeof SHAPE_RULES.lookup('com.microsoft', 'MatMulNBits'), 'function');
  assert.equal(typeof COST_RULES.lookup('', 'MatMul'), 'function');
  assert.equal(SHAPE_RULES.lookup('', 'NoSuchOp'), undefined);
  const keys = SHAPE_RULES.keys();
  assert.equal(new Set(keys).size, keys.length);
  assert.ok(keys.length > 200, `${keys.length} shape rules`);
});

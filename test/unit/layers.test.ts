import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Graph, Model, Node } from '../../src/engine/onnx/ir';
import { blockOf, buildLayers } from '../../src/engine/cost/layers';
import type { NodeCost } from '../../src/engine/cost/types';

function node(index: number, opType: string, name: string, inputs: string[], outputs: string[]): Node {
  return { index, opType, name, domain: '', inputs, outputs, attrs: {} };
}

function model(nodes: Node[], outputs: string[]): Model {
  const graph: Graph = {
    name: 'g',
    path: 'main',
    nodes,
    inputs: [{ name: 'x', type: null }],
    outputs: outputs.map((name) => ({ name, type: null })),
    valueInfo: [],
    initializers: [],
    sparseInitializers: [],
  };
  return {
    path: 'm.onnx',
    fileSize: 0,
    irVersion: 8,
    opsets: { '': 17 },
    producerName: '',
    producerVersion: '',
    domain: '',
    modelVersion: 0,
    docString: '',
    metadata: {},
    graph,
    functions: [],
    trainingInfoCount: 0,
    diagnostics: [],
  };
}

const cost = (flops: number, out = 100): NodeCost => ({
  flops,
  paramCount: 0,
  paramBytes: 0,
  inputBytes: out,
  outputBytes: out,
  bytesRead: out,
  bytesWritten: out,
  modelled: true,
  approximate: false,
});

test('a compute op absorbs the cheap ops that follow it; the next compute op starts a new layer', () => {
  const nodes = [
    node(0, 'MatMul', '/model/layers.0/mlp/fc1/MatMul', ['x', 'w1'], ['a']),
    node(1, 'Add', '/model/layers.0/mlp/fc1/Add', ['a', 'b1'], ['b']),
    node(2, 'Gelu', '/model/layers.0/mlp/act/Gelu', ['b'], ['c']),
    node(3, 'MatMul', '/model/layers.0/mlp/fc2/MatMul', ['c', 'w2'], ['d']),
    node(4, 'Add', '/model/layers.0/Add_1', ['d', 'x'], ['y']),
  ];
  const layers = buildLayers(model(nodes, ['y']), [cost(10), cost(1), cost(8), cost(10), cost(1)]);
  assert.equal(layers.length, 2);
  assert.deepEqual(layers[0].opTypes, ['MatMul', 'Add', 'Gelu']);
  assert.equal(layers[0].forwardFlops, 19);
  assert.deepEqual(layers[1].nodes, ['/model/layers.0/mlp/fc2/MatMul', '/model/layers.0/Add_1']);
  assert.equal(layers[1].forwardFlops, 11);
  // only the tensor that leaves the layer counts as its activation output
  assert.equal(layers[0].activationBytes, 100);
  assert.equal(layers[0].kind, 'matmul');
  assert.equal(layers[0].block, '/model/layers.0');
});

test('blocks are recognised from common exporter name hierarchies', () => {
  assert.equal(blockOf('/model/layers.11/self_attn/q_proj/MatMul'), '/model/layers.11');
  assert.equal(blockOf('/encoder/layer.3/attention/self/query/MatMul'), '/encoder/layer.3');
  assert.equal(blockOf('/h.7/attn/c_attn/Gemm'), '/h.7');
  assert.equal(blockOf('/lm_head/MatMul'), null);
  assert.equal(blockOf('conv1'), null);
});

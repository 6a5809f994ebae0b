// The reader on models built by the project's own writer: IR 3..13, opsets up to 28, every domain,
// metadata, functions (a node calling one), If/Loop/Scan subgraphs, sparse initializers, every value type.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readModelBytes } from '../../src/engine/onnx/reader';
import { controlFlowModel } from '../fixtures/models';
import { modelStats } from '../../src/engine/onnx/stats';
import { forEachGraph, attrInt, attrFloat, attrInts, attrString, type Graph } from '../../src/engine/onnx/ir';
import {
  T,
  attr,
  graph,
  mapType,
  model,
  node,
  optType,
  seqType,
  sparseTensor,
  sparseType,
  tensor,
  tensorType,
  rawOf,
  vi,
  viOf,
} from '../fixtures/onnx-writer';

test('IR versions 3..13 and opsets up to 28 read back as written', () => {
  for (let ir = 3; ir <= 13; ir++) {
    const opset = Math.min(28, 6 + ir * 2);
    const m = readModelBytes(
      model({
        irVersion: ir,
        opsets: { '': opset },
        producer: `p${ir}`,
        producerVersion: '1.2.3',
        docString: 'doc',
        metadata: { author: 'me', ir: String(ir) },
        graph: graph({
          nodes: [node('Relu', ['x'], ['y'], {}, { name: 'r' })],
          inputs: [vi('x', T.FLOAT, [2])],
          outputs: [vi('y', T.FLOAT, [2])],
        }),
      }),
    );
    assert.equal(m.irVersion, ir);
    assert.deepEqual(m.opsets, { '': opset });
    assert.equal(m.producerName, `p${ir}`);
    assert.equal(m.producerVersion, '1.2.3');
    assert.equal(m.docString, 'doc');
    assert.deepEqual(m.metadata, { author: 'me', ir: String(ir) });
    assert.equal(m.graph.nodes[0].opType, 'Relu');
    assert.deepEqual(m.diagnostics, []);
  }
});

test('every domain: ai.onnx spelled out or empty, ml, preview, preview.training, custom', () => {
  const domains = [
    '',
    'ai.onnx',
    'ai.onnx.ml',
    'ai.onnx.preview',
    'ai.onnx.preview.training',
    'com.microsoft',
    'org.example.custom',
  ];
  const nodes = domains.map((d, k) =>
    node(`Op${k}`, [k ? `t${k - 1}` : 'x'], [`t${k}`], {}, { domain: d, name: `n${k}` }),
  );
  const m = readModelBytes(
    model({
      irVersion: 10,
      opsets: {
        'ai.onnx': 28,
        'ai.onnx.ml': 5,
        'ai.onnx.preview': 1,
        'ai.onnx.preview.training': 1,
        'com.microsoft': 1,
        'org.example.custom': 3,
      },
      graph: graph({ nodes, inputs: [vi('x', T.FLOAT, [1])], outputs: [vi(`t${domains.length - 1}`, T.FLOAT, [1])] }),
    }),
  );
  // 'ai.onnx' is the default domain: normalised to '' for opsets and nodes alike
  assert.deepEqual(m.opsets, {
    '': 28,
    'ai.onnx.ml': 5,
    'ai.onnx.preview': 1,
    'ai.onnx.preview.training': 1,
    'com.microsoft': 1,
    'org.example.custom': 3,
  });
  assert.deepEqual(
    m.graph.nodes.map((n) => n.domain),
    ['', '', 'ai.onnx.ml', 'ai.onnx.preview', 'ai.onnx.preview.training', 'com.microsoft', 'org.example.custom'],
  );
  assert.deepEqual(modelStats(m).opHistogram, {
    Op0: 1,
    Op1: 1,
    'ai.onnx.ml.Op2': 1,
    'ai.onnx.preview.Op3': 1,
    'ai.onnx.preview.training.Op4': 1,
    'com.microsoft.Op5': 1,
    'org.example.custom.Op6': 1,
  });
});

test('attributes of every type read back with their values', () => {
  const sub = graph({
    name: 'body',
    nodes: [node('Identity', ['a'], ['b'])],
    inputs: [vi('a', T.FLOAT, [1])],
    outputs: [vi('b', T.FLOAT, [1])],
  });
  const st = sparseTensor(
    tensor('sv', T.FLOAT, [2], { values: [1, 2] }),
    tensor('si', T.INT64, [2], { values: [0, 3] }),
    [4],
  );
  const n = node(
    'Custom',
    ['x'],
    ['y'],
    {
      f: attr.f('f', 0.5),
      i: attr.i('i', -7),
      s: attr.s('s', 'héllo'),
      t: attr.t('t', tensor('tv', T.INT64, [3], { values: [1, -2, 3] })),
      g: attr.g('g', sub),
      st: attr.st('st', st),
      tp: attr.tp('tp', tensorType(T.FLOAT16, ['n', 3])),
      fs: attr.fs('fs', [0.25, 1.5]),
      is: attr.is('is', [1, 2, -3]),
      ss: attr.ss('ss', ['a', 'b']),
      ts: attr.ts('ts', [tensor('a', T.FLOAT, [1], { values: [1] }), tensor('b', T.FLOAT, [2], { values: [2, 3] })]),
      gs: attr.gs('gs', [sub, sub]),
      sts: attr.sts('sts', [st]),
      tps: attr.tps('tps', [seqType(tensorType(T.INT8, [1]))]),
    },
    { name: 'c', domain: 'org.example' },
  );
  const m = readModelBytes(
    model({
      opsets: { '': 17, 'org.example': 1 },
      graph: graph({ nodes: [n], inputs: [vi('x', T.FLOAT, [1])], outputs: [vi('y', T.FLOAT, [1])] }),
    }),
  );
  const a = m.graph.nodes[0].attrs;
  const node0 = m.graph.nodes[0];
  assert.equal(attrFloat(node0, 'f', 0), 0.5);
  assert.equal(attrInt(node0, 'i'), -7);
  assert.equal(attrString(node0, 's'), 'héllo');
  assert.deepEqual(attrInts(node0, 'is'), [1, 2, -3]);
  assert.deepEqual(a.fs, { type: 'floats', value: [0.25, 1.5] });
  assert.deepEqual(a.ss, { type: 'strings', value: ['a', 'b'] });
  assert.ok(a.t.type === 'tensor' && a.t.value.name === 'tv');
  assert.deepEqual(a.t.type === 'tensor' && a.t.value.values, [1, -2, 3]);
  assert.ok(a.g.type === 'graph' && a.g.value.nodes[0].opType === 'Identity');
  assert.equal(a.g.type === 'graph' && a.g.value.path, 'main/c.g');
  assert.ok(a.gs.type === 'graphs' && a.gs.value.length === 2);
  assert.deepEqual(a.gs.type === 'graphs' && a.gs.value.map((g) => g.path), ['main/c.gs[0]', 'main/c.gs[1]']);
  assert.ok(a.st.type === 'sparse_tensor' && a.st.value.elements === 4 && a.st.value.values.elements === 2);
  assert.deepEqual(a.tp, { type: 'type_proto', value: { kind: 'tensor', dtype: T.FLOAT16, dims: ['n', 3] } });
  assert.deepEqual(a.tps, {
    type: 'type_protos',
    value: [{ kind: 'sequence', elem: { kind: 'tensor', dtype: T.INT8, dims: [1] } }],
  });
  assert.ok(a.ts.type === 'tensors' && a.ts.value.map((t) => t.elements).join() === '1,2');
  assert.ok(a.sts.type === 'sparse_tensors' && a.sts.value.length === 1);
});

test('value types: tensor (known, symbolic, unknown dims, unknown rank), sparse, sequence, optional, map', () => {
  const inputs = [
    vi('t', T.FLOAT, [1, 'batch', null]),
    vi('r', T.INT64, null),
    viOf('sp', sparseType(T.FLOAT, [10, 10])),
    viOf('sq', seqType(tensorType(T.FLOAT, ['n']))),
    viOf('op', optType(seqType(tensorType(T.INT32, [2])))),
    viOf('mp', mapType(T.STRING, tensorType(T.FLOAT, []))),
    viOf('mq', mapType(T.INT64, seqType(mapType(T.STRING, tensorType(T.DOUBLE, [1]))))),
    viOf('none', null),
  ];
  const m = readModelBytes(model({ irVersion: 9, graph: graph({ nodes: [], inputs, outputs: [] }) }));
  assert.deepEqual(
    m.graph.inputs.map((v) => v.type),
    [
      { kind: 'tensor', dtype: T.FLOAT, dims: [1, 'batch', null] },
      { kind: 'tensor', dtype: T.INT64, dims: null },
      { kind: 'sparse_tensor', dtype: T.FLOAT, dims: [10, 10] },
      { kind: 'sequence', elem: { kind: 'tensor', dtype: T.FLOAT, dims: ['n'] } },
      { kind: 'optional', elem: { kind: 'sequence', elem: { kind: 'tensor', dtype: T.INT32, dims: [2] } } },
      { kind: 'map', keyDtype: T.STRING, value: { kind: 'tensor', dtype: T.FLOAT, dims: [] } },
      {
        kind: 'map',
        keyDtype: T.INT64,
        value: {
          kind: 'sequence',
          elem: { kind: 'map', keyDtype: T.STRING, value: { kind: 'tensor', dtype: T.DOUBLE, dims: [1] } },
        },
      },
      null,
    ],
  );
});

test('If / Loop / Scan subgraphs: paths, counts, parameters in subgraphs, outer-scope names', () => {
  const m = readModelBytes(controlFlowModel(), 'cf.onnx');
  const paths: string[] = [];
  forEachGraph(m.graph, (g: Graph, depth) => paths.push(`${depth}:${g.path}`));
  assert.deepEqual(paths, [
    '0:main',
    '1:main/if0.then_branch',
    '2:main/if0.then_branch/nested_if.then_branch',
    '2:main/if0.then_branch/nested_if.else_branch',
    '1:main/if0.else_branch',
    '1:main/loop0.body',
    '1:main/scan0.body',
  ]);
  const s = modelStats(m);
  assert.equal(s.nodeCount, 3);
  assert.equal(s.nodeCountWithSubgraphs, 3 + 1 + 1 + 1 + 1 + 2 + 3);
  assert.equal(s.initializerCount, 1 + 1 + 1 + 1 + 1); // main, inner twice, else, loop
  assert.equal(s.parameterCount, 3 + 5 + 5 + 7 + 11 + 13); // initializers everywhere + the Constant in the Scan body
  // 'x' and 'c' come from the outer scope inside the bodies: no dangling-name diagnostics
  assert.deepEqual(m.diagnostics, []);
});

test('model-local functions: a node calling one, attribute defaults, refs, value_info, overload', () => {
  const body = [
    node('MatMul', ['X', 'W'], ['XW']),
    node('LeakyRelu', ['XW'], ['Y'], { alpha: attr.ref('alpha', 'slope', 1) }),
  ];
  const m = readModelBytes(
    model({
      irVersion: 10,
      opsets: { '': 21, 'local.fn': 1 },
      functions: [
        {
          name: 'LinearAct',
          domain: 'local.fn',
          inputs: ['X', 'W'],
          outputs: ['Y'],
          nodes: body,
          opsets: { '': 21 },
          attributes: ['unused'],
          attributeDefaults: [attr.f('slope', 0.1)],
          valueInfo: [vi('XW', T.FLOAT, ['n', 8])],
          overload: 'v2',
        },
      ],
      graph: graph({
        nodes: [node('LinearAct', ['x', 'w'], ['y'], { slope: 0.2 }, { domain: 'local.fn', name: 'call0' })],
        inputs: [vi('x', T.FLOAT, ['n', 4])],
        outputs: [vi('y', T.FLOAT, ['n', 8])],
        initializers: [tensor('w', T.FLOAT, [4, 8], { raw: rawOf(T.FLOAT, new Array(32).fill(0.5)) })],
      }),
    }),
  );
  assert.equal(m.functions.length, 1);
  const f = m.functions[0];
  assert.equal(f.name, 'LinearAct');
  assert.equal(f.domain, 'local.fn');
  assert.equal(f.overload, 'v2');
  assert.deepEqual(f.inputs, ['X', 'W']);
  assert.deepEqual(f.outputs, ['Y']);
  assert.deepEqual(f.attributes, ['unused', 'slope']);
  assert.deepEqual(f.attributeDefaults, { slope: { type: 'float', value: Math.fround(0.1) } });
  assert.deepEqual(f.opsets, { '': 21 });
  assert.deepEqual(f.valueInfo, [{ name: 'XW', type: { kind: 'tensor', dtype: T.FLOAT, dims: ['n', 8] } }]);
  assert.deepEqual(
    f.nodes.map((n) => n.opType),
    ['MatMul', 'LeakyRelu'],
  );
  assert.deepEqual(f.nodes[1].attrs.alpha, { type: 'ref', refAttrName: 'slope' });
  const call = m.graph.nodes[0];
  assert.equal(call.domain, 'local.fn');
  assert.equal(attrFloat(call, 'slope', 0), Math.fround(0.2));
  assert.equal(modelStats(m).parameterCount, 32);
});

test('sparse initializers count their stored values as parameters', () => {
  const st = sparseTensor(
    tensor('emb', T.FLOAT, [3], { values: [1, 2, 3] }),
    tensor('emb_idx', T.INT64, [3, 2], { values: [0, 0, 1, 5, 99, 3] }),
    [100, 16],
  );
  const m = readModelBytes(
    model({
      graph: graph({
        nodes: [node('Identity', ['emb'], ['y'])],
        sparseInitializers: [st],
        outputs: [vi('y', T.FLOAT, [100, 16])],
      }),
    }),
  );
  assert.equal(m.graph.sparseInitializers.length, 1);
  const s = m.graph.sparseInitializers[0];
  assert.deepEqual(s.dims, [100, 16]);
  assert.equal(s.elements, 1600);
  assert.equal(s.values.name, 'emb');
  assert.deepEqual(s.indices.dims, [3, 2]);
  const stats = modelStats(m);
  assert.equal(stats.initializerCount, 1);
  assert.equal(stats.parameterCount, 3);
  assert.deepEqual(m.diagnostics, [], 'the sparse initializer defines its values name');
});

test('Constant nodes: value tensors count, value_float/value_ints do not; training_info is counted', () => {
  const m = readModelBytes(
    model({
      trainingInfo: 2,
      graph: graph({
        nodes: [
          node('Constant', [], ['c1'], {
            value: tensor('c1v', T.FLOAT, [2, 3], { raw: rawOf(T.FLOAT, [1, 2, 3, 4, 5, 6]) }),
          }),
          node('Constant', [], ['c2'], { value_ints: [1, 2, 3] }),
          node('Constant', [], ['c3'], { value_float: 2.5 }),
          node('Add', ['c1', 'c3'], ['y']),
        ],
        outputs: [vi('y', T.FLOAT, [2, 3])],
      }),
    }),
  );
  assert.equal(m.trainingInfoCount, 2);
  assert.equal(modelStats(m).parameterCount, 6);
  const c1 = m.graph.nodes[0].attrs.value;
  assert.ok(c1.type === 'tensor');
  assert.deepEqual(c1.type === 'tensor' && c1.value.values, [1, 2, 3, 4, 5, 6]);
});

test('old IR: initializers also listed as graph inputs are no dangling names; an unnamed node gets an op-based path', () => {
  const body = graph({ nodes: [node('Identity', ['x'], ['z'])], outputs: [vi('z', T.FLOAT, [2])] });
  const m = readModelBytes(
    model({
      irVersion: 3,
      opsets: { '': 6 },
      graph: graph({
        nodes: [node('Add', ['x', 'w'], ['y']), node('If', ['c'], ['o'], { then_branch: body, else_branch: body })],
        inputs: [vi('x', T.FLOAT, [2]), vi('w', T.FLOAT, [2]), vi('c', T.BOOL, [])],
        outputs: [vi('y', T.FLOAT, [2]), vi('o', T.FLOAT, [2])],
        initializers: [tensor('w', T.FLOAT, [2], { values: [1, 2] })],
      }),
    }),
  );
  assert.deepEqual(m.diagnostics, []);
  const g = m.graph.nodes[1].attrs.then_branch;
  assert.equal(g.type === 'graph' && g.value.path, 'main/If_1.then_branch');
});

test('a key named __proto__ in metadata, opsets or attributes is kept as data, never as a prototype', () => {
  const relu = node('Relu', ['x'], ['y']);
  relu.attribute = [attr.i('__proto__', 5)];
  const m = readModelBytes(
    model({
      opsets: JSON.parse('{"": 17, "__proto__": 3}'),
      metadata: JSON.parse('{"__proto__": "x", "k": "v"}'),
      graph: graph({ nodes: [relu], inputs: [vi('x', T.FLOAT, [1])], outputs: [vi('y', T.FLOAT, [1])] }),
    }),
  );
  assert.equal(Object.getPrototypeOf(m.opsets), Object.prototype);
  assert.equal(m.opsets['__proto__'], 3);
  assert.equal(Object.getPrototypeOf(m.metadata), Object.prototype);
  assert.equal(Object.getPrototypeOf(m.graph.nodes[0].attrs), Object.prototype);
  assert.deepEqual(Object.keys(m.metadata).sort(), ['__proto__', 'k']);
  assert.equal(attrInt(m.graph.nodes[0], '__proto__'), 5);
});

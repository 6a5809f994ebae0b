// The text view printer: ONNX textual syntax (onnx.printer / onnx.parser format) with a line map.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'path';
import { readModelBytes, readModelFile } from '../../src/engine/onnx/reader';
import { inferShapes } from '../../src/engine/shapes/infer';
import { printModel } from '../../src/textview/printer';
import { dim, id, num, quote, tensorType, valueType } from '../../src/textview/syntax';
import { modelFileOf, modelUriOf, textUriParts } from '../../src/textview/uri';
import { sampleModelBytes } from '../fixtures/sample-model';
import { controlFlowModel, functionModel } from '../fixtures/models';
import { T, graph, model, node, rawOf, tensor, vi } from '../fixtures/onnx-writer';
import { SKIP_NO_SHARED, readManifest, sharedDir } from '../fixtures/paths';

function printed(bytes: Uint8Array, name = 'm.onnx') {
  const m = readModelBytes(bytes, name);
  const p = printModel(m, { shapes: inferShapes(m, {}), title: name });
  return { m, p, lines: p.text.split('\n') };
}

test('syntax: identifiers, dims, types and numbers as onnx.printer writes them', () => {
  assert.equal(id('input_ids'), 'input_ids');
  assert.equal(id('/model/layers.0/MatMul'), '"/model/layers.0/MatMul"');
  assert.equal(id(''), '""');
  assert.equal(quote('a"b\\c\nd'), '"a\\"b\\\\c\\nd"');
  assert.equal(dim(null), '?');
  assert.equal(dim('batch'), 'batch');
  assert.equal(dim('seq+1'), '"seq+1"');
  // the parser's grammar: `float` is a scalar, `float[]` a tensor of unknown rank
  assert.equal(tensorType(T.FLOAT, []), 'float');
  assert.equal(tensorType(T.FLOAT, null), 'float[]');
  assert.equal(tensorType(T.INT64, ['batch', 3, null]), 'int64[batch,3,?]');
  assert.equal(tensorType(T.BFLOAT16, [2]), 'bfloat16[2]');
  assert.equal(valueType({ kind: 'sequence', elem: { kind: 'tensor', dtype: T.FLOAT, dims: [5] } }), 'seq(float[5])');
  assert.equal(
    valueType({ kind: 'map', keyDtype: T.INT64, value: { kind: 'tensor', dtype: T.FLOAT, dims: [] } }),
    'map(int64, float)',
  );
  // float32 values print with the fewest digits that give back the same float32
  assert.equal(num(Math.fround(0.1), true), '0.1');
  assert.equal(num(Math.fround(0.7978846), true), '0.7978846');
  assert.equal(num(1e-5, true), '0.00001');
  assert.equal(num(NaN), 'nan');
  assert.equal(num(-Infinity, true), '-inf');
  // int64 limits arrive rounded to +-2^63 as doubles: printed as the limits, which int64 holds
  assert.equal(num(2 ** 63), '9223372036854775807');
  assert.equal(num(-(2 ** 63)), '-9223372036854775808');
  assert.equal(num(-7), '-7');
});

test('the sample prints as one statement per node, in graph order, with inferred types as comments', () => {
  const { m, p, lines } = printed(sampleModelBytes(), 'tiny-gpt.onnx');
  assert.ok(lines[0].startsWith('# tiny-gpt.onnx: ONNX text syntax'));
  assert.equal(
    lines.find((l) => !l.startsWith('#')),
    '<',
  );
  assert.ok(lines.includes('   ir_version: 8,'));
  assert.ok(lines.includes('   opset_import: ["" : 17],'));
  assert.equal(lines[p.graphs[0].line], 'main_graph (int64[batch,seq] input_ids) => (float[batch,seq,512] logits)');
  assert.equal(p.nodeLine.length, m.graph.nodes.length);
  let prev = -1;
  m.graph.nodes.forEach((n, k) => {
    const line = p.nodeLine[k];
    assert.ok(line > prev, `node ${k} printed after node ${k - 1}`);
    prev = line;
    const text = lines[line];
    assert.ok(text.startsWith(`   [${id(n.name)}] ${n.outputs.map(id).join(', ')} = ${n.opType} `), text);
    assert.ok(text.includes(`(${n.inputs.map(id).join(', ')})`), text);
    assert.deepEqual(p.lineNode.get(line), { graph: 'main', index: k });
  });
  // every statement line is a node: no node is printed twice or lost
  assert.equal(p.lineNode.size, m.graph.nodes.length);
  const lm = m.graph.nodes.findIndex((n) => n.name === '/lm_head/MatMul');
  assert.ok(lines[p.nodeLine[lm]].endsWith('  # float[batch,seq,512]'), lines[p.nodeLine[lm]]);
  const ln = m.graph.nodes.findIndex((n) => n.opType === 'LayerNormalization');
  assert.match(lines[p.nodeLine[ln]], /<axis: int = -1, epsilon: float = 0\.00001>/);
  assert.equal(lines[p.graphs[0].end], '}');
  assert.equal(p.graphs[0].end, p.lineCount - 1, 'the graph closes the text');
});

test('initializers: small values inline, external data as the printer writes it, other payloads unread', () => {
  const { p, lines } = printed(sampleModelBytes(), 'tiny-gpt.onnx');
  const at = (name: string) => lines[p.declLine.get(name)!];
  assert.equal(at('/model/Constant_shape_heads'), '   int64[4] "/model/Constant_shape_heads" = {0,0,4,16},');
  assert.equal(at('/model/Constant_attn_scale'), '   float "/model/Constant_attn_scale" = {0.25},');
  // a bare declaration reads back as a value_info: the text stays parseable while the weights stay unread
  assert.equal(
    at('model.embed_tokens.weight'),
    '   float[512,64] "model.embed_tokens.weight",  # initializer, 32,768 elements; payload not read',
  );
  assert.equal(p.declLine.get('input_ids'), p.graphs[0].line);

  const ext = model({
    irVersion: 8,
    opsets: { '': 17 },
    graph: graph({
      name: 'g',
      nodes: [node('MatMul', ['x', 'w'], ['y'], {}, { name: 'mm' })],
      inputs: [vi('x', T.FLOAT, ['n', 4])],
      outputs: [vi('y', T.FLOAT, ['n', 4])],
      initializers: [tensor('w', T.FLOAT, [4, 4], { external: { location: 'w.bin', offset: 0, length: 64 } })],
    }),
  });
  const e = printed(ext);
  assert.equal(
    e.lines[e.p.declLine.get('w')!],
    '   float[4,4] w = ["location": "w.bin", "offset": "0", "length": "64"]',
  );
  assert.equal(e.lines[e.p.nodeLine[0]], '   [mm] y = MatMul (x, w)  # float[n,4]');
});

test("a constant whose values are not printed gets a statement of its own lines, still in the parser's grammar", () => {
  const big = tensor('', T.FLOAT, [10, 10], { raw: rawOf(T.FLOAT, new Array(100).fill(1)) });
  const bytes = model({
    irVersion: 8,
    opsets: { '': 17 },
    graph: graph({
      name: 'g',
      nodes: [
        node('Constant', [], ['c'], { value: big }, { name: 'k' }),
        node('Relu', ['c'], ['y'], {}, { name: 'r' }),
      ],
      outputs: [vi('y', T.FLOAT, [10, 10])],
    }),
  });
  const { p, lines } = printed(bytes);
  const line = p.nodeLine[0];
  assert.equal(lines[line], '   [k] c = Constant () <  # float[10,10]');
  assert.equal(lines[line + 1], '      value: tensor = float[10,10] =  # 100 elements, payload not read');
  assert.equal(lines[line + 2], '   >');
  assert.equal(p.statementEnd.get(line), line + 2);
  assert.equal(p.nodeLine[1], line + 3);
});

test('subgraphs print inside their node; their nodes and spans are mapped', () => {
  const { m, p, lines } = printed(controlFlowModel());
  const ifLine = p.nodeLine[0];
  assert.equal(lines[ifLine], '   [if0] a = If (c) <  # float[5]');
  const spans = p.graphs.filter((s) => s.owner?.graph === 'main' && s.owner.index === 0);
  assert.deepEqual(spans.map((s) => s.attr).sort(), ['else_branch', 'then_branch']);
  for (const s of spans) {
    assert.ok(s.line > ifLine && s.end < p.statementEnd.get(ifLine)!, 'the branches sit inside the If statement');
    assert.match(lines[s.line], new RegExp(`^      ${s.attr}: graph = `));
  }
  const thenSpan = spans.find((s) => s.attr === 'then_branch')!;
  const thenLines = p.subgraphNodeLines.get(thenSpan.path)!;
  assert.equal(thenLines.length, 1);
  assert.match(lines[thenLines[0]], /^ {9}\[nested_if\] to = If \(c\) </);
  assert.deepEqual(p.lineNode.get(thenLines[0]), { graph: thenSpan.path, index: 0 });
  // the nested If's own branches are two levels down, owned by the nested node
  assert.ok(p.graphs.some((s) => s.owner?.graph === thenSpan.path && s.depth === 4));
  // loop and scan bodies: every main node and every subgraph node has its statement line
  assert.ok([...p.nodeLine].every((l) => l >= 0));
  let sub = 0;
  for (const ls of p.subgraphNodeLines.values()) sub += ls.length;
  const all = m.graph.nodes.length + sub;
  assert.equal(p.lineNode.size, all);
  // braces balance
  const opens = lines.filter((l) => /^\s*\{$/.test(l)).length;
  const closes = lines.filter((l) => /^\s*\},?$/.test(l)).length;
  assert.equal(opens, closes);
});

test('model-local functions follow the graph', () => {
  const { p, lines } = printed(functionModel());
  assert.equal(p.functions.length, 1);
  const f = p.functions[0];
  assert.ok(lines.slice(f.line - 5, f.line).includes('   domain: "local.fn",'));
  assert.equal(lines[f.line], 'LinearAct <slope: float = 0.1>(X, W) => (Y)');
  assert.equal(f.nodeLines.length, 2);
  assert.equal(lines[f.nodeLines[1]], '   Y = LeakyRelu <alpha = @slope> (XW)');
  assert.equal(lines[p.nodeLine[0]], '   [call0] y = local.fn.LinearAct <slope: float = 0.2> (x, w)  # float[n,8]');
});

test('maxNodes bounds the text of huge graphs and says how many nodes were left out', () => {
  const m = readModelBytes(sampleModelBytes(), 'tiny-gpt.onnx');
  const p = printModel(m, { maxNodes: 10 });
  assert.equal(p.omittedNodes, m.graph.nodes.length - 10);
  assert.equal(p.nodeLine[9] >= 0, true);
  assert.equal(p.nodeLine[10], -1);
  assert.ok(p.text.includes(`# ... ${m.graph.nodes.length - 10} more node(s) not shown`));
  assert.ok(p.text.trimEnd().endsWith('}'));
});

test('text view URIs carry the model URI in the query', () => {
  const model = { path: '/data/my models/m.onnx', toString: () => 'file:///data/my%20models/m.onnx' };
  const parts = textUriParts(model);
  assert.deepEqual(parts, {
    scheme: 'onnx-text',
    path: '/data/my models/m.onnx.onnxtxt',
    query: 'file:///data/my%20models/m.onnx',
  });
  // as vscode.Uri.toString() encodes it
  const text = `onnx-text:/data/my%20models/m.onnx.onnxtxt?${encodeURIComponent(parts.query)}`;
  assert.equal(modelUriOf(text), 'file:///data/my%20models/m.onnx');
  assert.equal(modelFileOf(text), '/data/my models/m.onnx');
  assert.equal(modelUriOf('file:///x.onnx'), null);
  assert.throws(
    () => modelFileOf(`onnx-text:/m.onnx.onnxtxt?${encodeURIComponent('vscode-vfs://github/m.onnx')}`),
    /local file system/,
  );
});

test('corpus: every torch export prints every node on its own line, in bounded size', (t) => {
  const shared = sharedDir();
  if (!shared) return t.skip(SKIP_NO_SHARED);
  const rows = readManifest(shared).filter((r) => r.path.startsWith('torch/'));
  assert.ok(rows.length >= 5);
  for (const r of rows) {
    const file = path.join(shared, 'corpus', r.path);
    const m = readModelFile(file);
    const p = printModel(m, { shapes: inferShapes(m, {}) });
    const lines = p.text.split('\n');
    assert.equal(m.graph.nodes.length, r.node_count, r.path);
    m.graph.nodes.forEach((n, k) =>
      assert.ok(lines[p.nodeLine[k]]?.includes(` = ${n.opType} `), `${r.path} node ${k}`),
    );
    assert.equal(new Set(p.nodeLine).size, r.node_count, `${r.path}: distinct lines`);
    // payloads are never printed: the text stays small next to the weights
    assert.ok(p.text.length < 400 * (r.node_count + r.initializer_count) + 4096, `${r.path}: ${p.text.length} chars`);
  }
});

// The reader's fast paths must not change what it reads: a small file read whole, the same file through
// windows small enough that names and messages straddle refills, and the bytes in memory give the same
// model; names numbered while reading (Cursor.ref) give the same diagnostics as the checks run on the
// finished model; and the small-file path stays bounded (a file over the threshold goes through the window).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readModelBytes, readModelFile, readModelSource, WHOLE_FILE_MAX_BYTES } from '../../src/engine/onnx/reader';
import { FileSource } from '../../src/engine/onnx/source';
import { validateModel } from '../../src/engine/onnx/validate';
import type { Model } from '../../src/engine/onnx/ir';
import { T, attr, graph, model, node, tensor, vi } from '../fixtures/onnx-writer';
import { gpt2Graph, OPSET } from '../fixtures/gpt2';
import { controlFlowModel, functionModel, typesModel } from '../fixtures/models';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-speed-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

/** A GPT-2-style graph with every weight external (the data file exists, sparse), names like a torch export. */
function graphOnlyGpt2(): string {
  const g = gpt2Graph({
    layers: 3,
    d: 64,
    heads: 4,
    vocab: 500,
    maxPositions: 128,
    batch: 1,
    seq: 'seq',
    lmHead: 'copy',
    dtype: T.FLOAT,
  });
  let offset = 0;
  const inits = [...(g.graph.initializer ?? [])];
  for (const w of g.weights) {
    const length = w.dims.reduce((a, b) => a * b, 1) * 4;
    inits.push(tensor(w.name, w.dtype, w.dims, { external: { location: 'w.bin', offset, length } }));
    offset += length;
  }
  const f = path.join(tmp, 'gpt2.onnx');
  fs.writeFileSync(f, model({ irVersion: 8, opsets: { '': OPSET }, graph: { ...g.graph, initializer: inits } }));
  fs.writeFileSync(path.join(tmp, 'w.bin'), Buffer.alloc(0));
  fs.truncateSync(path.join(tmp, 'w.bin'), offset);
  return f;
}

/** Reads a file through a FileSource of the given window. */
function windowed(f: string, window: number): Model {
  const src = new FileSource(f, window);
  try {
    return readModelSource(src, f, path.dirname(f));
  } finally {
    src.close();
  }
}

test('a small file read whole, through tiny windows, and from memory gives the same model', () => {
  const files = [graphOnlyGpt2()];
  for (const [name, bytes] of [
    ['cf.onnx', controlFlowModel()],
    ['fn.onnx', functionModel()],
    ['types.onnx', typesModel()],
  ] as const) {
    const f = path.join(tmp, name);
    fs.writeFileSync(f, bytes);
    files.push(f);
  }
  for (const f of files) {
    const whole = readModelFile(f);
    assert.ok(whole.graph.nodes.length > 0, f);
    assert.deepEqual(readModelFile(f, { wholeFileMaxBytes: 0 }), whole, `${f}: default window`);
    // 64-byte windows: almost every name and message crosses a refill; long fields take the big-read path
    for (const w of [64, 200, 4096]) assert.deepEqual(windowed(f, w), whole, `${f}: ${w}-byte window`);
    const mem = readModelBytes(fs.readFileSync(f), f, path.dirname(f));
    assert.deepEqual({ ...mem, path: whole.path }, whole, `${f}: from memory`);
  }
});

test('the whole-file path is bounded: a file over the threshold is read through the window', () => {
  assert.ok(WHOLE_FILE_MAX_BYTES > 0 && WHOLE_FILE_MAX_BYTES <= 64 << 20);
  const f = graphOnlyGpt2();
  const size = fs.statSync(f).size;
  // with the threshold just under the file's size the windowed path reads it, and agrees
  assert.deepEqual(readModelFile(f, { wholeFileMaxBytes: size - 1 }), readModelFile(f, { wholeFileMaxBytes: size }));
});

test('names numbered while reading give the diagnostics of the checks run on the finished model', () => {
  // every structural problem validate.ts reports, in a main graph and in If branches that see its names
  const thenBody = graph({
    name: 'then',
    nodes: [node('Add', ['x', 'far'], ['t'], {}, { name: 'dup' }), node('Neg', ['t'], ['t'], {}, { name: 'dup' })],
    outputs: [vi('t', T.FLOAT, [1])],
  });
  const elseBody = graph({
    name: 'else',
    nodes: [node('Neg', ['t'], ['e'], {}, { name: 'sees_sibling?' })],
    outputs: [vi('e', T.FLOAT, [1]), vi('ghost', T.FLOAT, [1])],
  });
  const bytes = model({
    graph: graph({
      nodes: [
        node('Relu', ['x'], ['a'], {}, { name: 'n0' }),
        node('Add', ['a', 'c'], ['b'], {}, { name: 'n1' }),
        node('Relu', ['b'], ['c'], {}, { name: 'n2' }),
        node('Relu', ['b'], ['a'], {}, { name: 'n0' }),
        node(
          'If',
          ['cond'],
          ['y'],
          { then_branch: attr.g('then_branch', thenBody), else_branch: attr.g('else_branch', elseBody) },
          { name: 'if' },
        ),
        node('Neg', ['nowhere', ''], ['w', ''], {}, { name: '' }),
      ],
      inputs: [vi('x', T.FLOAT, [1]), vi('cond', T.BOOL, []), vi('w0', T.FLOAT, [1])],
      outputs: [vi('y', T.FLOAT, [1]), vi('missing', T.FLOAT, [1])],
      initializers: [
        tensor('w0', T.FLOAT, [1], { values: [1] }),
        tensor('k', T.FLOAT, [1], { values: [2] }),
        tensor('k', T.FLOAT, [1], { values: [3] }),
      ],
    }),
  });
  const m = readModelBytes(bytes, 'v.onnx');
  const fromReader = m.diagnostics.map((d) => ({ ...d }));
  const messages = fromReader.map((d) => d.message).join('\n');
  for (const re of [
    /initializer 'k' is defined more than once/,
    /node name 'n0' is used by more than one node/,
    /tensor 'a' is produced more than once/,
    /graph main has a cycle through 'n1', 'n2'/,
    /input 'nowhere' of node 'Neg'/,
    /graph output 'missing'/,
    /input 'far' of node 'dup'/,
    /node name 'dup' is used by more than one node/,
    /tensor 't' is produced more than once/,
    /input 't' of node 'sees_sibling\?'/,
    /graph output 'ghost'/,
  ]) {
    assert.match(messages, re);
  }
  assert.doesNotMatch(messages, /'x'|'cond'|'w0'/); // outer names are visible in the branches
  m.diagnostics = [];
  validateModel(m);
  assert.deepEqual(m.diagnostics, fromReader);
});

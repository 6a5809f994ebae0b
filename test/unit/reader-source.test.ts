// The windowed source: positioned reads through a bounded buffer; tensor payloads are skipped, never read,
// so a model with big raw_data initializers is read with a small fraction of its bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FileSource, MIN_READ_BYTES } from '../../src/engine/onnx/source';
import { readModelFile, readModelSource } from '../../src/engine/onnx/reader';
import { modelStats } from '../../src/engine/onnx/stats';
import { T, graph, model, node, vi, writeModelStreaming, prng } from '../fixtures/onnx-writer';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-src-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

test('FileSource returns the right bytes across window refills, big single fields and the file end', () => {
  const bytes = new Uint8Array(300_000).map((_, k) => (k * 131 + (k >> 8)) & 0xff);
  const f = path.join(tmp, 'bytes.bin');
  fs.writeFileSync(f, bytes);
  const src = new FileSource(f, 1 << 16);
  const rnd = prng(7);
  for (let k = 0; k < 2000; k++) {
    const pos = Math.floor(rnd() * bytes.length);
    const len = Math.min(Math.floor(rnd() * (k % 10 === 0 ? 100_000 : 300)), bytes.length - pos);
    assert.deepEqual(
      Buffer.from(src.view(pos, len)),
      Buffer.from(bytes.subarray(pos, pos + len)),
      `view(${pos}, ${len})`,
    );
  }
  assert.throws(() => src.view(bytes.length - 2, 3), RangeError);
  assert.throws(() => src.view(-1, 1), RangeError);
  src.close();
});

test('a model with 64 MB of raw_data payloads is read with one short read per tensor (under 2% of the file)', (t) => {
  const f = path.join(tmp, 'big.onnx');
  const layers = 16;
  const nodes = [];
  const streamed = [];
  for (let l = 0; l < layers; l++) {
    nodes.push(node('MatMul', [l ? `h${l - 1}` : 'x', `w${l}`], [`h${l}`], {}, { name: `/layers.${l}/MatMul` }));
    streamed.push({ name: `w${l}`, dtype: T.FLOAT, dims: [1024, 1024] });
  }
  const { bytes } = writeModelStreaming(
    f,
    {
      graph: graph({
        nodes,
        inputs: [vi('x', T.FLOAT, ['n', 1024])],
        outputs: [vi(`h${layers - 1}`, T.FLOAT, ['n', 1024])],
      }),
    },
    streamed,
    (chunk) => chunk.fill(0x3c),
  );
  assert.equal(fs.statSync(f).size, bytes);
  assert.ok(bytes > 64 << 20);
  const src = new FileSource(f);
  const m = readModelSource(src, f, tmp);
  src.close();
  assert.equal(m.graph.nodes.length, layers);
  assert.equal(m.graph.initializers.length, layers);
  assert.equal(modelStats(m).parameterCount, layers * 1024 * 1024);
  for (const t of m.graph.initializers)
    assert.ok(t.data.kind === 'embedded' && t.data.length === 4 << 20 && t.values === undefined);
  // one short read per skipped payload (+ the graph head), not the payloads
  assert.ok(src.bytesRead <= (layers + 2) * MIN_READ_BYTES, `read ${src.bytesRead} of ${bytes} bytes`);
  assert.ok(src.bytesRead < bytes * 0.02);
  t.diagnostic(`read ${src.bytesRead} of ${bytes} bytes`);
  // and readModelFile gives the same model
  assert.deepEqual(
    readModelFile(f).graph.initializers.map((t) => t.data),
    m.graph.initializers.map((t) => t.data),
  );
});

test('a long run of small fields is read with a growing read-ahead (few reads), and the same as from memory', () => {
  const nodes = Array.from({ length: 20000 }, (_, k) =>
    node('Relu', [k ? `t${k - 1}` : 'x'], [`t${k}`], {}, { name: `/blocks.${k}/act/Relu` }),
  );
  const bytes = model({
    graph: graph({ nodes, inputs: [vi('x', T.FLOAT, [4])], outputs: [vi('t19999', T.FLOAT, [4])] }),
  });
  const f = path.join(tmp, 'many.onnx');
  fs.writeFileSync(f, bytes);
  const src = new FileSource(f);
  const m = readModelSource(src, f, tmp);
  src.close();
  assert.equal(m.graph.nodes.length, 20000);
  assert.equal(m.graph.nodes[12345].name, '/blocks.12345/act/Relu');
  assert.ok(src.bytesRead < bytes.length * 1.2, `read ${src.bytesRead} for a ${bytes.length}-byte file`);
  assert.deepEqual(readModelFile(f).graph.nodes.slice(-3), m.graph.nodes.slice(-3));
});

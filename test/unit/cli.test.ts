// The CLI contract of ARCHITECTURE.md: JSON Lines, error lines, exit codes, bindings, --shapes, formats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../../src/cli/run';
import { T, graph, model, node, tensor, vi, rawOf } from '../fixtures/onnx-writer';

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-cli-'));
}

function run(args: string[]): { code: number; out: string; err: string } {
  let out = '',
    err = '';
  const code = runCli(
    args,
    (s) => {
      out += s;
    },
    (s) => {
      err += s;
    },
  );
  return { code, out, err };
}

/** y = Relu(x @ W + b), x: [batch, 8], W: [8, 16] */
function mlp(): Uint8Array {
  return model({
    graph: graph({
      name: 'mlp',
      nodes: [
        node('MatMul', ['x', 'W'], ['h'], {}, { name: '/fc/MatMul' }),
        node('Add', ['h', 'b'], ['hb'], {}, { name: '/fc/Add' }),
        node('Relu', ['hb'], ['y'], {}, { name: '/act/Relu' }),
      ],
      inputs: [vi('x', T.FLOAT, ['batch', 8])],
      outputs: [vi('y', T.FLOAT, ['batch', 16])],
      initializers: [
        tensor('W', T.FLOAT, [8, 16], { raw: rawOf(T.FLOAT, new Array(128).fill(0.5)) }),
        tensor('b', T.FLOAT, [16], { raw: rawOf(T.FLOAT, new Array(16).fill(0)) }),
      ],
    }),
  });
}

test('JSON report: contract fields, FLOPs by hand, bindings and --shapes', () => {
  const dir = tmpDir();
  const f = path.join(dir, 'mlp.onnx');
  fs.writeFileSync(f, mlp());
  const r = run([f, '--format', 'json', '--target', 'none', '--batch', '4', '--shapes']);
  assert.equal(r.code, 0, r.err);
  const rep = JSON.parse(r.out.trim());
  assert.equal(rep.schema, 'onnx-profile/1');
  assert.equal(rep.model.nodeCount, 3);
  assert.equal(rep.model.parameterCount, 8 * 16 + 16);
  assert.equal(rep.model.parameterBytes, (8 * 16 + 16) * 4);
  // MatMul 2*4*8*16 = 1024, Add 4*16 = 64, Relu 64
  assert.equal(rep.model.forwardFlops, 1024 + 64 + 64);
  assert.deepEqual(rep.model.opsets, { 'ai.onnx': 17 });
  assert.deepEqual(rep.tensors.h, { dtype: 'FLOAT', dims: [4, 16] });
  assert.deepEqual(rep.tensors.y.dims, [4, 16]);
  assert.equal(rep.layers.length, 1, 'MatMul + bias + activation fuse into one layer');
  assert.deepEqual(rep.layers[0].opTypes, ['MatMul', 'Add', 'Relu']);
  assert.equal(rep.targets, undefined, '--target none profiles the model alone');
});

test('unbound dims are reported, not guessed', () => {
  const dir = tmpDir();
  const f = path.join(dir, 'mlp.onnx');
  fs.writeFileSync(f, mlp());
  const rep = JSON.parse(run([f, '--format', 'json', '--target', 'none', '--shapes']).out);
  assert.deepEqual(rep.model.unboundDims, ['batch']);
  assert.deepEqual(rep.tensors.y.dims, ['batch', 16]);
  assert.ok(rep.diagnostics.some((d: { message: string }) => /unbound/.test(d.message)));
});

test('several models: one JSON line each, a bad one yields an error line and exit code 1', () => {
  const dir = tmpDir();
  const good = path.join(dir, 'good.onnx');
  const bad = path.join(dir, 'bad.onnx');
  fs.writeFileSync(good, mlp());
  fs.writeFileSync(bad, 'this is not a model\n');
  const r = run([good, bad, good, '--format', 'json', '--target', 'none']);
  assert.equal(r.code, 1);
  const lines = r.out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, 3);
  assert.equal(lines[0].model.nodeCount, 3);
  assert.equal(lines[1].model.path, bad);
  assert.match(lines[1].error, /bad\.onnx/);
  assert.equal(lines[2].model.nodeCount, 3);
  assert.equal(r.err.trim().split('\n').length, 1, 'one line on stderr');
});

test('bad usage exits 2 with a message; a missing file exits 1 naming it', () => {
  assert.equal(run(['--precision', 'fp7']).code, 2);
  assert.equal(run(['--tp', '0']).code, 2);
  assert.equal(run(['--bogus']).code, 2);
  assert.equal(run(['--dim', 'seq']).code, 2);
  const r = run(['/nonexistent/model.onnx', '--target', 'none']);
  assert.equal(r.code, 1);
  assert.match(r.err, /\/nonexistent\/model\.onnx/);
});

test('a node that cannot hold gets a diagnostic and the rest of the graph still profiles', () => {
  const dir = tmpDir();
  const f = path.join(dir, 'badreshape.onnx');
  fs.writeFileSync(
    f,
    model({
      graph: graph({
        name: 'g',
        nodes: [
          node('Reshape', ['x', 'shape'], ['r'], {}, { name: 'impossible_reshape' }),
          node('Relu', ['x'], ['y'], {}, { name: 'fine_relu' }),
        ],
        inputs: [vi('x', T.FLOAT, [2, 3])],
        outputs: [vi('r', T.FLOAT, null), vi('y', T.FLOAT, [2, 3])],
        initializers: [tensor('shape', T.INT64, [2], { raw: rawOf(T.INT64, [-1, 4]) })],
      }),
    }),
  );
  const r = run([f, '--format', 'json', '--target', 'none', '--shapes']);
  assert.equal(r.code, 0);
  const rep = JSON.parse(r.out);
  assert.ok(
    rep.diagnostics.some(
      (d: { node?: string; severity: string }) => d.node === 'impossible_reshape' && d.severity === 'error',
    ),
  );
  assert.deepEqual(rep.tensors.y.dims, [2, 3]);
  assert.equal(rep.model.forwardFlops, 6);
});

test('csv and html formats; model strings are escaped', () => {
  const dir = tmpDir();
  const f = path.join(dir, 'evil.onnx');
  fs.writeFileSync(
    f,
    model({
      graph: graph({
        name: 'g',
        nodes: [node('Relu', ['x'], ['y'], {}, { name: '<script>alert(1)</script>' })],
        inputs: [vi('x', T.FLOAT, [2])],
        outputs: [vi('y', T.FLOAT, [2])],
      }),
    }),
  );
  const html = run([f, '--format', 'html', '--target', 'none']).out;
  assert.ok(!html.includes('<script>alert(1)</script>'));
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  const csv = run([f, '--format', 'csv', '--target', 'none']).out;
  assert.match(csv.split('\n')[0], /^target,layer,kind,ops,forward_flops/);
  assert.ok(csv.includes('<script>alert(1)</script>'));
  const out = path.join(dir, 'sub', 'report.json');
  assert.equal(run([f, '--format', 'json', '--target', 'none', '--out', out]).code, 0);
  assert.equal(JSON.parse(fs.readFileSync(out, 'utf8')).model.nodeCount, 1);
});

test('the embedded sample profiles with no arguments', () => {
  const r = run(['--format', 'json', '--target', 'none', '--dim', 'seq=32', '--batch', '1']);
  assert.equal(r.code, 0, r.err);
  const rep = JSON.parse(r.out);
  assert.match(rep.model.path, /tiny-gpt\.onnx$/);
  assert.ok(rep.model.forwardFlops > 0);
  assert.deepEqual(rep.model.unboundDims, []);
});

test('with no model and no bindings, the sample runs at its documented context (batch 1, seq 128)', () => {
  const r = run(['--format', 'json', '--target', 'none']);
  assert.equal(r.code, 0, r.err);
  const rep = JSON.parse(r.out);
  assert.deepEqual(rep.model.bindings, { batch: 1, seq: 128 });
  assert.deepEqual(rep.model.outputs[0].dims, [1, 128, 512]);
});

// External data: resolved inside the model's folder only; absolute paths, '..' and symlinks leading
// outside are refused with an OnnxReadError naming the model file and the tensor; a missing data file
// is a warning (dims and parameter counts still come from the graph), never an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readModelBytes, readModelFile } from '../../src/engine/onnx/reader';
import { OnnxReadError } from '../../src/engine/onnx/errors';
import { modelStats } from '../../src/engine/onnx/stats';
import { T, graph, model, node, tensor, vi } from '../fixtures/onnx-writer';

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-ext-'));
}

/** Writes model.onnx into `dir` with one 4x8 float initializer stored at `location`. */
function writeExt(dir: string, location: string, offset = 0, length: number | undefined = 128): string {
  const file = path.join(dir, 'model.onnx');
  fs.writeFileSync(
    file,
    model({
      graph: graph({
        nodes: [node('MatMul', ['x', 'w'], ['y'])],
        inputs: [vi('x', T.FLOAT, [1, 4])],
        outputs: [vi('y', T.FLOAT, [1, 8])],
        initializers: [tensor('w', T.FLOAT, [4, 8], { external: { location, offset, length } })],
      }),
    }),
  );
  return file;
}

function refused(file: string, pattern: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof OnnxReadError, `expected OnnxReadError, got ${String(e)}`);
    assert.equal(e.file, file);
    assert.match(e.problem, pattern);
    assert.match(e.where ?? '', /tensor 'w'/);
    return true;
  };
}

test('external data inside the model folder (same folder and a subfolder) resolves, without warnings', () => {
  const dir = tmpDir();
  fs.writeFileSync(path.join(dir, 'model.onnx.data'), Buffer.alloc(4096 + 128));
  fs.mkdirSync(path.join(dir, 'weights'));
  fs.writeFileSync(path.join(dir, 'weights', 'w.bin'), Buffer.alloc(128));
  for (const [loc, off, real] of [
    ['model.onnx.data', 4096, 'model.onnx.data'],
    ['weights/w.bin', 0, 'weights/w.bin'],
    ['./weights//w.bin', 0, 'weights/w.bin'],
  ] as const) {
    const file = writeExt(dir, loc, off);
    const m = readModelFile(file);
    const t = m.graph.initializers[0];
    assert.ok(t.data.kind === 'external');
    assert.equal(t.data.location, loc);
    assert.equal(t.data.offset, off);
    assert.equal(t.data.length, 128);
    assert.equal(t.data.missing, false);
    assert.equal(t.data.resolved, fs.realpathSync(path.join(dir, real)));
    assert.deepEqual(m.diagnostics, []);
    assert.equal(modelStats(m).parameterCount, 32);
  }
  fs.rmSync(dir, { recursive: true });
});

test('a missing external data file is a warning; counts still come from the graph', () => {
  const dir = tmpDir();
  const file = writeExt(dir, 'absent.bin');
  const m = readModelFile(file);
  const t = m.graph.initializers[0];
  assert.ok(t.data.kind === 'external' && t.data.missing && t.data.resolved === null);
  assert.equal(m.diagnostics.length, 1);
  assert.equal(m.diagnostics[0].severity, 'warning');
  assert.match(m.diagnostics[0].message, /'absent.bin' is missing/);
  assert.equal(modelStats(m).parameterCount, 32);
  fs.rmSync(dir, { recursive: true });
});

test('a data file shorter than offset + length, or a folder as location, is a warning', () => {
  const dir = tmpDir();
  fs.writeFileSync(path.join(dir, 'short.bin'), Buffer.alloc(100));
  let m = readModelFile(writeExt(dir, 'short.bin', 0, 128));
  assert.match(m.diagnostics.map((d) => d.message).join(), /100 bytes, shorter than offset 0 \+ length 128/);
  fs.mkdirSync(path.join(dir, 'adir'));
  m = readModelFile(writeExt(dir, 'adir'));
  assert.match(m.diagnostics.map((d) => d.message).join(), /not a regular file/);
  fs.rmSync(dir, { recursive: true });
});

test('absolute locations are refused (POSIX and Windows forms)', () => {
  const dir = tmpDir();
  const outside = path.join(tmpDir(), 'secret.bin');
  fs.writeFileSync(outside, Buffer.alloc(128));
  for (const loc of [outside, '/etc/passwd', 'C:\\Windows\\system.ini', 'c:relative', '\\\\server\\share\\w.bin']) {
    const file = writeExt(dir, loc);
    assert.throws(() => readModelFile(file), refused(file, /absolute path/), loc);
  }
  fs.rmSync(dir, { recursive: true });
  fs.rmSync(path.dirname(outside), { recursive: true });
});

test("'..' escapes are refused, whichever separator", () => {
  const dir = tmpDir();
  fs.mkdirSync(path.join(dir, 'sub'));
  for (const loc of ['../x.bin', 'sub/../../x.bin', '..\\x.bin', 'sub\\..\\..\\x.bin', '..']) {
    const file = writeExt(dir, loc);
    assert.throws(() => readModelFile(file), refused(file, /leaves the model's folder/), loc);
  }
  fs.rmSync(dir, { recursive: true });
});

test('symlinks leading outside the model folder are refused; links inside it are followed', () => {
  const dir = tmpDir();
  const out = tmpDir();
  fs.writeFileSync(path.join(out, 'secret.bin'), Buffer.alloc(128));
  fs.symlinkSync(path.join(out, 'secret.bin'), path.join(dir, 'file-link.bin'));
  fs.symlinkSync(out, path.join(dir, 'dir-link'));
  let file = writeExt(dir, 'file-link.bin');
  assert.throws(() => readModelFile(file), refused(file, /link that leads outside/));
  file = writeExt(dir, 'dir-link/secret.bin');
  assert.throws(() => readModelFile(file), refused(file, /link that leads outside/));
  fs.writeFileSync(path.join(dir, 'real.bin'), Buffer.alloc(128));
  fs.symlinkSync('real.bin', path.join(dir, 'inside-link.bin'));
  const m = readModelFile(writeExt(dir, 'inside-link.bin'));
  const t = m.graph.initializers[0];
  assert.ok(
    t.data.kind === 'external' && !t.data.missing && t.data.resolved === fs.realpathSync(path.join(dir, 'real.bin')),
  );
  assert.deepEqual(m.diagnostics, []);
  // a model opened through a symlinked folder still resolves against that folder's real path
  const linkedDir = path.join(out, 'linked-model-dir');
  fs.symlinkSync(dir, linkedDir);
  assert.equal(readModelFile(path.join(linkedDir, 'model.onnx')).graph.initializers[0].data.kind, 'external');
  fs.rmSync(dir, { recursive: true });
  fs.rmSync(out, { recursive: true });
});

test('a NUL byte in the location, or a bad offset/length, is refused', () => {
  const dir = tmpDir();
  const file = writeExt(dir, 'a\0b.bin');
  assert.throws(() => readModelFile(file), refused(file, /NUL byte/));
  const bad = path.join(dir, 'bad.onnx');
  fs.writeFileSync(
    bad,
    model({
      graph: graph({
        nodes: [],
        initializers: [
          {
            ...tensor('w', T.FLOAT, [2], { external: { location: 'x.bin' } }),
            externalData: [
              { key: 'location', value: 'x.bin' },
              { key: 'offset', value: 'abc' },
            ],
          },
        ],
      }),
    }),
  );
  assert.throws(
    () => readModelFile(bad),
    (e: unknown) => e instanceof OnnxReadError && e.file === bad && /invalid external_data offset/.test(e.problem),
  );
  fs.rmSync(dir, { recursive: true });
});

test('external data of an in-memory model cannot resolve: a warning, not an error', () => {
  const m = readModelBytes(
    model({
      graph: graph({ nodes: [], initializers: [tensor('w', T.FLOAT, [3], { external: { location: 'w.bin' } })] }),
    }),
  );
  const t = m.graph.initializers[0];
  assert.ok(t.data.kind === 'external' && t.data.missing);
  assert.equal(m.diagnostics[0].severity, 'warning');
  assert.equal(modelStats(m).parameterCount, 3);
});

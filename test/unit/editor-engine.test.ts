// The engine worker (dist/worker.js) through EngineClient: the same report as the in-process pipeline,
// not-ONNX files reported as such, and cancellation that really stops the worker.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CancelledError, EngineClient } from '../../src/editor/engine';
import { profileModel } from '../../src/engine/profile';
import { defaultRunOptions } from '../../src/engine/options';
import { readModelFile } from '../../src/engine/onnx/reader';
import { projectRoot } from '../fixtures/paths';

const root = projectRoot();
const workerFile = path.join(root, 'dist', 'worker.js');
const sample = path.join(root, 'media', 'sample', 'tiny-gpt.onnx');

function token() {
  let cancelled = false;
  const listeners: (() => void)[] = [];
  return {
    get isCancellationRequested() {
      return cancelled;
    },
    onCancellationRequested(l: () => void) {
      listeners.push(l);
      return {
        dispose() {
          /* one-shot */
        },
      };
    },
    cancel() {
      cancelled = true;
      listeners.forEach((l) => l());
    },
  };
}

describe(
  'EngineClient (worker_threads)',
  { skip: !fs.existsSync(workerFile) ? 'dist/worker.js not built (run node esbuild.js)' : false },
  () => {
    it('returns the same report as profileModel in-process, plus per-node facts', async () => {
      const engine = new EngineClient(workerFile);
      try {
        const opts = defaultRunOptions();
        const r = await engine.profile(sample, opts);
        assert.ok(r.ok);
        const local = profileModel(readModelFile(sample), opts).report;
        assert.deepEqual(JSON.parse(JSON.stringify(r.profile.report)), JSON.parse(JSON.stringify(local)));
        const nodesInLayers = local.layers.reduce((a, l) => a + l.nodes.length, 0);
        assert.equal(r.profile.nodes.length, nodesInLayers);
        for (const n of r.profile.nodes) assert.equal(local.layers[n.layer].nodes.includes(n.name), true);
      } finally {
        engine.dispose();
      }
    });

    it('reports a file that is not ONNX as notOnnx, naming the file', async () => {
      const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'engine-')), 'x.onnx');
      fs.writeFileSync(f, 'plain text, not protobuf\n'.repeat(10));
      const engine = new EngineClient(workerFile);
      try {
        const r = await engine.profile(f, defaultRunOptions());
        assert.equal(r.ok, false);
        if (!r.ok) {
          assert.equal(r.error.notOnnx, true);
          assert.ok(r.error.message.includes(f), r.error.message);
        }
      } finally {
        engine.dispose();
      }
    });

    it('cancelling terminates the run, and the next run works on a fresh worker', async () => {
      const engine = new EngineClient(workerFile);
      try {
        const t = token();
        const p = engine.profile(sample, defaultRunOptions(), t);
        t.cancel();
        await assert.rejects(p, CancelledError);
        const again = await engine.profile(sample, { ...defaultRunOptions(), targets: [] });
        assert.ok(again.ok);
      } finally {
        engine.dispose();
      }
    });

    it('lists the built-in targets with their kinds, and explains a bad spec file', async () => {
      const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'engine-')), 'bad.json');
      fs.writeFileSync(bad, '{"kind": "toaster"}');
      const engine = new EngineClient(workerFile);
      try {
        const t = await engine.targets([bad]);
        const wse3 = t.find((c) => c.id === 'wse3');
        assert.equal(wse3?.kind, 'wafer');
        assert.equal(t.find((c) => c.id === 'h100-dgx')?.kind, 'gpu-cluster');
        const b = t.find((c) => c.id === bad);
        assert.equal(b?.kind, null);
        assert.match(b?.error ?? '', /kind/);
      } finally {
        engine.dispose();
      }
    });
  },
);

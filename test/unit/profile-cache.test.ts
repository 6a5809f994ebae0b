// Analysis once, mapping many (src/engine/cache.ts): a mapping-only knob re-maps only the targets whose kind
// reads it, bindings re-analyse, a changed file is read again, and every cached profile equals the uncached one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ProfileCache } from '../../src/engine/cache';
import { defaultRunOptions, type RunOptions } from '../../src/engine/options';
import { profileModel } from '../../src/engine/profile';
import { readModelFile } from '../../src/engine/onnx/reader';
import { gpt2ModelAbsentWeights } from '../fixtures/gpt2';
import { T } from '../fixtures/onnx-writer';
import { llamaDecode } from '../fixtures/llama';

function gpt2(layers: number): Uint8Array {
  return gpt2ModelAbsentWeights({
    layers,
    d: 256,
    heads: 8,
    vocab: 1000,
    maxPositions: 128,
    batch: 'batch',
    seq: 'seq',
    lmHead: 'copy',
    dtype: T.FLOAT16,
  });
}

test('a knob change re-maps only the target that reads it; bindings re-analyse; results equal the uncached run', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-cache-'));
  const file = path.join(dir, 'gpt.onnx');
  fs.writeFileSync(file, gpt2(2));
  const cache = new ProfileCache();
  const base: RunOptions = { ...defaultRunOptions(), targets: ['wse3', 'h100-dgx'], batch: 1, dims: { seq: 64 } };
  const same = (o: RunOptions, got: unknown) =>
    assert.deepEqual(got, profileModel(readModelFile(file), o).report, 'the cached report equals the uncached one');

  const first = cache.profileFile(file, base);
  assert.deepEqual(first.use, { read: true, analysed: true, mapped: ['wse3', 'h100-dgx'] });
  same(base, first.profile.report);

  const again = cache.profileFile(file, base);
  assert.deepEqual(again.use, { read: false, analysed: false, mapped: [] });
  same(base, again.profile.report);

  const tp: RunOptions = { ...base, gpu: { tp: 2 } };
  const r = cache.profileFile(file, tp);
  assert.deepEqual(r.use, { read: false, analysed: false, mapped: ['h100-dgx'] }, 'tp re-maps the GPU target only');
  same(tp, r.profile.report);

  const sys: RunOptions = { ...tp, systems: 2 };
  assert.deepEqual(cache.profileFile(file, sys).use.mapped, ['wse3'], 'systems re-maps the wafer only');

  const seq: RunOptions = { ...base, dims: { seq: 32 } };
  const s = cache.profileFile(file, seq);
  assert.equal(s.use.analysed, true, 'new bindings: a new analysis');
  same(seq, s.profile.report);

  // a new file content (size changes) is read again
  fs.writeFileSync(file, gpt2(3));
  const grown = cache.profileFile(file, base);
  assert.equal(grown.use.read, true);
  assert.equal(grown.use.analysed, true);
  same(base, grown.profile.report);
});

test('cached outcomes are shared, not changed: repeated and training profiles (notes added per run) equal the uncached', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-cache-'));
  const file = path.join(dir, 'gpt.onnx');
  fs.writeFileSync(file, gpt2(2));
  const cache = new ProfileCache();
  const train: RunOptions = {
    ...defaultRunOptions(),
    targets: ['wse3', 'h100-dgx'],
    mode: 'training',
    batch: 4,
    dims: { seq: 64 },
  };
  for (const o of [train, { ...train, gpu: { tp: 2 } }, train, train]) {
    const r = cache.profileFile(file, o).profile.report;
    assert.deepEqual(r, profileModel(readModelFile(file), o).report, 'the cached report equals the uncached one');
  }
});

test('what a mapper keeps per analysis is not changed by one run: speculative decoding on, off, on equals the uncached', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-cache-'));
  const file = path.join(dir, 'llama.onnx');
  fs.writeFileSync(
    file,
    llamaDecode({ layers: 2, hidden: 256, heads: 4, kvHeads: 2, headDim: 64, ffn: 512, vocab: 1000 }),
  );
  const cache = new ProfileCache();
  const off: RunOptions = { ...defaultRunOptions(), targets: ['wse3'], precision: 'bf16', dims: { past: 128 } };
  const on: RunOptions = { ...off, wafer: { speculative: { draftParams: 1e8, acceptance: 0.8, tokens: 4 } } };
  for (const o of [on, off, on, off]) {
    const r = cache.profileFile(file, o).profile.report;
    assert.deepEqual(r, profileModel(readModelFile(file), o).report, 'the cached report equals the uncached one');
  }
});

test('a target that cannot be computed stays an error entry, and the others still map', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-cache-'));
  const file = path.join(dir, 'gpt.onnx');
  fs.writeFileSync(file, gpt2(1));
  const r = new ProfileCache().profileFile(file, {
    ...defaultRunOptions(),
    targets: ['nope', 'h100-dgx'],
    batch: 1,
    dims: { seq: 16 },
  });
  const [bad, ok] = r.profile.report.targets!;
  assert.ok('error' in bad && /unknown target 'nope'/.test(bad.error));
  assert.ok(!('error' in ok) && ok.kind === 'gpu-cluster');
});

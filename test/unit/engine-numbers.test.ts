// Everything the engine writes for people (notes, comparison sentences, diagnostics) uses the one number formatter
// (src/engine/format/units.ts): no e-notation, whatever the scale. A tiny model (the sample, one token) and a
// 405B-parameter decode step with a large batch cover both ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readModelBytes } from '../../src/engine/onnx/reader';
import { profileModel, type Report } from '../../src/engine/profile';
import { defaultRunOptions, type RunOptions } from '../../src/engine/options';
import { sampleModelBytes } from '../fixtures/sample-model';
import { llamaDecode, CONFIGS } from '../fixtures/llama';
import { budgetLines, costScale, figureLine } from '../../src/report/comparison';
import { computedTargets } from '../../src/engine/hardware/types';

const E_NOTATION = /\d(?:\.\d+)?e[+-]?\d/i;

/** Every sentence of a report a person reads: target notes, verdict sentences and notes, diagnostics, figure lines. */
function sentences(r: Report): string[] {
  const out: string[] = [];
  for (const t of r.targets ?? []) {
    if ('error' in t) out.push(t.error);
    else out.push(...t.notes);
  }
  const shown = computedTargets(r.targets);
  const scale = costScale(shown);
  for (const t of shown) out.push(figureLine(t, scale), ...budgetLines(t, scale));
  if (r.comparison) out.push(...r.comparison.sentences, ...r.comparison.notes);
  out.push(...r.diagnostics.map((d) => d.message));
  return out;
}

function profile(bytes: Uint8Array, o: Partial<RunOptions>): Report {
  return profileModel(readModelBytes(bytes, 'm.onnx'), { ...defaultRunOptions(), targets: ['wse3', 'h100-dgx'], ...o })
    .report;
}

test('the sample with unbound dims: no e-notation in any sentence', () => {
  const r = profile(sampleModelBytes(), {});
  const s = sentences(r);
  assert.ok(s.length > 10, `${s.length} sentences`);
  for (const x of s) assert.doesNotMatch(x, E_NOTATION, x);
  // the targets' prices side by side in one unit (the cheapest one's), whatever their ratio
  const shown = computedTargets(r.targets);
  const scale = costScale(shown);
  const units = shown.map((t) => /\/((?:[kMBT] )?tokens?)\b/.exec(figureLine(t, scale))?.[1]);
  assert.equal(units.length, 2);
  assert.ok(units[0] && units[0] === units[1], units.join(' vs '));
});

test('a 405B decode step at batch 4096, inference and training: no e-notation in any sentence', () => {
  const bytes = llamaDecode(CONFIGS['llama-3.1-405B']);
  for (const mode of ['inference', 'training'] as const) {
    const r = profile(bytes, { mode, batch: 4096, dims: { past: 8192 }, precision: 'bf16' });
    for (const x of sentences(r)) assert.doesNotMatch(x, E_NOTATION, `${mode}: ${x}`);
  }
});

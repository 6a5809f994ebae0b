// Settings -> knobs -> engine options (src/editor/options.ts), and the target swap of Select Target.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { diffKnobs, knobsFromSettings, mergeKnobs, profileOptionsFrom } from '../../src/editor/options';
import { withTarget } from '../../src/editor/targets';
import type { TargetChoice } from '../../src/shared/protocol';
import type { RunOptions } from '../../src/engine/options';

const settings = (o: Record<string, unknown>) => ({ get: <T>(k: string) => o[k] as T | undefined });

describe('editor options', () => {
  it('reads the settings, falling back to defaults for invalid values', () => {
    const k = knobsFromSettings(
      settings({
        targets: ['wse2'],
        precision: 'bf16',
        mode: 'training',
        batch: 4,
        dims: { seq: 128, bad: -1, f: 1.5 },
      }),
    );
    assert.deepEqual(k, {
      targets: ['wse2'],
      batch: 4,
      dims: { seq: 128 },
      precision: 'bf16',
      mode: 'training',
      execution: 'auto',
      gpu: {},
      shapes: false,
      basis: 'as-given',
      prices: {},
    });
    const d = knobsFromSettings(settings({ targets: 'wse2', precision: 'fp64', mode: 'x', batch: 0 }));
    assert.deepEqual(d.targets, ['wse3', 'h100-dgx']);
    assert.equal(d.precision, 'fp16');
    assert.equal(d.mode, 'inference');
    assert.equal(d.batch, undefined);
  });

  it("keeps an editor's own changes over later settings changes", () => {
    const base = knobsFromSettings(settings({}));
    const mine: RunOptions = { ...base, precision: 'fp8', dims: { seq: 64 } };
    const over = diffKnobs(base, mine);
    assert.deepEqual(over, { precision: 'fp8', dims: { seq: 64 } });
    const newBase = { ...base, mode: 'training' as const };
    const merged = mergeKnobs(newBase, over);
    assert.equal(merged.mode, 'training');
    assert.equal(merged.precision, 'fp8');
    assert.deepEqual(merged.dims, { seq: 64 });
  });

  it('validates knobs from the webview into engine options', () => {
    const o = profileOptionsFrom({
      targets: ['wse3', '', 'x'.repeat(5000)],
      dims: { seq: 16, neg: -3 } as Record<string, number>,
      precision: 'int3' as never,
      mode: 'training',
      batch: 2.5,
      systems: 'auto',
      nodes: 2,
      gpu: { tp: 4, pp: 0 },
      execution: 'weight-streaming',
      shapes: true,
    });
    assert.deepEqual(o.targets, ['wse3']);
    assert.deepEqual(o.dims, { seq: 16 });
    assert.equal(o.precision, 'fp16');
    assert.equal(o.batch, undefined);
    assert.equal(o.systems, 'auto');
    assert.deepEqual(o.gpu, { tp: 4 }, 'pp 0 is refused, tp 4 kept');
    assert.equal(o.nodes, 2);
    assert.equal(o.mode, 'training');
    assert.equal(o.execution, 'weight-streaming');
    assert.equal(o.shapes, false, 'the webview never asks for per-tensor shapes');
    assert.deepEqual(profileOptionsFrom('not an object').targets, [], 'garbage from the webview: no targets');
  });

  it('Select Target replaces the target of the same kind and keeps the wafer first', () => {
    const choices: TargetChoice[] = [
      { id: 'wse2', label: '', kind: 'wafer', source: 'builtin' },
      { id: 'wse3', label: '', kind: 'wafer', source: 'builtin' },
      { id: 'h100-dgx', label: '', kind: 'gpu-cluster', source: 'builtin' },
      { id: 'a100-dgx', label: '', kind: 'gpu-cluster', source: 'builtin' },
    ];
    assert.deepEqual(withTarget(['wse3', 'h100-dgx'], 'wse2', choices), ['wse2', 'h100-dgx']);
    assert.deepEqual(withTarget(['wse3', 'h100-dgx'], 'a100-dgx', choices), ['wse3', 'a100-dgx']);
    assert.deepEqual(withTarget(['h100-dgx'], 'wse3', choices), ['wse3', 'h100-dgx']);
    assert.deepEqual(withTarget(['wse3'], 'my.json', choices), ['wse3', 'my.json']);
  });
});

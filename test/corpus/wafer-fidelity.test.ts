// Wafer fidelity: every wafer run of ../shared/fidelity/published.json through the engine, predicted vs
// published tokens/s, within the project's goal of 1.5x. The constants in play and where they come from
// are in docs/WAFER-MODEL.md; none is fitted to the Cerebras rows, and the WaferLLM row's own point
// (Llama3-8B at 420^2) is left out of the decode calibration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { readModelFile } from '../../src/engine/onnx/reader';
import { profileModel, type ProfileOptions } from '../../src/engine/profile';
import type { TargetResult } from '../../src/engine/hardware/types';
import { sharedDir } from '../fixtures/paths';
import { parseCli } from '../../src/cli/run';

interface Run {
  id: string;
  kind: string;
  model: string;
  target: string;
  args: string[];
  metric: string;
  published: number;
  source: string;
  note?: string;
}

/** The published run's CLI options, parsed by the CLI's own parser. */
function optionsFrom(target: string, args: string[]): ProfileOptions {
  return parseCli(['--target', target, ...args]).opts;
}

const shared = sharedDir();
const file = shared ? path.join(shared, 'fidelity', 'published.json') : '';
const present = shared !== null && fs.existsSync(file);

test(
  'wafer fidelity: published decode throughput within 1.5x',
  { skip: present ? false : '../shared/fidelity absent: skipped' },
  () => {
    const runs = (JSON.parse(fs.readFileSync(file, 'utf8')).runs as Run[]).filter((r) => r.kind === 'wafer');
    assert.ok(runs.length > 0);
    const rows: string[] = [];
    let worst = 1;
    for (const run of runs) {
      const m = readModelFile(path.join(shared!, 'fidelity', run.model));
      const t = profileModel(m, optionsFrom(run.target, run.args)).report.targets![0] as TargetResult;
      assert.ok(!('error' in t), `${run.id}: ${(t as unknown as { error: string }).error}`);
      assert.equal(t.throughput.unit, 'tokens/s', `${run.id}: a decode graph reports tokens/s`);
      assert.ok(t.fits, `${run.id}: fits`);
      const got = t.throughput.value;
      const factor = Math.max(got / run.published, run.published / got);
      worst = Math.max(worst, factor);
      rows.push(
        `${run.id.padEnd(26)} ${run.target} ${t.execution} x${t.systems}: predicted ${got.toFixed(0).padStart(5)} tok/s, published ${String(run.published).padStart(5)} (x${(got / run.published).toFixed(2)})`,
      );
    }
    console.log(`wafer fidelity (worst factor ${worst.toFixed(2)}):\n  ${rows.join('\n  ')}`);
    for (const r of rows) {
      const f = Number(/\(x([\d.]+)\)/.exec(r)![1]);
      assert.ok(f <= 1.5 && f >= 1 / 1.5, r);
    }
  },
);

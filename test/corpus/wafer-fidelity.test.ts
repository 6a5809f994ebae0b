// Wafer fidelity: every wafer run of ../shared/fidelity/published.json through the engine, predicted vs
// published (tokens/s for decode, step seconds for training), within the project's goal of 1.5x. Rows are
// split as docs/WAFER-MODEL.md splits them: CALIBRATION rows were used to fit a constant (named below), every
// other row is VALIDATION (held out). Both must stay within 1.5x; only validation rows show anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { readModelFile } from '../../src/engine/onnx/reader';
import { profileModel } from '../../src/engine/profile';
import type { RunOptions } from '../../src/engine/options';
import { resultOfKind, type WaferTargetResult } from '../../src/engine/hardware/types';
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
function optionsFrom(target: string, args: string[]): RunOptions {
  return parseCli(['--target', target, ...args]).opts;
}

/** Rows a constant was fitted to (docs/WAFER-MODEL.md, calibration table): row id -> constant. */
export const CALIBRATION_ROWS: Record<string, string> = {
  'alcf-llama2-7B-train-cs2': 'streamingGemmOpOverhead_cycles (weight-streaming FMAC op overhead)',
};

const shared = sharedDir();
const file = shared ? path.join(shared, 'fidelity', 'published.json') : '';
const present = shared !== null && fs.existsSync(file);

function predict(run: Run): { got: number; t: WaferTargetResult } {
  const m = readModelFile(path.join(shared!, 'fidelity', run.model));
  const t = resultOfKind(profileModel(m, optionsFrom(run.target, run.args)).report.targets![0], 'wafer');
  assert.ok(t.fits, `${run.id}: fits`);
  if (run.metric === 'stepSeconds') return { got: t.stepSeconds, t };
  assert.equal(t.throughput.unit, 'tokens/s', `${run.id}: a decode graph reports tokens/s`);
  return { got: t.throughput.value, t };
}

for (const split of ['calibration', 'validation'] as const)
  test(
    `wafer fidelity (${split} rows): published decode tokens/s and training step times within 1.5x`,
    { skip: present ? false : '../shared/fidelity absent: skipped' },
    () => {
      const runs = (JSON.parse(fs.readFileSync(file, 'utf8')).runs as Run[]).filter(
        (r) => r.kind === 'wafer' && (split === 'calibration') === r.id in CALIBRATION_ROWS,
      );
      const rows: string[] = [];
      const factors: number[] = [];
      for (const run of runs) {
        const { got, t } = predict(run);
        const f = got / run.published;
        factors.push(Math.max(f, 1 / f));
        const unit = run.metric === 'stepSeconds' ? 's/step' : 'tok/s';
        rows.push(
          `${run.id.padEnd(30)} ${run.target} ${t.execution} x${t.systems}: predicted ${got.toPrecision(4)} ${unit}, published ${run.published} (x${f.toFixed(2)})${split === 'calibration' ? ` fitted: ${CALIBRATION_ROWS[run.id]}` : ''}`,
        );
      }
      console.log(
        `wafer fidelity, ${split} rows (worst factor ${Math.max(1, ...factors).toFixed(2)}):\n  ${rows.join('\n  ')}`,
      );
      factors.forEach((f, i) => assert.ok(f <= 1.5, rows[i]));
    },
  );

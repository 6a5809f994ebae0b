// The gpu-cluster runs of ../shared/fidelity/published.json through the engine, as the CLI runs them, and
// which of them calibrated a constant (CALIBRATION: the constant and the rows; every other row is validation,
// never used to fit). docs/GPU-MODEL.md keeps the same two tables.
import * as fs from 'fs';
import * as path from 'path';
import { readModelFile } from '../../src/engine/onnx/reader';
import { profileModel } from '../../src/engine/profile';
import type { GpuTargetResult } from '../../src/engine/hardware/types';
import { sharedDir } from '../fixtures/paths';
import { parseCli } from '../../src/cli/run';

export interface PublishedRun {
  id: string;
  kind: string;
  model: string;
  target: string;
  args: string[];
  metric: 'stepSeconds' | 'tokensPerSecond';
  published: number;
}

/** Constant -> the published rows it was fitted to (all other rows validate). */
export const CALIBRATION: Record<string, string[]> = {
  'a100-dgx efficiency.tpBackwardOverlap + stack.trainingMatrixScale': [
    'tab5-22B-full',
    'tab5-22B-seqsel',
    'tab5-175B-full',
    'tab5-175B-seqsel',
  ],
  // stack.tpCommOverlap (0.94) is derived from NeMo's userbuffers configuration, not fitted
  'h100-dgx stack.trainingMatrixScale': ['nemo2407-gpt3-175B-128'],
};
export const calibrationIds = new Set(Object.values(CALIBRATION).flat());

export const shared = sharedDir();
const file = shared ? path.join(shared, 'fidelity', 'published.json') : '';
export const present = shared !== null && fs.existsSync(file);

export function gpuRuns(): PublishedRun[] {
  return (JSON.parse(fs.readFileSync(file, 'utf8')).runs as PublishedRun[]).filter((r) => r.kind === 'gpu-cluster');
}

export interface RunResult {
  run: PublishedRun;
  target: GpuTargetResult;
  /** the run's metric as predicted */
  predicted: number;
  /** training: predicted / published - 1; decode: predicted / published */
  error: number;
  line: string;
}

/** One published run through the CLI's parser and the engine. */
export function runPublished(run: PublishedRun): RunResult {
  const m = readModelFile(path.join(shared!, 'fidelity', run.model));
  const opts = parseCli(['--target', run.target, ...run.args]).opts;
  const t = profileModel(m, opts).report.targets![0] as GpuTargetResult;
  if ('error' in t) throw new Error(`${run.id}: ${(t as unknown as { error: string }).error}`);
  const predicted = run.metric === 'tokensPerSecond' ? t.throughput.value : t.stepSeconds;
  const error = run.metric === 'tokensPerSecond' ? predicted / run.published : predicted / run.published - 1;
  const p = t.parallelism;
  const what =
    run.metric === 'tokensPerSecond'
      ? `predicted ${predicted.toFixed(1).padStart(6)} tok/s, published ${run.published.toFixed(1).padStart(6)} (x${error.toFixed(2)})`
      : `predicted ${predicted.toFixed(3).padStart(7)} s, published ${run.published.toFixed(2).padStart(6)} s (${error >= 0 ? '+' : ''}${(100 * error).toFixed(1)} %)`;
  const line = `${run.id.padEnd(26)} ${run.target} tp${p.tp} pp${p.pp} dp${p.dp} mb${p.microbatch} v${p.interleave} ${String(p.recompute).padEnd(9)} sp=${p.sequenceParallel ? 1 : 0}: ${what}, ${(t.memory.usedBytes / 2 ** 30).toFixed(1)} GiB/GPU${t.fits ? '' : ' [does not fit]'}`;
  return { run, target: t, predicted, error, line };
}

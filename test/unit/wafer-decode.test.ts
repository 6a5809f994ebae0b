// Production-stack decode on the wafer: named, dated calibrations; speculative decoding as an explicit option;
// how `--systems auto` chooses; mixture-of-experts layers (all experts resident, only the routed ones compute).
// Graphs are Llama-style decode steps written by the project's ONNX writer (test/fixtures/llama.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readModelBytes } from '../../src/engine/onnx/reader';
import { profileModel } from '../../src/engine/profile';
import { defaultRunOptions, type RunOptions } from '../../src/engine/options';
import { resultOfKind, type WaferTargetResult } from '../../src/engine/hardware/types';
import { expectedTokens } from '../../src/engine/hardware/wafer/speculative';
import { llamaDecode, CONFIGS, type LlamaConfig } from '../fixtures/llama';
import { parseCli } from '../../src/cli/run';

const small: LlamaConfig = { layers: 8, hidden: 2048, heads: 16, kvHeads: 4, headDim: 128, ffn: 8192, vocab: 32000 };
const cache = new Map<string, Uint8Array>();
function bytes(cfg: LlamaConfig): Uint8Array {
  const key = JSON.stringify(cfg);
  if (!cache.has(key)) cache.set(key, llamaDecode(cfg));
  return cache.get(key)!;
}

function run(cfg: LlamaConfig, o: Partial<RunOptions> = {}): WaferTargetResult {
  const opts = { ...defaultRunOptions(), targets: ['wse3'], precision: 'bf16' as const, dims: { past: 1024 }, ...o };
  return resultOfKind(profileModel(readModelBytes(bytes(cfg), 'llama.onnx'), opts).report.targets![0], 'wafer');
}

test('decode calibrations: each named and dated; the rewritten-kernel generation is faster than the launch one', () => {
  // the WSE-3 default is the launch generation (the shared rows' software); 2024-10 is named
  const now = run(small, { wafer: { calibration: 'cerebras-2024-10' } });
  const launch = run(small);
  assert.ok(
    now.notes.some((n) => /decode 'cerebras-2024-10' \(software of 2024-10-24\)/.test(n)),
    now.notes.join('\n'),
  );
  assert.ok(launch.notes.some((n) => /decode 'cerebras-2024-08' \(software of 2024-08-27\)/.test(n)));
  assert.ok(
    now.throughput.value > 1.5 * launch.throughput.value,
    `${now.throughput.value} vs ${launch.throughput.value}`,
  );
  const opts = { ...defaultRunOptions(), targets: ['wse3'], wafer: { calibration: 'nope' } };
  const bad = profileModel(readModelBytes(bytes(small), 'llama.onnx'), opts).report.targets![0];
  assert.ok('error' in bad && /no decode calibration 'nope'.*cerebras-2024-10/.test(bad.error), JSON.stringify(bad));
});

test('speculative decoding: off by default and said so; on, the step yields the expected accepted tokens', () => {
  const off = run(small);
  assert.ok(off.notes.some((n) => /speculative decoding off/.test(n)));
  assert.equal(expectedTokens(0, 4), 1);
  assert.ok(Math.abs(expectedTokens(0.5, 2) - 1.75) < 1e-12);
  const on = run(small, { wafer: { speculative: { draftParams: 1e8, acceptance: 0.8, tokens: 4 } } });
  const note = on.notes.find((n) => /speculative decoding ON/.test(n));
  assert.ok(note && /3\.36 tokens per step/.test(note), note);
  // tokens per step / step time
  assert.ok(Math.abs(on.throughput.value * on.stepSeconds - expectedTokens(0.8, 4)) < 1e-9);
  // the CLI's spelling
  const cli = parseCli(['m.onnx', '--speculative', 'draft=1B,accept=0.7,k=3']).opts.wafer!.speculative!;
  assert.deepEqual(cli, { draftParams: 1e9, acceptance: 0.7, tokens: 3 });
  assert.throws(() => parseCli(['m.onnx', '--speculative', 'draft=1B,accept=1.5']), /--speculative expects/);
});

test('systems auto: fewest that fit by default, or the lowest latency within a budget, and the report says which', () => {
  const cfg = { ...small, layers: 16, hidden: 8192, ffn: 28672, heads: 64, kvHeads: 8 };
  const fewest = run(cfg, { systems: 'auto' });
  assert.ok(fewest.notes[0].includes('objective: fewest that fit'), fewest.notes[0]);
  const fast = run(cfg, { systems: 'auto', wafer: { systemsObjective: 'latency', maxSystems: fewest.systems! + 3 } });
  assert.ok(/objective lowest latency within a budget of/.test(fast.notes[0]), fast.notes[0]);
  assert.ok(fast.systems! >= fewest.systems! && fast.systems! <= fewest.systems! + 3);
  assert.ok(fast.stepSeconds <= fewest.stepSeconds);
});

test('mixture of experts: every expert resident, only the routed ones compute', () => {
  const moe = (k: number): LlamaConfig => ({ ...small, layers: 4, ffn: 2048, experts: 32, expertsPerToken: k });
  const k1 = run(moe(1)),
    k8 = run(moe(8));
  assert.equal(k1.memory.usedBytes, k8.memory.usedBytes, 'same resident weights');
  assert.ok(k1.throughput.value > k8.throughput.value, `${k1.throughput.value} vs ${k8.throughput.value}`);
  assert.ok(k1.notes.some((n) => /mixture of experts: 4 MoE kernel\(s\) of 32 experts, all resident/.test(n)));
  // the published gpt-oss-120B config builds and maps
  assert.equal(CONFIGS['gpt-oss-120B'].experts, 128);
});

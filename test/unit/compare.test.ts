// The comparison (src/engine/compare): power and price data with sources, figures and budgets by hand,
// ratios on each basis, the verdict's wording, one global batch for training, and the CLI flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../src/cli/run';
import { builtinTargetIds, loadSpec } from '../../src/engine/hardware';
import type { TargetResult } from '../../src/engine/hardware/types';
import {
  attachFigures,
  commonGlobalBatch,
  compareTargets,
  economicsOf,
  EconomicsError,
  type FiguredTarget,
  type Workload,
} from '../../src/engine/compare';

function run(args: string[]): { code: number; out: string; err: string } {
  let out = '',
    err = '';
  const code = runCli(
    args,
    (s) => (out += s),
    (s) => (err += s),
  );
  return { code, out, err };
}

const W: Workload = {
  mode: 'inference',
  precision: 'fp16',
  forwardFlops: 2e12,
  tokensPerStep: 1000,
  samplesPerStep: 1,
  unit: 'tokens/s',
  decode: false,
};

/** A mapped target by hand: `tps` tokens/s, every layer bound by `bound`. */
function target(
  id: string,
  kind: 'wafer' | 'gpu-cluster',
  count: number,
  tps: number,
  bound: 'memory' | 'latency',
): TargetResult {
  // the comparison reads only globalBatch of the parallelism: one record shape serves both kinds here
  const t: unknown = {
    id,
    name: kind === 'wafer' ? 'Cerebras CS-3 (WSE-3)' : 'NVIDIA DGX H100 (8x H100-SXM5-80GB)',
    kind,
    execution: kind === 'wafer' ? 'weight-streaming' : 'inference',
    ...(kind === 'wafer' ? { systems: count } : { nodes: count }),
    parallelism: { execution: 'weight-streaming', systems: count },
    fits: true,
    stepSeconds: 1000 / tps,
    throughput: { value: tps, unit: 'tokens/s' },
    memory: { usedBytes: 1, capacityBytes: 2 },
    layers: [
      { name: 'a', seconds: 0.7, bound, memoryBytes: 0, placement: {} },
      { name: 'b', seconds: 0.3, bound: 'compute', memoryBytes: 0, placement: {} },
    ],
    notes: [],
  };
  return t as TargetResult;
}

test('every built-in system target carries whole-system power and an hourly price, each with a source', () => {
  // single-device targets (kind "device") are predictions for measured profiles: no economics, left out of comparisons
  for (const id of builtinTargetIds().filter((i) => loadSpec(i).kind !== 'device')) {
    const e = economicsOf(loadSpec(id).spec);
    assert.ok(e.wattsPerUnit > 0 && e.usdPerHourPerUnit > 0, id);
    assert.ok(e.includes.includes('hosts') && e.includes.includes('network'), `${id} counts hosts and network`);
    assert.ok(!/no source/.test(e.powerSource) && !/no source/.test(e.priceSource), `${id} cites its sources`);
  }
  // the DGX H100 datasheet's 10.2 kW is the node's power, not 8 x 700 W of GPUs
  assert.equal(economicsOf(loadSpec('h100-dgx').spec).wattsPerUnit, 10200);
  // the wafer counts MemoryX / SwarmX / servers on top of the CS-3's 23 kW
  const w = economicsOf(loadSpec('wse3').spec);
  assert.ok(w.wattsPerUnit > 23000 && w.includes.includes('memoryx') && w.includes.includes('swarmx'));
});

test('missing, zero or negative power or price is refused with the field named', () => {
  const spec = structuredClone(loadSpec('h100-dgx').spec) as Record<string, Record<string, unknown>>;
  delete spec.economics.nodePrice_usdPerHour;
  assert.throws(
    () => economicsOf(spec),
    (e: Error) => e instanceof EconomicsError && /economics\.nodePrice_usdPerHour' is missing/.test(e.message),
  );
  spec.economics.nodePrice_usdPerHour = 10;
  spec.economics.nodePower_kW = 0;
  assert.throws(() => economicsOf(spec), /economics\.nodePower_kW' must be greater than 0/);
  spec.economics.nodePower_kW = -3;
  assert.throws(() => economicsOf(spec), /economics\.nodePower_kW' must be greater than 0, got -3/);
  spec.economics.nodePower_kW = 10;
  assert.throws(() => economicsOf(spec, { 'h100-dgx': -1 }), /price for 'h100-dgx' must be greater than 0/);
  assert.equal(economicsOf(spec, { 'h100-dgx': 50 }).usdPerHourPerUnit, 50);
});

test('energy, cost, MFU and budgets follow from throughput, power and price (by hand)', () => {
  const specs = [loadSpec('wse3').spec, loadSpec('h100-dgx').spec];
  const ts = [target('wse3', 'wafer', 4, 2000, 'latency'), target('h100-dgx', 'gpu-cluster', 2, 1000, 'memory')];
  attachFigures(ts, specs, W, { basis: 'as-given', prices: { 'h100-dgx': 36 }, serveRate: 5000 });
  const [a, b] = ts as FiguredTarget[];
  // GPU: 2 nodes x 10.2 kW = 20.4 kW; 20.4 kW / 1000 tok/s = 20.4 J/token
  assert.equal(b.energy!.watts, 20400);
  assert.ok(Math.abs(b.energy!.joulesPerToken! - 20.4) < 1e-9);
  // $36/h per node x 2 = $72/h; per million tokens: 72 / 3600 / 1000 x 1e6 = $20
  assert.equal(b.cost!.usdPerHour, 72);
  assert.ok(Math.abs(b.cost!.usdPerMillionTokens! - 20) < 1e-9);
  assert.match(b.cost!.source, /override/);
  // MFU: 1000 tok/s x 2e9 FLOP/token / (16 GPUs x 989.4 TFLOP/s)
  assert.ok(Math.abs(b.utilization!.mfu - (1000 * 2e9) / (16 * 989.4e12)) < 1e-12);
  // serving 5000 tok/s: ceil(5000 / 1000) = 5 replicas of 2 nodes = 10 nodes, $360/h, $20/M tokens
  assert.deepEqual([b.serveBudget!.replicas, b.serveBudget!.nodes, b.serveBudget!.usdPerHour], [5, 10, 360]);
  assert.ok(Math.abs(b.serveBudget!.usdPerMillionTokens! - 20) < 1e-9);
  // wafer: ceil(5000 / 2000) = 3 replicas of 4 systems
  assert.equal(a.serveBudget!.systems, 12);
  assert.equal(a.latency!.firstTokenSeconds, a.stepSeconds);
});

test('a training budget: time, energy and cost to train N tokens; one that cannot be met says why', () => {
  const w: Workload = { ...W, mode: 'training' };
  const ok = target('h100-dgx', 'gpu-cluster', 64, 1e6, 'memory');
  const big = { ...target('h100-dgx', 'gpu-cluster', 1, 1e4, 'memory'), fits: false };
  big.notes = ['does not fit: 300 GiB per GPU needed, 80 GiB available'];
  attachFigures([ok, big], [loadSpec('h100-dgx').spec, loadSpec('h100-dgx').spec], w, {
    basis: 'as-given',
    prices: {},
    trainTokens: 15e12,
  });
  const b = (ok as FiguredTarget).trainBudget!;
  assert.equal(b.seconds, 15e12 / 1e6);
  assert.equal(b.joules, 64 * 10200 * b.seconds!);
  assert.ok(Math.abs(b.usd! - (64 * 39.33 * b.seconds!) / 3600) < 1e-6);
  const nb = (big as FiguredTarget).trainBudget!;
  assert.equal(nb.feasible, false);
  assert.match(nb.why!, /does not fit.*300 GiB/);
  assert.equal(nb.seconds, undefined);
});

test('ratios to the first target, the basis, and a verdict sentence with the bounds', () => {
  const specs = [loadSpec('h100-dgx').spec, loadSpec('wse3').spec];
  const mk = () => [target('h100-dgx', 'gpu-cluster', 1, 1000, 'memory'), target('wse3', 'wafer', 4, 5100, 'latency')];
  let ts = mk();
  attachFigures(ts, specs, W, { basis: 'as-given', prices: {} });
  let c = compareTargets(ts, W, { basis: 'as-given', prices: {} })!;
  assert.equal(c.baseline, 'h100-dgx');
  assert.deepEqual(
    c.targets.map((t) => t.id),
    ['h100-dgx', 'wse3'],
  );
  assert.equal(c.targets[0].throughputRatio, 1);
  assert.ok(Math.abs(c.targets[1].throughputRatio - 5.1) < 1e-9);
  assert.ok(Math.abs(c.targets[1].latencyRatio! - 1 / 5.1) < 1e-9);
  assert.match(c.verdict, /^4 x CS-3 is 5\.1x faster per token than 1 x DGX H100 and draws 12x the power/);
  assert.match(c.verdict, /the GPU side is bound by HBM bandwidth, the wafer by fabric latency\.$/);
  // equal power: the wafer's 4 x 31.25 kW scaled down to one DGX H100's 10.2 kW
  ts = mk();
  attachFigures(ts, specs, W, { basis: 'power', prices: {} });
  c = compareTargets(ts, W, { basis: 'power', prices: {} })!;
  assert.ok(Math.abs(c.targets[1].basisScale - 10200 / (4 * 31250)) < 1e-12);
  assert.ok(Math.abs(c.targets[1].throughputRatio - (5.1 * 10200) / 125000) < 1e-9);
  assert.match(c.verdict, /1 x DGX H100 is [\d.]+x faster per token than 4 x CS-3 at equal power/);
  // energy per token is intensive: the same on every basis
  assert.ok(c.targets[1].energyPerTokenRatio! > 0);
});

test("training: the largest global batch any target chose becomes every target's", () => {
  const a = target('wse3', 'wafer', 16, 1, 'latency');
  a.parallelism = { execution: 'weight-streaming', systems: 16, globalBatch: 16 };
  const b = target('h100-dgx', 'gpu-cluster', 64, 1, 'memory');
  b.parallelism = { execution: 'x', systems: 1, globalBatch: 2048 };
  assert.equal(commonGlobalBatch([a, b]), 2048);
  b.parallelism = { execution: 'x', systems: 1, globalBatch: 16 };
  assert.equal(commonGlobalBatch([a, b]), undefined);
});

test('CLI: --basis/--price/--train-tokens/--serve-rate, JSON comparison and refusals (exit 2)', () => {
  const r = run(['--format', 'json', '--mode', 'training', '--train-tokens', '1e9', '--price', 'h100-dgx=20']);
  assert.equal(r.code, 0, r.err);
  const rep = JSON.parse(r.out.trim());
  const c = rep.comparison;
  assert.equal(c.basis, 'as-given');
  assert.equal(c.baseline, 'wse3');
  assert.equal(typeof c.verdict, 'string');
  for (const t of c.targets) for (const k of ['id', 'throughputRatio']) assert.ok(k in t, k);
  const gbs = rep.targets.map((t: TargetResult) => (t.parallelism as { globalBatch?: number }).globalBatch);
  assert.equal(gbs[0], gbs[1], 'both sides run the same global batch');
  for (const t of rep.targets) {
    for (const k of ['energy', 'cost', 'utilization', 'trainBudget']) assert.ok(k in t, `${t.id}.${k}`);
    assert.ok(t.trainBudget.seconds > 0 && t.trainBudget.usd > 0 && t.trainBudget.joules > 0);
  }
  assert.equal(rep.targets[1].cost.usdPerHourPerUnit, 20);
  const table = run(['--serve-rate', '1000']);
  assert.equal(table.code, 0, table.err);
  assert.match(table.out.split('\n')[1], /VERDICT/, 'the verdict comes first');
  assert.match(table.out, /serve 1(\.00)? ktokens\/s: 1 replica/);
  for (const [args, re] of [
    [['--price', 'h100-dgx=0'], /--price for 'h100-dgx' must be a number greater than 0/],
    [['--price', 'h100-dgx=-5'], /--price for 'h100-dgx' must be a number greater than 0/],
    [['--price', 'h100-dgx'], /--price expects TARGET=USD_PER_HOUR/],
    [['--price', 'h100-dgx=cheap'], /must be a number greater than 0, got 'cheap'/],
    [['--train-tokens', '1e12'], /--train-tokens needs --mode training/],
    [['--mode', 'training', '--serve-rate', '10'], /--serve-rate needs --mode inference/],
    [['--basis', 'speed'], /--basis must be one of as-given\|power\|cost/],
  ] as [string[], RegExp][]) {
    const e = run(args);
    assert.equal(e.code, 2, args.join(' '));
    assert.match(e.err, re);
  }
});

test('HTML export: the verdict, every assumption, figures, budgets and a chart per target', () => {
  const r = run(['--format', 'html', '--mode', 'training', '--train-tokens', '1e9', '--price', 'wse3=80']);
  assert.equal(r.code, 0, r.err);
  const html = r.out;
  assert.ok(html.indexOf('class="verdict"') < html.indexOf('<h2>Assumptions</h2>'), 'the verdict comes first');
  for (const k of [
    'mode</th><td>training',
    'precision</th><td>fp16',
    'batch and sequence',
    'wse3: systems/nodes and plan',
    'h100-dgx: systems/nodes and plan',
    'wse3: calibration',
    'wse3: price</th><td>override: $80/h',
    'h100-dgx: power',
    'training budget',
  ])
    assert.ok(html.includes(k), `assumption ${k}`);
  assert.equal((html.match(/<svg /g) ?? []).length, 2, 'one chart per target');
  assert.match(html, /train 1 Gtokens: /);
  assert.doesNotMatch(html, /<script/i);
});

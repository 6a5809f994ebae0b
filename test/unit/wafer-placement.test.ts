// Placement invariants: every region inside the grid, no two overlapping, consecutive kernels side by side
// (serpentine strips), every region's weights and buffers within its cores' SRAM, every kernel placed once.
// Checked on the placement function with random region lists and on the mapper's output for real models.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'path';
import { adjacent, overlaps, place, placeWithBand, type Rect } from '../../src/engine/hardware/wafer/placement';
import { readModelBytes, readModelFile } from '../../src/engine/onnx/reader';
import { profileModel } from '../../src/engine/profile';
import { defaultRunOptions, type RunOptions } from '../../src/engine/options';
import { resultOfKind, type WaferGrid, type WaferTargetResult } from '../../src/engine/hardware/types';
import { loadSpec } from '../../src/engine/hardware';
import type { WaferSpec } from '../../src/engine/hardware/wafer/spec';
import { graph, model, node, prng, tensor, T, vi } from '../fixtures/onnx-writer';
import { sharedDir } from '../fixtures/paths';

function checkRects(rects: Rect[], asked: number[], W: number, H: number): void {
  rects.forEach((r, i) => {
    assert.ok(
      r.x >= 0 && r.y >= 0 && r.x + r.w <= W && r.y + r.h <= H,
      `rect ${i} inside ${W}x${H}: ${JSON.stringify(r)}`,
    );
    assert.ok(r.w * r.h >= asked[i], `rect ${i} has the cores asked for`);
    if (i > 0)
      assert.ok(
        adjacent(rects[i - 1], r),
        `rects ${i - 1} and ${i} adjacent: ${JSON.stringify(rects[i - 1])} ${JSON.stringify(r)}`,
      );
    for (let j = 0; j < i; j++) assert.ok(!overlaps(rects[j], r), `rects ${j} and ${i} overlap`);
  });
}

test('serpentine placement of random region lists: inside, disjoint, consecutive regions adjacent', () => {
  const rnd = prng(7);
  for (let trial = 0; trial < 60; trial++) {
    const W = 50 + Math.floor(rnd() * 800),
      H = 50 + Math.floor(rnd() * 1200);
    const n = 1 + Math.floor(rnd() * 200);
    const total = W * H * (0.2 + 0.6 * rnd());
    const weights = Array.from({ length: n }, () => rnd() ** 3 + 1e-3);
    const sum = weights.reduce((a, b) => a + b, 0);
    const cores = weights.map((w) => Math.max(1, Math.floor((w / sum) * total)));
    const p = place(cores, W, H);
    if (!p) {
      // a refusal is only allowed when no band height can hold the list
      for (let b = 1; b <= H; b++) assert.equal(placeWithBand(cores, W, H, b), null);
      continue;
    }
    checkRects(p.rects, cores, W, H);
  }
});

test('placement refuses what cannot fit', () => {
  assert.equal(place([101], 10, 10), null);
  assert.equal(place([60, 60], 10, 10), null);
  assert.ok(place([50, 50], 10, 10));
});

/** The grid and per-layer placements of a pipelined wafer result obey the invariants. */
function checkResult(r: WaferTargetResult, spec: WaferSpec): void {
  assert.equal(r.kind, 'wafer');
  const g = r.grid as WaferGrid;
  assert.equal(g.kind, 'wafer');
  assert.equal(g.width, spec.gridWidth_cores);
  assert.equal(g.height, spec.gridHeight_cores);
  const usable = (spec.sramPerCore_KiB - spec.sramReservedPerCore_KiB) * 1024;
  const covered = new Array(r.layers.length).fill(0);
  // copies of the pipeline (replica > 0) repeat the first copy's regions
  for (const rc of g.rects)
    if (!rc.replica) for (let k = rc.layer; k < rc.layer + (rc.layerCount ?? 1); k++) covered[k]++;
  assert.ok(
    covered.every((c) => c === 1),
    'every kernel in exactly one region',
  );
  const bySystem = new Map<number, typeof g.rects>();
  for (const rc of g.rects) {
    if (!bySystem.has(rc.system)) bySystem.set(rc.system, []);
    bySystem.get(rc.system)!.push(rc);
    assert.ok(rc.memUtil <= 1 + 1e-9, `region at layer ${rc.layer}: SRAM use ${rc.memUtil}`);
  }
  for (const rects of bySystem.values()) {
    checkRects(
      rects,
      rects.map(() => 1),
      g.width,
      g.height,
    );
  }
  for (const l of r.layers) {
    const p = l.placement as { w: number; h: number; cores: number };
    assert.equal(p.cores, p.w * p.h);
    const d = l.detail as { bytesPerCore: number; usablePerCoreBytes: number };
    assert.ok(d.bytesPerCore <= usable, `${l.name}: ${d.bytesPerCore} B per core > ${usable}`);
    assert.ok(l.seconds >= 0 && Number.isFinite(l.seconds));
    assert.ok(['compute', 'memory', 'communication', 'latency'].includes(l.bound));
  }
  const grid = r.grid as WaferGrid;
  const copies = 1 + Math.max(0, ...grid.rects.map((rc) => rc.replica ?? 0));
  assert.ok(grid.rects.length <= r.layers.length * copies, 'one rectangle per region (per copy), not per core');
}

function mlp(widths: number[]): Uint8Array {
  const nodes = [],
    inits = [];
  let cur = 'x';
  for (let i = 0; i + 1 < widths.length; i++) {
    inits.push(
      tensor(`w${i}`, T.FLOAT16, [widths[i], widths[i + 1]], {
        external: { location: 'weights.bin', offset: 0, length: widths[i] * widths[i + 1] * 2 },
      }),
    );
    nodes.push(node('MatMul', [cur, `w${i}`], [`h${i}`], {}, { name: `/fc${i}/MatMul` }));
    nodes.push(node('Relu', [`h${i}`], [`a${i}`], {}, { name: `/act${i}/Relu` }));
    cur = `a${i}`;
  }
  return model({
    graph: graph({
      nodes,
      initializers: inits,
      inputs: [vi('x', T.FLOAT16, [64, widths[0]])],
      outputs: [vi(cur, T.FLOAT16, [64, widths[widths.length - 1]])],
    }),
  });
}

function mapped(m: ReturnType<typeof readModelFile>, o: Partial<RunOptions>): WaferTargetResult {
  return resultOfKind(profileModel(m, { ...defaultRunOptions(), targets: ['wse3'], ...o }).report.targets![0], 'wafer');
}

const wse2 = loadSpec('wse2').spec as unknown as WaferSpec;
const wse3 = loadSpec('wse3').spec as unknown as WaferSpec;

test('mapper placements on generated MLPs (one and several systems, inference and training)', () => {
  const small = readModelBytes(mlp([2048, 8192, 8192, 2048, 512]), 'mlp.onnx');
  for (const target of ['wse2', 'wse3'])
    for (const mode of ['inference', 'training'] as const) {
      const r = mapped(small, { targets: [target], mode });
      assert.equal(r.execution, 'pipelined');
      checkResult(r, target === 'wse2' ? wse2 : wse3);
    }
  const big = readModelBytes(mlp([30000, 100000, 30000, 100000, 30000, 100000, 30000, 100000, 30000]), 'big.onnx'); // 8 x 6 GB
  const r = mapped(big, { systems: 'auto' });
  assert.equal(r.execution, 'pipelined');
  assert.ok(r.systems! >= 2, `${r.systems} systems`);
  checkResult(r, wse3);
});

const shared = sharedDir();
test(
  'mapper placements on the fidelity transformers (decode, prefill, multi-system) and a CNN',
  { skip: shared ? false : '../shared absent: skipped' },
  () => {
    const F = path.join(shared!, 'fidelity', 'models');
    const d8 = readModelFile(path.join(F, 'llama-3.1-8B', 'llama-3.1-8B-decode.onnx'));
    for (const [target, spec] of [
      ['wse2', wse2],
      ['wse3', wse3],
    ] as const) {
      const r = mapped(d8, { targets: [target], precision: 'bf16', dims: { past: 1024 } });
      assert.equal(r.execution, 'pipelined');
      assert.equal(r.throughput.unit, 'tokens/s');
      checkResult(r, spec);
      // decode: the kernels of one block share its region
      assert.ok((r.grid as WaferGrid).rects.some((rc) => (rc.layerCount ?? 1) > 5));
    }
    const d70 = readModelFile(path.join(F, 'llama-3.1-70B', 'llama-3.1-70B-decode.onnx'));
    const r70 = mapped(d70, { precision: 'bf16', systems: 4, dims: { past: 1024 } });
    assert.equal(r70.systems, 4);
    checkResult(r70, wse3);
    const p8 = readModelFile(path.join(F, 'llama-3.1-8B', 'llama-3.1-8B-prefill.onnx'));
    const rp = mapped(p8, { precision: 'bf16', dims: { seq: 512 } });
    // a graph that consumes token ids counts tokens (512 per sequence), as the GPU target does
    assert.equal(rp.throughput.unit, 'tokens/s');
    checkResult(rp, wse3);
    const resnet = readModelFile(path.join(shared!, 'corpus', 'torch', 'resnet50', 'resnet50.onnx'));
    const rr = mapped(resnet, { targets: ['wse2'] });
    assert.equal(rr.throughput.unit, 'samples/s');
    checkResult(rr, wse2);
  },
);

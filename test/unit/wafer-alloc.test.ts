// Core allocation with cost classes: units that share a class (repeated blocks) are sampled and picked once;
// the split must be exactly the one each unit alone would get, on throughput and latency objectives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocateLatency, allocateThroughput, type AllocUnit } from '../../src/engine/hardware/wafer/alloc';
import { prng } from '../fixtures/onnx-writer';

/** Units drawn from a few cost shapes (work / n + a reduction growing with the side + a fixed part, with a
 * bump so the cost is not monotone), each repeated; `cls` says which shape. */
function units(rnd: () => number, shapes: number, n: number): AllocUnit[] {
  const kinds = Array.from({ length: shapes }, () => {
    const work = 1e3 + rnd() * 1e7,
      side = rnd() * 50,
      fixed = rnd() * 100,
      minCores = 1 + Math.floor(rnd() * 200),
      bump = 1 + Math.floor(rnd() * 5000);
    return { minCores, cost: (c: number) => work / c + side * Math.sqrt(c) + fixed + (c % bump === 0 ? 7 : 0) };
  });
  return Array.from({ length: n }, () => {
    const k = Math.floor(rnd() * shapes);
    return { ...kinds[k], cls: k };
  });
}

const alone = (us: AllocUnit[]) => us.map(({ minCores, cost }) => ({ minCores, cost }));

test('allocation with cost classes equals allocation unit by unit', () => {
  const rnd = prng(11);
  for (let trial = 0; trial < 20; trial++) {
    const us = units(rnd, 1 + Math.floor(rnd() * 6), 1 + Math.floor(rnd() * 60));
    const cap = Math.floor(us.reduce((a, u) => a + u.minCores, 0) * (0.9 + rnd() * 20));
    assert.deepEqual(allocateThroughput(us, cap), allocateThroughput(alone(us), cap), `throughput, trial ${trial}`);
    assert.deepEqual(allocateLatency(us, cap), allocateLatency(alone(us), cap), `latency, trial ${trial}`);
  }
});

test('allocation refuses when the minima exceed the cores, with or without classes', () => {
  const us: AllocUnit[] = [1, 2, 3].map(() => ({ minCores: 40, cost: (n: number) => 1 / n, cls: 0 }));
  assert.equal(allocateThroughput(us, 100), null);
  assert.equal(allocateLatency(us, 100), null);
  assert.ok(allocateThroughput(us, 120));
  assert.deepEqual(allocateThroughput(us, 120)!.cores, [40, 40, 40]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmtBytes, fmtDetail, fmtFlops, fmtSeconds } from '../../src/report/units';

test('engineering units', () => {
  assert.equal(fmtSeconds(0), '0 s');
  assert.equal(fmtSeconds(2.18e-6), '2.18 µs');
  assert.equal(fmtSeconds(1.42), '1.42 s');
  assert.equal(fmtBytes(49152), '48.0 KiB');
  assert.equal(fmtFlops(8.389e6), '8.39 MFLOP');
});

test('per-layer detail keys carry their unit in the name', () => {
  assert.deepEqual(fmtDetail('bytesPerCore', 26720), ['bytes per core', '26.1 KiB']);
  assert.deepEqual(fmtDetail('usablePerCoreBytes', 43010), ['usable per core', '42.0 KiB']);
  assert.deepEqual(fmtDetail('flops', 8389000), ['flops', '8.39 MFLOP']);
  assert.deepEqual(fmtDetail('computeCycles', 14840), ['compute cycles', '14,840']);
  assert.deepEqual(fmtDetail('memorySeconds', 3e-6), ['memory', '3.00 µs']);
  assert.deepEqual(fmtDetail('tp', 8), ['tp', '8']);
  assert.deepEqual(fmtDetail('note', 'fused'), ['note', 'fused']);
});

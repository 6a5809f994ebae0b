import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fmtBytes,
  fmtDuration,
  fmtUsd,
  fmtDetail,
  fmtFlops,
  fmtNumber,
  fmtPercent,
  fmtRate,
  fmtRatio,
  fmtSeconds,
  si,
} from '../../src/report/units';

test('engineering units', () => {
  assert.equal(fmtSeconds(0), '0 s');
  assert.equal(fmtSeconds(2.18e-6), '2.18 µs');
  assert.equal(fmtSeconds(1.42), '1.42 s');
  assert.equal(fmtBytes(49152), '48 KiB');
  assert.equal(fmtFlops(8.389e6), '8.39 MFLOP');
});

test('per-layer detail keys carry their unit in the name', () => {
  assert.deepEqual(fmtDetail('bytesPerCore', 26720), ['bytes per core', '26.1 KiB']);
  assert.deepEqual(fmtDetail('usablePerCoreBytes', 43010), ['usable per core', '42 KiB']);
  assert.deepEqual(fmtDetail('flops', 8389000), ['flops', '8.39 MFLOP']);
  assert.deepEqual(fmtDetail('computeCycles', 14840), ['compute cycles', '14,840']);
  assert.deepEqual(fmtDetail('memorySeconds', 3e-6), ['memory', '3 µs']);
  assert.deepEqual(fmtDetail('tp', 8), ['tp', '8']);
  assert.deepEqual(fmtDetail('note', 'fused'), ['note', 'fused']);
});

test('numbers never use e-notation and group thousands', () => {
  assert.equal(fmtRate(4.582e5, 'tokens/s'), '458,200 tokens/s');
  assert.equal(fmtNumber(1234567.8), '1,234,568');
  assert.equal(fmtNumber(0.000123), '0.000123');
  assert.equal(fmtNumber(2.5), '2.5');
  assert.equal(fmtNumber(1e25), '10,000,000,000,000,000,905,969,664');
  assert.equal(si(3e24, 'FLOP'), '3,000,000 EFLOP');
  assert.equal(fmtPercent(0.4713), '47.1%');
  assert.equal(fmtRatio(1.5312), '1.53×');
  assert.equal(fmtSeconds(3 * 86400), '3 days');
  for (const v of [1e-12, 3.3e-7, 7e7, 9.99e20, 1e30]) assert.doesNotMatch(fmtNumber(v), /e[+-]/);
});

test('tiny percentages read "< 0.01%", long durations and small dollar amounts have no e-notation', () => {
  assert.equal(fmtPercent(3.7e-7), '< 0.01%');
  assert.equal(fmtPercent(-3.7e-7), '> -0.01%');
  assert.equal(fmtPercent(0), '0%');
  assert.equal(fmtPercent(0.0001), '0.01%');
  assert.equal(fmtDuration(3e30), '95,129,375,951,293,756,997,632 years');
  assert.equal(fmtDuration(90), '1.5 min');
  assert.equal(fmtUsd(1.2e-8), '$0.000000012');
  assert.equal(fmtUsd(12.345), '$12.3');
  for (const s of [fmtDuration(1e25), fmtUsd(3e-9), fmtPercent(1e-12), fmtPercent(1e22)])
    assert.doesNotMatch(s, /e[+-]/);
});

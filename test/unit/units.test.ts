import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  binaryUnit,
  secondsUnit,
  fmtValue,
  fmtBytes,
  fmtDuration,
  fmtUsd,
  fmtUsdPer,
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
  assert.equal(fmtUsd(1.2e-8), '< $0.01');
  assert.equal(fmtUsd(12.345), '$12.35');
  for (const s of [fmtDuration(1e25), fmtUsd(3e-9), fmtPercent(1e-12), fmtPercent(1e22)])
    assert.doesNotMatch(s, /e[+-]/);
});

test('money: one rule for amounts, from zero to trillions', () => {
  const cases: [number, string][] = [
    [0, '$0'],
    [3e-9, '< $0.01'],
    [0.00999, '< $0.01'],
    [0.01, '$0.01'],
    [0.0537, '$0.054'],
    [0.05, '$0.05'],
    [0.1, '$0.10'],
    [0.5, '$0.50'],
    [0.537, '$0.54'],
    [0.996, '$1'],
    [1, '$1'],
    [2.5, '$2.50'],
    [20, '$20'],
    [95.13, '$95.13'],
    [999.994, '$999.99'],
    [999.996, '$1,000'],
    [2768.64, '$2,769'],
    [123_456.7, '$123,457'],
    [999_999.6, '$1M'],
    [2.5e6, '$2.5M'],
    [1.234e9, '$1.23B'],
    [999.95e9, '$1T'],
    [7.89e12, '$7.89T'],
    [4.2e18, '$4,200,000T'],
    [-12.345, '-$12.35'],
    [-3e-9, '> -$0.01'],
    [Number.NaN, '-'],
    [Number.POSITIVE_INFINITY, '-'],
  ];
  for (const [v, s] of cases) assert.equal(fmtUsd(v), s, `fmtUsd(${v})`);
  for (const [v] of cases) assert.doesNotMatch(fmtUsd(v), /e[+-]|\$0\.000|G$/, `fmtUsd(${v})`);
});

test('money per unit of work: the quantity grows or shrinks by thousands so the amount keeps its digits', () => {
  // tokens are quoted per million, as LLM APIs price them
  assert.equal(fmtUsdPer(20 / 1e6, 'token'), '$20/M tokens');
  assert.equal(fmtUsdPer(1.32 / 1e6, 'token'), '$1.32/M tokens');
  assert.equal(fmtUsdPer(0.01 / 1e6, 'token'), '$0.01/M tokens');
  // the sample model: $0.0000537 per million tokens is $0.054 per billion
  assert.equal(fmtUsdPer(0.0000537 / 1e6, 'token'), '$0.054/B tokens');
  assert.equal(fmtUsdPer(0.0537 / 1e12, 'token'), '$0.054/T tokens');
  assert.equal(fmtUsdPer(1e-20, 'token'), '< $0.01/T tokens');
  assert.equal(fmtUsdPer(0, 'token'), '$0/M tokens');
  // very large: no money suffix next to the unit's ("$1.2M/M tokens")
  assert.equal(fmtUsdPer(2769.3 / 1e6, 'token'), '$2,769/M tokens');
  assert.equal(fmtUsdPer(1.2, 'token'), '$1,200/k tokens');
  assert.equal(fmtUsdPer(5000, 'token'), '$5,000/token');
  assert.equal(fmtUsdPer(5e7, 'token'), '$50M/token');
  // samples one at a time while a cent or more, then per k, M, B, T samples
  assert.equal(fmtUsdPer(0.02, 'sample'), '$0.02/sample');
  assert.equal(fmtUsdPer(3.4, 'sample'), '$3.40/sample');
  assert.equal(fmtUsdPer(0.005, 'sample'), '$5/k samples');
  assert.equal(fmtUsdPer(7.16e-7, 'sample'), '$0.72/M samples');
  assert.equal(fmtUsdPer(7.16e-11, 'sample'), '$0.072/B samples');
  assert.equal(fmtUsdPer(Number.NaN, 'sample'), '- per sample');
});

test('prices of targets side by side read in one unit: the cheapest one picks it', () => {
  // a CNN: the wafer at $5.98 per billion samples, the GPU at $0.72 per million: both per billion
  const wafer = 5.98e-9,
    gpu = 7.2e-7;
  assert.equal(fmtUsdPer(gpu, 'sample'), '$0.72/M samples');
  assert.equal(fmtUsdPer(gpu, 'sample', wafer), '$720/B samples');
  assert.equal(fmtUsdPer(wafer, 'sample', wafer), '$5.98/B samples');
  // tokens likewise; a reference that is not a number leaves the price its own unit
  assert.equal(fmtUsdPer(0.13 / 1e6, 'token', 7.52e-9), '$130/B tokens');
  assert.equal(fmtUsdPer(0.13 / 1e6, 'token', Number.NaN), '$0.13/M tokens');
});

test("the binary unit a byte count is written in (the memory chart's axis unit)", () => {
  assert.deepEqual(binaryUnit(0), [1, 'B']);
  assert.deepEqual(binaryUnit(1023), [1, 'B']);
  assert.deepEqual(binaryUnit(1024), [1024, 'KiB']);
  assert.deepEqual(binaryUnit(200e6), [1024 ** 2, 'MiB']);
  assert.deepEqual(binaryUnit(3e9), [1024 ** 3, 'GiB']);
  assert.deepEqual(binaryUnit(1e30), [1024 ** 5, 'PiB']);
  // fmtBytes writes in the same unit
  for (const b of [0, 1023, 1024, 200e6, 3e9, 1e30])
    assert.ok(fmtBytes(b).endsWith(` ${binaryUnit(b)[1]}`), fmtBytes(b));
  assert.equal(fmtBytes(200e6), '191 MiB');
});

test('raw model values (attributes, tensor elements): plain digits or a power of ten, never e-notation', () => {
  const cases: [number, string][] = [
    [0, '0'],
    [-0, '0'],
    [1, '1'],
    [-1, '-1'],
    [1024, '1024'],
    [0.5, '0.5'],
    [0.1, '0.1'],
    [0.123456789, '0.123457'],
    [3.14159265, '3.14159'],
    [1234567.891, '1234568'],
    [0.0001, '0.0001'],
    [0.00009999, '9.999×10⁻⁵'],
    [1e-5, '1×10⁻⁵'],
    [1e-12, '1×10⁻¹²'],
    [1.5e-7, '1.5×10⁻⁷'],
    [123456789012345, '123456789012345'],
    [1e15, '1×10¹⁵'],
    [-3.4028234663852886e38, '-3.40282×10³⁸'],
    [Number.NaN, 'nan'],
    [Number.POSITIVE_INFINITY, 'inf'],
    [Number.NEGATIVE_INFINITY, '-inf'],
  ];
  for (const [v, s] of cases) assert.equal(fmtValue(v), s, `fmtValue(${v})`);
  for (const [v] of cases) assert.doesNotMatch(fmtValue(v), /\de[+-]?\d|,/, `fmtValue(${v})`);
  assert.equal(fmtValue(Math.PI, { digits: 3 }), '3.14');
  // int64 limits by name (a double cannot hold 9223372036854775807); a float value that large is a number
  assert.equal(fmtValue(2 ** 63, { int64: true }), 'INT64_MAX');
  assert.equal(fmtValue(-(2 ** 63), { int64: true }), 'INT64_MIN');
  assert.equal(fmtValue(2 ** 63), '9.22337×10¹⁸');
  assert.equal(fmtValue(-1, { int64: true }), '-1');
});

test("the unit a duration is written in (the time chart's axis unit)", () => {
  assert.deepEqual(secondsUnit(0), [1, 's']);
  assert.deepEqual(secondsUnit(3e-4), [1e-6, 'µs']);
  assert.deepEqual(secondsUnit(2.5e-3), [1e-3, 'ms']);
  assert.deepEqual(secondsUnit(4e-10), [1e-9, 'ns']);
  assert.deepEqual(secondsUnit(86400 * 3), [86400, 'days']);
  // fmtSeconds writes in the same unit, over 24 decades
  for (let e = -12; e <= 12; e += 0.25) {
    const s = 10 ** e;
    assert.ok(fmtSeconds(s).endsWith(` ${secondsUnit(s)[1]}`), `${s}: ${fmtSeconds(s)} vs ${secondsUnit(s)[1]}`);
  }
});

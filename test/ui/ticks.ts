// What a chart axis should show, checked on the labels it drew (the charts write them to data-y-ticks: canvas
// text is not in the page): one unit on every label, starting at 0, equal steps of 1, 2 or 5 x 10^k of it.
import * as assert from 'node:assert/strict';

/** Asserts `drawn` ("0 MiB|200 MiB|400 MiB") are nice ticks; returns the unit and the step. */
export function assertNiceTicks(drawn: string, what: string): { unit: string; step: number } {
  const labels = drawn.split('|');
  assert.ok(labels.length >= 2, `${what}: at least two ticks: ${drawn}`);
  const parsed = labels.map((l) => /^(-?[\d,]+(?:\.\d+)?) (\S+)$/.exec(l));
  assert.ok(parsed.every(Boolean), `${what}: every tick a number and a unit: ${drawn}`);
  const units = new Set(parsed.map((m) => m![2]));
  assert.equal(units.size, 1, `${what}: one unit on every tick: ${drawn}`);
  const values = parsed.map((m) => Number(m![1]!.replace(/,/g, '')));
  assert.equal(values[0], 0, `${what}: the axis starts at 0: ${drawn}`);
  const step = values[1]! - values[0]!;
  for (let i = 1; i < values.length; i++) {
    const d = values[i]! - values[i - 1]!;
    // the labels carry three significant digits: equal steps up to that rounding
    assert.ok(Math.abs(d - step) <= step * 0.01, `${what}: equal steps: ${drawn}`);
  }
  const mantissa = step / 10 ** Math.floor(Math.log10(step));
  assert.ok(
    [1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6),
    `${what}: a step of 1, 2 or 5 x 10^k ${[...units][0]}, not ${step}: ${drawn}`,
  );
  return { unit: [...units][0]!, step };
}

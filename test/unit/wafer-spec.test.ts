// Wafer specs: the built-ins are complete and sourced, and a user spec with a missing or bad number is
// refused with the field named (through the same loadSpec path the CLI's --target FILE uses).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadSpec, SpecError } from '../../src/engine/hardware';
import { WAFER_TARGET } from '../../src/engine/hardware/wafer';

const BUILTIN_WAFER_SPECS = WAFER_TARGET.builtins;
import { derive, validateWaferSpec, WAFER_NUMBER_FIELDS, type WaferSpec } from '../../src/engine/hardware/wafer/spec';

const wse2 = loadSpec('wse2').spec as unknown as WaferSpec;
const wse3 = loadSpec('wse3').spec as unknown as WaferSpec;

test('built-in wafer specs: kind, id, every number named with a unit and given a source', () => {
  assert.deepEqual(BUILTIN_WAFER_SPECS.map((s) => s.id).sort(), ['wse2', 'wse3']);
  for (const s of BUILTIN_WAFER_SPECS) {
    assert.equal(s.kind, 'wafer');
    const sources = s.sources as Record<string, string>;
    for (const [k, v] of Object.entries(s)) {
      if (typeof v !== 'number') continue;
      assert.match(k, /^[A-Za-z0-9]+_[A-Za-z]+$/, `${s.id}.${k}: unit suffix in the key name`);
      assert.ok(typeof sources[k] === 'string' && sources[k].length > 10, `${s.id}.${k}: has a source`);
    }
    for (const f of WAFER_NUMBER_FIELDS) assert.equal(typeof s[f.key], 'number', `${s.id}.${f.key} present`);
  }
});

test('derived peaks agree with the published chip figures', () => {
  // hardware-and-peers.md §5: ~6.6 PF dense FP16 over WSE-2's 745.5k placeable cores; WSE-3 ~2x (8-wide SIMD)
  const p2 = derive(wse2, 'fp16').peakFlops,
    p3 = derive(wse3, 'bf16').peakFlops;
  assert.ok(p2 > 6.3e15 && p2 < 6.9e15, `WSE-2 ${p2}`);
  assert.ok(p3 / p2 > 2 && p3 / p2 < 2.6, `WSE-3/WSE-2 ${p3 / p2}`);
  // 40 GB / 44 GB total SRAM (AnandTech, ANL): the placeable rectangle holds somewhat less
  const sram = (s: WaferSpec) => derive(s, 'fp16').cores * derive(s, 'fp16').sramBytesPerCore;
  assert.ok(sram(wse2) > 34e9 && sram(wse2) < 40e9);
  assert.ok(sram(wse3) > 40e9 && sram(wse3) < 44e9);
  assert.equal(derive(wse3, 'fp32').flopsPerCyclePerCore, wse3.fp32_FlopPerCyclePerCore);
  assert.equal(derive(wse3, 'fp8').elemBytes, 1);
  assert.ok(wse3.clockMin_GHz <= wse3.clock_GHz && wse3.clock_GHz <= wse3.clockMax_GHz);
});

function refused(spec: Record<string, unknown>, field: string): void {
  assert.throws(
    () => validateWaferSpec(spec, 'my.json'),
    (e: Error) => e instanceof SpecError && e.message.includes(`'${field}'`) && e.message.startsWith('my.json'),
  );
}

test('validator names the missing, negative, zero or non-numeric field', () => {
  const base = JSON.parse(JSON.stringify(wse3)) as Record<string, unknown>;
  for (const f of WAFER_NUMBER_FIELDS) {
    const missing = { ...base };
    delete missing[f.key];
    refused(missing, f.key);
    refused({ ...base, [f.key]: -1 }, f.key);
    refused({ ...base, [f.key]: 'fast' }, f.key);
    if (f.positive) refused({ ...base, [f.key]: 0 }, f.key);
  }
  refused({ ...base, sramReservedPerCore_KiB: 48 }, 'sramReservedPerCore_KiB');
  refused({ ...base, matmulEfficiency_fraction: 1.5 }, 'matmulEfficiency_fraction');
  refused({ ...base, gridWidth_cores: 10.5 }, 'gridWidth_cores');
  assert.doesNotThrow(() => validateWaferSpec(base, 'my.json'));
});

test('a user spec file loads through loadSpec; a broken one is refused with the field named', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wafer-spec-'));
  try {
    const good = path.join(dir, 'cs3-slow.json');
    fs.writeFileSync(good, JSON.stringify({ ...wse3, id: 'cs3-slow', clock_GHz: 0.85 }));
    const l = loadSpec(good);
    assert.equal(l.kind, 'wafer');
    assert.equal(l.id, 'cs3-slow');
    const bad = path.join(dir, 'bad.json');
    const broken: Record<string, unknown> = { ...wse3, id: 'bad', fabricLinkBandwidth_BytesPerCycle: -4 };
    delete broken.sramPerCore_KiB;
    fs.writeFileSync(bad, JSON.stringify(broken));
    assert.throws(() => loadSpec(bad), /'sramPerCore_KiB' is missing/);
    fs.writeFileSync(bad, JSON.stringify({ ...wse3, id: 'bad', hopLatency_cycles: -1 }));
    assert.throws(() => loadSpec(bad), /'hopLatency_cycles' must not be negative/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

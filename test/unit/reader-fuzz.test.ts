// Mutation fuzzing with a fixed seed: bit flips, truncation, corrupted length fields, inserted, deleted
// and duplicated byte runs, on the project's own models (always) and a few corpus models (when
// ../shared exists). Only two outcomes are allowed: a model, or one OnnxReadError. Never another
// exception, never a hang (each case is timed), never a read that allocates from a corrupt length.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readModelBytes, readModelFile } from '../../src/engine/onnx/reader';
import { OnnxReadError } from '../../src/engine/onnx/errors';
import { modelStats } from '../../src/engine/onnx/stats';
import { forEachGraph } from '../../src/engine/onnx/ir';
import { controlFlowModel, functionModel, typesModel } from '../fixtures/models';
import { prng, tinyModel, varint } from '../fixtures/onnx-writer';
import { readManifest, sharedDir, SKIP_NO_SHARED } from '../fixtures/paths';

// Fixed by default; READER_FUZZ_SEED / READER_FUZZ_CASES (per base model) run a longer or different search.
const SEED = Number(process.env.READER_FUZZ_SEED ?? 20240611);
const CASES = Number(process.env.READER_FUZZ_CASES ?? 500);
// generous: the machine may be loaded; a hang (an endless loop) never finishes and trips the test timeout too
const MAX_CASE_MS = 5000;

type Rnd = () => number;
const int = (r: Rnd, n: number) => Math.floor(r() * n);

/** Offsets where a length-delimited field's length varint starts (tag with wire type 2 just before). */
function lengthOffsets(b: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < b.length; i++) if ((b[i] & 7) === 2 && b[i] >= 0x0a && b[i] < 0x80) out.push(i + 1);
  return out;
}

/** One mutation of `b`, chosen by `r`; returns the mutated copy and a label for failure messages. */
export function mutate(b: Uint8Array, r: Rnd): { bytes: Uint8Array; how: string } {
  const kind = int(r, 7);
  const out = Buffer.from(b);
  switch (kind) {
    case 0: {
      // flip 1..8 bits
      const n = 1 + int(r, 8);
      for (let k = 0; k < n; k++) out[int(r, out.length)] ^= 1 << int(r, 8);
      return { bytes: out, how: `flip ${n} bits` };
    }
    case 1: {
      // truncate
      const cut = int(r, out.length);
      return { bytes: out.subarray(0, cut), how: `truncate at ${cut}` };
    }
    case 2: {
      // overwrite a length field with an absurd, zero, off-by-one or random value
      const offs = lengthOffsets(out);
      const at = offs.length ? offs[int(r, offs.length)] : int(r, out.length);
      const vals = [
        0,
        1,
        0x7f,
        out.length,
        2 ** 31,
        2 ** 32 + 5,
        2 ** 53,
        -1,
        out[at] + 1,
        Math.max(0, out[at] - 1),
        int(r, 1 << 20),
      ];
      const v = vals[int(r, vals.length)];
      const enc = varint(v < 0 ? BigInt.asUintN(64, BigInt(v)) : BigInt(v));
      return { bytes: Buffer.concat([out.subarray(0, at), enc, out.subarray(at + 1)]), how: `length at ${at} := ${v}` };
    }
    case 3: {
      // insert random bytes
      const at = int(r, out.length + 1);
      const ins = Buffer.from(Array.from({ length: 1 + int(r, 16) }, () => int(r, 256)));
      return {
        bytes: Buffer.concat([out.subarray(0, at), ins, out.subarray(at)]),
        how: `insert ${ins.length} at ${at}`,
      };
    }
    case 4: {
      // delete a run
      const at = int(r, out.length);
      const n = 1 + int(r, 32);
      return { bytes: Buffer.concat([out.subarray(0, at), out.subarray(at + n)]), how: `delete ${n} at ${at}` };
    }
    case 5: {
      // duplicate a run (repeated fields, nested copies)
      const at = int(r, out.length);
      const n = 1 + int(r, 64);
      return {
        bytes: Buffer.concat([out.subarray(0, at + n), out.subarray(at, at + n), out.subarray(at + n)]),
        how: `duplicate ${n} at ${at}`,
      };
    }
    default: {
      // overwrite with 0xff (unterminated varints) or 0x00
      const at = int(r, out.length);
      const n = 1 + int(r, 12);
      out.fill(r() < 0.5 ? 0xff : 0x00, at, Math.min(out.length, at + n));
      return { bytes: out, how: `fill ${n} at ${at}` };
    }
  }
}

interface Outcome {
  ok: number;
  errors: number;
}

/** Runs `cases` mutations of `base`; every 25th goes through a file (the windowed source) instead of memory. */
function fuzz(name: string, base: Uint8Array, cases: number, r: Rnd, dir: string): Outcome {
  const o: Outcome = { ok: 0, errors: 0 };
  for (let k = 0; k < cases; k++) {
    let m = mutate(base, r);
    if (r() < 0.3) {
      const again = mutate(m.bytes, r);
      m = { bytes: again.bytes, how: `${m.how}; ${again.how}` };
    }
    const label = `${name} case ${k} (${m.how})`;
    const t0 = performance.now();
    try {
      let model;
      if (k % 25 === 0) {
        const f = path.join(dir, 'fuzz.onnx');
        fs.writeFileSync(f, m.bytes);
        model = readModelFile(f);
      } else {
        model = readModelBytes(m.bytes, label);
      }
      // what later stages do with a model must work on whatever read successfully
      modelStats(model);
      forEachGraph(model.graph, (g) => g.nodes.length);
      JSON.stringify(model.diagnostics);
      o.ok++;
    } catch (e) {
      if (!(e instanceof OnnxReadError)) assert.fail(`${label}: ${e instanceof Error ? e.stack : String(e)}`);
      assert.ok(e.problem.length > 0 && e.file.length > 0, label);
      o.errors++;
    }
    const ms = performance.now() - t0;
    assert.ok(ms < MAX_CASE_MS, `${label}: took ${ms.toFixed(0)} ms`);
  }
  return o;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-fuzz-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

test(
  "fuzz: 2,000 mutations of the project's own models give a model or an OnnxReadError, nothing else",
  { timeout: 60_000 },
  (t) => {
    const r = prng(SEED);
    const bases: [string, Uint8Array][] = [
      ['tiny', tinyModel()],
      ['control-flow', controlFlowModel()],
      ['function', functionModel()],
      ['types', typesModel()],
    ];
    const total: Outcome = { ok: 0, errors: 0 };
    for (const [name, bytes] of bases) {
      readModelBytes(bytes); // each base reads unmutated
      const o = fuzz(name, bytes, CASES, r, tmp);
      total.ok += o.ok;
      total.errors += o.errors;
    }
    assert.equal(total.ok + total.errors, 4 * CASES);
    t.diagnostic(`seed ${SEED}: ${total.ok} read, ${total.errors} OnnxReadError`);
    // both outcomes occur: the mutations reach past the first bytes and some leave a readable model
    assert.ok(total.errors > CASES && total.ok > CASES / 10, JSON.stringify(total));
  },
);

test('fuzz: corpus models (../shared)', { skip: sharedDir() ? false : SKIP_NO_SHARED, timeout: 60_000 }, (t) => {
  const shared = sharedDir()!;
  const rows = readManifest(shared);
  // a spread of formats: old IR, subgraphs, functions, ml domain, a real exported CNN, external data
  const wanted = [
    (p: string) => p.startsWith('onnx-pytorch-converted/'),
    (p: string) => p.includes('test_loop'),
    (p: string) => p.includes('test_if_opt'),
    (p: string) => p.includes('test_scan'),
    (p: string) => p.includes('ai_onnx_ml'),
    (p: string) => p.includes('function'),
    (p: string) => p.startsWith('npm/') && p.includes('silero_vad_legacy'),
    (p: string) => p.startsWith('derived/'),
  ];
  const picks = wanted
    .map((w) => rows.find((row) => w(row.path) && row.file_size < 2_000_000))
    .filter((x) => x !== undefined);
  assert.ok(picks.length >= 6, `found ${picks.length} corpus models to fuzz`);
  const r = prng(SEED + 1);
  for (const row of picks) {
    const file = path.join(shared, 'corpus', row.path);
    const bytes = fs.readFileSync(file);
    readModelBytes(bytes, row.path);
    const o = fuzz(row.path, bytes, Math.ceil(((row.file_size > 200_000 ? 40 : 120) * CASES) / 500), r, tmp);
    t.diagnostic(`${row.path}: ${o.ok} read, ${o.errors} OnnxReadError`);
  }
});

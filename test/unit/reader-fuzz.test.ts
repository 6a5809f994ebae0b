// Mutation fuzzing with a fixed seed: bit flips, truncation, corrupted length fields, inserted, deleted
// and duplicated byte runs, on the project's own models (always) and a few corpus models (when
// ../shared exists). Only two outcomes are allowed: a model, or one OnnxReadError. Never another
// exception, never a hang (each case is timed), never a read that allocates from a corrupt length.
// The last test fuzzes the whole pipeline (CLI, shapes, costs, mappers, report formats) the same way.
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
import { prng, tinyModel } from '../fixtures/onnx-writer';
import { mutate, type Rnd } from '../fixtures/mutate';
import { readManifest, sharedDir, SKIP_NO_SHARED } from '../fixtures/paths';
import { runCase } from '../fuzz/cases';

// Fixed by default; READER_FUZZ_SEED / READER_FUZZ_CASES (per base model) run a longer or different search.
const SEED = Number(process.env.READER_FUZZ_SEED ?? 20240611);
const CASES = Number(process.env.READER_FUZZ_CASES ?? 500);
// generous: the machine may be loaded; a hang (an endless loop) never finishes and trips the test timeout too
const MAX_CASE_MS = 5000;

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

// The whole pipeline, not only the reader (issue 16): mutated fixture models, generated shape-tensor and
// function-call models, extreme options and mutated or hostile spec files through the CLI in this process
// (test/fuzz/cases.ts; `npm run fuzz` runs 10,000 of them in child processes). Each case must exit 0, 1 or 2
// as its stderr says, print only finite numbers and no control characters, and finish in time.
const PIPELINE_SEED = Number(process.env.PIPELINE_FUZZ_SEED ?? 1616);
const PIPELINE_CASES = Number(process.env.PIPELINE_FUZZ_CASES ?? 200);

test(
  'fuzz: 200 hostile models, options and spec files through the CLI: exit codes, finite numbers, escaping',
  { timeout: 120_000 },
  (t) => {
    const dir = fs.mkdtempSync(path.join(tmp, 'pipeline-'));
    const codes = [0, 0, 0];
    let slowest = 0;
    for (let i = 0; i < PIPELINE_CASES; i++) {
      const r = runCase(PIPELINE_SEED, i, dir);
      assert.deepEqual(r.problems, [], `case ${i} (${r.how})`);
      assert.ok(r.ms < MAX_CASE_MS, `case ${i} (${r.how}) took ${r.ms.toFixed(0)} ms`);
      codes[r.code]++;
      slowest = Math.max(slowest, r.ms);
    }
    t.diagnostic(
      `seed ${PIPELINE_SEED}: exit 0 ${codes[0]}, exit 1 ${codes[1]}, exit 2 ${codes[2]}; slowest ${slowest.toFixed(0)} ms`,
    );
    // every outcome occurs: the cases reach computed reports, refusals and bad usage
    assert.ok(
      codes.every((n) => n > PIPELINE_CASES / 20),
      JSON.stringify(codes),
    );
  },
);

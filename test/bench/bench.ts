// `npm run bench`: time and peak memory of readModelFile against a full onnx-proto (protobufjs) decode
// of the same file, on GPT-2 medium (one 1.63 GB .onnx) and GPT-2 XL (small .onnx + 6.55 GB external
// data: the .onnx is what both read). Each measurement runs in its own child process so its RSS is clean:
// peak = resourceUsage().maxRSS after the call minus the RSS just before it.
// Goal on GPT-2 medium: >= 30x faster than the full decode and <= 100 MB above the baseline RSS.
// Small graph files (weights external: the .onnx is a few hundred KB to a few MB) are the other half:
// there the reader must be no slower than the full decode, first call in a fresh process (what the CLI
// pays) and warm (both interleaved in one process, the ratio printed). Cases: two generated graph-only
// models (test/fixtures, always) and the fidelity transformer graphs of ../shared (when present).
// Missing models are generated first (bench-models/, gitignored); --remove deletes them afterwards,
// --only gpt2-medium|gpt2-xl|small|<small case id> runs one, --runs N sets the repetitions (default 3).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { benchModels, generate, generateGraphOnly, graphOnlyModels, isGenerated, remove } from './bench-models';
import { sharedDir } from '../fixtures/paths';
import { readModelFile } from '../../src/engine/onnx/reader';
import { modelStats } from '../../src/engine/onnx/stats';
import type * as OnnxProto from 'onnx-proto';

const MB = 1 << 20;
const GOAL_SPEEDUP = 30;
const GOAL_PEAK_MB = 100;

interface Sample {
  ms: number;
  /** CPU time of the whole process during the call (user + system, all threads: JIT and GC included) */
  cpuMs: number;
  /** RSS just before the call */
  baseRss: number;
  /** peak RSS of the process (maxRSS) after the call */
  maxRss: number;
  nodes: number;
  parameters: number;
}

type Run = () => { nodes: number; parameters: number };

function runner(kind: string, file: string): Run {
  if (kind === 'reader') {
    return () => {
      const m = readModelFile(file);
      return { nodes: m.graph.nodes.length, parameters: modelStats(m).parameterCount };
    };
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { onnx } = require('onnx-proto') as typeof OnnxProto;
  return () => {
    const m = onnx.ModelProto.decode(fs.readFileSync(file));
    let parameters = 0;
    for (const t of m.graph!.initializer ?? []) parameters += (t.dims ?? []).reduce<number>((a, b) => a * Number(b), 1);
    return { nodes: m.graph!.node!.length, parameters };
  };
}

/** Child: one measurement, printed as JSON. */
function child(kind: string, file: string): void {
  const run = runner(kind, file);
  if (global.gc) global.gc();
  const baseRss = process.memoryUsage().rss;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const r = run();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(c0);
  const cpuMs = (c.user + c.system) / 1000;
  const maxRss = process.resourceUsage().maxRSS * 1024;
  const s: Sample = { ms, cpuMs, baseRss, maxRss, ...r };
  process.stdout.write(JSON.stringify(s));
}

/** Child: both readers in one process, warmed up, then interleaved; prints the median ms of each. */
function childWarm(file: string, runs: number): void {
  const r = runner('reader', file);
  const d = runner('decode', file);
  for (let k = 0; k < 3; k++) {
    r();
    d();
  }
  const times: Record<'reader' | 'decode', number[]> = { reader: [], decode: [] };
  for (let k = 0; k < runs; k++) {
    for (const [kind, run] of [
      ['reader', r],
      ['decode', d],
    ] as const) {
      const t0 = process.hrtime.bigint();
      run();
      times[kind].push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  process.stdout.write(JSON.stringify({ reader: median(times.reader), decode: median(times.decode) }));
}

function measureWarm(file: string, runs: number): { reader: number; decode: number } {
  const r = spawnSync(process.execPath, [__filename, '--child-warm', file, String(runs)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`warm run on ${file} failed (${r.status ?? r.signal}): ${r.stderr}`);
  return JSON.parse(r.stdout) as { reader: number; decode: number };
}

function measure(kind: 'reader' | 'decode', file: string): Sample {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=16384', __filename, '--child', kind, file],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (r.status !== 0) throw new Error(`${kind} on ${file} failed (${r.status ?? r.signal}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Sample;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
const fmtMb = (b: number) => `${(b / MB).toFixed(1)} MB`;

function main(): void {
  const args = process.argv.slice(2);
  const runs = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : 3);
  const root = process.cwd();
  let failed = false;
  console.log(
    `node ${process.version}, ${process.platform}/${process.arch}, ${os.cpus().length} cpus, load ${os.loadavg()[0].toFixed(1)}, ${runs} runs per case (median time, max peak), warm page cache`,
  );
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
  const bigs = benchModels(root);
  for (const m of bigs.filter((x) => !only || x.id === only)) {
    if (!isGenerated(m)) {
      console.log(`generating ${m.id} (once; kept in bench-models/) ...`);
      generate(m);
    }
    const size = fs.statSync(m.file).size;
    const ext = m.dataFile ? fs.statSync(m.dataFile).size : 0;
    console.log(
      `\n${m.title}: ${path.relative(root, m.file)} ${(size / 1e9).toFixed(2)} GB${ext ? ` + external data ${(ext / 1e9).toFixed(2)} GB` : ''}`,
    );
    measure('decode', m.file); // warm the page cache for both (untimed)
    const res: Record<'reader' | 'decode', Sample[]> = { reader: [], decode: [] };
    for (let k = 0; k < runs; k++)
      for (const kind of ['reader', 'decode'] as const) res[kind].push(measure(kind, m.file));
    const summary = (kind: 'reader' | 'decode') => {
      const s = res[kind];
      return {
        ms: median(s.map((x) => x.ms)),
        cpuMs: median(s.map((x) => x.cpuMs)),
        peak: Math.max(...s.map((x) => x.maxRss - x.baseRss)),
        base: median(s.map((x) => x.baseRss)),
        nodes: s[0].nodes,
        parameters: s[0].parameters,
      };
    };
    const r = summary('reader');
    const d = summary('decode');
    for (const [name, s] of [
      ['readModelFile', r],
      ['onnx-proto decode', d],
    ] as const) {
      console.log(
        `  ${name.padEnd(18)} ${fmtMs(s.ms).padStart(10)} (cpu ${fmtMs(s.cpuMs)})   peak +${fmtMb(s.peak).padStart(10)} above baseline ${fmtMb(s.base)}   ${s.nodes} nodes, ${s.parameters} parameters`,
      );
    }
    const speedup = d.ms / r.ms;
    console.log(
      `  ratio: ${speedup.toFixed(1)}x faster (cpu time ${(d.cpuMs / r.cpuMs).toFixed(1)}x), ${(d.peak / Math.max(r.peak, 1)).toFixed(1)}x less peak memory above baseline`,
    );
    if (r.nodes !== d.nodes || (!m.external && r.parameters !== d.parameters)) {
      console.log(
        `  MISMATCH: reader ${r.nodes} nodes / ${r.parameters} parameters, decode ${d.nodes} / ${d.parameters}`,
      );
      failed = true;
    }
    if (m.id === 'gpt2-medium') {
      const ok = speedup >= GOAL_SPEEDUP && r.peak <= GOAL_PEAK_MB * MB;
      console.log(
        `  goal (>= ${GOAL_SPEEDUP}x faster, <= ${GOAL_PEAK_MB} MB above baseline): ${ok ? 'met' : 'MISSED'}`,
      );
      if (!ok) failed = true;
    }
    if (args.includes('--remove')) remove(m);
  }
  if (!only || !bigs.some((m) => m.id === only))
    failed = smallFiles(root, only === 'small' ? null : only, runs) || failed;
  console.log(`\nload ${os.loadavg()[0].toFixed(1)} at the end`);
  process.exitCode = failed ? 1 : 0;
}

/** The small-file cases: the generated graph-only models, then the fidelity graphs of ../shared. */
function smallCases(root: string): { id: string; title: string; file: string }[] {
  const cases = graphOnlyModels(root).map((m) => {
    generateGraphOnly(m);
    return { id: m.id, title: m.title, file: m.file };
  });
  const shared = sharedDir();
  if (!shared) {
    console.log('\n(../shared is absent: the fidelity graph files are not timed)');
    return cases;
  }
  const dir = path.join(shared, 'fidelity', 'models');
  for (const sub of fs.readdirSync(dir).sort()) {
    for (const f of fs
      .readdirSync(path.join(dir, sub))
      .filter((x) => x.endsWith('.onnx'))
      .sort()) {
      cases.push({ id: f.replace(/\.onnx$/, ''), title: `fidelity/models/${sub}/${f}`, file: path.join(dir, sub, f) });
    }
  }
  return cases;
}

/** Small graph files: reader vs full decode, cold (fresh process each) and warm (one process). Returns true on a failure. */
function smallFiles(root: string, only: string | null, runs: number): boolean {
  let failed = false;
  const cases = smallCases(root).filter((c) => !only || c.id === only);
  console.log(
    `\nSmall graph files: first call in a fresh process (median of ${runs}) and warm in one process (median of ${WARM_RUNS}); ratio = onnx-proto time / reader time (>= 1: the reader is no slower)`,
  );
  const ratios: { cold: number; warm: number }[] = [];
  for (const c of cases) {
    measure('decode', c.file); // page cache
    const res: Record<'reader' | 'decode', Sample[]> = { reader: [], decode: [] };
    for (let k = 0; k < runs; k++)
      for (const kind of ['reader', 'decode'] as const) res[kind].push(measure(kind, c.file));
    const cold = { reader: median(res.reader.map((x) => x.ms)), decode: median(res.decode.map((x) => x.ms)) };
    const warm = measureWarm(c.file, WARM_RUNS);
    const ratio = { cold: cold.decode / cold.reader, warm: warm.decode / warm.reader };
    ratios.push(ratio);
    const size = fs.statSync(c.file).size;
    console.log(
      `  ${c.id.padEnd(30)} ${(size / 1e3).toFixed(0).padStart(6)} KB ${String(res.reader[0].nodes).padStart(6)} nodes   cold: reader ${fmtMs(cold.reader).padStart(9)}, onnx-proto ${fmtMs(cold.decode).padStart(9)}, ratio ${ratio.cold.toFixed(2)}   warm: reader ${fmtMs(warm.reader).padStart(9)}, onnx-proto ${fmtMs(warm.decode).padStart(9)}, ratio ${ratio.warm.toFixed(2)}`,
    );
    if (res.reader[0].nodes !== res.decode[0].nodes) {
      console.log(`  MISMATCH: reader ${res.reader[0].nodes} nodes, decode ${res.decode[0].nodes}`);
      failed = true;
    }
  }
  if (ratios.length) {
    const geo = (xs: number[]) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
    const g = { cold: geo(ratios.map((r) => r.cold)), warm: geo(ratios.map((r) => r.warm)) };
    const ok = g.cold >= 1 && g.warm >= 1;
    // A target of ours, not an issue's goal, and within this machine's noise: reported, never failing the bench
    // (a failure would also skip the webview bench that runs after this one).
    console.log(
      `  geometric mean ratio: cold ${g.cold.toFixed(2)}, warm ${g.warm.toFixed(2)}; target (reader no slower than onnx-proto, both): ${ok ? 'met' : 'not met'}`,
    );
  }
  return failed;
}

const WARM_RUNS = 20;

if (process.argv[2] === '--child') child(process.argv[3], process.argv[4]);
else if (process.argv[2] === '--child-warm') childWarm(process.argv[3], Number(process.argv[4]));
else main();

// `npm run bench`: time and peak memory of readModelFile against a full onnx-proto (protobufjs) decode
// of the same file, on GPT-2 medium (one 1.63 GB .onnx) and GPT-2 XL (small .onnx + 6.55 GB external
// data: the .onnx is what both read). Each measurement runs in its own child process so its RSS is clean:
// peak = resourceUsage().maxRSS after the call minus the RSS just before it.
// Goal on GPT-2 medium: >= 30x faster than the full decode and <= 100 MB above the baseline RSS.
// Missing models are generated first (bench-models/, gitignored); --remove deletes them afterwards,
// --only gpt2-medium|gpt2-xl runs one, --runs N sets the repetitions (default 3).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { benchModels, generate, isGenerated, remove } from './bench-models';
import { readModelFile } from '../../src/engine/onnx/reader';
import { modelStats } from '../../src/engine/onnx/stats';

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

/** Child: one measurement, printed as JSON. */
function child(kind: string, file: string): void {
  let run: () => { nodes: number; parameters: number };
  if (kind === 'reader') {
    run = () => {
      const m = readModelFile(file);
      return { nodes: m.graph.nodes.length, parameters: modelStats(m).parameterCount };
    };
  } else {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { onnx } = require('onnx-proto') as typeof import('onnx-proto');
    run = () => {
      const m = onnx.ModelProto.decode(fs.readFileSync(file));
      let parameters = 0;
      for (const t of m.graph!.initializer ?? []) parameters += (t.dims ?? []).reduce<number>((a, b) => a * Number(b), 1);
      return { nodes: m.graph!.node!.length, parameters };
    };
  }
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

function measure(kind: 'reader' | 'decode', file: string): Sample {
  const r = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=16384', __filename, '--child', kind, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
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
  console.log(`node ${process.version}, ${process.platform}/${process.arch}, ${os.cpus().length} cpus, load ${os.loadavg()[0].toFixed(1)}, ${runs} runs per case (median time, max peak), warm page cache`);
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
  for (const m of benchModels(root).filter((x) => !only || x.id === only)) {
    if (!isGenerated(m)) {
      console.log(`generating ${m.id} (once; kept in bench-models/) ...`);
      generate(m);
    }
    const size = fs.statSync(m.file).size;
    const ext = m.dataFile ? fs.statSync(m.dataFile).size : 0;
    console.log(`\n${m.title}: ${path.relative(root, m.file)} ${(size / 1e9).toFixed(2)} GB${ext ? ` + external data ${(ext / 1e9).toFixed(2)} GB` : ''}`);
    measure('decode', m.file); // warm the page cache for both (untimed)
    const res: Record<'reader' | 'decode', Sample[]> = { reader: [], decode: [] };
    for (let k = 0; k < runs; k++) for (const kind of ['reader', 'decode'] as const) res[kind].push(measure(kind, m.file));
    const summary = (kind: 'reader' | 'decode') => {
      const s = res[kind];
      return { ms: median(s.map((x) => x.ms)), cpuMs: median(s.map((x) => x.cpuMs)), peak: Math.max(...s.map((x) => x.maxRss - x.baseRss)), base: median(s.map((x) => x.baseRss)), nodes: s[0].nodes, parameters: s[0].parameters };
    };
    const r = summary('reader');
    const d = summary('decode');
    for (const [name, s] of [['readModelFile', r], ['onnx-proto decode', d]] as const) {
      console.log(`  ${name.padEnd(18)} ${fmtMs(s.ms).padStart(10)} (cpu ${fmtMs(s.cpuMs)})   peak +${fmtMb(s.peak).padStart(10)} above baseline ${fmtMb(s.base)}   ${s.nodes} nodes, ${s.parameters} parameters`);
    }
    const speedup = d.ms / r.ms;
    console.log(`  ratio: ${speedup.toFixed(1)}x faster (cpu time ${(d.cpuMs / r.cpuMs).toFixed(1)}x), ${(d.peak / Math.max(r.peak, 1)).toFixed(1)}x less peak memory above baseline`);
    if (r.nodes !== d.nodes || (!m.external && r.parameters !== d.parameters)) {
      console.log(`  MISMATCH: reader ${r.nodes} nodes / ${r.parameters} parameters, decode ${d.nodes} / ${d.parameters}`);
      failed = true;
    }
    if (m.id === 'gpt2-medium') {
      const ok = speedup >= GOAL_SPEEDUP && r.peak <= GOAL_PEAK_MB * MB;
      console.log(`  goal (>= ${GOAL_SPEEDUP}x faster, <= ${GOAL_PEAK_MB} MB above baseline): ${ok ? 'met' : 'MISSED'}`);
      if (!ok) failed = true;
    }
    if (args.includes('--remove')) remove(m);
  }
  console.log(`\nload ${os.loadavg()[0].toFixed(1)} at the end`);
  process.exitCode = failed ? 1 : 0;
}

if (process.argv[2] === '--child') child(process.argv[3], process.argv[4]);
else main();

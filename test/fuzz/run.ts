// The long pipeline fuzz run (npm run fuzz; also the last step of npm run bench): FUZZ_CASES cases (default
// 10,000) of test/fuzz/cases.ts with seed FUZZ_SEED, in child processes of FUZZ_BATCH cases each. A child
// runs its cases in-process and timed; the parent watches it: a child that dies (a V8 abort, a signal) is an
// abort of the case it had started, a child silent for FUZZ_HANG_MS is a hang of that case (killed); either
// way the run goes on from the next case. Prints the figures and exits 1 on any abort, hang, non-finite
// number or failed check.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { CaseResult } from './cases';

const SEED = Number(process.env.FUZZ_SEED ?? 16);
const CASES = Number(process.env.FUZZ_CASES ?? 10_000);
const BATCH = Number(process.env.FUZZ_BATCH ?? 500);
const HANG_MS = Number(process.env.FUZZ_HANG_MS ?? 30_000);
/** a case slower than this is reported (the in-process time guard); a hang never answers at all */
const SLOW_MS = Number(process.env.FUZZ_SLOW_MS ?? 5_000);
const HEAP_MB = 2048;

interface Figures {
  cases: number;
  exit0: number;
  exit1: number;
  exit2: number;
  aborts: string[];
  hangs: string[];
  nonFinite: number;
  failed: CaseResult[];
  slow: CaseResult[];
  maxMs: number;
  maxCase: string;
  totalMs: number;
}

/** Runs cases from..to-1 in one child; resolves with the index to continue from. */
function batch(from: number, to: number, dir: string, f: Figures): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        `--max-old-space-size=${HEAP_MB}`,
        path.join(__dirname, 'child.js'),
        'fuzz',
        String(SEED),
        String(from),
        String(to),
        dir,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let started = from - 1;
    let done = from - 1;
    let buf = '';
    let stderr = '';
    let hung = false;
    let timer = setTimeout(onHang, HANG_MS);
    function onHang() {
      hung = true;
      child.kill('SIGKILL');
    }
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        clearTimeout(timer);
        timer = setTimeout(onHang, HANG_MS);
        if (line.startsWith('start ')) {
          started = Number(line.slice(6));
          continue;
        }
        const r = JSON.parse(line) as CaseResult;
        done = r.i;
        f.cases++;
        f.totalMs += r.ms;
        if (r.code === 0) f.exit0++;
        else if (r.code === 1) f.exit1++;
        else if (r.code === 2) f.exit2++;
        f.nonFinite += r.nonFinite;
        if (r.problems.length) f.failed.push(r);
        if (r.ms > SLOW_MS) f.slow.push(r);
        if (r.ms > f.maxMs) {
          f.maxMs = r.ms;
          f.maxCase = `${r.i}: ${r.how}`;
        }
      }
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      if (done === to - 1 && status === 0) return resolve(to);
      // the case it had started and not finished: a hang (killed by us) or an abort (died by itself)
      const at = started > done ? started : done + 1;
      const why = `case ${at}: ${hung ? `no answer in ${HANG_MS} ms` : `exit ${status} ${signal ?? ''}`} ${stderr.split('\n').slice(0, 3).join(' | ')}`;
      (hung ? f.hangs : f.aborts).push(why);
      f.cases++;
      resolve(at + 1);
    });
  });
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-fuzz-run-'));
  const f: Figures = {
    cases: 0,
    exit0: 0,
    exit1: 0,
    exit2: 0,
    aborts: [],
    hangs: [],
    nonFinite: 0,
    failed: [],
    slow: [],
    maxMs: 0,
    maxCase: '',
    totalMs: 0,
  };
  const t0 = performance.now();
  console.log(`pipeline fuzz: seed ${SEED}, ${CASES} cases, ${BATCH} per child process`);
  for (let i = 0; i < CASES;) {
    i = await batch(i, Math.min(CASES, i + BATCH), dir, f);
    process.stdout.write(`  ${i} / ${CASES} (${((performance.now() - t0) / 1e3).toFixed(0)} s)\n`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const wall = (performance.now() - t0) / 1e3;
  console.log(
    [
      `cases ${f.cases}: exit 0 ${f.exit0}, exit 1 ${f.exit1}, exit 2 ${f.exit2}`,
      `aborts ${f.aborts.length}, hangs ${f.hangs.length}, non-finite numbers ${f.nonFinite}, failed checks ${f.failed.length}`,
      `slow (> ${SLOW_MS} ms) ${f.slow.length}; slowest ${f.maxMs.toFixed(0)} ms (case ${f.maxCase.slice(0, 160)})`,
      `mean ${(f.totalMs / Math.max(1, f.cases)).toFixed(1)} ms per case in-process; wall ${wall.toFixed(0)} s`,
    ].join('\n'),
  );
  for (const a of f.aborts.slice(0, 10)) console.log(`ABORT ${a}`);
  for (const h of f.hangs.slice(0, 10)) console.log(`HANG ${h}`);
  for (const r of f.failed.slice(0, 20))
    console.log(`FAILED case ${r.i} (${r.how}): ${r.problems.slice(0, 3).join('; ')}`);
  for (const r of f.slow.slice(0, 10)) console.log(`SLOW case ${r.i} ${r.ms.toFixed(0)} ms (${r.how})`);
  if (f.aborts.length || f.hangs.length || f.nonFinite || f.failed.length) process.exitCode = 1;
}

void main();

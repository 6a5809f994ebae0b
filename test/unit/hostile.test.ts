// The nine failures of a red-team run (issue 16), one test each: hostile models, specs and options give one clear
// refusal (stderr, a non-zero exit, a diagnostic naming the limit) and never an abort, a hang, a non-finite number
// or an injected control sequence. Inputs that used to abort or hang run in a child process with a memory cap
// and a timeout, so a regression fails the test instead of taking the runner down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { MarkupContent } from 'vscode-languageserver';
import { runCli } from '../../src/cli/run';
import { readModelBytes } from '../../src/engine/onnx/reader';
import { builtinTargetIds, loadSpec } from '../../src/engine/hardware';
import { LIMITS, specRangeProblem } from '../../src/engine/limits';
import { finiteReport } from '../../src/engine/finite';
import type { Report } from '../../src/engine/profile';
import { formatReport } from '../../src/report/format';
import { ModelView } from '../../src/server/modelView';
import { optionsFromSettings } from '../../src/server/settings';
import { hoverAt } from '../../src/server/features';
import { samplePath } from '../../src/engine/sample';
import { emptyGraphModel, fanOutFunctionModel, namedModel, shapeTensorModel } from '../fixtures/hostile-models';
import { T, graph, model, node, vi } from '../fixtures/onnx-writer';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-hostile-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
let fileNo = 0;
function file(bytes: Uint8Array | string, name = `m${fileNo++}.onnx`): string {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, bytes);
  return f;
}

function run(args: string[]): { code: number; out: string; err: string } {
  let out = '',
    err = '';
  const code = runCli(
    args,
    (s) => (out += s),
    (s) => (err += s),
  );
  return { code, out, err };
}

const CHILD = path.join(__dirname, '..', 'fuzz', 'child.js');

/** The CLI in a child process with a 512 MiB heap and a time limit: an abort or a hang is a failed assertion. */
function runGuarded(args: string[], timeoutMs = 30_000): { code: number; out: string; err: string; ms: number } {
  const t0 = performance.now();
  const p = spawnSync(process.execPath, ['--max-old-space-size=512', CHILD, 'cli', JSON.stringify(args)], {
    timeout: timeoutMs,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const ms = performance.now() - t0;
  assert.ok(!p.error, `${args.join(' ')}: ${p.error?.message} (a hang: no answer in ${timeoutMs} ms)`);
  assert.equal(p.signal, null, `${args.join(' ')}: killed by ${p.signal}: ${p.stderr.slice(-400)}`);
  assert.equal(p.status, 0, `${args.join(' ')}: the child aborted (status ${p.status}): ${p.stderr.slice(-400)}`);
  return { ...(JSON.parse(p.stdout) as { code: number; out: string; err: string }), ms };
}

/** Every number of a parsed JSON report is a finite number; null only where the contract allows it. */
function assertFiniteJson(v: unknown, where = '$'): void {
  if (v === null) {
    assert.ok(/\.dims(\[\d+\])?$|\.block$/.test(where), `${where} is null`);
    return;
  }
  if (typeof v === 'number') assert.ok(Number.isFinite(v), `${where} is ${v}`);
  else if (Array.isArray(v)) v.forEach((x, i) => assertFiniteJson(x, `${where}[${i}]`));
  else if (typeof v === 'object') for (const [k, x] of Object.entries(v)) assertFiniteJson(x, `${where}.${k}`);
}

const NON_FINITE_TEXT = /\bNaN\b|Infinity/;
// eslint-disable-next-line no-control-regex -- control characters are what must not reach the terminal
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

test('item 1: a shape tensor of 2^31 elements sets no rank unchecked (Reshape, Expand, ConstantOfShape, Unsqueeze)', () => {
  for (const op of ['Reshape', 'Expand', 'ConstantOfShape', 'Unsqueeze'] as const) {
    const f = file(shapeTensorModel(op, 2 ** 31));
    const r = runGuarded([f, '--format', 'json', '--target', 'none']);
    assert.ok(r.ms < 20_000, `${op}: ${r.ms} ms`);
    const rep = JSON.parse(r.out) as Report;
    const d = rep.diagnostics.find((x) => /maxRank/.test(x.message));
    assert.ok(d, `${op}: a diagnostic names the limit: ${JSON.stringify(rep.diagnostics)}`);
    assert.equal(d.severity, 'error');
    assert.ok(d.message.includes(`${op}_0`), `${op}: the diagnostic names the node: ${d.message}`);
    assert.equal(r.code, 1, `${op}: a node that hit a limit is not a computed result`);
    assert.ok(r.err.includes('maxRank'), `${op}: stderr says why: ${r.err}`);
  }
});

test('item 2: function expansion is bounded in fan-out, not only depth (recursion and a 2^40 call tree)', () => {
  for (const [label, bytes] of [
    ['a function calling itself twice', fanOutFunctionModel(1, true)],
    ['40 functions each calling the next twice', fanOutFunctionModel(40)],
  ] as const) {
    const r = runGuarded([file(bytes), '--format', 'json', '--target', 'none']);
    assert.ok(r.ms < 20_000, `${label}: ${r.ms} ms`);
    const rep = JSON.parse(r.out) as Report;
    const d = rep.diagnostics.find((x) => /maxFunctionExpansionNodes|recursi/.test(x.message));
    assert.ok(d, `${label}: ${JSON.stringify(rep.diagnostics.slice(0, 3))}`);
    assert.equal(r.code, 1, label);
  }
  // a small fan-out still expands and costs every call: 2^4 Relu calls of 4 elements
  const ok = run([file(fanOutFunctionModel(5)), '--format', 'json', '--target', 'none']);
  assert.equal(ok.code, 0, ok.err);
  assert.equal((JSON.parse(ok.out) as Report).model.forwardFlops, 16 * 4);
});

test('item 3: numbers in a report are finite or absent with a diagnostic; the table never prints NaN/Infinity', () => {
  // FLOPs past the double range: 40 symbolic dims bound to 2^31 - 1 each
  const syms = Array.from({ length: 40 }, (_, i) => `d${i}`);
  const big = model({
    graph: graph({
      name: 'overflow',
      nodes: [node('Relu', ['x'], ['y'], {}, { name: 'relu' })],
      inputs: [vi('x', T.FLOAT, syms)],
      outputs: [vi('y', T.FLOAT, syms)],
    }),
  });
  const dims = syms.flatMap((s) => ['--dim', `${s}=${2 ** 31 - 1}`]);
  const cases: [string, string[]][] = [
    ['FLOPs overflow', [file(big), ...dims]],
    ['an empty graph in training mode', [file(emptyGraphModel()), '--mode', 'training']],
  ];
  for (const [label, args] of cases) {
    const j = run([...args, '--format', 'json']);
    const rep = JSON.parse(j.out) as Report;
    assertFiniteJson(rep);
    const t = run([...args, '--format', 'table']);
    assert.doesNotMatch(t.out, NON_FINITE_TEXT, `${label}: ${t.out}`);
    const c = run([...args, '--format', 'csv']);
    assert.doesNotMatch(c.out, NON_FINITE_TEXT, `${label}: ${c.out}`);
    if (label === 'FLOPs overflow') {
      assert.equal(rep.model.forwardFlops, undefined, 'an unknown number is absent');
      assert.ok(
        rep.diagnostics.some((d) => /model\.forwardFlops/.test(d.message) && /not finite/.test(d.message)),
        JSON.stringify(rep.diagnostics),
      );
    }
  }
  // the sanitiser itself: NaN and Infinity anywhere become absent with one diagnostic each
  const r = JSON.parse(run([file(namedModel('n')), '--format', 'json']).out) as Report;
  const t0 = r.targets![0] as { stepSeconds: number; throughput: { value: number } };
  t0.stepSeconds = NaN;
  t0.throughput.value = Infinity;
  r.layers[0].forwardFlops = -Infinity;
  const fixed = finiteReport(r);
  assertFiniteJson(JSON.parse(JSON.stringify(fixed)));
  assert.equal((fixed.targets![0] as { stepSeconds?: number }).stepSeconds, undefined);
  assert.equal(fixed.diagnostics.filter((d) => /not finite/.test(d.message)).length, 3);
  const table = formatReport(fixed, 'table');
  assert.doesNotMatch(table, NON_FINITE_TEXT, table);
  assert.match(table, /step unknown/);
});

test('a model whose names read "NaN" or "Infinity" keeps them: only the engine\'s notes are rewritten', () => {
  // node and tensor names, and a dim symbol, are the model's strings: never taken for a number that overflowed
  const m = model({
    graph: graph({
      name: 'g',
      nodes: [
        node('Relu', ['x'], ['NaN'], {}, { name: 'Infinity' }),
        node('Relu', ['NaN'], ['y'], {}, { name: 'NaN' }),
      ],
      inputs: [vi('x', T.FLOAT, ['Infinity', 4])],
      outputs: [vi('y', T.FLOAT, ['Infinity', 4])],
    }),
  });
  const r = JSON.parse(run([file(m), '--format', 'json']).out) as Report;
  assert.deepEqual(
    r.layers.flatMap((l) => l.nodes),
    ['Infinity', 'NaN'],
  );
  assert.deepEqual(r.model.unboundDims, ['Infinity']);
  assert.deepEqual(r.model.inputs[0].dims, ['Infinity', 4]);
  // (a note quoting such a name, "slowest: Infinity", still reads "unknown": notes mix the engine's numbers with
  // the model's names, and the safety net cannot tell them apart)
  assert.ok(
    !r.diagnostics.some((d) => /^(model|layers)/.test(d.message) && /not finite/.test(d.message)),
    JSON.stringify(r.diagnostics),
  );
  // a note the engine wrote from a number that overflowed still reads "unknown", with one diagnostic
  const t0 = r.targets![0] as { notes: string[] };
  t0.notes.push('step NaN s at Infinity samples/s');
  const fixed = finiteReport(r);
  assert.equal(t0.notes[t0.notes.length - 1], 'step unknown s at unknown samples/s');
  assert.deepEqual(
    fixed.layers.flatMap((l) => l.nodes),
    ['Infinity', 'NaN'],
  );
  assert.ok(fixed.diagnostics.some((d) => /^targets\[0\]\.notes\[\d+\] was written from a number/.test(d.message)));
});

/** RFC 4180 parse: rows of fields (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(s: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [],
    f = '',
    q = false;
  const endRow = () => {
    row.push(f);
    rows.push(row);
    row = [];
    f = '';
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (q) {
      if (c === '"' && s[i + 1] === '"') {
        f += '"';
        i++;
      } else if (c === '"') q = false;
      else f += c;
    } else if (c === '"') q = true;
    else if (c === ',') {
      row.push(f);
      f = '';
    } else if (c === '\r' && s[i + 1] === '\n') continue;
    else if (c === '\n' || c === '\r') endRow();
    else f += c;
  }
  if (f || row.length) endRow();
  return rows;
}

test('item 4: CSV cells are RFC 4180 quoted and guarded against formulas after leading CR/LF/tab/space', () => {
  for (const payload of ['\r=1+1', '=1+1', '\n+cmd', '\t@SUM(A1)', ' -2+3', '"=x",y\r\n=z']) {
    const r = run([file(namedModel(payload)), '--format', 'csv', '--target', 'none']);
    assert.equal(r.code, 0, r.err);
    const rows = parseCsv(r.out);
    assert.ok(
      rows.every((row) => row.length === 10),
      `${JSON.stringify(payload)}: ${JSON.stringify(rows)}`,
    );
    assert.equal(rows.length, 1 + 1, `${JSON.stringify(payload)}: a header and the one (fused) layer`);
    for (const row of rows)
      for (const cell of row)
        assert.ok(
          !/^[\s]*[=+\-@]/.test(cell) || /^-?\d/.test(cell),
          `${JSON.stringify(payload)}: cell ${JSON.stringify(cell)} would run as a formula`,
        );
    assert.doesNotMatch(r.out, CONTROLS, 'control characters are shown escaped, as on the terminal');
    if (/^ *[=+\-@]/.test(payload))
      assert.ok(
        rows.some((row) => row[1] === `'${payload}`),
        'the guarded name keeps its text after the apostrophe',
      );
  }
  // numbers are numbers, not guarded text
  const neg = formatReport(JSON.parse(run([file(namedModel('x')), '--format', 'json', '--target', 'none']).out), 'csv');
  assert.doesNotMatch(neg, /'\d/);
});

test('item 5: control characters from models and paths are shown escaped in the table and in stderr', () => {
  const payload = '\x1b]0;pwned\x07\x1b[2J\x9b31m\u202e';
  const r = run([file(namedModel(payload)), '--format', 'table']);
  assert.equal(r.code, 0, r.err);
  assert.doesNotMatch(r.out, CONTROLS, JSON.stringify(r.out));
  assert.ok(r.out.includes('\\x1b]0;pwned\\x07'), 'the escape is visible, not dropped');
  // stderr: a missing model whose name carries escapes, and a target error quoting a model string
  const e = run([path.join(tmp, `${payload}.onnx`), '--target', 'none']);
  assert.equal(e.code, 1);
  assert.doesNotMatch(e.err, CONTROLS, JSON.stringify(e.err));
  assert.ok(e.err.includes('\\x1b[2J'), e.err);
  const t = run([file(namedModel('m')), '--target', `${payload}`]);
  assert.equal(t.code, 1);
  assert.doesNotMatch(t.err + t.out, CONTROLS, JSON.stringify(t.err));
});

test('item 6: hover Markdown cannot be broken out of by a name with backticks, newlines, images or links', () => {
  const payload = 'a``b`\n# Head\n![x](http://e/x.png) [l](http://e) <img src=x> &lt;';
  const v = new ModelView(readModelBytes(namedModel(payload), 'hostile.onnx'), 'hostile.onnx');
  v.profile(optionsFromSettings({ targets: ['wse3', 'h100-dgx'], batch: 1 }));
  const k = v.model.graph.nodes.findIndex((n) => n.name === payload);
  const hovers = [hoverAt(v, v.printed.nodeLine[k]), hoverAt(v, v.graphLine)].map(
    (h) => (h!.contents as MarkupContent).value,
  );
  for (const h of hovers) {
    for (const line of h.split('\n')) assert.doesNotMatch(line, /^\s*#/, `a heading: ${line}`);
    // outside code spans, every Markdown-active character of the payload is escaped
    const outside = h.replace(/(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, '');
    assert.doesNotMatch(outside, /(^|[^\\])!\[|(^|[^\\])\]\(|(^|[^\\])<img|(^|[^\\])&lt;/, outside);
  }
  // the node's name is one code span that its own backticks cannot close, on one line
  const first = hovers[0].split('\n')[0];
  const m = /^\*\*MatMul\*\* (`+)/.exec(first);
  assert.ok(m, first);
  const fence = m[1];
  const rest = first.slice(m[0].length);
  const end = rest.search(new RegExp(`(?<!\`)${fence}(?!\`)`));
  assert.ok(end > 0, first);
  assert.equal(rest.slice(0, end).trim(), 'a``b`\\n# Head\\n![x](http://e/x.png) [l](http://e) <img src=x> &lt;');
});

test('item 7: spec paths that are not regular files are refused at once; gpusPerNode 1e9 is out of range', () => {
  const fifo = path.join(tmp, 'spec-fifo.json');
  execFileSync('mkfifo', [fifo]);
  fs.mkdirSync(path.join(tmp, 'dir.json'));
  const big = path.join(tmp, 'big.json');
  fs.writeFileSync(big, ' '.repeat(2 << 20) + '{}');
  const m = file(namedModel('m'));
  for (const [spec, why] of [
    [fifo, /not a regular file/],
    ['/dev/zero', /not a regular file/],
    [path.join(tmp, 'dir.json'), /not a regular file/],
    [big, /maxSpecFileBytes/],
  ] as const) {
    const r = runGuarded([m, '--target', spec, '--format', 'json'], 15_000);
    assert.ok(r.ms < 10_000, `${spec}: ${r.ms} ms`);
    assert.equal(r.code, 1, spec);
    assert.match(r.err, why, r.err);
  }
  const gpn = JSON.parse(JSON.stringify(loadSpec('h100-dgx').spec));
  gpn.gpusPerNode_count = 1e9;
  const r = runGuarded([m, '--target', file(JSON.stringify(gpn), 'gpn.json'), '--format', 'json']);
  assert.equal(r.code, 1);
  assert.match(r.err, /gpusPerNode_count/);
  assert.match(r.err, /outside the range \[1, 1024\]/);
});

test('item 8: every refused target, spec or plan goes to stderr; exit 1, or 2 for a plan the hardware cannot run (bad usage)', () => {
  const sample = samplePath();
  const badField = JSON.parse(JSON.stringify(loadSpec('h100-dgx').spec));
  badField.gpu.hbmBandwidth_GBps = 'fast';
  const cases: [string, string[]][] = [
    ['unknown target', ['--target', 'nosuch-target']],
    ['a malformed spec field', ['--target', file(JSON.stringify(badField), 'bad-field.json')]],
    ['tp 3 on 4 heads', ['--target', 'h100-dgx', '--tp', '3']],
    ['a global batch not divisible', ['--target', 'h100-dgx', '--global-batch', '7', '--dp', '2']],
  ];
  // the GPU plan refusals (issue 11: "refused with the reason, exit 2 from the CLI")
  const planRefusal = new Set(['tp 3 on 4 heads', 'a global batch not divisible']);
  for (const [label, args] of cases) {
    for (const format of ['table', 'json']) {
      const r = run([sample, ...args, '--format', format]);
      const code = planRefusal.has(label) ? 2 : 1;
      assert.equal(r.code, code, `${label} (${format}) exits ${code}`);
      assert.ok(r.err.length > 0, `${label} (${format}): stderr says why`);
      assert.equal(r.err.trim().split('\n').length >= 1, true);
    }
  }
  // one good and one bad target: the good one is still computed, the run still exits 1
  const both = run([sample, '--target', 'wse3', '--target', 'nosuch-target', '--format', 'json']);
  assert.equal(both.code, 1);
  const rep = JSON.parse(both.out) as Report;
  assert.equal(rep.targets!.length, 2);
  assert.match(both.err, /nosuch-target/);
  assert.equal(run([sample, '--tp', '0']).code, 2);
  assert.equal(run([sample, '--target', 'wse3']).code, 0);
});

test('item 9: absurd values are refused with the limit named; spec errors never echo file contents', () => {
  const m = file(namedModel('m'));
  const batch = run([m, '--batch', '100000000000000000000000']);
  assert.equal(batch.code, 2);
  assert.match(batch.err, /maxDimValue/);
  assert.equal(run([m, '--dim', 'seq=99999999999999']).code, 2);
  assert.equal(run([m, '--tp', '99999999999']).code, 2);
  const grid = JSON.parse(JSON.stringify(loadSpec('wse3').spec));
  grid.gridWidth_cores = 1e9;
  grid.gridHeight_cores = 1e9;
  const clock = JSON.parse(JSON.stringify(loadSpec('wse3').spec));
  clock.clock_GHz = 1e-300;
  const tiny = JSON.parse(JSON.stringify(loadSpec('h100-dgx').spec));
  tiny.gpu.hbmBandwidth_GBps = 1e-320;
  for (const [spec, field] of [
    [grid, 'gridWidth_cores'],
    [clock, 'clock_GHz'],
    [tiny, 'gpu.hbmBandwidth_GBps'],
  ] as const) {
    const r = runGuarded([m, '--target', file(JSON.stringify(spec), `${field}.json`)]);
    assert.equal(r.code, 1, field);
    assert.ok(r.err.includes(`'${field}'`), r.err);
  }
  const secret = file('secret-token-123 is not json', 'secret.json');
  for (const target of [secret, '/etc/passwd']) {
    const r = run([m, '--target', target, '--format', 'json']);
    assert.equal(r.code, 1);
    assert.match(r.err, /not valid JSON/);
    assert.doesNotMatch(r.err + r.out, /secret-token|root:/, r.err);
  }
  assert.throws(() => loadSpec(secret), /not valid JSON \(line 1, column 1\)/);
  // a JSON file that is not a spec: its values are not echoed either
  const tokenSpec = JSON.parse(JSON.stringify(loadSpec('h100-dgx').spec));
  tokenSpec.gpu.hbm_GiB = 'ghp_secretTokenValue0123456789';
  const tok = run([m, '--target', file(JSON.stringify(tokenSpec), 'token.json')]);
  assert.equal(tok.code, 1);
  assert.match(tok.err, /gpu\.hbm_GiB' must be a number, got a string/);
  assert.doesNotMatch(tok.err, /ghp_secret/);
});

test('the limits table: every built-in spec sits inside the spec ranges, and every ranged field exists', () => {
  const specs = builtinTargetIds().map((id) => loadSpec(id).spec);
  for (const s of specs) assert.equal(specRangeProblem(s), undefined, String(s.id));
  const has = (o: unknown, p: string[]): boolean =>
    p.length === 0 || (!!o && typeof o === 'object' && has((o as Record<string, unknown>)[p[0]], p.slice(1)));
  for (const key of Object.keys(LIMITS.specFields))
    assert.ok(
      specs.some((s) => has(s, key.split('.'))),
      `LIMITS.specFields.${key} names a field no spec has`,
    );
});

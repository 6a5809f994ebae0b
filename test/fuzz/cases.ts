// Pipeline fuzz cases (issue 16): case i of seed s is always the same hostile input, run through the whole CLI
// (read, shapes, costs, mappers, every report format). A case is a model, options and targets:
//   - models: the project's fixture models (tiny, control flow, functions, all dtypes, the GPT sample, a
//     named MatMul) with byte mutations (test/fixtures/mutate.ts), and generated ones that stress what the
//     red-team run found: shape tensors of extreme lengths and values, function call trees (fan-out,
//     recursion), extreme declared dims, hostile names;
//   - options: extreme and invalid batch, dims, parallelism, modes and precisions;
//   - targets: built-ins, built-in specs with numbers mutated to 0, negatives, denormals, 1e308, strings,
//     nulls, and paths that are not regular files (a FIFO, /dev/zero, a directory) or not JSON.
// Each case checks what the issue asks: an exit status of 0, 1 or 2 that matches stderr (0 only when nothing
// was refused), every JSON number finite (null only for unknown dims), no NaN/Infinity in the table or CSV,
// no control character on the terminal, CSV rows of equal width, and the time it took.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { runCli } from '../../src/cli/run';
import { loadSpec, builtinTargetIds } from '../../src/engine/hardware';
import type { Report } from '../../src/engine/profile';
import { formatReport } from '../../src/report/format';
import { controlFlowModel, functionModel, typesModel } from '../fixtures/models';
import { sampleModelBytes } from '../fixtures/sample-model';
import { namedModel } from '../fixtures/hostile-models';
import { int, mutate, type Rnd } from '../fixtures/mutate';
import {
  T,
  graph,
  model,
  node,
  prng,
  tensor,
  tinyModel,
  vi,
  type Dim,
  type FunctionSpec,
} from '../fixtures/onnx-writer';

export interface CaseResult {
  i: number;
  /** what the case was, for a failure message */
  how: string;
  code: number;
  ms: number;
  /** what went wrong; [] when the case passed every check */
  problems: string[];
  /** non-finite numbers found in the output (a subset of problems, counted apart) */
  nonFinite: number;
}

const pick = <T>(r: Rnd, xs: readonly T[]): T => xs[int(r, xs.length)];

// ---------------------------------------------------------------- models

const DIMS: readonly Dim[] = [0, 1, 2, 3, 7, 'batch', 'seq', 2 ** 31 - 1, 2 ** 40, 2 ** 62];
const VALUES = [0, 1, -1, 2, 3, 4, -2, 64, 65, 2 ** 31, 2 ** 31 - 1, 2 ** 53, -(2 ** 53), 2 ** 62] as const;
const LENGTHS = [0, 1, 2, 3, 4, 8, 64, 65, 1000, 2 ** 31, 2 ** 62] as const;
const SHAPE_OPS = [
  'Reshape',
  'Expand',
  'ConstantOfShape',
  'Tile',
  'Unsqueeze',
  'Squeeze',
  'Slice',
  'Pad',
  'Range',
  'Resize',
  'Upsample',
  'MaxUnpool',
  'chain',
] as const;

/** One op over a shape tensor: its length and values (known, from an initializer, or unknown) are extreme. */
function shapeTensorCase(r: Rnd): { bytes: Uint8Array; how: string } {
  const op = pick(r, SHAPE_OPS);
  const rank = int(r, 5);
  const xd = Array.from({ length: rank }, () => pick(r, DIMS));
  const known = r() < 0.5;
  const len = known ? int(r, 6) : pick(r, LENGTHS);
  const vals = known ? Array.from({ length: len }, () => pick(r, VALUES)) : [];
  const inits = known ? [tensor('s', T.INT64, [len], { values: vals })] : [];
  const ins = [vi('x', T.FLOAT, xd), ...(known ? [] : [vi('s', T.INT64, [len])])];
  const scalar = (n: string, v: number) => tensor(n, T.INT64, [], { values: [v] });
  let nodes;
  let extra: ReturnType<typeof tensor>[] = [];
  switch (op) {
    case 'ConstantOfShape':
      nodes = [node(op, ['s'], ['y'])];
      break;
    case 'Slice':
      nodes = [node(op, ['x', 's', 's'], ['y'])];
      break;
    case 'Pad':
      nodes = [node(op, ['x', 's'], ['y'])];
      break;
    case 'Range':
      extra = [scalar('a', pick(r, VALUES)), scalar('b', pick(r, VALUES)), scalar('c', pick(r, VALUES))];
      nodes = [node(op, ['a', 'b', 'c'], ['y'])];
      break;
    case 'Resize':
      nodes = [node(op, ['x', '', '', 's'], ['y'])];
      break;
    case 'Upsample':
      nodes = [node(op, ['x', 's'], ['y'])];
      break;
    case 'MaxUnpool':
      nodes = [node(op, ['x', 'x', 's'], ['y'], { kernel_shape: [2, 2] })];
      break;
    case 'chain':
      // Shape -> Gather -> Mul -> Concat -> Reshape: shape arithmetic on extreme data
      extra = [scalar('k', pick(r, VALUES)), tensor('idx', T.INT64, [1], { values: [int(r, 3)] })];
      nodes = [
        node('Shape', ['x'], ['sh']),
        node('Gather', ['sh', 'idx'], ['g']),
        node('Mul', ['g', 'k'], ['m']),
        node('Concat', ['m', 'sh'], ['c'], { axis: 0 }),
        node('Reshape', ['x', 'c'], ['y']),
      ];
      break;
    default:
      nodes = [node(op, ['x', 's'], ['y'])];
  }
  const bytes = model({
    opsets: { '': pick(r, [9, 13, 17, 21]) },
    graph: graph({
      name: 'shape_tensor',
      nodes: nodes.map((n, k) => ({ ...n, name: `${n.opType}_${k}` })),
      inputs: ins,
      outputs: [vi('y', T.FLOAT, null)],
      initializers: [...inits, ...extra],
    }),
  });
  return { bytes, how: `${op} x[${xd.join(',')}] s ${known ? `= [${vals.join(',')}]` : `of length ${len}`}` };
}

/** A tree of model-local functions: depth, fan-out (calls per body), maybe recursive, maybe wrong arity. */
function functionTreeCase(r: Rnd): { bytes: Uint8Array; how: string } {
  const depth = 1 + int(r, 9);
  const fan = 1 + int(r, 4);
  const recursive = r() < 0.25;
  const fns: FunctionSpec[] = [];
  for (let k = 0; k < depth; k++) {
    const callee = recursive && k === depth - 1 ? `F${int(r, depth)}` : k + 1 < depth ? `F${k + 1}` : null;
    const nodes = callee
      ? Array.from({ length: fan }, (_, j) =>
          node(callee, [j === 0 ? 'X' : `A${j - 1}`], [j === fan - 1 ? 'Y' : `A${j}`], {}, { domain: 'local' }),
        )
      : [node(pick(r, ['Relu', 'Sigmoid', 'Softmax']), ['X'], ['Y'])];
    fns.push({ name: `F${k}`, domain: 'local', inputs: ['X'], outputs: ['Y'], opsets: { '': 17, local: 1 }, nodes });
  }
  const dims = [pick(r, DIMS), pick(r, DIMS)];
  const bytes = model({
    irVersion: 8,
    opsets: { '': 17, local: 1 },
    functions: fns,
    graph: graph({
      name: 'functions',
      nodes: [node('F0', ['x'], ['y'], {}, { domain: 'local', name: 'call0' })],
      inputs: [vi('x', T.FLOAT, dims)],
      outputs: [vi('y', T.FLOAT, dims)],
    }),
  });
  return { bytes, how: `functions depth ${depth} fan-out ${fan}${recursive ? ' recursive' : ''} x[${dims.join(',')}]` };
}

/** MatMul chains over extreme declared dims (costs near or past the double range). */
function extremeDimsCase(r: Rnd): { bytes: Uint8Array; how: string } {
  const rank = 1 + int(r, 6);
  const xd = Array.from({ length: rank }, () => pick(r, DIMS));
  const n = pick(r, [1, 8, 2 ** 31 - 1, 2 ** 40]);
  const bytes = model({
    graph: graph({
      name: 'extreme',
      nodes: [node('MatMul', ['x', 'W'], ['h'], {}, { name: 'mm' }), node('Softmax', ['h'], ['y'], {}, { name: 'sm' })],
      inputs: [vi('x', T.FLOAT, xd), vi('W', T.FLOAT, [xd[xd.length - 1], n])],
      outputs: [vi('y', T.FLOAT, null)],
    }),
  });
  return { bytes, how: `MatMul x[${xd.join(',')}] W[..,${n}]` };
}

const NAMES = ['\x1b]0;t\x07', '\x1b[2J', '\r=1+1', '=cmd|x', 'a``b\n# h', '![i](http://e)', '\u202e', '"q",\n'];

let bases: [string, Uint8Array][] | undefined;
function baseModels(): [string, Uint8Array][] {
  bases ??= [
    ['tiny', tinyModel()],
    ['control-flow', controlFlowModel()],
    ['function', functionModel()],
    ['types', typesModel()],
    ['sample', sampleModelBytes()],
    ['named', namedModel('layer')],
  ];
  return bases;
}

function modelCase(r: Rnd): { bytes: Uint8Array; how: string } {
  const k = int(r, 10);
  let m: { bytes: Uint8Array; how: string };
  if (k < 3) m = shapeTensorCase(r);
  else if (k < 5) m = functionTreeCase(r);
  else if (k < 6) m = extremeDimsCase(r);
  else if (k < 7) {
    const name = pick(r, NAMES);
    m = { bytes: namedModel(name), how: `named ${JSON.stringify(name)}` };
  } else {
    const [name, bytes] = pick(r, baseModels());
    m = { bytes, how: name };
  }
  // byte mutations on top, for half the cases (one or two)
  if (r() < 0.5) {
    const a = mutate(m.bytes, r);
    m = { bytes: a.bytes, how: `${m.how}; ${a.how}` };
    if (r() < 0.3) {
      const b = mutate(m.bytes, r);
      m = { bytes: b.bytes, how: `${m.how}; ${b.how}` };
    }
  }
  return m;
}

// ---------------------------------------------------------------- options and targets

const NUMS = ['1', '2', '3', '4', '7', '8', '64', '1000', '2147483647'];
/** values the CLI must refuse as bad usage (exit 2): past a limit, zero, negative, not a number */
const BAD_NUMS = ['2147483648', '100000000000000000000000', '0', '-1', 'x', '1e23'];
const num = (r: Rnd) => (r() < 0.1 ? pick(r, BAD_NUMS) : pick(r, NUMS));

function optionArgs(r: Rnd): string[] {
  const out: string[] = [];
  const maybe = (p: number, f: () => string[]) => {
    if (r() < p) out.push(...f());
  };
  maybe(0.3, () => ['--batch', num(r)]);
  maybe(0.3, () => ['--dim', `${pick(r, ['seq', 'batch', 'past', 'n', 'd0'])}=${num(r)}`]);
  maybe(0.2, () => ['--mode', pick(r, ['training', 'inference', 'training', 'train'])]);
  maybe(0.15, () => ['--precision', pick(r, ['fp32', 'fp16', 'bf16', 'fp8', 'fp64'])]);
  for (const f of ['--tp', '--pp', '--dp', '--microbatch', '--global-batch', '--nodes', '--systems', '--interleave'])
    maybe(0.06, () => [f, f === '--systems' && r() < 0.5 ? 'auto' : num(r)]);
  maybe(0.05, () => ['--execution', pick(r, ['pipelined', 'weight-streaming', 'auto'])]);
  maybe(0.05, () => ['--zero', pick(r, ['0', '1', '2', '3', '4'])]);
  maybe(0.05, () => ['--recompute', pick(r, ['none', 'selective', 'full'])]);
  return out;
}

const SPEC_VALUES: unknown[] = [0, -1, 1e-320, 1e-300, 1e308, 1e9, 2.5, 'x', null, [], {}, true];

/** Every numeric leaf path of a spec (arrays by index). */
function numericPaths(v: unknown, p: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (typeof v === 'number') out.push(p);
  else if (Array.isArray(v)) v.forEach((x, i) => numericPaths(x, [...p, i], out));
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) if (k !== 'sources' && k !== 'notes') numericPaths(x, [...p, k], out);
  return out;
}

let fifo: string | undefined;
function specialPath(r: Rnd, dir: string): string {
  const k = int(r, 6);
  if (k === 0) {
    if (!fifo) {
      fifo = path.join(dir, 'fifo-spec.json');
      if (!fs.existsSync(fifo)) execFileSync('mkfifo', [fifo]);
    }
    return fifo;
  }
  if (k === 1) return '/dev/zero';
  if (k === 2) {
    const d = path.join(dir, 'a-directory.json');
    fs.mkdirSync(d, { recursive: true });
    return d;
  }
  if (k === 3) return '/etc/passwd';
  if (k === 4) return path.join(dir, 'missing.json');
  return 'nosuch-target';
}

function targetArgs(r: Rnd, i: number, dir: string): { args: string[]; how: string } {
  const k = int(r, 10);
  if (k < 4) return { args: [], how: 'default targets' };
  if (k < 5) return { args: ['--target', 'none'], how: 'no target' };
  if (k < 7) {
    const id = pick(r, builtinTargetIds());
    return { args: ['--target', id], how: id };
  }
  if (k < 9) {
    const id = pick(r, builtinTargetIds());
    const spec = JSON.parse(JSON.stringify(loadSpec(id).spec)) as Record<string, unknown>;
    const paths = numericPaths(spec);
    const changed: string[] = [];
    for (let n = 1 + int(r, 3); n > 0; n--) {
      const p = pick(r, paths);
      let o = spec as Record<string | number, unknown>;
      for (const key of p.slice(0, -1)) o = o[key] as Record<string | number, unknown>;
      const v = r() < 0.1 ? undefined : pick(r, SPEC_VALUES);
      if (v === undefined) delete o[p[p.length - 1]];
      else o[p[p.length - 1]] = v;
      changed.push(`${p.join('.')}=${JSON.stringify(v)}`);
    }
    const f = path.join(dir, `spec-${i}.json`);
    fs.writeFileSync(f, JSON.stringify(spec));
    return { args: ['--target', f], how: `${id} with ${changed.join(', ')}` };
  }
  const p = specialPath(r, dir);
  return { args: ['--target', p], how: `spec path ${p}` };
}

// ---------------------------------------------------------------- checks

// eslint-disable-next-line no-control-regex -- control characters are what must not reach the terminal
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
const NON_FINITE_TEXT = /\bNaN\b|Infinity/;

/** Non-finite numbers (as JSON nulls outside dims/block) in a parsed report. */
function nonFiniteIn(v: unknown, where: string, out: string[]): void {
  if (v === null) {
    if (!/\.dims(\[\d+\])?$|\.block$/.test(where)) out.push(`${where} is null`);
  } else if (Array.isArray(v)) v.forEach((x, k) => nonFiniteIn(x, `${where}[${k}]`, out));
  else if (typeof v === 'object') for (const [k, x] of Object.entries(v)) nonFiniteIn(x, `${where}.${k}`, out);
}

/** Fields per CSV record (RFC 4180: quoted fields may hold commas and line breaks). */
function csvWidths(s: string): number[] {
  const widths: number[] = [];
  let n = 1,
    q = false,
    any = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    any = true;
    if (q) {
      if (c === '"' && s[i + 1] === '"') i++;
      else if (c === '"') q = false;
    } else if (c === '"') q = true;
    else if (c === ',') n++;
    else if (c === '\n') {
      widths.push(n);
      n = 1;
      any = false;
    }
  }
  if (any) widths.push(n);
  return widths;
}

/** Case i of `seed`: builds it, runs it through the CLI in this process, and checks the outcome. */
export function runCase(seed: number, i: number, dir: string): CaseResult {
  const r = prng((seed ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0);
  const m = modelCase(r);
  const file = path.join(dir, `case.onnx`);
  fs.writeFileSync(file, m.bytes);
  const opts = optionArgs(r);
  const t = targetArgs(r, i, dir);
  const args = [file, ...opts, ...t.args, '--format', 'json'];
  const how = `${m.how} | ${opts.join(' ')} | ${t.how}`;
  const problems: string[] = [];
  let out = '',
    err = '',
    code = -1;
  const t0 = performance.now();
  try {
    code = runCli(
      args,
      (s) => (out += s),
      (s) => (err += s),
    );
  } catch (e) {
    problems.push(`the CLI threw: ${(e as Error).stack ?? String(e)}`);
  }
  let nonFinite = 0;
  if (code >= 0) {
    if (![0, 1, 2].includes(code)) problems.push(`exit ${code}`);
    if (code === 0 && err) problems.push(`exit 0 with stderr: ${err.slice(0, 200)}`);
    if (code !== 0 && !err.trim()) problems.push(`exit ${code} with nothing on stderr`);
    if (CONTROLS.test(err)) problems.push(`a control character on stderr: ${JSON.stringify(err.slice(0, 200))}`);
    if (code !== 2) {
      for (const line of out.split('\n').filter(Boolean)) {
        let rep: Report & { error?: string };
        try {
          rep = JSON.parse(line);
        } catch {
          problems.push(`not JSON: ${line.slice(0, 200)}`);
          continue;
        }
        const nf: string[] = [];
        nonFiniteIn(rep, '$', nf);
        nonFinite += nf.length;
        problems.push(...nf.slice(0, 3));
        if (rep.error) continue;
        if (code === 0 && rep.targets?.some((x) => 'error' in x)) problems.push('exit 0 with a target error');
        try {
          const table = formatReport(rep, 'table');
          if (NON_FINITE_TEXT.test(table)) {
            nonFinite++;
            problems.push(`the table prints ${NON_FINITE_TEXT.exec(table)![0]}`);
          }
          if (CONTROLS.test(table)) problems.push('a control character in the table');
          const csv = formatReport(rep, 'csv');
          if (NON_FINITE_TEXT.test(csv)) {
            nonFinite++;
            problems.push('the CSV prints NaN/Infinity');
          }
          if (new Set(csvWidths(csv)).size > 1) problems.push('CSV rows of different widths');
        } catch (e) {
          problems.push(`a report format threw: ${(e as Error).message}`);
        }
      }
    }
  }
  return { i, how, code, ms: performance.now() - t0, problems, nonFinite };
}

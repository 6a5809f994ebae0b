// The one RunOptions parser/validator (src/engine/options.ts): the CLI's strict reading and the lenient
// reading of settings / webview knobs agree, field by field, because both go through OPTION_TABLE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_TARGETS,
  OPTION_TABLE,
  defaultRunOptions,
  optionUsage,
  validateRunOptions,
  type RunOptions,
} from '../../src/engine/options';
import { parseCli } from '../../src/cli/run';

test('every RunOptions field and GPU knob has exactly one row in the option table', () => {
  const full: Required<RunOptions> = {
    ...defaultRunOptions(),
    batch: 1,
    systems: 1,
    nodes: 1,
    useDeclared: true,
    wafer: {},
    trainTokens: 1,
    serveRate: 1,
    kvPrecision: 'fp8',
    threads: 1,
  };
  const top = Object.keys(full).filter((k) => k !== 'gpu' && k !== 'wafer');
  const rows = OPTION_TABLE.map((r) => r.path.join('.'));
  for (const k of top) assert.equal(rows.filter((r) => r === k).length, 1, `row for ${k}`);
  for (const k of [
    'tp',
    'pp',
    'dp',
    'microbatch',
    'globalBatch',
    'interleave',
    'recompute',
    'sequenceParallel',
    'zero',
    'attention',
    'cp',
    'ep',
    'generate',
  ])
    assert.equal(rows.filter((r) => r === `gpu.${k}`).length, 1, `row for gpu.${k}`);
  for (const k of ['calibration', 'speculative', 'systemsObjective', 'maxSystems'])
    assert.equal(rows.filter((r) => r === `wafer.${k}`).length, 1, `row for wafer.${k}`);
  const flags = OPTION_TABLE.map((r) => r.flag);
  assert.equal(new Set(flags).size, flags.length, 'flags are unique');
  for (const f of flags) assert.ok(optionUsage().includes(`--${f}`), `usage names --${f}`);
});

test('the CLI reads --tp into gpu.tp and refuses a bad value with the flag named', () => {
  const { opts } = parseCli([
    'm.onnx',
    '--tp',
    '4',
    '--pp',
    '2',
    '--zero',
    '1',
    '--sequence-parallel',
    '--dim',
    'seq=128',
  ]);
  assert.deepEqual(opts.gpu, { tp: 4, pp: 2, zero: 1, sequenceParallel: true });
  assert.deepEqual(opts.dims, { seq: 128 });
  assert.deepEqual(opts.targets, DEFAULT_TARGETS);
  assert.deepEqual(parseCli(['--target', 'none']).opts.targets, []);
  assert.equal(parseCli(['--infer-only']).opts.useDeclared, false);
  assert.throws(() => parseCli(['--tp', '0']), /--tp must be a positive integer, got '0'/);
  assert.throws(() => parseCli(['--tp', '1e3']), /--tp must be a positive integer/);
  assert.throws(() => parseCli(['--precision', 'fp64']), /--precision must be one of fp32\|fp16\|bf16\|fp8/);
  assert.throws(() => parseCli(['--dim', 'seq']), /--dim expects NAME=VALUE/);
  assert.throws(() => parseCli(['--systems', 'many']), /--systems must be a positive integer or auto/);
  assert.throws(() => parseCli(['--format', 'xml']), /--format must be one of table\|json\|csv\|html/);
});

test('structured input (settings, webview, language server): the same rules, invalid fields keep the base', () => {
  const { options, problems } = validateRunOptions({
    targets: ['wse2', 7, ''],
    gpu: { tp: '8', pp: -1, recompute: 'full', zero: 4 },
    systems: 'auto',
    batch: 0,
    dims: { seq: 64, bad: 1.5 },
  });
  assert.deepEqual(options.targets, ['wse2']);
  assert.deepEqual(options.gpu, { tp: 8, recompute: 'full' });
  assert.equal(options.systems, 'auto');
  assert.equal(options.batch, undefined);
  assert.deepEqual(options.dims, { seq: 64 });
  assert.equal(problems.length, 5, problems.join('\n'));
  assert.ok(problems.some((p) => /^--pp must be a positive integer/.test(p)));
  assert.ok(problems.some((p) => /^--zero must be one of 0\|1\|2\|3/.test(p)));
  // too many targets are cut to the limit (and said so)
  const many = validateRunOptions({ targets: Array.from({ length: 20 }, (_, i) => `t${i}`) });
  assert.equal(many.options.targets.length, 8);
  assert.match(many.problems[0], /at most 8 targets/);
});

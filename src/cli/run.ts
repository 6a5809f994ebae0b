// onnx-profile's argument parsing and run loop (src/cli.ts is the executable entry).
// The CLI of ARCHITECTURE.md: one report per model; JSON Lines with several models.
// Exit codes: 0 ok, 1 a model could not be read (one line on stderr), 2 bad usage.
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { readModelFile } from '../engine/onnx/reader';
import { OnnxReadError } from '../engine/onnx/errors';
import { defaultOptions, profileModel, SCHEMA, type ProfileOptions, type Report } from '../engine/profile';
import { formatReport, type Format } from '../report/format';
import { samplePath } from '../engine/sample';

const USAGE = `usage: onnx-profile [MODEL.onnx ...] [options]
  (no model: profiles the embedded sample model)
  --target ID|FILE      wse2, wse3, a100-dgx, h100-dgx, h200-dgx, b200-dgx, gb200-nvl72, a spec .json, or none (repeatable)
  --systems N|auto      wafer systems          --nodes N             GPU nodes
  --mode inference|training                    --precision fp32|fp16|bf16|fp8
  --batch N             --dim NAME=VALUE (repeatable)
  --tp N --pp N --dp N --microbatch N --global-batch N --interleave N
  --recompute none|selective|full  --sequence-parallel  --zero 0|1|2|3
  --execution pipelined|weight-streaming|auto
  --format table|json|csv|html   --out FILE   --shapes
  --infer-only          do not fill unknown dims from the model's declared value_info (measures inference alone)`;

class UsageError extends Error {}

function posInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--${name} must be a positive integer, got '${v}'`);
  return Number(v);
}

function oneOf<T extends string>(name: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) throw new UsageError(`--${name} must be one of ${allowed.join('|')}, got '${v}'`);
  return v as T;
}

export function parseCli(argv: string[]): { models: string[]; opts: ProfileOptions; format: Format; out?: string } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      target: { type: 'string', multiple: true },
      systems: { type: 'string' },
      nodes: { type: 'string' },
      mode: { type: 'string' },
      precision: { type: 'string' },
      batch: { type: 'string' },
      dim: { type: 'string', multiple: true },
      tp: { type: 'string' },
      pp: { type: 'string' },
      dp: { type: 'string' },
      microbatch: { type: 'string' },
      'global-batch': { type: 'string' },
      interleave: { type: 'string' },
      recompute: { type: 'string' },
      'sequence-parallel': { type: 'boolean' },
      zero: { type: 'string' },
      execution: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      shapes: { type: 'boolean' },
      'infer-only': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) throw new UsageError('');
  const opts = defaultOptions();
  if (values.target) opts.targets = values.target.includes('none') ? [] : values.target;
  if (values.systems !== undefined)
    opts.systems = values.systems === 'auto' ? 'auto' : posInt('systems', values.systems);
  opts.nodes = posInt('nodes', values.nodes);
  opts.mode = oneOf('mode', values.mode, ['inference', 'training'] as const) ?? opts.mode;
  opts.precision = oneOf('precision', values.precision, ['fp32', 'fp16', 'bf16', 'fp8'] as const) ?? opts.precision;
  opts.batch = posInt('batch', values.batch);
  for (const d of values.dim ?? []) {
    const m = /^([^=]+)=(\d+)$/.exec(d);
    if (!m) throw new UsageError(`--dim expects NAME=VALUE with a non-negative integer, got '${d}'`);
    opts.dims[m[1]] = Number(m[2]);
  }
  const zero = oneOf('zero', values.zero, ['0', '1', '2', '3'] as const);
  opts.gpu = {
    tp: posInt('tp', values.tp),
    pp: posInt('pp', values.pp),
    dp: posInt('dp', values.dp),
    microbatch: posInt('microbatch', values.microbatch),
    globalBatch: posInt('global-batch', values['global-batch']),
    interleave: posInt('interleave', values.interleave),
    recompute: oneOf('recompute', values.recompute, ['none', 'selective', 'full'] as const),
    sequenceParallel: values['sequence-parallel'] ? true : undefined,
    zero: zero === undefined ? undefined : (Number(zero) as 0 | 1 | 2 | 3),
  };
  opts.execution = oneOf('execution', values.execution, ['pipelined', 'weight-streaming', 'auto'] as const) ?? 'auto';
  opts.shapes = !!values.shapes;
  if (values['infer-only']) opts.useDeclared = false;
  const format = oneOf('format', values.format, ['table', 'json', 'csv', 'html'] as const) ?? 'table';
  return { models: positionals, opts, format, out: values.out };
}

export function runCli(argv: string[], stdout: (s: string) => void, stderr: (s: string) => void): number {
  let parsed: ReturnType<typeof parseCli>;
  try {
    parsed = parseCli(argv);
  } catch (e) {
    const msg = (e as Error).message;
    stderr((msg ? `onnx-profile: ${msg}\n` : '') + USAGE + '\n');
    return e instanceof UsageError && !msg ? 0 : 2;
  }
  const { opts, format, out } = parsed;
  const models = parsed.models.length ? parsed.models : [samplePath()];
  if (!parsed.models.length) {
    // the embedded sample's documented context (media/sample/README.md): batch 1, seq up to 128
    opts.batch ??= 1;
    opts.dims = { seq: 128, ...opts.dims };
  }
  const chunks: string[] = [];
  let failed = false;
  const reports: Report[] = [];
  for (const file of models) {
    try {
      const model = readModelFile(file);
      const { report } = profileModel(model, opts);
      reports.push(report);
      chunks.push(formatReport(report, format));
    } catch (e) {
      failed = true;
      const msg = e instanceof OnnxReadError ? e.message : `${file}: ${(e as Error).message}`;
      stderr(`onnx-profile: ${msg}\n`);
      if (format === 'json') chunks.push(JSON.stringify({ schema: SCHEMA, model: { path: file }, error: msg }));
    }
  }
  const text = format === 'json' ? chunks.join('\n') + '\n' : chunks.join('\n');
  if (out) {
    try {
      fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
      fs.writeFileSync(out, text);
    } catch (e) {
      stderr(`onnx-profile: cannot write ${out}: ${(e as Error).message}\n`);
      return 2;
    }
  } else stdout(text);
  return failed ? 1 : 0;
}

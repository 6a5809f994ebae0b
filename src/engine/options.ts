// The options of one profile run (RunOptions) and the ONE parser/validator for them. Every door into the
// engine goes through here: the CLI's flags (src/cli/run.ts), the onnxProfiler.* settings and the webview's
// knobs (src/editor/options.ts, webview/controls.ts), the language server (src/server/settings.ts) and tests.
//
// HOW TO ADD AN OPTION (one place, this file):
//   1. add the field to RunOptions (or to its per-kind group, e.g. GpuParallelOptions for a GPU-only knob);
//   2. add one row to OPTION_TABLE below: its CLI flag, where it lives in RunOptions (path), its rule
//      (posInt, oneOf([...]), flag, ...; write a new Rule if none fits) and one line of help.
// The CLI's parseArgs config, its usage text, the strict CLI errors ("--tp must be a positive integer, got '0'"),
// the lenient settings/webview validation (an invalid value falls back to the default) and the mappers' view
// (MapOptions in hardware/types.ts is RunOptions minus the model-only fields) all follow from that row.
// A new enum value (e.g. a precision) is one entry in its list (PRECISIONS, ...).

import { LIMITS } from './limits';

export const PRECISIONS = ['fp32', 'fp16', 'bf16', 'fp8', 'int8', 'int4', 'fp4'] as const;
export type Precision = (typeof PRECISIONS)[number];
/** Bytes one weight element takes at a precision (int4 / fp4: two per byte; block scales not included). */
export const PRECISION_BYTES: Record<Precision, number> = {
  fp32: 4,
  fp16: 2,
  bf16: 2,
  fp8: 1,
  int8: 1,
  int4: 0.5,
  fp4: 0.5,
};
export const MODES = ['inference', 'training'] as const;
export type Mode = (typeof MODES)[number];
export const EXECUTIONS = ['pipelined', 'weight-streaming', 'auto'] as const;
export type Execution = (typeof EXECUTIONS)[number];
export const RECOMPUTES = ['none', 'selective', 'full'] as const;
export type Recompute = (typeof RECOMPUTES)[number];
export type ZeroStage = 0 | 1 | 2 | 3;
export const ATTENTIONS = ['flash', 'unfused'] as const;
export type Attention = (typeof ATTENTIONS)[number];
export const BASES = ['as-given', 'power', 'cost'] as const;
export type Basis = (typeof BASES)[number];

/** The targets profiled when none are named (CLI without --target, settings without onnxProfiler.targets). */
export const DEFAULT_TARGETS: readonly string[] = ['wse3', 'h100-dgx'];
/** More targets than this in one run is refused (CLI) or cut (settings, webview: untrusted input). */
export const MAX_TARGETS = 8;
const MAX_NAME = 4096;

/** GPU parallelism; a field left undefined is searched by the GPU mapper for the fastest plan that fits. */
export interface GpuParallelOptions {
  tp?: number;
  pp?: number;
  dp?: number;
  microbatch?: number;
  globalBatch?: number;
  interleave?: number;
  recompute?: Recompute;
  sequenceParallel?: boolean;
  zero?: ZeroStage;
  /** attention kernels: fused (FlashAttention-style) or unfused; undefined = the GPU spec's stack when training,
   * fused for inference (serving runtimes fuse it) */
  attention?: Attention;
  /** context parallelism (ring attention): sequence split cp ways; default 1 */
  cp?: number;
  /** expert parallelism (MoE): experts split ep ways over the data-parallel ranks; default 1 */
  ep?: number;
  /** serving: output tokens generated per request; the decode step is taken at the mean KV length over them and
   * the cache is sized for the last one; default: one step at the graph's context */
  generate?: number;
}

/** Wafer-only options (docs/WAFER-MODEL.md): decode calibration, speculative decoding, how `--systems auto` chooses. */
export interface WaferOptions {
  /** a named decode calibration of the spec (`decodeCalibrations`), else the spec's default */
  calibration?: string;
  /** speculative decoding: a draft model of `draftParams` parameters proposes `tokens` tokens per step, each
   * accepted with probability `acceptance`; off when absent */
  speculative?: Speculative;
  /** `--systems auto`: the fewest systems that fit (default), or the lowest decode latency within `maxSystems` */
  systemsObjective?: SystemsObjective;
  maxSystems?: number;
}
export interface Speculative {
  draftParams: number;
  acceptance: number;
  tokens: number;
}
export const SYSTEMS_OBJECTIVES = ['fewest', 'latency'] as const;
export type SystemsObjective = (typeof SYSTEMS_OBJECTIVES)[number];

/** The options of one profile run: what the CLI flags, the settings and the webview knobs all mean. */
export interface RunOptions {
  /** target ids or spec paths; [] profiles the model alone */
  targets: string[];
  mode: Mode;
  precision: Precision;
  /** value bound to the batch-like symbolic dims (isBatchLike) */
  batch?: number;
  /** bindings of symbolic dims by name */
  dims: Record<string, number>;
  /** wafer systems (CS-2/CS-3 count) or 'auto' (fewest that fit); undefined = the mapper's default */
  systems?: number | 'auto';
  /** GPU nodes; undefined = the mapper's default */
  nodes?: number;
  gpu: GpuParallelOptions;
  /** CPU threads a single-device CPU target runs with (an onnxruntime session's intra-op threads); undefined =
   * every core of the spec */
  threads?: number;
  /** KV-cache element precision (inference with a cache); undefined = the compute precision */
  kvPrecision?: Precision;
  /** wafer execution mode */
  execution: Execution;
  /** wafer decode calibration, speculative decoding, the `--systems auto` objective */
  wafer?: WaferOptions;
  /** include every tensor's dtype and dims in the report */
  shapes: boolean;
  /** fill dims that inference leaves unknown from the model's declared value_info (default true) */
  useDeclared?: boolean;
  /** comparison basis: as given, or throughput scaled to the first target's power or hourly cost */
  basis: Basis;
  /** target id -> USD per hour per system/node, over the spec's price */
  prices: Record<string, number>;
  /** with training: tokens to train (time, energy and cost per target) */
  trainTokens?: number;
  /** with inference: aggregate tokens (or samples) per second to serve (systems/nodes needed, cost) */
  serveRate?: number;
}

export function defaultRunOptions(): RunOptions {
  return {
    targets: DEFAULT_TARGETS.slice(),
    mode: 'inference',
    precision: 'fp16',
    dims: {},
    gpu: {},
    execution: 'auto',
    shapes: false,
    basis: 'as-given',
    prices: {},
  };
}

// #region rules: one raw value (a CLI string, or a JSON value from settings / webview) -> a typed value

/** value: the typed value (possibly repaired, e.g. bad entries dropped); error: what was wrong (a phrase). */
export interface Checked<T> {
  value?: T;
  error?: string;
}
export type Rule<T> = (raw: unknown) => Checked<T>;

const shown = (raw: unknown): string => {
  const s = typeof raw === 'string' ? raw : (JSON.stringify(raw) ?? String(raw));
  return s.length > 40 ? s.slice(0, 40) + '...' : s;
};

/** An integer >= 1, from a number or a string of digits. */
export const posInt: Rule<number> = (raw) => {
  const n =
    typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,15}$/.test(raw.trim()) ? Number(raw) : NaN;
  return Number.isSafeInteger(n) && n >= 1
    ? { value: n }
    : { error: `must be a positive integer, got '${shown(raw)}'` };
};

/** A non-negative integer (a dim binding may be 0). */
export const nonNegInt: Rule<number> = (raw) => {
  const n =
    typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,15}$/.test(raw.trim()) ? Number(raw) : NaN;
  return Number.isSafeInteger(n) && n >= 0
    ? { value: n }
    : { error: `must be a non-negative integer, got '${shown(raw)}'` };
};

/** A whole number in [min, LIMITS[limit]] (src/engine/limits.ts), from a number or a string of digits of any
 * length: a value past the limit is refused with the limit named, not read as "not an integer". */
function boundedInt(min: number, limit: 'maxDimValue' | 'maxPlanValue'): Rule<number> {
  const max = LIMITS[limit];
  return (raw) => {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
    if (!Number.isInteger(n) || n < min)
      return { error: `must be a ${min > 0 ? 'positive' : 'non-negative'} integer, got '${shown(raw)}'` };
    if (n > max) return { error: `${shown(raw)} exceeds the limit ${limit} (${max})` };
    return { value: n };
  };
}
/** batch sizes, microbatches and dim bindings: values that multiply into tensor sizes */
const dimValue = boundedInt(1, 'maxDimValue');
const dimBinding = boundedInt(0, 'maxDimValue');
/** parallel degrees and counts of nodes or systems */
const planValue = boundedInt(1, 'maxPlanValue');

export function oneOf<T extends string | number>(allowed: readonly T[]): Rule<T> {
  return (raw) => {
    const hit = allowed.find((a) => a === raw || String(a) === raw);
    return hit !== undefined ? { value: hit } : { error: `must be one of ${allowed.join('|')}, got '${shown(raw)}'` };
  };
}

export const flag: Rule<boolean> = (raw) =>
  typeof raw === 'boolean' ? { value: raw } : { error: `must be true or false, got '${shown(raw)}'` };

/** A finite number greater than 0; '15e12' allowed (token budgets, rates, prices). */
export const positiveNumber: Rule<number> = (raw) => {
  const n =
    typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*[0-9.eE+]{1,30}\s*$/.test(raw) ? Number(raw) : NaN;
  return Number.isFinite(n) && n > 0 ? { value: n } : { error: `must be a number greater than 0, got '${shown(raw)}'` };
};

/** Prices: target id -> USD per hour (> 0); a bad entry is named and dropped. */
const priceTable: Rule<Record<string, number>> = (raw) => {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { error: `must map target ids to USD per hour` };
  const value: Record<string, number> = {};
  let error: string | undefined;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    const c = positiveNumber(v);
    if (c.value !== undefined && k.length > 0 && k.length < MAX_NAME) value[k] = c.value;
    else error ??= `for '${k.slice(0, 40)}' ${c.error ?? 'has an empty or too long target id'}`;
  }
  return { value, error };
};

const posIntOrAuto: Rule<number | 'auto'> = (raw) =>
  raw === 'auto'
    ? { value: 'auto' }
    : planValue(raw).value !== undefined || /exceeds/.test(planValue(raw).error ?? '')
      ? planValue(raw)
      : { error: `must be a positive integer or auto, got '${shown(raw)}'` };

/** Target ids / spec paths: non-empty strings under 4096 characters, at most MAX_TARGETS (bad entries dropped). */
const targetList: Rule<string[]> = (raw) => {
  if (!Array.isArray(raw)) return { error: `must be a list of target ids, got '${shown(raw)}'` };
  const ok = raw.filter((t): t is string => typeof t === 'string' && t.length > 0 && t.length < MAX_NAME);
  const value = ok.slice(0, MAX_TARGETS);
  const error =
    ok.length < raw.length
      ? 'entries must be non-empty target ids or spec paths'
      : ok.length > MAX_TARGETS
        ? `at most ${MAX_TARGETS} targets, got ${ok.length}`
        : undefined;
  return { value, error };
};

/** Symbolic dim bindings: name -> non-negative integer (bad entries dropped). */
const dimBindings: Rule<Record<string, number>> = (raw) => {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { error: `must map dim names to integers` };
  const value: Record<string, number> = {};
  let error: string | undefined;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    const c = dimBinding(v);
    if (c.value !== undefined && k.length > 0 && k.length < MAX_NAME) value[k] = c.value;
    else error ??= `${k.slice(0, 40)} ${c.error ?? 'has an empty or too long name'}`;
  }
  return { value, error };
};

/** A calibration name: letters, digits, '-', '.', '_' (a spec's `decodeCalibrations` key). */
const calibrationName: Rule<string> = (raw) =>
  typeof raw === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(raw)
    ? { value: raw }
    : { error: `must be a calibration name (letters, digits, - . _), got '${shown(raw)}'` };

/** `draft=1B,accept=0.7,k=4` (draft parameters may end in K/M/B; k defaults to 4), or the same as an object. */
const speculative: Rule<Speculative> = (raw) => {
  const bad = {
    error: `expects draft=PARAMS,accept=0..1[,k=TOKENS] (e.g. draft=1B,accept=0.7,k=4), got '${shown(raw)}'`,
  };
  let draft: unknown, accept: unknown, k: unknown;
  if (typeof raw === 'string') {
    const kv: Record<string, string> = {};
    for (const part of raw.split(',')) {
      const m = /^(draft|accept|k)=([^=]{1,20})$/.exec(part.trim());
      if (!m) return bad;
      kv[m[1]] = m[2];
    }
    const pm = /^(\d{1,6}(?:\.\d{1,6})?(?:e\d{1,2})?)([KMB]?)$/i.exec(kv.draft ?? '');
    if (!pm) return bad;
    draft = Number(pm[1]) * { '': 1, k: 1e3, m: 1e6, b: 1e9 }[pm[2].toLowerCase() as '' | 'k' | 'm' | 'b'];
    accept = kv.accept === undefined ? NaN : Number(kv.accept);
    k = kv.k === undefined ? 4 : Number(kv.k);
  } else if (raw && typeof raw === 'object') {
    const o = raw as Record<string, unknown>;
    [draft, accept, k] = [o.draftParams, o.acceptance, o.tokens ?? 4];
  } else return bad;
  const ok =
    typeof draft === 'number' &&
    Number.isFinite(draft) &&
    draft > 0 &&
    typeof accept === 'number' &&
    accept >= 0 &&
    accept < 1 &&
    typeof k === 'number' &&
    Number.isInteger(k) &&
    k >= 1 &&
    k <= 64;
  return ok ? { value: { draftParams: draft as number, acceptance: accept as number, tokens: k as number } } : bad;
};

// #endregion

// #region the table

interface OptionRow {
  /** the CLI flag without dashes */
  flag: string;
  /** where the value lives in RunOptions */
  path:
    readonly [keyof RunOptions] | readonly ['gpu', keyof GpuParallelOptions] | readonly ['wafer', keyof WaferOptions];
  rule: Rule<unknown>;
  /** how the CLI passes it: one string, a boolean switch, or a repeatable string */
  cli: 'string' | 'boolean' | 'multiple';
  /** CLI raw value -> the structured raw value the rule checks (targets: 'none' -> []; --dim NAME=VALUE -> {}) */
  fromCli?: (raw: never) => Checked<unknown>;
  /** usage: argument placeholder and help */
  arg: string;
  help: string;
}

export const OPTION_TABLE: readonly OptionRow[] = [
  {
    flag: 'target',
    path: ['targets'],
    rule: targetList,
    cli: 'multiple',
    fromCli: (raw: string[]) => ({ value: raw.includes('none') ? [] : raw }),
    arg: 'ID|FILE',
    help: `built-in id, a spec .json, or none (repeatable; default ${DEFAULT_TARGETS.join(' ')})`,
  },
  { flag: 'systems', path: ['systems'], rule: posIntOrAuto, cli: 'string', arg: 'N|auto', help: 'wafer systems' },
  { flag: 'nodes', path: ['nodes'], rule: planValue, cli: 'string', arg: 'N', help: 'GPU nodes' },
  { flag: 'mode', path: ['mode'], rule: oneOf(MODES), cli: 'string', arg: MODES.join('|'), help: 'run mode' },
  {
    flag: 'precision',
    path: ['precision'],
    rule: oneOf(PRECISIONS),
    cli: 'string',
    arg: PRECISIONS.join('|'),
    help: 'compute and weight precision',
  },
  { flag: 'batch', path: ['batch'], rule: dimValue, cli: 'string', arg: 'N', help: 'binds the batch-like dims' },
  {
    flag: 'dim',
    path: ['dims'],
    rule: dimBindings,
    cli: 'multiple',
    fromCli: (raw: string[]) => {
      const value: Record<string, number> = {};
      for (const d of raw) {
        const m = /^([^=]+)=(\d+)$/.exec(d);
        if (!m) return { error: `expects NAME=VALUE with a non-negative integer, got '${shown(d)}'` };
        value[m[1]] = Number(m[2]);
      }
      return { value };
    },
    arg: 'NAME=VALUE',
    help: 'binds a symbolic dim (repeatable)',
  },
  { flag: 'tp', path: ['gpu', 'tp'], rule: planValue, cli: 'string', arg: 'N', help: 'GPU tensor parallelism' },
  { flag: 'pp', path: ['gpu', 'pp'], rule: planValue, cli: 'string', arg: 'N', help: 'GPU pipeline stages' },
  { flag: 'dp', path: ['gpu', 'dp'], rule: planValue, cli: 'string', arg: 'N', help: 'GPU data parallelism' },
  { flag: 'microbatch', path: ['gpu', 'microbatch'], rule: dimValue, cli: 'string', arg: 'N', help: 'GPU microbatch' },
  {
    flag: 'global-batch',
    path: ['gpu', 'globalBatch'],
    rule: dimValue,
    cli: 'string',
    arg: 'N',
    help: 'GPU global batch',
  },
  {
    flag: 'interleave',
    path: ['gpu', 'interleave'],
    rule: planValue,
    cli: 'string',
    arg: 'N',
    help: 'pipeline chunks per GPU',
  },
  {
    flag: 'recompute',
    path: ['gpu', 'recompute'],
    rule: oneOf(RECOMPUTES),
    cli: 'string',
    arg: RECOMPUTES.join('|'),
    help: 'activation recompute',
  },
  {
    flag: 'sequence-parallel',
    path: ['gpu', 'sequenceParallel'],
    rule: flag,
    cli: 'boolean',
    arg: '',
    help: 'Megatron sequence parallelism',
  },
  {
    flag: 'zero',
    path: ['gpu', 'zero'],
    rule: oneOf([0, 1, 2, 3] as const),
    cli: 'string',
    arg: '0|1|2|3',
    help: 'ZeRO stage',
  },
  {
    flag: 'threads',
    path: ['threads'],
    rule: posInt,
    cli: 'string',
    arg: 'N',
    help: 'CPU threads of a single-device CPU target (default: every core of its spec)',
  },
  {
    flag: 'kv-precision',
    path: ['kvPrecision'],
    rule: oneOf(PRECISIONS),
    cli: 'string',
    arg: PRECISIONS.join('|'),
    help: 'KV-cache precision (default: the compute precision)',
  },
  {
    flag: 'cp',
    path: ['gpu', 'cp'],
    rule: posInt,
    cli: 'string',
    arg: 'N',
    help: 'GPU context parallelism (ring attention; default 1)',
  },
  {
    flag: 'ep',
    path: ['gpu', 'ep'],
    rule: posInt,
    cli: 'string',
    arg: 'N',
    help: 'GPU expert parallelism (MoE; default 1)',
  },
  {
    flag: 'generate',
    path: ['gpu', 'generate'],
    rule: posInt,
    cli: 'string',
    arg: 'N',
    help: 'GPU serving: output tokens per request (decode at the mean KV length over them; cache sized for the last)',
  },
  {
    flag: 'attention',
    path: ['gpu', 'attention'],
    rule: oneOf(ATTENTIONS),
    cli: 'string',
    arg: ATTENTIONS.join('|'),
    help: "GPU attention kernels (default: the spec's stack when training, flash for inference)",
  },
  {
    flag: 'execution',
    path: ['execution'],
    rule: oneOf(EXECUTIONS),
    cli: 'string',
    arg: EXECUTIONS.join('|'),
    help: 'wafer execution mode',
  },
  {
    flag: 'wafer-calibration',
    path: ['wafer', 'calibration'],
    rule: calibrationName,
    cli: 'string',
    arg: 'NAME',
    help: 'wafer decode calibration (software generation), e.g. cerebras-2024-08, waferllm-osdi25',
  },
  {
    flag: 'speculative',
    path: ['wafer', 'speculative'],
    rule: speculative as Rule<unknown>,
    cli: 'string',
    arg: 'draft=N,accept=P[,k=K]',
    help: 'wafer speculative decoding: draft parameters, acceptance rate, tokens per step (off by default)',
  },
  {
    flag: 'systems-objective',
    path: ['wafer', 'systemsObjective'],
    rule: oneOf(SYSTEMS_OBJECTIVES),
    cli: 'string',
    arg: SYSTEMS_OBJECTIVES.join('|'),
    help: '--systems auto: fewest that fit, or lowest latency within --max-systems',
  },
  {
    flag: 'max-systems',
    path: ['wafer', 'maxSystems'],
    rule: posInt,
    cli: 'string',
    arg: 'N',
    help: 'system budget of --systems-objective latency (default 2x the fewest)',
  },
  {
    flag: 'basis',
    path: ['basis'],
    rule: oneOf(BASES),
    cli: 'string',
    arg: BASES.join('|'),
    help: "compare as given, or scaled to the first target's power or hourly cost",
  },
  {
    flag: 'price',
    path: ['prices'],
    rule: priceTable,
    cli: 'multiple',
    fromCli: (raw: string[]) => {
      const value: Record<string, unknown> = {};
      for (const p of raw) {
        const m = /^([^=]+)=(.*)$/.exec(p);
        if (!m) return { error: `expects TARGET=USD_PER_HOUR, got '${shown(p)}'` };
        value[m[1]] = m[2];
      }
      return { value };
    },
    arg: 'TARGET=USD_PER_HOUR',
    help: 'price per system/node (repeatable; over the spec)',
  },
  {
    flag: 'train-tokens',
    path: ['trainTokens'],
    rule: positiveNumber,
    cli: 'string',
    arg: 'N',
    help: 'training: time, energy and cost to train N tokens (e.g. 15e12)',
  },
  {
    flag: 'serve-rate',
    path: ['serveRate'],
    rule: positiveNumber,
    cli: 'string',
    arg: 'TOKENS_PER_S',
    help: 'inference: systems/nodes needed and cost per million tokens',
  },
  { flag: 'shapes', path: ['shapes'], rule: flag, cli: 'boolean', arg: '', help: "every tensor's dtype and dims" },
  {
    flag: 'infer-only',
    path: ['useDeclared'],
    rule: flag,
    cli: 'boolean',
    fromCli: (raw: boolean) => ({ value: raw ? false : undefined }),
    arg: '',
    help: "do not fill unknown dims from the model's declared value_info (measures inference alone)",
  },
];

// #endregion

function read(o: unknown, path: OptionRow['path']): unknown {
  let v: unknown = o;
  for (const k of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

function write(o: RunOptions, path: OptionRow['path'], v: unknown): void {
  if (path.length === 1) (o as unknown as Record<string, unknown>)[path[0]] = v;
  else if (path[0] === 'wafer') o.wafer = { ...o.wafer, [path[1]]: v };
  else o.gpu = { ...o.gpu, [path[1]]: v };
}

export interface Validated {
  options: RunOptions;
  /** one line per rejected value, naming the CLI flag: "--tp must be a positive integer, got '0'" */
  problems: string[];
}

/**
 * Validates structured, untrusted options (settings, webview knobs, a language-server request) over `base`
 * (the defaults unless given). A missing or invalid field keeps base's value; problems lists the invalid ones.
 */
export function validateRunOptions(raw: unknown, base: RunOptions = defaultRunOptions()): Validated {
  const options: RunOptions = {
    ...base,
    dims: { ...base.dims },
    gpu: { ...base.gpu },
    ...(base.wafer ? { wafer: { ...base.wafer } } : {}),
    targets: base.targets.slice(),
    prices: { ...base.prices },
  };
  const problems: string[] = [];
  for (const row of OPTION_TABLE) {
    const v = read(raw, row.path);
    if (v === undefined) continue;
    const c = row.rule(v);
    if (c.error) problems.push(`--${row.flag} ${c.error}`);
    if (c.value !== undefined) write(options, row.path, c.value);
  }
  return { options, problems };
}

/** parseArgs' `options` config for the run options (the CLI adds its own output flags). */
export function cliOptionConfig(): Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> {
  const out: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {};
  for (const r of OPTION_TABLE)
    out[r.flag] = r.cli === 'multiple' ? { type: 'string', multiple: true } : { type: r.cli };
  return out;
}

/** The CLI's flag values (from parseArgs) as RunOptions; strict: every problem is reported. */
export function runOptionsFromCli(values: Record<string, unknown>): Validated {
  const options = defaultRunOptions();
  const problems: string[] = [];
  for (const row of OPTION_TABLE) {
    const raw = values[row.flag];
    if (raw === undefined) continue;
    const pre: Checked<unknown> = row.fromCli ? row.fromCli(raw as never) : { value: raw };
    const c = pre.error || pre.value === undefined ? pre : row.rule(pre.value);
    if (c.error) problems.push(`--${row.flag} ${c.error}`);
    else if (c.value !== undefined) write(options, row.path, c.value);
  }
  // budgets belong to one mode (the CLI refuses the other; settings/webview report it in the budget)
  if (options.trainTokens !== undefined && options.mode !== 'training')
    problems.push('--train-tokens needs --mode training (the budget is for training steps)');
  if (options.serveRate !== undefined && options.mode !== 'inference')
    problems.push('--serve-rate needs --mode inference');
  return { options, problems };
}

/** Usage lines for the run options, from the table. */
export function optionUsage(): string {
  // at least two spaces between a long argument list and its help
  return OPTION_TABLE.map((r) => `  --${r.flag}${r.arg ? ' ' + r.arg : ''}`.padEnd(38) + '  ' + r.help).join('\n');
}

/** Symbolic dims the `batch` knob binds (profile.ts bindingsFor); the editor binds them with its Batch field only. */
export function isBatchLike(sym: string): boolean {
  return /^(batch|batch_size|batchsize|n|b|bs|unk__batch)$/i.test(sym);
}

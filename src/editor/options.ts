// Settings -> knobs -> engine options. Pure (no vscode import): the extension passes a settings getter.
import type { ProfileOptions } from '../engine/profile';
import type { Knobs } from '../shared/protocol';

const PRECISIONS = ['fp32', 'fp16', 'bf16', 'fp8'] as const;
const MODES = ['inference', 'training'] as const;

export const DEFAULT_TARGETS = ['wse3', 'h100-dgx'];

export interface SettingsReader {
  get<T>(key: string): T | undefined;
}

function posInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : undefined;
}

/** The knobs the onnxProfiler.* settings give; invalid values fall back to the defaults. */
export function knobsFromSettings(s: SettingsReader): Knobs {
  const targets = s.get<unknown>('targets');
  const dims = s.get<unknown>('dims');
  const precision = s.get<string>('precision');
  const mode = s.get<string>('mode');
  const cleanDims: Record<string, number> = {};
  if (dims && typeof dims === 'object' && !Array.isArray(dims)) {
    for (const [k, v] of Object.entries(dims as Record<string, unknown>)) {
      if (typeof v === 'number' && Number.isInteger(v) && v >= 0) cleanDims[k] = v;
    }
  }
  return {
    targets:
      Array.isArray(targets) && targets.every((t) => typeof t === 'string') && targets.length
        ? (targets as string[]).slice()
        : DEFAULT_TARGETS.slice(),
    batch: posInt(s.get('batch')),
    dims: cleanDims,
    precision: (PRECISIONS as readonly string[]).includes(precision ?? '') ? (precision as Knobs['precision']) : 'fp16',
    mode: (MODES as readonly string[]).includes(mode ?? '') ? (mode as Knobs['mode']) : 'inference',
    execution: 'auto',
  };
}

/** Applies the fields a user changed in one editor over the settings' knobs. */
export function mergeKnobs(base: Knobs, overrides: Partial<Knobs>): Knobs {
  const out: Knobs = { ...base, dims: { ...base.dims } };
  for (const [k, v] of Object.entries(overrides) as [keyof Knobs, unknown][]) {
    if (k === 'dims') Object.assign(out.dims, v as Record<string, number>);
    else (out as unknown as Record<string, unknown>)[k] = v;
  }
  return out;
}

/** The fields of `next` that differ from `base`: what this editor overrides. */
export function diffKnobs(base: Knobs, next: Knobs): Partial<Knobs> {
  const d: Partial<Knobs> = {};
  for (const k of Object.keys(next) as (keyof Knobs)[]) {
    if (JSON.stringify(base[k]) !== JSON.stringify(next[k])) (d as Record<string, unknown>)[k] = next[k];
  }
  for (const k of Object.keys(base) as (keyof Knobs)[]) {
    if (!(k in next) && base[k] !== undefined) (d as Record<string, unknown>)[k] = undefined;
  }
  return d;
}

/** Validates knobs that arrive from the webview (untrusted input) into engine options. */
export function profileOptionsFrom(k: Knobs): ProfileOptions {
  const targets = Array.isArray(k.targets)
    ? k.targets.filter((t) => typeof t === 'string' && t.length > 0 && t.length < 4096).slice(0, 8)
    : [];
  const dims: Record<string, number> = {};
  for (const [name, v] of Object.entries(k.dims ?? {})) if (Number.isInteger(v) && v >= 0) dims[name] = v;
  const systems = k.systems === 'auto' ? 'auto' : posInt(k.systems);
  return {
    targets,
    mode: (MODES as readonly string[]).includes(k.mode) ? k.mode : 'inference',
    precision: (PRECISIONS as readonly string[]).includes(k.precision) ? k.precision : 'fp16',
    batch: posInt(k.batch),
    dims,
    systems,
    nodes: posInt(k.nodes),
    gpu: { tp: posInt(k.tp), pp: posInt(k.pp), dp: posInt(k.dp) },
    execution: k.execution === 'pipelined' || k.execution === 'weight-streaming' ? k.execution : 'auto',
    shapes: false,
  };
}

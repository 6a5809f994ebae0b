// Settings and webview knobs -> RunOptions, through the engine's one validator (src/engine/options.ts).
// Pure (no vscode import): the extension passes a settings getter.
import { defaultRunOptions, validateRunOptions, type RunOptions } from '../engine/options';

export interface SettingsReader {
  get<T>(key: string): T | undefined;
}

/** The keys of the onnxProfiler.* settings (package.json); each is the RunOptions field of the same name. */
export const SETTING_KEYS = [
  'targets',
  'mode',
  'precision',
  'batch',
  'dims',
  'systems',
  'nodes',
  'execution',
  'gpu',
  'prices',
  'basis',
  'wafer',
  'trainTokens',
  'serveRate',
  'kvPrecision',
  'threads',
] as const;

/** The run options the onnxProfiler.* settings give; invalid values fall back to the defaults. */
export function knobsFromSettings(s: SettingsReader): RunOptions {
  const raw: Record<string, unknown> = {};
  for (const k of SETTING_KEYS) {
    const v = s.get(k);
    // an unset optional setting is null in package.json's defaults: leave the option to the mapper
    if (v !== null) raw[k] = v;
  }
  // an empty target list in the settings means "the defaults", not "profile the model alone"
  if (Array.isArray(raw.targets) && raw.targets.length === 0) delete raw.targets;
  return validateRunOptions(raw).options;
}

/** Applies the fields a user changed in one editor over the settings' options. */
export function mergeKnobs(base: RunOptions, overrides: Partial<RunOptions>): RunOptions {
  const out: RunOptions = { ...base, dims: { ...base.dims }, gpu: { ...base.gpu } };
  for (const [k, v] of Object.entries(overrides) as [keyof RunOptions, unknown][]) {
    if (k === 'dims') Object.assign(out.dims, v as Record<string, number>);
    else (out as unknown as Record<string, unknown>)[k] = v;
  }
  return out;
}

/** The fields of `next` that differ from `base`: what this editor overrides. */
export function diffKnobs(base: RunOptions, next: RunOptions): Partial<RunOptions> {
  const d: Partial<RunOptions> = {};
  for (const k of Object.keys(next) as (keyof RunOptions)[]) {
    if (JSON.stringify(base[k]) !== JSON.stringify(next[k])) (d as Record<string, unknown>)[k] = next[k];
  }
  for (const k of Object.keys(base) as (keyof RunOptions)[]) {
    if (!(k in next) && base[k] !== undefined) (d as Record<string, unknown>)[k] = undefined;
  }
  return d;
}

/** Validates knobs that arrive from the webview (untrusted input) into engine options: invalid fields take
 * the defaults, and the webview never asks for the per-tensor shapes (they are not shown). */
export function profileOptionsFrom(k: unknown): RunOptions {
  const { options } = validateRunOptions(k, { ...defaultRunOptions(), targets: [] });
  return { ...options, shapes: false, useDeclared: undefined };
}

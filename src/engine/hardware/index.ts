// Target registry: built-in hardware specs (JSON, one per target) and the mapper for each kind.
// A target is a built-in id or a path to a user spec file with the same schema.
import * as fs from 'fs';
import type { Analysis, MapOptions, Mapper, TargetResult } from './types';

export interface LoadedSpec {
  id: string;
  kind: 'wafer' | 'gpu-cluster';
  spec: Record<string, unknown>;
}

const builtins = new Map<string, LoadedSpec>();
const mappers = new Map<string, Mapper>();
const validators = new Map<string, (spec: Record<string, unknown>, where: string) => void>();

export function registerBuiltinSpec(spec: Record<string, unknown>): void {
  const id = String(spec.id);
  builtins.set(id, { id, kind: spec.kind as LoadedSpec['kind'], spec });
}

export function registerMapper(
  kind: 'wafer' | 'gpu-cluster',
  mapper: Mapper,
  validate: (spec: Record<string, unknown>, where: string) => void,
): void {
  mappers.set(kind, mapper);
  validators.set(kind, validate);
}

export function builtinTargetIds(): string[] {
  return [...builtins.keys()];
}

export class SpecError extends Error {}

/** A built-in id, or a JSON spec file path (validated: missing or negative numbers are refused with the field named). */
export function loadSpec(idOrPath: string): LoadedSpec {
  const b = builtins.get(idOrPath);
  if (b) return b;
  if (!/\.json$/i.test(idOrPath) && !fs.existsSync(idOrPath)) {
    throw new SpecError(
      `unknown target '${idOrPath}' (built-in: ${builtinTargetIds().join(', ')}; or a path to a spec .json)`,
    );
  }
  let spec: Record<string, unknown>;
  try {
    spec = JSON.parse(fs.readFileSync(idOrPath, 'utf8'));
  } catch (e) {
    throw new SpecError(`${idOrPath}: cannot read spec: ${(e as Error).message}`);
  }
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
    throw new SpecError(`${idOrPath}: a spec must be a JSON object`);
  const kind = spec.kind;
  if (kind !== 'wafer' && kind !== 'gpu-cluster')
    throw new SpecError(`${idOrPath}: field 'kind' must be "wafer" or "gpu-cluster"`);
  const v = validators.get(kind);
  if (v) v(spec, idOrPath);
  return { id: typeof spec.id === 'string' ? spec.id : idOrPath, kind, spec };
}

export function mapTarget(loaded: LoadedSpec, analysis: Analysis, opts: MapOptions): TargetResult {
  const m = mappers.get(loaded.kind);
  if (!m) throw new SpecError(`no mapper for target kind '${loaded.kind}'`);
  return m(analysis, loaded.spec, opts);
}

// Target registry: the target kinds (wafer, GPU cluster) as explicit values, their built-in specs (JSON, one per
// target) and their mappers. A target is a built-in id or a path to a user spec file with the same schema.
// Nothing is registered by importing a module: TARGET_KINDS below is the whole registry.
import * as fs from 'fs';
import type { Analysis, MapOptions, TargetKind, TargetResult } from './types';
import { SpecError } from './errors';
import { WAFER_TARGET } from './wafer';
import { GPU_TARGET } from './gpu';
import { DEVICE_TARGET } from './device';

import { readSpecFile, SpecFileError } from './specFile';
import { specRangeProblem } from '../limits';

export { SpecError };

export interface LoadedSpec {
  id: string;
  kind: TargetKind['kind'];
  spec: Record<string, unknown>;
  /** what identifies this spec's content: the id for a built-in, path + size + mtime for a file (mapping caches) */
  key: string;
}

/** Every target kind the engine maps to. */
export const TARGET_KINDS: readonly TargetKind[] = [WAFER_TARGET, GPU_TARGET, DEVICE_TARGET];

function kindOf(kind: string): TargetKind | undefined {
  return TARGET_KINDS.find((k) => k.kind === kind);
}

let builtins: Map<string, LoadedSpec> | undefined;

/** The built-in specs by id, validated once on first use. */
function builtinSpecs(): Map<string, LoadedSpec> {
  if (!builtins) {
    builtins = new Map();
    for (const k of TARGET_KINDS)
      for (const s of k.builtins) {
        const id = String(s.id);
        k.validate(s, `built-in spec ${id}`);
        builtins.set(id, { id, kind: k.kind, spec: s, key: `builtin:${id}` });
      }
  }
  return builtins;
}

export function builtinTargetIds(): string[] {
  return [...builtinSpecs().keys()];
}

/** A built-in id, or a JSON spec file path (read by the rules of specFile.ts; validated: a missing number or
 * one outside its range (LIMITS.specNumber, LIMITS.specFields) is refused with the field named). */
export function loadSpec(idOrPath: string): LoadedSpec {
  const b = builtinSpecs().get(idOrPath);
  if (b) return b;
  if (!/\.json$/i.test(idOrPath) && !fs.existsSync(idOrPath)) {
    throw new SpecError(
      `unknown target '${idOrPath}' (built-in: ${builtinTargetIds().join(', ')}; or a path to a spec .json)`,
    );
  }
  let parsed: unknown;
  let key: string;
  try {
    // stat, not open: a FIFO's stat does not wait; readSpecFile refuses anything but a regular file
    const st = fs.statSync(idOrPath);
    key = `file:${idOrPath}\0${st.size}\0${st.mtimeMs}`;
    parsed = readSpecFile(idOrPath);
  } catch (e) {
    if (e instanceof SpecFileError) throw new SpecError(e.message);
    throw new SpecError(`${idOrPath}: cannot read the spec file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new SpecError(`${idOrPath}: a spec must be a JSON object`);
  const spec = parsed as Record<string, unknown>;
  const k = kindOf(String(spec.kind));
  if (!k)
    throw new SpecError(`${idOrPath}: field 'kind' must be ${TARGET_KINDS.map((t) => `"${t.kind}"`).join(' or ')}`);
  k.validate(spec, idOrPath);
  const range = specRangeProblem(spec);
  if (range) throw new SpecError(`${idOrPath}: ${range}`);
  return { id: typeof spec.id === 'string' ? spec.id : idOrPath, kind: k.kind, spec, key };
}

export function mapTarget(loaded: LoadedSpec, analysis: Analysis, opts: MapOptions): TargetResult {
  return kindOf(loaded.kind)!.map(analysis, loaded.spec, opts);
}

/** The options a target kind's mapper reads, as a string: two runs with the same key map to the same result. */
export function mappingKey(loaded: LoadedSpec, opts: MapOptions): string {
  const k = kindOf(loaded.kind)!;
  const o = { ...opts, gpu: { ...opts.gpu } } as Record<string, unknown> & { gpu: Record<string, unknown> };
  for (const p of k.ignoredOptions) {
    if (p.startsWith('gpu.')) delete o.gpu[p.slice(4)];
    else delete o[p];
  }
  return `${loaded.key}\0${JSON.stringify(o, Object.keys(o).sort())}\0${JSON.stringify(o.gpu, Object.keys(o.gpu).sort())}`;
}

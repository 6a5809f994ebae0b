// The JSON Schema of hardware spec files, derived from the built-in specs of every target kind so it can
// never drift from what the engine reads: each key any built-in of a kind has, with its JSON type, numbers
// positive (or >= 0 where a built-in uses 0), the key's source text as its description, and the keys every
// built-in has as required. The engine's own validator (each kind's validate) stays the authority on
// ranges; this schema gives editors completion, hovers and early squiggles (package.json jsonValidation).
import type { TargetKind } from './types';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonSchema = { [k: string]: Json };

/** Keys that are documentation, not hardware: free-form in every spec. */
const FREE = new Set(['sources', 'notes', 'name', 'id', 'kind', '$schema']);

function typeOf(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'number' ? 'number' : typeof v;
}

/** The schema of the values `samples` take at one key (all built-ins' values there). */
function schemaOf(samples: unknown[], description: string | undefined): JsonSchema {
  const types = [...new Set(samples.map(typeOf))];
  const s: JsonSchema = {};
  if (description) s.description = description;
  if (types.length === 1 && types[0] === 'object') {
    const objs = samples as Record<string, unknown>[];
    const keys = [...new Set(objs.flatMap((o) => Object.keys(o)))];
    const props: { [k: string]: Json } = {};
    for (const k of keys)
      props[k] = schemaOf(
        objs.map((o) => o[k]).filter((v) => v !== undefined),
        undefined,
      );
    s.type = 'object';
    s.properties = props;
    s.required = keys.filter((k) => objs.every((o) => k in o));
    return s;
  }
  if (types.length === 1 && types[0] === 'number') {
    s.type = 'number';
    if ((samples as number[]).some((v) => v === 0)) s.minimum = 0;
    else s.exclusiveMinimum = 0;
    return s;
  }
  if (types.length === 1 && types[0] === 'string') {
    s.type = 'string';
    return s;
  }
  if (types.length === 1 && types[0] === 'array') {
    s.type = 'array';
    return s;
  }
  if (types.length === 1 && types[0] === 'boolean') {
    s.type = 'boolean';
    return s;
  }
  return s;
}

/** One kind's spec schema: its built-ins' keys, typed, with their sources as descriptions. */
function kindSchema(k: TargetKind): JsonSchema {
  const specs = k.builtins;
  const keys = [...new Set(specs.flatMap((s) => Object.keys(s)))].filter((key) => !FREE.has(key));
  const props: { [key: string]: Json } = {
    kind: { const: k.kind, description: 'target kind' },
    id: { type: 'string', description: 'the id reports name this target by (pick one no built-in uses)' },
    name: { type: 'string', description: 'display name' },
    sources: {
      type: 'object',
      description: 'where each number comes from (key -> citation): every hardware number cites its source',
      additionalProperties: { type: 'string' },
    },
    notes: { type: 'array', items: { type: 'string' } },
    $schema: { type: 'string' },
  };
  for (const key of keys) {
    const samples = specs.map((s) => s[key]).filter((v) => v !== undefined);
    const src = specs
      .map((s) => (s.sources as Record<string, unknown> | undefined)?.[key])
      .find((v) => typeof v === 'string');
    props[key] = schemaOf(samples, typeof src === 'string' ? src : undefined);
  }
  return {
    if: { properties: { kind: { const: k.kind } }, required: ['kind'] },
    then: {
      properties: props,
      required: ['kind', 'id', ...keys.filter((key) => specs.every((s) => key in s))],
    },
  };
}

export function hardwareSpecSchema(kinds: readonly TargetKind[]): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'ONNX Hardware Profiler hardware spec',
    description:
      'A target for the profiler: units are in the key names (GiB, GBps, us, cycles), and `sources` cites each number. ' +
      'Add the file to the onnxProfiler.customSpecFiles setting or pass it to the CLI with --target FILE.',
    type: 'object',
    required: ['kind', 'id'],
    properties: { kind: { enum: kinds.map((k) => k.kind), description: 'target kind' } },
    allOf: kinds.map(kindSchema),
  };
}

// The engine's limits on untrusted input, in one table. Every value that enters from a model file, a spec file,
// a setting or a command-line option is checked where it enters; a value past its limit is refused with a
// LimitError that names the limit, the value and where it was found, never left to exhaust memory or time.
// The numbers are chosen far beyond anything real (each comment says what real looks like) so that no real
// model, spec or plan meets them, while everything below them stays small enough to compute in bounded time.

export const LIMITS = {
  /** dims of one tensor; numpy 2 allows 64 (NPY_MAXDIMS), real models use at most 8 */
  maxRank: 64,
  /** elements of one tensor: ONNX dims and element counts are int64 (2^63 - 1); past that a count is no count */
  maxElements: 2 ** 63,
  /** elements whose values shape inference propagates (Shape -> Gather -> Concat -> Reshape arithmetic) */
  maxPropagatedElements: 4096,
  /** subgraph (If/Loop/Scan body) nesting in the reader */
  maxGraphDepth: 32,
  /** type nesting (sequence of map of ...) in the reader */
  maxTypeDepth: 32,
  /** nested model-local function calls (ONNX forbids recursion; real models nest a few levels) */
  maxFunctionDepth: 64,
  /** nodes expanded from model-local function bodies over the whole model: bounds fan-out (a function that
   * calls another twice, 40 levels deep, is 2^40 nodes), not only depth; real exports expand a few thousand */
  maxFunctionExpansionNodes: 100_000,
  /** nodes in all graphs of one model, subgraphs included (the largest LLM exports hold about 10^5) */
  maxGraphNodes: 5_000_000,
  /** a symbolic dim binding or batch size (--batch, --dim, settings): past 2^31 no plan is real and products of
   * several such values leave the range where doubles hold integers exactly */
  maxDimValue: 2 ** 31 - 1,
  /** a parallelism degree or count of nodes/systems/microbatches/global batch */
  maxPlanValue: 2 ** 20,
  /** bytes of a hardware spec file (the built-in ones are about 8 KiB) */
  maxSpecFileBytes: 1 << 20,
  /** every number in a spec: finite, and when not 0 its magnitude in [min, max] (denormals like 1e-320
   * and 1e300 make step times overflow to Infinity or underflow to 0) */
  specNumber: { minMagnitude: 1e-9, max: 1e12 },
  /** per-field ranges of spec numbers, by dotted path (inclusive); the built-in specs sit well inside */
  specFields: {
    gpusPerNode_count: [1, 1024], // DGX 8, GB200 NVL72 72; the largest announced NVLink domain is 576
    'nvlink.domain_gpus': [1, 1024],
    gridWidth_cores: [1, 10_000], // WSE-3: 755 x 1170 placeable cores
    gridHeight_cores: [1, 10_000],
    fabricWidth_cores: [1, 10_000],
    fabricHeight_cores: [1, 10_000],
    clock_GHz: [0.01, 100], // WSE: 0.85-1.1 GHz
    clockMin_GHz: [0.01, 100],
    clockMax_GHz: [0.01, 100],
    maxSystems_count: [1, 65_536], // clusters of up to 2,048 CS-3
    swarmXFanout_count: [1, 65_536],
  } as Record<string, [number, number]>,
  /** cores of one wafer grid (width x height): WSE-3 has 0.9 M */
  maxWaferCores: 100_000_000,
} as const;

export type LimitName = keyof typeof LIMITS;

/** A value past one of the LIMITS: names the limit, the value, and where (file, field, node). */
export class LimitError extends Error {
  constructor(
    readonly limit: string,
    readonly value: number | string,
    readonly where: string,
    readonly bound: number | string,
  ) {
    super(`${where}: ${value} exceeds the limit ${limit} (${bound})`);
    this.name = 'LimitError';
  }
}

/** Throws a LimitError when `value` is above LIMITS[limit] (a numeric limit). */
export function checkLimit(limit: LimitName, value: number, where: string): void {
  const bound = LIMITS[limit];
  if (typeof bound !== 'number') throw new Error(`limit ${limit} is not a number`);
  if (!(value <= bound)) throw new LimitError(limit, value, where, bound);
}

/** The range a spec number must fall in, by its dotted path (array indices dropped). */
export function specRange(path: string): { min: number; max: number; minMagnitude: number } {
  const key = path.replace(/\[\d+\]/g, '');
  const f = LIMITS.specFields[key];
  const { minMagnitude, max } = LIMITS.specNumber;
  return f ? { min: f[0], max: f[1], minMagnitude } : { min: -max, max, minMagnitude };
}

/** Checks every number of a spec (nested objects and arrays) against specRange; returns the first problem. */
export function specRangeProblem(spec: unknown, prefix = ''): string | undefined {
  if (typeof spec === 'number') {
    const r = specRange(prefix);
    if (!Number.isFinite(spec)) return `field '${prefix}' must be a finite number`;
    if (spec !== 0 && Math.abs(spec) < r.minMagnitude)
      return `field '${prefix}' is ${spec}, below the smallest magnitude a spec number may have (${r.minMagnitude})`;
    if (spec < r.min || spec > r.max)
      return `field '${prefix}' is ${spec}, outside the range [${r.min}, ${r.max}] (limit specFields)`;
    return undefined;
  }
  if (Array.isArray(spec)) {
    for (let i = 0; i < spec.length; i++) {
      const p = specRangeProblem(spec[i], `${prefix}[${i}]`);
      if (p) return p;
    }
    return undefined;
  }
  if (spec && typeof spec === 'object') {
    for (const [k, v] of Object.entries(spec as Record<string, unknown>)) {
      if (k === 'sources' || k === 'notes') continue;
      const p = specRangeProblem(v, prefix ? `${prefix}.${k}` : k);
      if (p) return p;
    }
  }
  return undefined;
}

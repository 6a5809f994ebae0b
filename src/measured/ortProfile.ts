// Reads an onnxruntime profiling file (SessionOptions.enableProfiling): Chrome trace events, a bare array
// or {traceEvents: [...]}. Per-node kernel events have cat "Node", name "<node name>_kernel_time",
// dur in microseconds and args {op_name, provider, output_type_shape}; "_fence_before"/"_fence_after" events
// are bookkeeping and skipped. One "model_run" Session event is written per InferenceSession.run, so node
// times are averaged over runs; with two runs or more the first is left out (its kernels are the ones inside its
// model_run's time span): it pays one-time costs (weight pre-packing, first allocations, cold caches) that a
// steady-state prediction does not describe, and profiles are short (its 2x would weigh on a 5-run mean). The node names are onnxruntime's after its graph optimisations: fused and
// layout-converted nodes are renamed (match.ts maps them back to the model's nodes).

export class MeasuredProfileError extends Error {}

/** The kind of device a profile was measured on, from its execution providers. */
export type MeasuredDevice = 'cpu' | 'gpu' | 'unknown';

export interface ProfiledNode {
  /** the node's name in onnxruntime's optimised graph */
  name: string;
  /** onnxruntime's op type (FusedConv, FusedMatMul, ReorderInput, ... for nodes its optimisations made) */
  opType: string;
  /** execution provider, e.g. CPUExecutionProvider */
  provider: string;
  /** measured seconds per run */
  seconds: number;
  /** output dims as onnxruntime reports them (first run's) */
  outputDims: number[][];
}

export interface OrtProfile {
  nodes: ProfiledNode[];
  /** the runs the node times are averaged over (the first, cold one not counted when it was left out) */
  runs: number;
  /** the first run's kernels were left out (two runs or more, with timestamps to tell them apart) */
  coldRunExcluded?: boolean;
  device: MeasuredDevice;
  /** intra-op threads the session ran with, from the kernels' thread_scheduling_stats (the main thread plus its
   * sub_threads; an empty record: one thread); undefined when the profile does not say */
  threads?: number;
  /** the element type most of the kernels' outputs have, as onnxruntime names it ("float", "float16", ...) */
  dtype?: string;
}

interface TraceEvent {
  cat?: unknown;
  name?: unknown;
  ts?: unknown;
  dur?: unknown;
  args?: {
    op_name?: unknown;
    provider?: unknown;
    output_type_shape?: unknown;
    thread_scheduling_stats?: unknown;
  } | null;
}

const KERNEL_SUFFIX = '_kernel_time';

/** [{"float": [1, 16, 112, 112]}, ...] -> [[1, 16, 112, 112], ...] */
function outputDims(v: unknown): number[][] {
  if (!Array.isArray(v)) return [];
  const out: number[][] = [];
  for (const o of v) {
    if (!o || typeof o !== 'object') continue;
    const dims = Object.values(o as Record<string, unknown>)[0];
    if (Array.isArray(dims) && dims.every((d) => typeof d === 'number')) out.push(dims as number[]);
  }
  return out;
}

export function deviceOf(providers: Iterable<string>): MeasuredDevice {
  let cpu = false;
  for (const p of providers) {
    // CUDA, TensorRT, ROCm, MIGraphX and DirectML run on a GPU; a GPU session still runs shape ops on the CPU
    if (/CUDA|Tensorrt|TensorRT|ROCM|MIGraphX|Dml/i.test(p)) return 'gpu';
    if (/^CPU/i.test(p)) cpu = true;
  }
  return cpu ? 'cpu' : 'unknown';
}

/** The first model_run's time span [start, end] when there are two runs or more with timestamps, else undefined. */
function firstRunSpan(events: TraceEvent[]): [number, number] | undefined {
  let runs = 0,
    first: [number, number] | undefined;
  for (const e of events) {
    if (!e || typeof e !== 'object' || e.cat !== 'Session' || e.name !== 'model_run') continue;
    runs++;
    if (typeof e.ts !== 'number' || typeof e.dur !== 'number' || !Number.isFinite(e.ts + e.dur)) return undefined;
    if (!first || e.ts < first[0]) first = [e.ts, e.ts + e.dur];
  }
  return runs >= 2 ? first : undefined;
}

/** `firstRun: 'include'` averages every run as onnxruntime wrote them (the cold one too). */
export function parseOrtProfile(
  text: string,
  source = 'profile',
  opts: { firstRun?: 'exclude' | 'include' } = {},
): OrtProfile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new MeasuredProfileError(`${source}: not JSON (${(e as Error).message})`);
  }
  const events: unknown = Array.isArray(data) ? data : (data as { traceEvents?: unknown } | null)?.traceEvents;
  if (!Array.isArray(events))
    throw new MeasuredProfileError(`${source}: expected an array of trace events (onnxruntime profiling output)`);
  let cold = opts.firstRun === 'include' ? undefined : firstRunSpan(events as TraceEvent[]);
  // left out only when the timestamps tell the runs apart: some kernels inside the first run's span, some after it
  if (cold) {
    let inside = 0,
      outside = 0;
    for (const e of events as TraceEvent[]) {
      if (!e || e.cat !== 'Node' || typeof e.name !== 'string' || !e.name.endsWith(KERNEL_SUFFIX)) continue;
      if (typeof e.ts === 'number' && e.ts >= cold[0] && e.ts <= cold[1]) inside++;
      else outside++;
    }
    if (!inside || !outside) cold = undefined;
  }
  // insertion order = first execution order, which match.ts relies on
  const sums = new Map<string, { opType: string; provider: string; us: number; outputDims: number[][] }>();
  let runs = 0;
  let threads: number | undefined;
  const dtypes = new Map<string, number>();
  for (const raw of events as TraceEvent[]) {
    if (!raw || typeof raw !== 'object') continue;
    if (raw.cat === 'Session' && raw.name === 'model_run') runs++;
    if (raw.cat !== 'Node' || typeof raw.name !== 'string' || typeof raw.dur !== 'number' || !Number.isFinite(raw.dur))
      continue;
    if (!raw.name.endsWith(KERNEL_SUFFIX)) continue;
    if (cold && typeof raw.ts === 'number' && raw.ts >= cold[0] && raw.ts <= cold[1]) continue;
    const name = raw.name.slice(0, -KERNEL_SUFFIX.length);
    const ts = raw.args?.thread_scheduling_stats;
    if (ts === '') threads ??= 1;
    else if (ts && typeof ts === 'object') {
      const subs = (ts as { sub_threads?: unknown }).sub_threads;
      const n = 1 + (subs && typeof subs === 'object' ? Object.keys(subs).length : 0);
      threads = Math.max(threads ?? 1, Math.min(n, 4096));
    }
    const out = raw.args?.output_type_shape;
    if (Array.isArray(out) && out[0] && typeof out[0] === 'object') {
      const t = Object.keys(out[0] as object)[0];
      if (t && t.length < 32) dtypes.set(t, (dtypes.get(t) ?? 0) + 1);
    }
    let s = sums.get(name);
    if (!s) {
      s = {
        opType: typeof raw.args?.op_name === 'string' ? raw.args.op_name : '',
        provider: typeof raw.args?.provider === 'string' ? raw.args.provider : '',
        us: 0,
        outputDims: outputDims(raw.args?.output_type_shape),
      };
      sums.set(name, s);
    }
    s.us += Math.max(0, raw.dur);
  }
  if (sums.size === 0)
    throw new MeasuredProfileError(`${source}: no per-node kernel events (cat "Node", name "..._kernel_time") found`);
  const r = Math.max(1, cold ? runs - 1 : runs);
  const nodes = [...sums].map(([name, s]) => ({
    name,
    opType: s.opType,
    provider: s.provider,
    seconds: s.us / 1e6 / r,
    outputDims: s.outputDims,
  }));
  const dtype = [...dtypes].sort((a, b) => b[1] - a[1])[0]?.[0];
  return {
    runs: r,
    ...(cold ? { coldRunExcluded: true } : {}),
    nodes,
    device: deviceOf(new Set(nodes.map((n) => n.provider))),
    ...(threads !== undefined ? { threads } : {}),
    ...(dtype !== undefined ? { dtype } : {}),
  };
}

/** The run precision a profile's dominant element type means (onnxruntime's type names), or undefined. */
export function precisionOfDtype(dtype: string | undefined): 'fp32' | 'fp16' | 'bf16' | 'int8' | undefined {
  switch (dtype) {
    case 'float':
      return 'fp32';
    case 'float16':
      return 'fp16';
    case 'bfloat16':
      return 'bf16';
    case 'int8':
    case 'uint8':
      return 'int8';
    default:
      return undefined;
  }
}

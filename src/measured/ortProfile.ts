// Reads an onnxruntime profiling file (SessionOptions.enableProfiling): Chrome trace events, a bare array
// or {traceEvents: [...]}. Per-node kernel events have cat "Node", name "<node name>_kernel_time",
// dur in microseconds and args {op_name, provider, output_type_shape}; "_fence_before"/"_fence_after" events
// are bookkeeping and skipped. One "model_run" Session event is written per InferenceSession.run, so node
// times are averaged over runs. The node names are onnxruntime's after its graph optimisations: fused and
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
  runs: number;
  device: MeasuredDevice;
}

interface TraceEvent {
  cat?: unknown;
  name?: unknown;
  dur?: unknown;
  args?: { op_name?: unknown; provider?: unknown; output_type_shape?: unknown } | null;
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

export function parseOrtProfile(text: string, source = 'profile'): OrtProfile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new MeasuredProfileError(`${source}: not JSON (${(e as Error).message})`);
  }
  const events: unknown = Array.isArray(data) ? data : (data as { traceEvents?: unknown } | null)?.traceEvents;
  if (!Array.isArray(events))
    throw new MeasuredProfileError(`${source}: expected an array of trace events (onnxruntime profiling output)`);
  // insertion order = first execution order, which match.ts relies on
  const sums = new Map<string, { opType: string; provider: string; us: number; outputDims: number[][] }>();
  let runs = 0;
  for (const raw of events as TraceEvent[]) {
    if (!raw || typeof raw !== 'object') continue;
    if (raw.cat === 'Session' && raw.name === 'model_run') runs++;
    if (raw.cat !== 'Node' || typeof raw.name !== 'string' || typeof raw.dur !== 'number' || !Number.isFinite(raw.dur))
      continue;
    if (!raw.name.endsWith(KERNEL_SUFFIX)) continue;
    const name = raw.name.slice(0, -KERNEL_SUFFIX.length);
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
  const r = Math.max(1, runs);
  const nodes = [...sums].map(([name, s]) => ({
    name,
    opType: s.opType,
    provider: s.provider,
    seconds: s.us / 1e6 / r,
    outputDims: s.outputDims,
  }));
  return { runs: r, nodes, device: deviceOf(new Set(nodes.map((n) => n.provider))) };
}

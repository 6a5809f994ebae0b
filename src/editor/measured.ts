// Reads an onnxruntime profiling file (SessionOptions.enableProfiling): Chrome trace events, a bare array
// or {traceEvents: [...]}. Per-node kernel events have cat "Node", name "<node name>_kernel_time",
// dur in microseconds and args.op_name; "_fence_before"/"_fence_after" events are bookkeeping and skipped.
// One "model_run" Session event is written per InferenceSession.run, so node times are averaged over runs.
import type { MeasuredNode } from '../shared/protocol';

export class MeasuredProfileError extends Error {}

export interface MeasuredProfile {
  nodes: MeasuredNode[];
  runs: number;
}

interface TraceEvent {
  cat?: unknown;
  name?: unknown;
  dur?: unknown;
  args?: { op_name?: unknown } | null;
}

const KERNEL_SUFFIX = '_kernel_time';

export function parseOrtProfile(text: string, source = 'profile'): MeasuredProfile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new MeasuredProfileError(`${source}: not JSON (${(e as Error).message})`);
  }
  const events: unknown = Array.isArray(data) ? data : (data as { traceEvents?: unknown } | null)?.traceEvents;
  if (!Array.isArray(events))
    throw new MeasuredProfileError(`${source}: expected an array of trace events (onnxruntime profiling output)`);
  const sums = new Map<string, { opType: string; us: number }>();
  let runs = 0;
  for (const raw of events as TraceEvent[]) {
    if (!raw || typeof raw !== 'object') continue;
    if (raw.cat === 'Session' && raw.name === 'model_run') runs++;
    if (raw.cat !== 'Node' || typeof raw.name !== 'string' || typeof raw.dur !== 'number' || !Number.isFinite(raw.dur))
      continue;
    if (!raw.name.endsWith(KERNEL_SUFFIX)) continue;
    const name = raw.name.slice(0, -KERNEL_SUFFIX.length);
    const opType = typeof raw.args?.op_name === 'string' ? raw.args.op_name : '';
    const s = sums.get(name) ?? { opType, us: 0 };
    s.us += raw.dur;
    sums.set(name, s);
  }
  if (sums.size === 0)
    throw new MeasuredProfileError(`${source}: no per-node kernel events (cat "Node", name "..._kernel_time") found`);
  const r = Math.max(1, runs);
  return { runs: r, nodes: [...sums].map(([name, s]) => ({ name, opType: s.opType, seconds: s.us / 1e6 / r })) };
}

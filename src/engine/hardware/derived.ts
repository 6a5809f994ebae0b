// What the mappers derive from an analysis alone (the transformer pattern, the GPU's per-layer workload): computed
// once per analysis and bindings, and kept with the analysis (a WeakMap: it goes when the analysis goes). So a
// knob that changes only the mapping (tp, nodes, systems) re-runs the plan search, not these graph walks.
// Values kept here are shared between mappings: callers must treat them as read-only.
import type { Analysis } from './types';

const derived = new WeakMap<Analysis, Map<string, unknown>>();

/** `make()` once per (analysis, what, bindings); later calls return the same value. */
export function derivedOf<T>(a: Analysis, what: string, bindings: Record<string, number>, make: () => T): T {
  let m = derived.get(a);
  if (!m) derived.set(a, (m = new Map()));
  const key = `${what}\0${JSON.stringify(bindings, Object.keys(bindings).sort())}`;
  if (m.has(key)) return m.get(key) as T;
  const v = make();
  m.set(key, v);
  return v;
}

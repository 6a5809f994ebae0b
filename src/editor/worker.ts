// The engine worker: runs the one pipeline off the extension host thread, so the editor stays responsive
// while a large model is read, inferred, costed and mapped. It keeps a ProfileCache: a knob that only changes
// mapping (tp, systems, ...) re-maps the affected target without re-reading or re-analysing the model.
// Cancellation is by terminating the worker (the pipeline is synchronous); engine.ts starts a fresh one.
import { parentPort } from 'worker_threads';
import { OnnxReadError } from '../engine/onnx/errors';
import { readModelFile } from '../engine/onnx/reader';
import { buildGraphPayload, tensorValues } from './graphPayload';
import { ProfileCache } from '../engine/cache';
import { builtinTargetIds, loadSpec } from '../engine/hardware';
import type { ProfileError, TargetChoice } from '../shared/protocol';
import { nodeFactsOf } from '../measured/facts';
import type { WorkerReply, WorkerRequest } from './workerProtocol';

function toError(file: string, e: unknown): ProfileError {
  if (e instanceof OnnxReadError) {
    return { message: e.message, file: e.file, problem: e.problem, where: e.where, notOnnx: true };
  }
  const err = e as Error;
  const where = err?.stack?.split('\n').slice(1, 2).join('').trim();
  return {
    message: `${file}: profiling failed: ${err?.message ?? String(e)}`,
    file,
    problem: `profiling failed: ${err?.message ?? String(e)}`,
    where,
    notOnnx: false,
  };
}

const cache = new ProfileCache();

function profile(id: number, file: string, options: WorkerRequest & { kind: 'profile' }): WorkerReply {
  const t0 = performance.now();
  try {
    const { report, analysis } = cache.profileFile(file, options.options).profile;
    const nodes = nodeFactsOf(analysis);
    return { id, ok: true, kind: 'profile', profile: { report, nodes, engineSeconds: (performance.now() - t0) / 1e3 } };
  } catch (e) {
    return { id, ok: false, error: toError(file, e) };
  }
}

/** A device spec's processor, for the measured view's spec picker. */
function processorOf(spec: Record<string, unknown>): { processor?: 'cpu' | 'gpu' } {
  return spec.kind === 'device' && (spec.processor === 'cpu' || spec.processor === 'gpu')
    ? { processor: spec.processor }
    : {};
}

function targets(id: number, specFiles: string[]): WorkerReply {
  const out: TargetChoice[] = [];
  // the built-in specs (TARGET_KINDS in engine/hardware: every built-in has its mapper)
  for (const tid of builtinTargetIds()) {
    const s = loadSpec(tid);
    out.push({
      id: tid,
      label: typeof s.spec.name === 'string' ? s.spec.name : tid,
      kind: s.kind,
      ...processorOf(s.spec),
      source: 'builtin',
    });
  }
  for (const f of specFiles) {
    try {
      const s = loadSpec(f);
      out.push({
        id: f,
        label: `${typeof s.spec.name === 'string' ? s.spec.name : s.id} (${f})`,
        kind: s.kind,
        ...processorOf(s.spec),
        source: 'file',
        reportId: s.id,
      });
    } catch (e) {
      out.push({ id: f, label: f, kind: null, source: 'file', error: (e as Error).message });
    }
  }
  return { id, ok: true, kind: 'targets', targets: out };
}

/** The graph view's data: the model read and analysed (shapes, costs, layers) but not mapped. */
function graph(req: WorkerRequest & { kind: 'graph' }): WorkerReply {
  try {
    const { model, analysis } = cache.analyseFile(req.file, req.options);
    return { id: req.id, ok: true, kind: 'graph', graph: buildGraphPayload(model, analysis) };
  } catch (e) {
    return { id: req.id, ok: false, error: toError(req.file, e) };
  }
}

function tensor(req: WorkerRequest & { kind: 'tensor' }): WorkerReply {
  try {
    return { id: req.id, ok: true, kind: 'tensor', tensor: tensorValues(readModelFile(req.file), req.name) };
  } catch (e) {
    return { id: req.id, ok: false, error: toError(req.file, e) };
  }
}

parentPort?.on('message', (req: WorkerRequest) => {
  const reply =
    req.kind === 'profile'
      ? profile(req.id, req.file, req)
      : req.kind === 'graph'
        ? graph(req)
        : req.kind === 'tensor'
          ? tensor(req)
          : targets(req.id, req.specFiles);
  parentPort?.postMessage(reply);
});

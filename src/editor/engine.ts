// Runs the engine in worker_threads Workers (dist/worker.js) so the extension host thread never blocks.
// One idle worker is kept warm; a job that is cancelled terminates its worker (the pipeline is synchronous,
// so termination is the only way to stop it) and the next job starts a fresh one.
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { RunOptions } from '../engine/options';
import type { ProfileError, ProfileResult, TargetChoice } from '../shared/protocol';
import type { GraphPayload, TensorValuesResult } from '../shared/graph';
import type { WorkerReply, WorkerRequest } from './workerProtocol';
import { Disposable } from './dispose';

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

/** Minimal cancellation shape (vscode.CancellationToken satisfies it; tests can pass their own). */
export interface Cancellation {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): { dispose(): void };
}

// Distributive Omit, so each variant of the request union keeps its own fields.
type RequestBody = WorkerRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

// long enough that a knob change after a look at the result finds the worker (and its ProfileCache) warm
const IDLE_MS = 180_000;

export class EngineClient extends Disposable {
  private idle: Worker | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly busy = new Set<Worker>();
  private nextId = 1;

  constructor(private readonly workerFile: string) {
    super();
  }

  static forExtension(extensionPath: string): EngineClient {
    return new EngineClient(path.join(extensionPath, 'dist', 'worker.js'));
  }

  async profile(file: string, options: RunOptions, token?: Cancellation): Promise<ProfileResult> {
    const reply = await this.run({ kind: 'profile', file, options }, token);
    if (!reply.ok) return { ok: false, error: reply.error };
    if (reply.kind !== 'profile') throw new Error('engine worker: unexpected reply');
    return { ok: true, profile: reply.profile };
  }

  /** The graph view's data for `file` (read and analysed with `options`, not mapped). */
  async graph(
    file: string,
    options: RunOptions,
    token?: Cancellation,
  ): Promise<{ ok: true; graph: GraphPayload } | { ok: false; error: ProfileError }> {
    const reply = await this.run({ kind: 'graph', file, options }, token);
    if (!reply.ok) return { ok: false, error: reply.error };
    if (reply.kind !== 'graph') throw new Error('engine worker: unexpected reply');
    return { ok: true, graph: reply.graph };
  }

  /** The values of one small initializer of `file` (the user asked to see them). */
  async tensorValues(file: string, name: string): Promise<TensorValuesResult> {
    const reply = await this.run({ kind: 'tensor', file, name });
    if (!reply.ok) return { ok: false, name, reason: reply.error.message };
    if (reply.kind !== 'tensor') throw new Error('engine worker: unexpected reply');
    return reply.tensor;
  }

  async targets(specFiles: string[]): Promise<TargetChoice[]> {
    const reply = await this.run({ kind: 'targets', specFiles });
    if (!reply.ok || reply.kind !== 'targets')
      throw new Error(reply.ok ? 'engine worker: unexpected reply' : reply.error.message);
    return reply.targets;
  }

  private take(): Worker {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const w = this.idle ?? new Worker(this.workerFile);
    this.idle = undefined;
    this.busy.add(w);
    return w;
  }

  private release(w: Worker): void {
    this.busy.delete(w);
    if (this.isDisposed || this.idle) {
      void w.terminate();
      return;
    }
    this.idle = w;
    this.idleTimer = setTimeout(() => {
      if (this.idle === w) {
        this.idle = undefined;
        void w.terminate();
      }
    }, IDLE_MS);
  }

  private run(body: RequestBody, token?: Cancellation): Promise<WorkerReply> {
    if (this.isDisposed) return Promise.reject(new CancelledError());
    if (token?.isCancellationRequested) return Promise.reject(new CancelledError());
    const w = this.take();
    const id = this.nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      let settled = false;
      const cleanup = () => {
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
        sub?.dispose();
      };
      const onMessage = (m: WorkerReply) => {
        if (m.id !== id || settled) return;
        settled = true;
        cleanup();
        this.release(w);
        resolve(m);
      };
      const onError = (e: Error) => {
        if (settled) return;
        settled = true;
        cleanup();
        this.busy.delete(w);
        void w.terminate();
        reject(new Error(`engine worker failed: ${e.message}`));
      };
      const onExit = (code: number) => {
        if (settled) return;
        settled = true;
        cleanup();
        this.busy.delete(w);
        reject(
          token?.isCancellationRequested || this.isDisposed
            ? new CancelledError()
            : new Error(`engine worker exited with code ${code}`),
        );
      };
      const sub = token?.onCancellationRequested(() => {
        if (settled) return;
        settled = true;
        cleanup();
        this.busy.delete(w);
        void w.terminate();
        reject(new CancelledError());
      });
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      w.postMessage({ ...body, id } as WorkerRequest);
    });
  }

  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.idle) void this.idle.terminate();
    for (const w of this.busy) void w.terminate();
    this.busy.clear();
    this.idle = undefined;
  }
}

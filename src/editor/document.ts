// The read-only custom document: one per .onnx file, shared by every editor (split views) that shows it.
// It holds the current profile (built by the static async factory `create`), the knobs in force, and
// re-profiles when the file changes on disk, when the settings change, or when a webview asks.
import * as path from 'path';
import * as vscode from 'vscode';
import type { MeasuredMessage, ProfileError, ProfileResult } from '../shared/protocol';
import type { GraphPayload, TensorValuesResult } from '../shared/graph';
import { CancelledError, type EngineClient } from './engine';
import { Disposable, DisposableValue } from './dispose';
import { diffKnobs, mergeKnobs, profileOptionsFrom } from './options';
import { predictMeasured, type PredictionRequest } from './measured';
import type { RunOptions } from '../engine/options';

export type GraphResult = { ok: true; graph: GraphPayload } | { ok: false; error: ProfileError };

export interface ProfileState {
  seq: number;
  knobs: RunOptions;
  result: ProfileResult;
}

/** Shows a cancellable notification only when a run takes longer than this (short runs do not flash). */
const PROGRESS_DELAY_MS = 400;
const WATCH_DEBOUNCE_MS = 250;

export class ProfileDocument extends Disposable implements vscode.CustomDocument {
  /** Reads and profiles the file before the editor opens, so split editors share one result. */
  static async create(uri: vscode.Uri, engine: EngineClient, baseKnobs: RunOptions): Promise<ProfileDocument> {
    const doc = new ProfileDocument(uri, engine, baseKnobs);
    await doc.reprofile();
    return doc;
  }

  private _state: ProfileState;
  private overrides: Partial<RunOptions> = {};
  private readonly run = this._register(new DisposableValue<vscode.CancellationTokenSource>());
  private runId = 0;
  private watchTimer: ReturnType<typeof setTimeout> | undefined;
  measured: MeasuredMessage | undefined;
  private measuredRun = 0;
  private measuredRequest: PredictionRequest | undefined;
  private readonly _onDidChangeMeasured = this._register(new vscode.EventEmitter<MeasuredMessage>());
  /** an imported profile or its prediction changed: the editors show it again */
  readonly onDidChangeMeasured = this._onDidChangeMeasured.event;

  private readonly _onDidChangeProfile = this._register(new vscode.EventEmitter<ProfileState>());
  /** a new profile (or error) replaced the previous one */
  readonly onDidChangeProfile = this._onDidChangeProfile.event;
  private readonly _onDidChangeBusy = this._register(new vscode.EventEmitter<{ busy: boolean; label?: string }>());
  readonly onDidChangeBusy = this._onDidChangeBusy.event;
  private readonly _onDidDispose = this._register(new vscode.EventEmitter<void>());
  readonly onDidDispose = this._onDidDispose.event;

  private constructor(
    readonly uri: vscode.Uri,
    private readonly engine: EngineClient,
    private baseKnobs: RunOptions,
  ) {
    super();
    this._state = {
      seq: 0,
      knobs: baseKnobs,
      result: {
        ok: false,
        error: { message: 'not profiled yet', file: uri.fsPath, problem: 'not profiled yet', notOnnx: false },
      },
    };
    this.watch();
  }

  get state(): ProfileState {
    return this._state;
  }

  get knobs(): RunOptions {
    return mergeKnobs(this.baseKnobs, this.overrides);
  }

  get fileName(): string {
    return path.basename(this.uri.fsPath);
  }

  private watch(): void {
    if (this.uri.scheme !== 'file') return;
    const w = this._register(
      vscode.workspace.createFileSystemWatcher(
        new vscode.RelativePattern(vscode.Uri.file(path.dirname(this.uri.fsPath)), path.basename(this.uri.fsPath)),
      ),
    );
    const changed = () => {
      if (this.watchTimer) clearTimeout(this.watchTimer);
      this.watchTimer = setTimeout(() => void this.reprofile(), WATCH_DEBOUNCE_MS);
    };
    this._register(w.onDidChange(changed));
    this._register(w.onDidCreate(changed));
    this._register(
      w.onDidDelete(() => {
        this.run.value?.cancel();
        this.run.value = undefined;
        this.publish(this._state.knobs, {
          ok: false,
          error: {
            message: `${this.uri.fsPath}: the file was deleted`,
            file: this.uri.fsPath,
            problem: 'the file was deleted',
            notOnnx: false,
          },
        });
      }),
    );
  }

  /** New settings: the fields this editor did not override follow them. */
  async settingsChanged(base: RunOptions): Promise<void> {
    const before = JSON.stringify(this.knobs);
    this.baseKnobs = base;
    if (JSON.stringify(this.knobs) !== before) await this.reprofile();
  }

  /** RunOptions from the webview (or a command): they become this editor's overrides of the settings. */
  async setKnobs(knobs: RunOptions): Promise<void> {
    this.overrides = diffKnobs(this.baseKnobs, knobs);
    await this.reprofile();
  }

  cancel(): void {
    this.run.value?.cancel();
  }

  private graphCache: { key: string; job: Promise<GraphResult> } | undefined;

  /** The graph view's data with the current knobs (shapes depend on the dims bound); one job per profile. */
  graph(): Promise<GraphResult> {
    const options = profileOptionsFrom(this.knobs);
    const key = `${this._state.seq}|${JSON.stringify([options.batch, options.dims])}`;
    if (this.graphCache?.key !== key) {
      const job = this.engine.graph(this.uri.fsPath, options).catch((e: Error): GraphResult => ({
        ok: false,
        error: {
          message: `${this.uri.fsPath}: ${e.message}`,
          file: this.uri.fsPath,
          problem: e.message,
          notOnnx: false,
        },
      }));
      this.graphCache = { key, job };
    }
    return this.graphCache.job;
  }

  tensorValues(name: string): Promise<TensorValuesResult> {
    return this.engine.tensorValues(this.uri.fsPath, name);
  }

  /** Profiles the file with the current knobs. A newer call cancels an older one still running. */
  async reprofile(): Promise<void> {
    if (this.isDisposed) return;
    const knobs = this.knobs;
    const cts = new vscode.CancellationTokenSource();
    this.run.value?.cancel(); // a newer run supersedes the one still going
    this.run.value = cts;
    const id = ++this.runId;
    this._onDidChangeBusy.fire({ busy: true, label: `Profiling ${this.fileName}…` });
    const job = this.engine.profile(this.uri.fsPath, profileOptionsFrom(knobs), cts.token);
    const timer = setTimeout(() => {
      if (id !== this.runId || cts.token.isCancellationRequested) return;
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Profiling ${this.fileName}`, cancellable: true },
        (_p, token) => {
          const sub = token.onCancellationRequested(() => cts.cancel());
          return job
            .then(
              () => undefined,
              () => undefined,
            )
            .finally(() => sub.dispose());
        },
      );
    }, PROGRESS_DELAY_MS);
    let result: ProfileResult;
    try {
      result = await job;
    } catch (e) {
      if (e instanceof CancelledError) {
        if (id !== this.runId) return; // superseded by a newer run: that one publishes
        result = {
          ok: false,
          error: {
            message: `${this.uri.fsPath}: profiling was cancelled`,
            file: this.uri.fsPath,
            problem: 'profiling was cancelled (change a setting to profile again)',
            notOnnx: false,
          },
        };
      } else {
        result = {
          ok: false,
          error: {
            message: `${this.uri.fsPath}: ${(e as Error).message}`,
            file: this.uri.fsPath,
            problem: (e as Error).message,
            notOnnx: false,
          },
        };
      }
    } finally {
      clearTimeout(timer);
    }
    if (id !== this.runId || this.isDisposed) return;
    this.run.value = undefined;
    this._onDidChangeBusy.fire({ busy: false });
    this.publish(knobs, result);
  }

  private publish(knobs: RunOptions, result: ProfileResult): void {
    this._state = { seq: this._state.seq + 1, knobs, result };
    this._onDidChangeProfile.fire(this._state);
    // the prediction of an imported profile follows the knobs (dims, batch) too
    if (this.measured && this.measuredRequest && result.ok) void this.predictMeasured();
  }

  /** Keeps an imported profile and predicts it as `req` says (a device spec of the profile's kind, undefined =
   * the generic built-in one; the profile's threads and precision), then tells the editors. Resolves when the
   * prediction is in. */
  async setMeasured(m: MeasuredMessage, req: PredictionRequest): Promise<void> {
    this.measured = m;
    this.measuredRequest = req;
    this._onDidChangeMeasured.fire(m);
    await this.predictMeasured();
  }

  /** Predicts the imported profile again on `spec` (the user picked another one, or the knobs changed). */
  async predictMeasured(spec?: string): Promise<void> {
    const m = this.measured;
    const req = this.measuredRequest;
    if (!m || !req || m.device === 'unknown') return;
    if (spec !== undefined) req.spec = spec;
    const run = ++this.measuredRun;
    const prediction = await predictMeasured(this.engine, this.uri.fsPath, this.knobs, m.specChoices ?? [], req);
    if (run !== this.measuredRun || this.measured !== m || this.isDisposed) return;
    this.measured = { ...m, prediction };
    this._onDidChangeMeasured.fire(this.measured);
  }

  override dispose(): void {
    if (this.isDisposed) return;
    if (this.watchTimer) clearTimeout(this.watchTimer);
    this._onDidDispose.fire();
    super.dispose();
  }
}

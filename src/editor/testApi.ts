// The API activate() returns. Integration tests use it to wait for what the webview reports (no sleeps);
// it is also a small public surface for other extensions (read the current profile).
import * as vscode from 'vscode';
import type { Report } from '../engine/profile';
import type { RenderSummary } from '../shared/protocol';
import type { RenderEvent } from './preview';
import type { PreviewRegistry } from './registry';
import type { ProfileStatusBar } from './statusBar';
import type { RunOptions } from '../engine/options';

export interface OnnxProfilerApi {
  /** fires each time a profile editor's webview reports it has drawn a profile or an error */
  readonly onDidRender: vscode.Event<RenderEvent>;
  /** resolves with the first render of `uri` (already reported or future) that satisfies `accept` */
  waitForRender(uri: vscode.Uri, accept?: (s: RenderSummary) => boolean, timeoutMs?: number): Promise<RenderSummary>;
  /** asks the webview of `uri` what it shows now */
  inspect(uri: vscode.Uri): Promise<RenderSummary | null>;
  /** the profile the editor of `uri` holds (undefined when not open or not profiled) */
  report(uri: vscode.Uri): { seq: number; knobs: RunOptions; report?: Report; error?: string } | undefined;
  /** the status bar text, undefined when hidden */
  statusBarText(): string | undefined;
  /** highlights a layer in every view of `uri` */
  selectLayer(uri: vscode.Uri, layer: string | null): void;
}

export function createApi(registry: PreviewRegistry, statusBar: ProfileStatusBar): OnnxProfilerApi & vscode.Disposable {
  const emitter = new vscode.EventEmitter<RenderEvent>();
  const subs: vscode.Disposable[] = [emitter];
  subs.push(
    registry.onDidAdd((p) => {
      const s = p.onDidRender((e) => emitter.fire(e));
      p.onDidDispose(() => s.dispose());
    }),
  );
  const same = (a: vscode.Uri, b: vscode.Uri) => a.toString() === b.toString();
  return {
    onDidRender: emitter.event,
    waitForRender(uri, accept = () => true, timeoutMs = 60_000) {
      for (const p of registry.forUri(uri))
        if (p.lastRender && accept(p.lastRender)) return Promise.resolve(p.lastRender);
      return new Promise<RenderSummary>((resolve, reject) => {
        const timer = setTimeout(() => {
          sub.dispose();
          const last = registry
            .forUri(uri)
            .map((p) => p.lastRender)
            .filter(Boolean);
          reject(
            new Error(
              `no matching render of ${uri.fsPath} within ${timeoutMs} ms; last: ${JSON.stringify(last[last.length - 1] ?? null).slice(0, 600)}`,
            ),
          );
        }, timeoutMs);
        const sub = emitter.event((e) => {
          if (!same(e.uri, uri) || !accept(e.summary)) return;
          clearTimeout(timer);
          sub.dispose();
          resolve(e.summary);
        });
      });
    },
    async inspect(uri) {
      const p = registry.forUri(uri)[0];
      return p ? p.inspect() : null;
    },
    report(uri) {
      const p = registry.forUri(uri)[0];
      if (!p) return undefined;
      const s = p.document.state;
      return s.result.ok
        ? { seq: s.seq, knobs: s.knobs, report: s.result.profile.report }
        : { seq: s.seq, knobs: s.knobs, error: s.result.error.message };
    },
    statusBarText: () => statusBar.text,
    selectLayer(uri, layer) {
      for (const p of registry.forUri(uri)) p.selectLayer(layer);
    },
    dispose() {
      subs.forEach((s) => s.dispose());
    },
  };
}

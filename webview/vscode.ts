// The webview side of the VS Code API (acquireVsCodeApi may be called once per load).
import type { EditorPage, FromWebviewMessage, HeatmapMode } from '../src/shared/protocol';

export interface PersistedState {
  heatmap?: HeatmapMode;
  selected?: string | null;
  system?: number;
  page?: EditorPage;
}

interface VsCodeApi {
  postMessage(m: FromWebviewMessage): void;
  getState(): PersistedState | undefined;
  setState(s: PersistedState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export const vscode: VsCodeApi = acquireVsCodeApi();

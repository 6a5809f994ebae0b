// Entry point of the extension: the profile custom editor, the commands, the status bar item, and
// (from src/lsp/client.ts) the language features. The engine runs in a worker (dist/worker.js).
import type * as vscode from 'vscode';
import { registerCommands, type ShowAsText } from './editor/commands';
import { registerSpecCommands } from './editor/specCommands';
import { EngineClient } from './editor/engine';
import { ProfileEditorProvider } from './editor/provider';
import { PreviewRegistry } from './editor/registry';
import { ProfileStatusBar } from './editor/statusBar';
import { createApi, type OnnxProfilerApi } from './editor/testApi';
import { startLanguageFeatures } from './lsp/client';

export type { OnnxProfilerApi };

export function activate(context: vscode.ExtensionContext): OnnxProfilerApi {
  const engine = EngineClient.forExtension(context.extensionPath);
  context.subscriptions.push(engine);
  const registry = new PreviewRegistry();
  context.subscriptions.push(registry);
  const provider = ProfileEditorProvider.register(context, engine, registry);
  const statusBar = new ProfileStatusBar(registry);
  context.subscriptions.push(statusBar);

  // the text view and language server (src/lsp/client.ts); the server process starts on first use
  const lang = startLanguageFeatures(context);
  const showAsText = (): ShowAsText => (uri) => lang.showModelAsText(uri);
  // one selection across the profile editor and the text view of the same model
  context.subscriptions.push(
    lang.onDidSelectLayer(({ model, layer }) => {
      for (const p of registry.forUri(model)) p.selectLayer(layer);
    }),
  );
  context.subscriptions.push(
    registry.onDidAdd((p) => {
      const sub = p.onDidSelectLayer((layer) => {
        if (layer !== null) void lang.revealLayer(p.document.uri, layer);
      });
      p.onDidDispose(() => sub.dispose());
    }),
  );

  registerCommands(context, { provider, registry, showAsText });
  registerSpecCommands(context);
  const api = createApi(registry, statusBar);
  context.subscriptions.push(api);
  return api;
}

export function deactivate(): void {
  // everything is disposed through context.subscriptions
}

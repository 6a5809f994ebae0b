// The language server of the model text view (bundled to dist/server.js, started by src/lsp/client.ts over
// node IPC). It owns the heavy work, so the extension host never blocks: it reads the model, prints its
// text (onnxProfiler/modelText), runs the engine with the onnxProfiler.* settings once the document opens,
// and answers hover, diagnostics (pushed), document symbols, CodeLens and the line <-> layer requests.
import {
  createConnection,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  ResponseError,
  ErrorCodes,
  CodeLensRefreshRequest,
  type InitializeResult,
  type Connection,
  type Diagnostic,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import * as path from 'path';
import { OnnxReadError } from '../engine/onnx/errors';
import type { RunOptions } from '../engine/options';
import { modelFileOf, modelUriOf } from '../textview/uri';
import { LayerToLineRequest, LineToLayerRequest, ModelTextRequest } from '../lsp/protocol';
import { ModelView } from './modelView';
import { codeLenses, diagnosticsOf, documentSymbols, hoverAt } from './features';
import { SETTINGS_SECTION, optionsFromSettings } from './settings';

interface DocState {
  uri: string;
  view?: ModelView;
  error?: string;
  /** the profile run of the current view with the current settings; handlers await it */
  analysis?: Promise<void>;
  /** the settings version that run was started for */
  analysedVersion?: number;
}

const connection: Connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const states = new Map<string, DocState>();
let options: RunOptions | undefined;
let optionsKey = '';
/** bumped when the settings change what the engine is asked: views analysed with an older version run again */
let settingsVersion = 0;
let canPullConfig = false;
let canRefreshLenses = false;

function errorText(uri: string, message: string): string {
  return `# ${modelUriOf(uri) ?? uri}\n# cannot be shown as ONNX text: ${message.replace(/\n/g, ' ')}\n`;
}

/** Reads and prints the model of a text view URI (replacing what was there). */
function load(uri: string): DocState {
  const st: DocState = { uri };
  try {
    const file = modelFileOf(uri);
    st.view = ModelView.load(file, path.basename(file));
  } catch (e) {
    st.error = e instanceof OnnxReadError ? e.message : `${(e as Error)?.message ?? String(e)}`;
  }
  states.set(uri, st);
  return st;
}

function stateOf(uri: string): DocState {
  return states.get(uri) ?? load(uri);
}

/** The engine options from the settings (pulled once, then pushed with each change). */
async function currentOptions(): Promise<RunOptions> {
  if (!options) {
    let settings: unknown = {};
    if (canPullConfig) {
      try {
        settings = await connection.workspace.getConfiguration(SETTINGS_SECTION);
      } catch {
        /* defaults */
      }
    }
    setOptions(optionsFromSettings(settings));
  }
  return options!;
}

function setOptions(o: RunOptions): void {
  options = o;
  optionsKey = JSON.stringify(o);
}

/** Profiles the view with the current settings (once per settings version) and pushes its diagnostics. */
function analyse(st: DocState): Promise<void> {
  // marked synchronously: the open and the first content event of a document share one run
  if (st.analysis && st.analysedVersion === settingsVersion) return st.analysis;
  st.analysedVersion = settingsVersion;
  st.analysis = (async () => {
    const opts = await currentOptions();
    // let pending messages (the document's open, a cancel) through before the synchronous pipeline
    await new Promise((r) => setImmediate(r));
    if (st.view) {
      st.view.profile(opts);
      let diagnostics: Diagnostic[];
      try {
        diagnostics = diagnosticsOf(st.view);
      } catch (e) {
        // a finding we cannot place must not take hover and the Outline down with it
        connection.console.error(`diagnostics failed: ${(e as Error)?.stack ?? String(e)}`);
        diagnostics = [];
      }
      await connection.sendDiagnostics({ uri: st.uri, diagnostics });
    } else {
      await connection.sendDiagnostics({
        uri: st.uri,
        diagnostics: [
          {
            range: { start: { line: 1, character: 0 }, end: { line: 1, character: 200 } },
            severity: 1,
            source: 'onnx-profiler',
            message: st.error ?? 'model not read',
          },
        ],
      });
    }
  })();
  return st.analysis;
}

/** The analysed view behind a document, or null (handlers answer nothing rather than fail). */
async function viewFor(uri: string): Promise<ModelView | null> {
  if (!modelUriOf(uri)) return null;
  const st = stateOf(uri);
  await analyse(st);
  return st.view ?? null;
}

/** Runs a handler; internal failures are logged and answered with an InternalError the client keeps quiet about. */
function guarded<P, R>(what: string, fn: (p: P) => Promise<R>): (p: P) => Promise<R | ResponseError<void>> {
  return async (p: P) => {
    try {
      return await fn(p);
    } catch (e) {
      connection.console.error(`${what} failed: ${(e as Error)?.stack ?? String(e)}`);
      return new ResponseError<void>(ErrorCodes.InternalError, `${what} failed: ${(e as Error)?.message ?? String(e)}`);
    }
  };
}

connection.onInitialize((params): InitializeResult => {
  canPullConfig = !!params.capabilities.workspace?.configuration;
  canRefreshLenses = !!params.capabilities.workspace?.codeLens?.refreshSupport;
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Full,
      hoverProvider: true,
      documentSymbolProvider: { label: 'ONNX model' },
      codeLensProvider: { resolveProvider: false },
    },
    serverInfo: { name: 'onnx-profiler-text' },
  };
});

// The client synchronizes the onnxProfiler section (synchronize.configurationSection): the notification
// carries the settings; re-profile the open views when the options they give changed.
connection.onDidChangeConfiguration(async (p) => {
  const before = optionsKey;
  const pushed = (p.settings as Record<string, unknown> | undefined)?.[SETTINGS_SECTION];
  if (pushed !== undefined) setOptions(optionsFromSettings(pushed));
  else {
    options = undefined;
    await currentOptions();
  }
  if (optionsKey === before) return;
  settingsVersion++;
  const open = documents
    .all()
    .map((d) => states.get(d.uri))
    .filter((st): st is DocState => st !== undefined);
  for (const st of open) await analyse(st);
  if (open.length && canRefreshLenses) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
});

connection.onRequest(
  ModelTextRequest,
  guarded('modelText', async (p) => {
    const st = p.reload || !states.has(p.uri) ? load(p.uri) : states.get(p.uri)!;
    if (st.view) return { text: st.view.printed.text };
    return { text: errorText(p.uri, st.error ?? 'unknown error'), error: st.error };
  }),
);

connection.onRequest(
  LineToLayerRequest,
  guarded('lineToLayer', async (p) => {
    const v = await viewFor(p.uri);
    if (!v) return { layer: null, node: null };
    const ni = v.mainNodeOf(v.nodeAt(p.line));
    const li = v.layerAt(p.line);
    return { layer: li === undefined ? null : v.layers[li].name, node: ni === undefined ? null : v.nodeName(ni) };
  }),
);

connection.onRequest(
  LayerToLineRequest,
  guarded('layerToLine', async (p) => {
    const v = await viewFor(p.uri);
    if (!v) return { line: null };
    const li = v.layerIndexByName(p.layer);
    const line = li < 0 ? -1 : v.layerLine(li);
    return { line: line < 0 ? null : line };
  }),
);

connection.onHover(
  guarded('hover', async (p) => {
    const v = await viewFor(p.textDocument.uri);
    return v ? hoverAt(v, p.position.line) : null;
  }),
);

connection.onDocumentSymbol(
  guarded('documentSymbol', async (p) => {
    const v = await viewFor(p.textDocument.uri);
    return v ? documentSymbols(v) : null;
  }),
);

connection.onCodeLens(
  guarded('codeLens', async (p) => {
    const v = await viewFor(p.textDocument.uri);
    return v ? codeLenses(v, p.textDocument.uri) : null;
  }),
);

documents.onDidOpen((e) => {
  if (!modelUriOf(e.document.uri)) return;
  void analyse(stateOf(e.document.uri));
});

documents.onDidChangeContent((e) => {
  // also after the content provider re-read a changed model (modelText with reload made a new state)
  if (!modelUriOf(e.document.uri)) return;
  void analyse(stateOf(e.document.uri));
});

documents.onDidClose((e) => {
  states.delete(e.document.uri);
  void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
});

documents.listen(connection);
connection.listen();

// The language features of the extension: the "Show Model as Text" view (a read-only virtual document
// served by the language server) and the client of that server (dist/server.js, node IPC). The server
// process starts on first use, so activating the extension costs nothing until a text view opens.
// Selection sync: moving the cursor in a text view fires onDidSelectLayer; revealLayer moves it.
import * as vscode from 'vscode';
import {
  LanguageClient,
  RevealOutputChannelOn,
  TransportKind,
  ResponseError,
  ErrorCodes,
  type LanguageClientOptions,
  type ServerOptions,
  type MessageSignature,
} from 'vscode-languageclient/node';
import { LayerToLineRequest, LineToLayerRequest, ModelTextRequest } from './protocol';
import { TEXT_LANGUAGE, TEXT_SCHEME, modelUriOf, textUriParts } from '../textview/uri';

/** What src/extension.ts gets: the text view opener and the selection link with the profile editor. */
export interface LanguageFeatures extends vscode.Disposable {
  /** opens (or focuses) the read-only text view of a model */
  showModelAsText(modelUri: vscode.Uri): Promise<vscode.TextEditor>;
  /** the cursor in a text view moved to another layer (or a layer's CodeLens was clicked) */
  onDidSelectLayer: vscode.Event<{ model: vscode.Uri; layer: string }>;
  /** moves the cursor of the visible text views of `model` to the layer's first node; nothing when none is open */
  revealLayer(model: vscode.Uri, layer: string): Promise<void>;
}

/** the command a layer's CodeLens runs (registered here, not in the palette) */
const SELECT_LAYER_COMMAND = 'onnxProfiler.text.selectLayer';
/** revealLayer as a command (model URI, layer name), for keybindings, scripts and the integration tests */
const REVEAL_LAYER_COMMAND = 'onnxProfiler.text.revealLayer';
const SELECTION_DEBOUNCE_MS = 120;
const RELOAD_DEBOUNCE_MS = 300;

/**
 * Requests that fail inside the server (a model the engine chokes on) are answered with InternalError:
 * they are logged in the output channel, not shown as popups on every hover (rust-analyzer's lang_client.ts).
 */
class QuietLanguageClient extends LanguageClient {
  override handleFailedRequest<T>(
    type: MessageSignature,
    token: vscode.CancellationToken | undefined,
    error: unknown,
    defaultValue: T,
    showNotification = true,
  ): T {
    if (error instanceof ResponseError && error.code === ErrorCodes.InternalError) showNotification = false;
    return super.handleFailedRequest(type, token, error, defaultValue, showNotification);
  }
}

export function textUriOf(model: vscode.Uri): vscode.Uri {
  return vscode.Uri.from(textUriParts(model));
}

function modelOf(textUri: vscode.Uri | string): vscode.Uri | undefined {
  const m = modelUriOf(textUri.toString());
  return m ? vscode.Uri.parse(m, true) : undefined;
}

class Features implements LanguageFeatures {
  private client: QuietLanguageClient | undefined;
  private starting: Promise<QuietLanguageClient> | undefined;
  private output: vscode.OutputChannel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly selectEmitter = new vscode.EventEmitter<{ model: vscode.Uri; layer: string }>();
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri>();
  /** text views whose model changed on disk: the next content request re-reads it */
  private readonly reload = new Set<string>();
  /** the last layer reported (or revealed) per text view, so a reveal does not echo back */
  private readonly lastLayer = new Map<string, string>();
  private readonly watchers = new Map<string, vscode.Disposable>();
  /** the model file's mtime when its text was last served */
  private readonly loadedMtime = new Map<string, number>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private disposed = false;

  readonly onDidSelectLayer = this.selectEmitter.event;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.disposables.push(this.selectEmitter, this.changeEmitter);
    this.disposables.push(
      vscode.workspace.registerTextDocumentContentProvider(TEXT_SCHEME, {
        onDidChange: this.changeEmitter.event,
        provideTextDocumentContent: (uri, token) => this.content(uri, token),
      }),
    );
    this.disposables.push(vscode.window.onDidChangeTextEditorSelection((e) => this.selectionChanged(e)));
    this.disposables.push(vscode.workspace.onDidOpenTextDocument((d) => this.watch(d)));
    this.disposables.push(vscode.workspace.onDidCloseTextDocument((d) => this.unwatch(d)));
    this.disposables.push(vscode.window.onDidChangeActiveTextEditor((e) => void this.recheck(e?.document)));
    this.disposables.push(
      vscode.window.onDidChangeWindowState((w) => {
        if (w.focused) for (const e of vscode.window.visibleTextEditors) void this.recheck(e.document);
      }),
    );
    this.disposables.push(
      vscode.commands.registerCommand(SELECT_LAYER_COMMAND, (textUri: string, layer: string) => {
        const model = modelOf(textUri);
        if (!model || typeof layer !== 'string') return;
        this.lastLayer.set(textUri, layer);
        this.selectEmitter.fire({ model, layer });
      }),
    );
    this.disposables.push(
      vscode.commands.registerCommand(REVEAL_LAYER_COMMAND, (model: vscode.Uri | string, layer: string) => {
        const uri = typeof model === 'string' ? vscode.Uri.parse(model, true) : model;
        return this.revealLayer(uri, layer);
      }),
    );
  }

  private start(): Promise<QuietLanguageClient> {
    if (this.starting) return this.starting;
    const module = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'server.js').fsPath;
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc },
    };
    this.output ??= vscode.window.createOutputChannel('ONNX Profiler Language Server');
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: TEXT_SCHEME }],
      synchronize: { configurationSection: 'onnxProfiler' },
      outputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
    };
    const client = new QuietLanguageClient(
      'onnxProfilerText',
      'ONNX Profiler Language Server',
      serverOptions,
      clientOptions,
    );
    this.starting = client.start().then(
      () => {
        this.client = client;
        return client;
      },
      (e) => {
        this.starting = undefined;
        throw e;
      },
    );
    return this.starting;
  }

  private async content(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const key = uri.toString();
    const reload = this.reload.delete(key);
    const mtime = await this.mtimeOf(uri);
    if (mtime !== undefined) this.loadedMtime.set(key, mtime);
    try {
      const client = await this.start();
      const r = await client.sendRequest(ModelTextRequest, { uri: key, reload }, token);
      return r.text;
    } catch (e) {
      return `# ${modelUriOf(key) ?? key}\n# the ONNX text view is not available: ${(e as Error)?.message ?? String(e)}\n`;
    }
  }

  private async mtimeOf(textUri: vscode.Uri): Promise<number | undefined> {
    const model = modelOf(textUri);
    if (!model) return undefined;
    try {
      return (await vscode.workspace.fs.stat(model)).mtime;
    } catch {
      return undefined;
    }
  }

  /**
   * The watcher can miss a change (watchers outside the workspace start asynchronously): when a text view
   * comes to the front, or the window regains focus, compare the model's mtime with the one that was read.
   */
  private async recheck(doc: vscode.TextDocument | undefined): Promise<void> {
    if (!doc || doc.uri.scheme !== TEXT_SCHEME || this.disposed) return;
    const key = doc.uri.toString();
    const was = this.loadedMtime.get(key);
    const now = await this.mtimeOf(doc.uri);
    if (was === undefined || now === undefined || now === was || this.reload.has(key)) return;
    this.reload.add(key);
    this.changeEmitter.fire(doc.uri);
  }

  /** Re-reads a text view when its model file changes on disk. */
  private watch(doc: vscode.TextDocument): void {
    if (doc.uri.scheme !== TEXT_SCHEME) return;
    const key = doc.uri.toString();
    const model = modelOf(doc.uri);
    if (!model || model.scheme !== 'file' || this.watchers.has(key)) return;
    const dir = vscode.Uri.joinPath(model, '..');
    const base = model.path.slice(model.path.lastIndexOf('/') + 1);
    const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(dir, base));
    // a model being rewritten fires several events: read it once the writes pause
    let timer: ReturnType<typeof setTimeout> | undefined;
    const changed = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        if (this.disposed || !this.watchers.has(key)) return;
        this.reload.add(key);
        this.changeEmitter.fire(doc.uri);
      }, RELOAD_DEBOUNCE_MS);
    };
    w.onDidChange(changed);
    w.onDidCreate(changed);
    this.watchers.set(key, w);
  }

  private unwatch(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    this.watchers.get(key)?.dispose();
    this.watchers.delete(key);
    this.lastLayer.delete(key);
    this.loadedMtime.delete(key);
  }

  private selectionChanged(e: vscode.TextEditorSelectionChangeEvent): void {
    const doc = e.textEditor.document;
    if (doc.uri.scheme !== TEXT_SCHEME || !this.client) return;
    const key = doc.uri.toString();
    const line = e.selections[0]?.active.line;
    if (line === undefined) return;
    const old = this.timers.get(key);
    if (old) clearTimeout(old);
    // debounced: arrow keys held down ask once, when the cursor rests
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.reportLine(doc.uri, line);
      }, SELECTION_DEBOUNCE_MS),
    );
  }

  private async reportLine(uri: vscode.Uri, line: number): Promise<void> {
    const client = this.client;
    const model = modelOf(uri);
    if (!client || !model || this.disposed) return;
    const key = uri.toString();
    try {
      const r = await client.sendRequest(LineToLayerRequest, { uri: key, line });
      if (!r.layer || this.lastLayer.get(key) === r.layer) return;
      this.lastLayer.set(key, r.layer);
      this.selectEmitter.fire({ model, layer: r.layer });
    } catch {
      // the server restarts or the document closed: nothing to sync
    }
  }

  async showModelAsText(modelUri: vscode.Uri): Promise<vscode.TextEditor> {
    const uri = textUriOf(modelUri);
    let doc = await vscode.workspace.openTextDocument(uri);
    // the `.onnxtxt` extension maps to the language; set it where another extension claimed the extension
    if (doc.languageId !== TEXT_LANGUAGE) doc = await vscode.languages.setTextDocumentLanguage(doc, TEXT_LANGUAGE);
    // beside the profile editor of the same model, so both stay visible for selection sync
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    const besideEditor = input instanceof vscode.TabInputCustom && input.uri.toString() === modelUri.toString();
    const open = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
    return vscode.window.showTextDocument(doc, {
      preview: false,
      viewColumn: open?.viewColumn ?? (besideEditor ? vscode.ViewColumn.Beside : undefined),
    });
  }

  async revealLayer(model: vscode.Uri, layer: string): Promise<void> {
    const key = textUriOf(model).toString();
    const editors = vscode.window.visibleTextEditors.filter((e) => e.document.uri.toString() === key);
    if (!editors.length || this.disposed) return;
    const client = await this.start();
    const r = await client.sendRequest(LayerToLineRequest, { uri: key, layer });
    if (r.line === null) return;
    this.lastLayer.set(key, layer);
    for (const ed of editors) {
      const text = ed.document.lineAt(Math.min(r.line, ed.document.lineCount - 1)).text;
      const pos = new vscode.Position(r.line, Math.max(0, text.search(/\S/)));
      ed.selection = new vscode.Selection(pos, pos);
      ed.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    for (const w of this.watchers.values()) w.dispose();
    for (const d of this.disposables) d.dispose();
    const client = this.client ?? undefined;
    this.client = undefined;
    const output = this.output;
    const stopped = client ? client.stop() : this.starting ? this.starting.then((c) => c.stop()) : Promise.resolve();
    // the channel goes after the client, which logs its shutdown into it
    void stopped.catch(() => undefined).finally(() => output?.dispose());
  }
}

/** Registers the text view and its language features; the language server starts on first use. */
export function startLanguageFeatures(context: vscode.ExtensionContext): LanguageFeatures {
  const f = new Features(context);
  context.subscriptions.push(f);
  return f;
}

// The read-only custom editor for *.onnx (viewType onnxProfiler.profile). Documents hold the profile;
// each editor panel gets a ProfilePreview. Registered through one static `register` (custom-editor-sample).
import * as vscode from 'vscode';
import type { TargetChoice } from '../shared/protocol';
import { Disposable } from './dispose';
import { ProfileDocument } from './document';
import type { EngineClient } from './engine';
import { knobsFromSettings } from './options';
import { ProfilePreview } from './preview';
import type { PreviewRegistry } from './registry';

export const VIEW_TYPE = 'onnxProfiler.profile';
export const SETTINGS_SECTION = 'onnxProfiler';

/** Settings that name files the engine reads (spec paths): in an untrusted workspace only the user's own value
 * counts, never the workspace's, so a cloned repository cannot point the profiler at a FIFO or /dev/zero. The
 * same keys are package.json's restrictedConfigurations, which the language server's settings go through. */
export const PATH_SETTINGS = ['targets', 'customSpecFiles'];

function setting<T>(key: string): T | undefined {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  if (vscode.workspace.isTrusted || !PATH_SETTINGS.includes(key)) return c.get<T>(key);
  const i = c.inspect<T>(key);
  return i?.globalValue ?? i?.defaultValue;
}

export function settingsKnobs() {
  return knobsFromSettings({ get: setting });
}

export function customSpecFiles(): string[] {
  const v = setting<unknown>('customSpecFiles');
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export class ProfileEditorProvider extends Disposable implements vscode.CustomReadonlyEditorProvider<ProfileDocument> {
  static register(
    context: vscode.ExtensionContext,
    engine: EngineClient,
    registry: PreviewRegistry,
  ): ProfileEditorProvider {
    const provider = new ProfileEditorProvider(context.extensionUri, engine, registry);
    context.subscriptions.push(provider);
    context.subscriptions.push(
      vscode.window.registerCustomEditorProvider(VIEW_TYPE, provider, {
        supportsMultipleEditorsPerDocument: true,
        // Ctrl+F / Cmd+F finds text in the profile (layer names, numbers), as in any editor
        webviewOptions: { enableFindWidget: true },
      }),
    );
    return provider;
  }

  private readonly documents = new Set<ProfileDocument>();
  private choicesCache: Promise<TargetChoice[]> | undefined;

  private constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly engine: EngineClient,
    private readonly registry: PreviewRegistry,
  ) {
    super();
    // trust granted: the workspace's own spec paths now count
    this._register(
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.choicesCache = undefined;
        const base = settingsKnobs();
        for (const d of this.documents) void d.settingsChanged(base);
      }),
    );
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(SETTINGS_SECTION)) return;
        if (e.affectsConfiguration(`${SETTINGS_SECTION}.customSpecFiles`)) this.choicesCache = undefined;
        const base = settingsKnobs();
        for (const d of this.documents) void d.settingsChanged(base);
      }),
    );
  }

  /** Built-in targets and custom spec files, with kinds; cached until the spec files setting changes. */
  choices(): Promise<TargetChoice[]> {
    if (!this.choicesCache) {
      this.choicesCache = this.engine.targets(customSpecFiles()).catch((e) => {
        this.choicesCache = undefined;
        throw e;
      });
    }
    return this.choicesCache;
  }

  openDocuments(): ProfileDocument[] {
    return [...this.documents];
  }

  async openCustomDocument(
    uri: vscode.Uri,
    _ctx: vscode.CustomDocumentOpenContext,
    _token: vscode.CancellationToken,
  ): Promise<ProfileDocument> {
    const doc = await ProfileDocument.create(uri, this.engine, settingsKnobs());
    this.documents.add(doc);
    doc.onDidDispose(() => this.documents.delete(doc));
    return doc;
  }

  async resolveCustomEditor(
    document: ProfileDocument,
    panel: vscode.WebviewPanel,
    _token: vscode.CancellationToken,
  ): Promise<void> {
    const preview = new ProfilePreview(this.extensionUri, document, panel, () => this.choices().catch(() => []));
    this.registry.add(preview);
  }
}

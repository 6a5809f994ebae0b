// One editor panel showing a ProfileDocument. Owns the webview, its message channel, and the view
// (which targets are shown, which heatmap). Re-checks `isDisposed` after every await, as media-preview does.
import * as vscode from 'vscode';
import {
  MessageType,
  type CaptureResponseMessage,
  type FromWebviewMessage,
  type InspectResponseMessage,
  type RenderSummary,
  type TargetChoice,
  type ToWebviewMessage,
  type ViewState,
} from '../shared/protocol';
import { MessageHandler } from '../shared/messaging';
import { Disposable } from './dispose';
import type { ProfileDocument, ProfileState } from './document';
import { webviewHtml, webviewOptions } from './html';

export interface RenderEvent {
  uri: vscode.Uri;
  summary: RenderSummary;
}

/** How long host -> webview requests (capture, inspect) wait before failing. */
const REQUEST_TIMEOUT_MS = 30_000;

export class ProfilePreview extends Disposable {
  private readonly channel: MessageHandler<ToWebviewMessage, FromWebviewMessage>;
  private _view: ViewState;
  private _lastRender: RenderSummary | undefined;
  private _active = false;

  private readonly _onDidRender = this._register(new vscode.EventEmitter<RenderEvent>());
  readonly onDidRender = this._onDidRender.event;
  private readonly _onDidChangeView = this._register(new vscode.EventEmitter<ViewState>());
  readonly onDidChangeView = this._onDidChangeView.event;
  private readonly _onDidChangeActive = this._register(new vscode.EventEmitter<boolean>());
  readonly onDidChangeActive = this._onDidChangeActive.event;
  private readonly _onDidSelectLayer = this._register(new vscode.EventEmitter<string | null>());
  /** the user selected a layer in this editor's webview (or cleared the selection) */
  readonly onDidSelectLayer = this._onDidSelectLayer.event;
  private readonly _onDidDispose = this._register(new vscode.EventEmitter<void>());
  readonly onDidDispose = this._onDidDispose.event;

  /** the target choices last sent to the webview: a spec file is shown by its path, reported by its own id */
  private lastChoices: TargetChoice[] = [];

  /** The report's id of a shown target (its choice's reportId for a spec file picked by path). */
  reportIdOf(shownId: string): string {
    return this.lastChoices.find((c) => c.id === shownId)?.reportId ?? shownId;
  }

  constructor(
    extensionUri: vscode.Uri,
    readonly document: ProfileDocument,
    private readonly panel: vscode.WebviewPanel,
    private readonly choices: () => Promise<TargetChoice[]>,
  ) {
    super();
    this._view = { shown: document.knobs.targets.slice(0, 1), heatmap: 'placement' };
    const webview = panel.webview;
    webview.options = webviewOptions(extensionUri);
    this.channel = new MessageHandler<ToWebviewMessage, FromWebviewMessage>(
      (m) => void webview.postMessage(m),
      (m) => this.onMessage(m),
    );
    this._register(webview.onDidReceiveMessage((m: FromWebviewMessage) => void this.channel.receive(m)));
    this._register(document.onDidChangeProfile((s) => this.sendProfile(s)));
    this._register(document.onDidChangeMeasured((m) => this.channel.send(m)));
    this._register(
      document.onDidChangeBusy((b) => this.channel.send({ type: MessageType.Busy, busy: b.busy, label: b.label })),
    );
    this._register(panel.onDidChangeViewState(() => this.setActive(panel.active)));
    this._register(panel.onDidDispose(() => this.dispose()));
    webview.html = webviewHtml(webview, extensionUri);
    this.setActive(panel.active);
  }

  get view(): ViewState {
    return this._view;
  }

  get active(): boolean {
    return this._active;
  }

  get lastRender(): RenderSummary | undefined {
    return this._lastRender;
  }

  private setActive(a: boolean): void {
    if (this._active === a) return;
    this._active = a;
    this._onDidChangeActive.fire(a);
  }

  private async sendProfile(s: ProfileState): Promise<void> {
    const choices = await this.choices();
    if (this.isDisposed) return;
    this.lastChoices = choices;
    this.channel.send({ type: MessageType.Profile, seq: s.seq, knobs: s.knobs, result: s.result, choices });
  }

  private async onMessage(m: FromWebviewMessage): Promise<ToWebviewMessage | undefined> {
    switch (m.type) {
      case MessageType.Ready: {
        const choices = await this.choices();
        if (this.isDisposed) return undefined;
        // after the reply the webview gets the current profile and any measured overlay
        setTimeout(() => {
          void this.sendProfile(this.document.state);
          if (this.document.measured) this.channel.send(this.document.measured);
        }, 0);
        return {
          type: MessageType.ReadyResponse,
          fileName: this.document.fileName,
          knobs: this.document.knobs,
          choices,
          view: this._view,
        };
      }
      case MessageType.Reprofile:
        void this.document.setKnobs(m.knobs);
        return undefined;
      case MessageType.Cancel:
        this.document.cancel();
        return undefined;
      case MessageType.Rendered:
        this._lastRender = m.summary;
        this._onDidRender.fire({ uri: this.document.uri, summary: m.summary });
        return undefined;
      case MessageType.ViewChanged:
        this._view = m.view;
        this._onDidChangeView.fire(m.view);
        return undefined;
      case MessageType.LayerSelected:
        this._onDidSelectLayer.fire(m.layer);
        return undefined;
      case MessageType.GraphRequest: {
        const result = await this.document.graph();
        return this.isDisposed ? undefined : { type: MessageType.GraphResponse, result };
      }
      case MessageType.MeasuredSpec:
        // the spec must be one the view offered (untrusted webview input)
        if (this.document.measured?.specChoices?.some((c) => c.id === m.spec))
          void this.document.predictMeasured(m.spec);
        return undefined;
      case MessageType.TensorValuesRequest: {
        const result = await this.document.tensorValues(m.name);
        return this.isDisposed ? undefined : { type: MessageType.TensorValuesResponse, result };
      }
      default:
        return undefined;
    }
  }

  /** Shows targets / a heatmap mode in this editor. */
  setView(view: Partial<ViewState>): void {
    this._view = { ...this._view, ...view };
    this.channel.send({ type: MessageType.SetView, view });
    this._onDidChangeView.fire(this._view);
  }

  selectLayer(layer: string | null): void {
    this.channel.send({ type: MessageType.SelectLayer, layer });
  }

  showMeasured(): void {
    if (this.document.measured) this.channel.send(this.document.measured);
  }

  /** PNG data URLs of each computed target's heatmaps (for the HTML report). */
  async capture(): Promise<Record<string, string>> {
    const r = await this.channel.request<CaptureResponseMessage>(
      { type: MessageType.CaptureRequest },
      REQUEST_TIMEOUT_MS,
    );
    return r.images;
  }

  async inspect(): Promise<RenderSummary | null> {
    const r = await this.channel.request<InspectResponseMessage>(
      { type: MessageType.InspectRequest },
      REQUEST_TIMEOUT_MS,
    );
    return r.summary;
  }

  reveal(): void {
    this.panel.reveal();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.channel.dispose(); // rejects requests still waiting on this panel
    this._onDidDispose.fire();
    super.dispose();
  }
}

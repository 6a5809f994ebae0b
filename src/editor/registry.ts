// The open previews and the active one: commands and the status bar act on `active`
// (as hexeditor's registry and media-preview's activePreview do). Sets the context key
// onnxProfiler.previewFocus for `when` clauses.
import * as vscode from 'vscode';
import { Disposable } from './dispose';
import type { ProfilePreview } from './preview';

export const CONTEXT_KEY = 'onnxProfiler.previewFocus';

export class PreviewRegistry extends Disposable {
  private readonly previews = new Set<ProfilePreview>();
  private _active: ProfilePreview | undefined;
  /** the last preview that was active: commands run from the palette act on it even after focus moved */
  private _last: ProfilePreview | undefined;

  private readonly _onDidChangeActive = this._register(new vscode.EventEmitter<ProfilePreview | undefined>());
  readonly onDidChangeActive = this._onDidChangeActive.event;
  private readonly _onDidAdd = this._register(new vscode.EventEmitter<ProfilePreview>());
  readonly onDidAdd = this._onDidAdd.event;

  get active(): ProfilePreview | undefined {
    return this._active;
  }

  /** The active preview, else the most recently active one still open. */
  get current(): ProfilePreview | undefined {
    return (
      this._active ?? (this._last && this.previews.has(this._last) ? this._last : undefined) ?? [...this.previews].pop()
    );
  }

  all(): ProfilePreview[] {
    return [...this.previews];
  }

  forUri(uri: vscode.Uri): ProfilePreview[] {
    return this.all().filter((p) => p.document.uri.toString() === uri.toString());
  }

  add(p: ProfilePreview): void {
    this.previews.add(p);
    const update = () => {
      if (p.active) this.setActive(p);
      else if (this._active === p) this.setActive(undefined);
    };
    const subs = [p.onDidChangeActive(update)];
    subs.push(
      p.onDidDispose(() => {
        subs.forEach((s) => s.dispose());
        this.previews.delete(p);
        if (this._active === p) this.setActive(undefined);
        if (this._last === p) this._last = undefined;
      }),
    );
    this._onDidAdd.fire(p);
    update();
  }

  private setActive(p: ProfilePreview | undefined): void {
    if (this._active === p) return;
    this._active = p;
    if (p) this._last = p;
    void vscode.commands.executeCommand('setContext', CONTEXT_KEY, !!p);
    this._onDidChangeActive.fire(p);
  }
}

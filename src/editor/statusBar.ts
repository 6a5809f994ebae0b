// Status bar item: the target(s) the active profile editor shows and their step time.
// Clicking it runs Select Target Hardware.
import * as vscode from 'vscode';
import { fmtRate, fmtSeconds } from '../report/units';
import { Disposable } from './dispose';
import type { ProfilePreview } from './preview';
import type { PreviewRegistry } from './registry';

export class ProfileStatusBar extends Disposable {
  private readonly item = this._register(
    vscode.window.createStatusBarItem('onnxProfiler.target', vscode.StatusBarAlignment.Right, 100),
  );
  private readonly perPreview = new Map<ProfilePreview, vscode.Disposable[]>();

  constructor(private readonly registry: PreviewRegistry) {
    super();
    this.item.name = 'ONNX Profiler target';
    this.item.command = 'onnxProfiler.selectTarget';
    this._register(registry.onDidChangeActive(() => this.update()));
    this._register(
      registry.onDidAdd((p) => {
        const subs = [p.onDidChangeView(() => this.update()), p.document.onDidChangeProfile(() => this.update())];
        subs.push(
          p.onDidDispose(() => {
            subs.forEach((s) => s.dispose());
            this.perPreview.delete(p);
            this.update();
          }),
        );
        this.perPreview.set(p, subs);
      }),
    );
    this.update();
  }

  /** The text shown, or undefined when hidden (tests read it). */
  get text(): string | undefined {
    return this.visible ? this.item.text : undefined;
  }

  private visible = false;

  update(): void {
    const p = this.registry.active;
    if (!p) {
      this.item.hide();
      this.visible = false;
      return;
    }
    const { result } = p.document.state;
    const parts: string[] = [];
    const tips: string[] = [];
    if (!result.ok) {
      parts.push('not profiled');
      tips.push(result.error.message);
    } else {
      const targets = result.profile.report.targets ?? [];
      for (const id of p.view.shown) {
        const t = targets.find((x) => x.id === p.reportIdOf(id));
        if (!t) {
          parts.push(`${id}: not profiled`);
        } else if ('error' in t) {
          parts.push(`${id}: not computed`);
          tips.push(`${id}: ${t.error}`);
        } else {
          parts.push(`${t.name || t.id} ${fmtSeconds(t.stepSeconds)}/step${t.fits ? '' : ' (does not fit)'}`);
          tips.push(
            `${t.name || t.id}: ${t.execution}, step ${fmtSeconds(t.stepSeconds)}, ${fmtRate(t.throughput.value, t.throughput.unit)}`,
          );
        }
      }
      if (!parts.length) parts.push('no target');
    }
    this.item.text = `$(server-process) ${parts.join(' | ')}`;
    this.item.tooltip = [...tips, 'Click to select the target hardware'].join('\n');
    this.item.show();
    this.visible = true;
  }

  override dispose(): void {
    for (const subs of this.perPreview.values()) subs.forEach((s) => s.dispose());
    this.perPreview.clear();
    super.dispose();
  }
}

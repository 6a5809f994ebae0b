// The "ONNX Profiler" commands. Each takes optional arguments so it can be scripted (tests, keybindings)
// and falls back to a picker or dialog when run from the palette. All act on the current profile editor.
import * as path from 'path';
import * as vscode from 'vscode';
import { formatReport } from '../report/format';
import { renderHtml } from '../report/html';
import { MessageType, type MeasuredMessage, type TargetChoice } from '../shared/protocol';
import { MeasuredProfileError, parseOrtProfile, precisionOfDtype } from '../measured/ortProfile';
import { deviceSpecChoices } from './measured';
import type { DeviceTargetResult } from '../engine/hardware/types';
import { matchMeasured } from '../measured/match';
import { withTarget } from './targets';
import type { ProfileEditorProvider } from './provider';
import { SETTINGS_SECTION, VIEW_TYPE } from './provider';
import type { PreviewRegistry } from './registry';
import type { ProfilePreview } from './preview';

export const COMMANDS = {
  profileModel: 'onnxProfiler.profileModel',
  selectTarget: 'onnxProfiler.selectTarget',
  compareTargets: 'onnxProfiler.compareTargets',
  exportReport: 'onnxProfiler.exportReport',
  importMeasuredProfile: 'onnxProfiler.importMeasuredProfile',
  showModelAsText: 'onnxProfiler.showModelAsText',
  showGraph: 'onnxProfiler.showGraph',
} as const;

export type ExportFormat = 'html' | 'csv' | 'json';

export interface MeasuredImportResult {
  source: string;
  runs: number;
  measuredNodes: number;
  /** measured nodes matched to nodes of the profiled model (by name, onnxruntime's renames, or output dims) */
  matched: number;
  /** measured kernel seconds attributed to model nodes / all measured kernel seconds */
  timeCoverage: number;
  device: string;
  /** the device spec the prediction used, the threads and precision read from the profile */
  spec?: string;
  threads?: number;
  precision?: string;
  /** the prediction (a device target of the profile's kind), or why there is none */
  predicted?: DeviceTargetResult;
  predictionError?: string;
}

/** Options of Import Measured Profile (scripts, tests): the device spec to predict with (a built-in id or a spec
 * file path of the profile's kind); without it the generic built-in spec of that kind. */
export interface MeasuredImportOptions {
  spec?: string;
}

/** Opens `uri` as text through the language features (H8's text view); undefined until those exist. */
export type ShowAsText = (uri: vscode.Uri) => Promise<unknown>;

interface Deps {
  provider: ProfileEditorProvider;
  registry: PreviewRegistry;
  showAsText: () => ShowAsText | undefined;
}

function isOnnx(uri: vscode.Uri | undefined): uri is vscode.Uri {
  return !!uri && /\.onnx$/i.test(uri.path);
}

/** The .onnx file in focus: the active profile editor, else the active tab (custom or text). */
function activeOnnxUri(registry: PreviewRegistry): vscode.Uri | undefined {
  if (registry.active) return registry.active.document.uri;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const uri = input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText ? input.uri : undefined;
  return isOnnx(uri) ? uri : undefined;
}

async function pickOnnx(): Promise<vscode.Uri | undefined> {
  const r = await vscode.window.showOpenDialog({
    canSelectMany: false,
    filters: { 'ONNX models': ['onnx'] },
    openLabel: 'Profile',
  });
  return r?.[0];
}

function requirePreview(registry: PreviewRegistry): ProfilePreview | undefined {
  const p = registry.current;
  if (!p)
    void vscode.window.showInformationMessage(
      'Open an .onnx model in the ONNX Hardware Profiler first (ONNX Profiler: Profile Model).',
    );
  return p;
}

function choiceItems(choices: TargetChoice[], picked: string[]): (vscode.QuickPickItem & { id?: string })[] {
  const items: (vscode.QuickPickItem & { id?: string })[] = [];
  const groups: [string, (c: TargetChoice) => boolean][] = [
    ['Wafer-scale', (c) => c.source === 'builtin' && c.kind === 'wafer'],
    ['GPU clusters', (c) => c.source === 'builtin' && c.kind === 'gpu-cluster'],
    [
      'Single devices (one CPU socket or one GPU, for measured profiles)',
      (c) => c.source === 'builtin' && c.kind === 'device',
    ],
    ['Custom spec files (onnxProfiler.customSpecFiles)', (c) => c.source === 'file'],
  ];
  for (const [label, test] of groups) {
    const cs = choices.filter(test);
    if (!cs.length) continue;
    items.push({ label, kind: vscode.QuickPickItemKind.Separator });
    for (const c of cs) {
      items.push({
        label: c.label,
        description: c.id,
        detail: c.error ? `not available: ${c.error}` : undefined,
        id: c.id,
        picked: picked.includes(c.id),
      });
    }
  }
  return items;
}

export function registerCommands(context: vscode.ExtensionContext, deps: Deps): void {
  const { provider, registry } = deps;
  const reg = (id: string, fn: (...args: never[]) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, fn));

  reg(COMMANDS.profileModel, async (arg?: vscode.Uri) => {
    const uri = (arg instanceof vscode.Uri ? arg : undefined) ?? activeOnnxUri(registry) ?? (await pickOnnx());
    if (!uri) return undefined;
    const open = registry.forUri(uri);
    if (open.length) {
      open[0].reveal();
      await open[0].document.reprofile();
    } else {
      await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
    }
    return uri;
  });

  reg(COMMANDS.selectTarget, async (arg?: string) => {
    const choices = await provider.choices();
    let id = typeof arg === 'string' ? arg : undefined;
    const preview = registry.current;
    const current = preview
      ? preview.document.knobs.targets
      : vscode.workspace.getConfiguration(SETTINGS_SECTION).get<string[]>('targets', []);
    if (!id) {
      const items = choiceItems(choices, preview?.view.shown ?? current);
      const addFile = { label: '$(add) Add a hardware spec file…', id: '#add' };
      const pick = await vscode.window.showQuickPick(
        [...items, { label: '', kind: vscode.QuickPickItemKind.Separator }, addFile],
        {
          title: 'Select target hardware',
          placeHolder: preview ? `Shown now: ${preview.view.shown.join(', ')}` : 'Default target for new profiles',
        },
      );
      if (!pick?.id) return undefined;
      if (pick.id === '#add') {
        const f = await vscode.window.showOpenDialog({
          canSelectMany: false,
          filters: { 'Hardware spec': ['json'] },
          openLabel: 'Add spec',
        });
        if (!f?.[0]) return undefined;
        const cfg = vscode.workspace.getConfiguration(SETTINGS_SECTION);
        await cfg.update(
          'customSpecFiles',
          [...new Set([...cfg.get<string[]>('customSpecFiles', []), f[0].fsPath])],
          vscode.ConfigurationTarget.Global,
        );
        id = f[0].fsPath;
      } else id = pick.id;
    }
    const fresh = await provider.choices();
    if (preview) {
      const targets = withTarget(current, id, fresh);
      preview.setView({ shown: [id] });
      if (JSON.stringify(targets) !== JSON.stringify(current))
        await preview.document.setKnobs({ ...preview.document.knobs, targets });
    } else {
      await vscode.workspace
        .getConfiguration(SETTINGS_SECTION)
        .update('targets', withTarget(current, id, fresh), vscode.ConfigurationTarget.Global);
    }
    return id;
  });

  reg(COMMANDS.compareTargets, async (a?: string, b?: string) => {
    const preview = requirePreview(registry);
    if (!preview) return undefined;
    let pair = typeof a === 'string' && typeof b === 'string' ? [a, b] : undefined;
    if (!pair) {
      const choices = await provider.choices();
      const picks = await vscode.window.showQuickPick(
        choiceItems(choices, preview.document.knobs.targets.slice(0, 2)),
        {
          title: 'Compare two targets side by side',
          canPickMany: true,
          placeHolder: 'Pick exactly two targets',
        },
      );
      if (!picks) return undefined;
      const ids = picks.map((p) => p.id).filter((x): x is string => !!x);
      if (ids.length !== 2) {
        void vscode.window.showWarningMessage(`Compare Targets needs exactly two targets; ${ids.length} picked.`);
        return undefined;
      }
      pair = ids;
    }
    const knobs = preview.document.knobs;
    preview.setView({ shown: pair });
    if (!pair.every((t) => knobs.targets.includes(t))) {
      await preview.document.setKnobs({
        ...knobs,
        targets: [...pair, ...knobs.targets.filter((t) => !pair!.includes(t))].slice(0, 4),
      });
    }
    return pair;
  });

  reg(COMMANDS.exportReport, async (fmt?: ExportFormat, target?: vscode.Uri) => {
    const preview = requirePreview(registry);
    if (!preview) return undefined;
    const { result } = preview.document.state;
    if (!result.ok) {
      void vscode.window.showErrorMessage(`Nothing to export: ${result.error.message}`);
      return undefined;
    }
    let format = fmt;
    if (!format) {
      const pick = await vscode.window.showQuickPick(
        [
          { label: 'HTML', description: 'report with the heatmaps as images', format: 'html' as const },
          { label: 'CSV', description: 'one row per layer and target', format: 'csv' as const },
          { label: 'JSON', description: "the CLI's onnx-profile/1 report", format: 'json' as const },
        ],
        { title: 'Export profile report' },
      );
      if (!pick) return undefined;
      format = pick.format;
    }
    const model = preview.document.uri;
    let out = target instanceof vscode.Uri ? target : undefined;
    if (!out) {
      const base = path.basename(model.fsPath).replace(/\.onnx$/i, '');
      out = await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.joinPath(model, '..', `${base}.profile.${format}`),
        filters: { [format.toUpperCase()]: [format] },
      });
      if (!out) return undefined;
    }
    const report = result.profile.report;
    let text: string;
    if (format === 'html') text = renderHtml(report, await preview.capture());
    else text = formatReport(report, format);
    await vscode.workspace.fs.writeFile(out, Buffer.from(text, 'utf8'));
    const dest = out;
    void vscode.window
      .showInformationMessage(`Exported ${format.toUpperCase()} report to ${dest.fsPath}`, 'Open')
      .then((a) => {
        if (a === 'Open') void vscode.commands.executeCommand('vscode.open', dest);
      });
    return out;
  });

  reg(
    COMMANDS.importMeasuredProfile,
    async (arg?: vscode.Uri, opts?: MeasuredImportOptions): Promise<MeasuredImportResult | undefined> => {
      const preview = requirePreview(registry);
      if (!preview) return undefined;
      let file = arg instanceof vscode.Uri ? arg : undefined;
      if (!file) {
        const r = await vscode.window.showOpenDialog({
          canSelectMany: false,
          filters: { 'onnxruntime profile': ['json'] },
          openLabel: 'Import',
        });
        file = r?.[0];
        if (!file) return undefined;
      }
      let parsed;
      try {
        parsed = parseOrtProfile(
          Buffer.from(await vscode.workspace.fs.readFile(file)).toString('utf8'),
          path.basename(file.fsPath),
        );
      } catch (e) {
        void vscode.window.showErrorMessage(
          e instanceof MeasuredProfileError ? e.message : `Cannot read ${file.fsPath}: ${(e as Error).message}`,
        );
        return undefined;
      }
      const doc = preview.document;
      const state = doc.state;
      const facts = state.result.ok ? state.result.profile.nodes : [];
      const dims = new Map(facts.map((n) => [n.outputs[0] ?? '', n.outputDims ?? null]));
      const match = matchMeasured(parsed.nodes, facts, (t) => dims.get(t) ?? null);
      const specChoices = deviceSpecChoices(await provider.choices(), parsed.device);
      const spec = typeof opts?.spec === 'string' ? opts.spec : undefined;
      if (spec !== undefined && !specChoices.some((c) => c.id === spec)) {
        // a spec file not in the settings yet: offered too (the prediction refuses one of another kind)
        specChoices.push({ id: spec, label: path.basename(spec), builtin: false });
      }
      const measured: MeasuredMessage = {
        type: MessageType.Measured,
        source: path.basename(file.fsPath),
        nodes: match.nodes.map((n) => ({
          name: n.name,
          opType: n.opType,
          seconds: n.seconds,
          modelNodes: n.modelNodes,
          how: n.how,
        })),
        runs: parsed.runs,
        ...(parsed.coldRunExcluded ? { coldRunExcluded: true } : {}),
        device: parsed.device,
        coverage: match.coverage,
        specChoices,
      };
      await doc.setMeasured(measured, {
        device: parsed.device,
        spec,
        threads: parsed.threads,
        precision: precisionOfDtype(parsed.dtype) ?? doc.knobs.precision,
      });
      const matched = match.coverage.matchedNodes;
      if (matched === 0) {
        void vscode.window.showWarningMessage(
          `${path.basename(file.fsPath)}: none of its ${parsed.nodes.length} measured nodes could be matched to a node of ${doc.fileName}.`,
        );
      }
      return {
        source: file.fsPath,
        runs: parsed.runs,
        measuredNodes: parsed.nodes.length,
        matched,
        timeCoverage:
          match.coverage.measuredSeconds > 0 ? match.coverage.matchedSeconds / match.coverage.measuredSeconds : 0,
        device: parsed.device,
        spec: doc.measured?.prediction?.spec,
        threads: parsed.threads,
        precision: doc.measured?.prediction?.precision,
        predicted: doc.measured?.prediction?.target,
        predictionError: doc.measured?.prediction?.error,
      };
    },
  );

  // the graph page of the profile editor (webview/graph/), opening the model first when it is not open
  reg(COMMANDS.showGraph, async (arg?: vscode.Uri) => {
    const uri = (arg instanceof vscode.Uri ? arg : undefined) ?? activeOnnxUri(registry) ?? (await pickOnnx());
    if (!uri) return undefined;
    if (!registry.forUri(uri).length) await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
    const p = registry.forUri(uri)[0];
    if (!p) return undefined;
    p.reveal();
    p.setView({ page: 'graph' });
    return uri;
  });

  reg(COMMANDS.showModelAsText, async (arg?: vscode.Uri) => {
    const uri = (arg instanceof vscode.Uri ? arg : undefined) ?? activeOnnxUri(registry) ?? (await pickOnnx());
    if (!uri) return undefined;
    const show = deps.showAsText();
    if (!show) {
      void vscode.window.showWarningMessage('The text view of ONNX models is not available in this build.');
      return undefined;
    }
    return show(uri);
  });
}

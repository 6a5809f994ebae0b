// The getting-started walkthrough (contributes.walkthroughs): contributed with its four steps and their media,
// every command a step links to or completes on is registered, the workbench opens it, and its first step's
// command (Open Sample) opens the sample in the profile editor, rendered.
import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { api, closeAll, EXTENSION_ID, VIEW_TYPE } from './helpers';

interface Step {
  id: string;
  title: string;
  description: string;
  media: { markdown?: string; image?: string };
  completionEvents?: string[];
}
interface Walkthrough {
  id: string;
  title: string;
  steps: Step[];
}

function walkthrough(): { ext: vscode.Extension<unknown>; w: Walkthrough } {
  const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
  const all = (ext.packageJSON.contributes?.walkthroughs ?? []) as Walkthrough[];
  const w = all.find((x) => x.id === 'onnxProfiler.gettingStarted');
  assert.ok(w, `walkthrough onnxProfiler.gettingStarted contributed (got ${all.map((x) => x.id).join(', ')})`);
  return { ext, w };
}

/** command:ID links of a step's description and onCommand:ID completion events. */
function commandsOf(s: Step): string[] {
  const links = [...s.description.matchAll(/\(command:([\w.]+)/g)].map((m) => m[1]);
  const events = (s.completionEvents ?? []).filter((e) => e.startsWith('onCommand:')).map((e) => e.slice(10));
  return [...new Set([...links, ...events])];
}

describe('walkthrough', function () {
  // a step's command link activates the extension (onCommand); here it is activated first, so that
  // getCommands lists what the extension registers
  before(async () => {
    await api();
  });
  afterEach(closeAll);

  it('is contributed with its steps, each with its markdown, and every linked command is registered', async function () {
    const { ext, w } = walkthrough();
    assert.deepEqual(
      w.steps.map((s) => s.id),
      ['openSample', 'heatmaps', 'compare', 'customHardware'],
    );
    const registered = new Set(await vscode.commands.getCommands(true));
    const linked: string[] = [];
    for (const s of w.steps) {
      assert.ok(s.title.length > 5, `${s.id} has a title`);
      const md = s.media.markdown;
      assert.ok(md, `${s.id} has markdown media`);
      const text = fs.readFileSync(path.join(ext.extensionPath, md), 'utf8');
      assert.match(text, /^# \S/, `${md} starts with a heading`);
      for (const c of commandsOf(s)) {
        assert.ok(registered.has(c), `${s.id} links ${c}, which is registered`);
        linked.push(c);
      }
    }
    assert.ok(
      linked.includes('onnxProfiler.openSample') && linked.includes('onnxProfiler.compareTargets'),
      linked.join(),
    );
    // the heatmaps step explains the three heatmaps the profile editor draws
    const heat = fs.readFileSync(path.join(ext.extensionPath, w.steps[1].media.markdown!), 'utf8');
    for (const k of ['Placement', 'Memory', 'Time']) assert.ok(heat.includes(`**${k}**`), `heatmaps.md explains ${k}`);
  });

  it('the workbench opens it', async function () {
    // an unknown walkthrough id makes this command fail; the contributed one opens the Welcome editor
    await vscode.commands.executeCommand(
      'workbench.action.openWalkthrough',
      `${EXTENSION_ID}#onnxProfiler.gettingStarted`,
      false,
    );
    const deadline = Date.now() + 20_000;
    let label = '';
    while (Date.now() < deadline) {
      label = vscode.window.tabGroups.activeTabGroup.activeTab?.label ?? '';
      if (/welcome|walkthrough|profile an onnx model/i.test(label)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.match(label, /welcome|walkthrough|profile an onnx model/i, `active tab: ${label}`);
  });

  it('its Open Sample step opens the sample in the profile editor, profiled', async function () {
    const a = await api();
    const { ext } = walkthrough();
    const sample = vscode.Uri.joinPath(ext.extensionUri, 'media', 'sample', 'tiny-gpt.onnx');
    const rendered = a.waitForRender(sample, (s) => s.status === 'profile' && s.targets.length > 0, 90_000);
    const opened = await vscode.commands.executeCommand<string>('onnxProfiler.openSample');
    assert.equal(opened, sample.fsPath);
    const s = await rendered;
    assert.ok(
      s.targets.some((t) => t.status === 'computed' && t.cellsDrawn > 0),
      'a target heatmap is drawn',
    );
    assert.match(s.verdictText ?? '', /Verdict/);
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    assert.ok(input instanceof vscode.TabInputCustom, 'the active tab is a custom editor');
    assert.equal(input.viewType, VIEW_TYPE);
    assert.equal(input.uri.toString(), sample.toString());
  });
});

// Every "ONNX Profiler" command, run through vscode.commands.executeCommand with its scripted arguments,
// and its effect read back from the document, the webview's render reports and the files written.
import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { api, assertTargetsHonest, cleanTempDirs, closeAll, openProfile, samplePath, tempDir } from './helpers';
import type { MeasuredImportResult } from '../../src/editor/commands';
import { cnnModel } from '../fixtures/cnn';
import { cnnFeeds, loadOrt, ortProfileFile } from '../fixtures/ort';

describe('commands', function () {
  let uri: vscode.Uri;

  beforeEach(async function () {
    if (!fs.existsSync(samplePath())) this.skip();
    const dir = tempDir();
    const file = path.join(dir, 'tiny-gpt.onnx');
    fs.copyFileSync(samplePath(), file);
    uri = (await openProfile(file)).uri;
  });
  afterEach(closeAll);
  after(cleanTempDirs);

  it('declares every command under the "ONNX Profiler" category', async function () {
    const all = await vscode.commands.getCommands(true);
    for (const id of [
      'profileModel',
      'selectTarget',
      'compareTargets',
      'exportReport',
      'importMeasuredProfile',
      'showModelAsText',
      'newSpecFile',
      'openSample',
      'showGraph',
    ]) {
      assert.ok(all.includes(`onnxProfiler.${id}`), `onnxProfiler.${id} registered`);
    }
    const pkg = vscode.extensions.getExtension('onnx-profiler.onnx-hardware-profiler')!.packageJSON;
    for (const c of pkg.contributes.commands) assert.equal(c.category, 'ONNX Profiler');
  });

  it('Profile Model re-profiles the given file', async function () {
    const a = await api();
    const seq = a.report(uri)!.seq;
    const next = a.waitForRender(uri, (s) => s.seq > seq);
    const r = await vscode.commands.executeCommand<vscode.Uri>('onnxProfiler.profileModel', uri);
    assert.equal(r?.toString(), uri.toString());
    assert.equal((await next).status, 'profile');
  });

  it('Select Target Hardware shows that target and profiles it', async function () {
    const a = await api();
    const next = a.waitForRender(
      uri,
      (s) => s.shown.length === 1 && s.shown[0] === 'wse2' && a.report(uri)!.knobs.targets.includes('wse2'),
    );
    const id = await vscode.commands.executeCommand<string>('onnxProfiler.selectTarget', 'wse2');
    assert.equal(id, 'wse2');
    const s = await next;
    assert.ok(!a.report(uri)!.knobs.targets.includes('wse3'), 'the wafer target was replaced, not added');
    assert.ok(a.report(uri)!.knobs.targets.includes('h100-dgx'), 'the GPU target is kept');
    assertTargetsHonest(s);
  });

  it('New Hardware Spec File writes a template that is profiled like a built-in target once picked', async function () {
    const a = await api();
    const dest = vscode.Uri.file(path.join(tempDir(), 'my-dgx.hwspec.json'));
    const cfg = () => vscode.workspace.getConfiguration('onnxProfiler');
    const before = cfg().get<string[]>('customSpecFiles', []);
    try {
      const written = await vscode.commands.executeCommand<string>('onnxProfiler.newSpecFile', 'h100-dgx', dest);
      assert.equal(written, dest.fsPath);
      const spec = JSON.parse(fs.readFileSync(dest.fsPath, 'utf8'));
      assert.equal(spec.id, 'h100-dgx-custom');
      assert.ok(cfg().get<string[]>('customSpecFiles', []).includes(dest.fsPath), 'added to customSpecFiles');
      // the spec file opens in a text editor: the schema (jsonValidation on *.hwspec.json) applies there
      assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, dest.fsPath);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      // picked in the target picker: profiled and drawn, not "not profiled with the current knobs"
      const next = a.waitForRender(
        uri,
        (s) => s.targets.some((t) => t.id === 'h100-dgx-custom' && t.status === 'computed'),
        90_000,
      );
      const id = await vscode.commands.executeCommand<string>('onnxProfiler.selectTarget', dest.fsPath);
      assert.equal(id, dest.fsPath);
      const s = await next;
      assert.deepEqual(s.shown, ['h100-dgx-custom']);
      assertTargetsHonest(s);
      const t = s.targets.find((x) => x.id === 'h100-dgx-custom')!;
      assert.ok(t.cellsDrawn > 0, 'the custom cluster is drawn');
    } finally {
      await cfg().update('customSpecFiles', before.length ? before : undefined, vscode.ConfigurationTarget.Global);
      if (vscode.workspace.workspaceFolders?.length)
        await cfg().update('customSpecFiles', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('Compare Targets shows two targets side by side', async function () {
    const a = await api();
    const next = a.waitForRender(uri, (s) => s.shown.length === 2);
    const pair = await vscode.commands.executeCommand<string[]>('onnxProfiler.compareTargets', 'wse3', 'h100-dgx');
    assert.deepEqual(pair, ['wse3', 'h100-dgx']);
    const s = await next;
    assert.deepEqual(s.shown, ['wse3', 'h100-dgx']);
    assertTargetsHonest(s);
  });

  it('Export Report writes JSON in the CLI format, CSV, and HTML with the heatmaps as PNG', async function () {
    const dir = tempDir();
    const report = (await api()).report(uri)!.report!;
    const jsonUri = vscode.Uri.file(path.join(dir, 'r.json'));
    assert.equal(
      (await vscode.commands.executeCommand<vscode.Uri>('onnxProfiler.exportReport', 'json', jsonUri))?.fsPath,
      jsonUri.fsPath,
    );
    const json = JSON.parse(fs.readFileSync(jsonUri.fsPath, 'utf8'));
    assert.equal(json.schema, 'onnx-profile/1');
    assert.equal(json.model.nodeCount, report.model.nodeCount);
    assert.equal(json.layers.length, report.layers.length);
    assert.deepEqual(
      json.targets.map((t: { id: string }) => t.id),
      report.targets!.map((t) => t.id),
    );

    const csvUri = vscode.Uri.file(path.join(dir, 'r.csv'));
    await vscode.commands.executeCommand('onnxProfiler.exportReport', 'csv', csvUri);
    const csv = fs.readFileSync(csvUri.fsPath, 'utf8').trim().split('\n');
    assert.equal(
      csv[0],
      'target,layer,kind,ops,forward_flops,parameter_bytes,activation_bytes,seconds,bound,memory_bytes',
    );
    assert.ok(csv.length >= report.layers.length + 1);

    const htmlUri = vscode.Uri.file(path.join(dir, 'r.html'));
    await vscode.commands.executeCommand('onnxProfiler.exportReport', 'html', htmlUri);
    const html = fs.readFileSync(htmlUri.fsPath, 'utf8');
    assert.ok(html.startsWith('<!DOCTYPE html>'));
    for (const t of report.targets ?? []) {
      if ('error' in t) assert.ok(html.includes('class="err"'), `${t.id}: the reason is in the report`);
      else if (t.grid)
        assert.match(html, new RegExp(`<img alt="${t.id} heatmap" src="data:image/png;base64,[A-Za-z0-9+/=]{200,}">`));
    }
  });

  it('Import Measured Profile overlays onnxruntime node times on the predictions', async function () {
    const a = await api();
    const report = a.report(uri)!.report!;
    const nodes = report.layers.flatMap((l) => l.nodes).filter(Boolean);
    assert.ok(nodes.length > 10);
    // onnxruntime's profiling format: Chrome-trace events, one model_run per run, per-node "<name>_kernel_time"
    const events: unknown[] = [];
    for (let run = 0; run < 2; run++) {
      events.push({ cat: 'Session', name: 'model_run', ph: 'X', dur: 900, ts: run * 1000, pid: 1, tid: 1, args: {} });
      nodes.forEach((n, i) => {
        events.push({
          cat: 'Node',
          name: `${n}_fence_before`,
          ph: 'X',
          dur: 0,
          ts: run * 1000 + i,
          pid: 1,
          tid: 1,
          args: { op_name: 'X' },
        });
        events.push({
          cat: 'Node',
          name: `${n}_kernel_time`,
          ph: 'X',
          dur: 10 + i,
          ts: run * 1000 + i,
          pid: 1,
          tid: 1,
          args: { op_name: 'MatMul', provider: 'CPUExecutionProvider' },
        });
      });
    }
    events.push({
      cat: 'Node',
      name: 'not_in_model_kernel_time',
      ph: 'X',
      dur: 5,
      ts: 1500,
      pid: 1,
      tid: 1,
      args: { op_name: 'Add' },
    });
    const file = path.join(tempDir(), 'ort_profile.json');
    fs.writeFileSync(file, JSON.stringify(events));
    const next = a.waitForRender(uri, (s) => s.measuredRows > 0);
    const r = await vscode.commands.executeCommand<{
      runs: number;
      measuredNodes: number;
      matched: number;
      timeCoverage: number;
      device: string;
    }>('onnxProfiler.importMeasuredProfile', vscode.Uri.file(file));
    assert.equal(r?.runs, 1, 'two runs, the first (cold) one left out');
    assert.equal(r?.measuredNodes, nodes.length + 1);
    assert.equal(r?.matched, nodes.length);
    assert.equal(r?.device, 'cpu');
    assert.ok(r && r.timeCoverage > 0.99, `time coverage ${r?.timeCoverage}`);
    const s = await next;
    assert.equal(s.measuredRows, Math.min(400, nodes.length + 1));
  });

  it('Import Measured Profile of a real onnxruntime CPU run predicts it on a CPU device and shows predicted and ratio', async function () {
    const ort = loadOrt();
    if (!ort) this.skip(); // onnxruntime-node is a dev dependency: npm ci installs it
    const a = await api();
    const file = path.join(tempDir(), 'cnn.onnx');
    fs.writeFileSync(file, cnnModel());
    const cnn = (await openProfile(file, (s) => s.status === 'profile')).uri;
    const prof = await ortProfileFile(ort!, file, cnnFeeds(ort!), 1, 3);
    const next = a.waitForRender(cnn, (s) => (s.measured?.predictedRows ?? 0) > 0, 60_000);
    const r = await vscode.commands.executeCommand<MeasuredImportResult>(
      'onnxProfiler.importMeasuredProfile',
      vscode.Uri.file(prof),
    );
    assert.equal(r?.device, 'cpu');
    assert.equal(r?.threads, 1, 'the thread count read from the profile');
    assert.equal(r?.precision, 'fp32', "the precision read from the kernels' element type");
    assert.equal(r?.spec, 'cpu-xeon-8480', 'the generic built-in CPU spec by default');
    assert.equal(r?.predictionError, undefined);
    assert.equal(r?.predicted?.kind, 'device');
    assert.equal(r?.predicted?.processor, 'cpu');
    assert.equal(r?.predicted?.cores, 1, 'predicted on as many cores as the profile ran threads');
    const s = await next;
    const m = s.measured!;
    assert.equal(m.spec, 'cpu-xeon-8480');
    assert.match(m.totalRatio ?? '', /×$/, 'the total measured / predicted ratio is shown');
    assert.ok(m.predictedRows >= r!.matched - 1, `${m.predictedRows} rows predicted of ${r!.matched} matched`);
    assert.match(m.text, /Predicted on Intel Xeon Platinum 8480\+/);
    assert.match(m.text, /generic server CPU spec/);
    assert.match(m.text, /measured \/ predicted/);
    // the systems (wafer, GPU cluster) are never used for it: a GPU spec for a CPU profile is refused
    const g = await vscode.commands.executeCommand<MeasuredImportResult>(
      'onnxProfiler.importMeasuredProfile',
      vscode.Uri.file(prof),
      { spec: 'h100-sxm' },
    );
    assert.equal(g?.predicted, undefined);
    assert.match(g?.predictionError ?? '', /a CPU profile is compared only with a CPU device spec/);
  });

  it('a CPU spec of your own (New Hardware Spec File from cpu-xeon-8480) predicts an imported CPU profile', async function () {
    const ort = loadOrt();
    if (!ort) this.skip();
    const a = await api();
    const dir = tempDir();
    const file = path.join(dir, 'cnn.onnx');
    fs.writeFileSync(file, cnnModel());
    const cnn = (await openProfile(file, (s) => s.status === 'profile')).uri;
    const prof = await ortProfileFile(ort!, file, cnnFeeds(ort!), 1, 2);
    const dest = vscode.Uri.file(path.join(dir, 'my-cpu.hwspec.json'));
    const cfg = () => vscode.workspace.getConfiguration('onnxProfiler');
    const before = cfg().get<string[]>('customSpecFiles', []);
    try {
      const written = await vscode.commands.executeCommand<string>('onnxProfiler.newSpecFile', 'cpu-xeon-8480', dest);
      assert.equal(written, dest.fsPath);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      const spec = JSON.parse(fs.readFileSync(dest.fsPath, 'utf8'));
      assert.equal(spec.kind, 'device');
      assert.equal(spec.processor, 'cpu');
      spec.cores_count = 8;
      spec.clock_GHz = 3.0;
      fs.writeFileSync(dest.fsPath, JSON.stringify(spec));
      const next = a.waitForRender(cnn, (s) => s.measured?.spec === 'cpu-xeon-8480-custom', 60_000);
      const r = await vscode.commands.executeCommand<MeasuredImportResult>(
        'onnxProfiler.importMeasuredProfile',
        vscode.Uri.file(prof),
        { spec: dest.fsPath },
      );
      assert.equal(r?.spec, dest.fsPath);
      assert.equal(r?.predicted?.id, 'cpu-xeon-8480-custom');
      assert.equal(r?.predicted?.parallelism.coresInSpec, 8);
      const s = await next;
      assert.match(s.measured!.text, /\(your spec\)/);
      assert.doesNotMatch(s.measured!.text, /generic server CPU spec/);
    } finally {
      await cfg().update('customSpecFiles', before.length ? before : undefined, vscode.ConfigurationTarget.Global);
      if (vscode.workspace.workspaceFolders?.length)
        await cfg().update('customSpecFiles', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('a single-device target renders as a strip of its layers and is left out of the verdict, with the reason', async function () {
    const a = await api();
    const next = a.waitForRender(uri, (s) =>
      s.targets.some((t) => t.id === 'cpu-xeon-8480' && t.status === 'computed'),
    );
    const id = await vscode.commands.executeCommand<string>('onnxProfiler.selectTarget', 'cpu-xeon-8480');
    assert.equal(id, 'cpu-xeon-8480');
    const s = await next;
    assertTargetsHonest(s);
    const t = s.targets.find((x) => x.id === 'cpu-xeon-8480')!;
    assert.equal(t.kind, 'device');
    assert.deepEqual(t.heatmaps, ['placement', 'memory', 'time']);
    assert.equal(t.cellsDrawn, 1, 'one device: one strip');
    const r = a.report(uri)!;
    assert.deepEqual(r.knobs.targets, ['wse3', 'h100-dgx', 'cpu-xeon-8480'], 'added next to the systems');
    const rep = r.report!;
    assert.ok(rep.comparison?.notes?.some((n) => /cpu-xeon-8480 .*left out of the comparison/.test(n)));
    assert.doesNotMatch(s.verdictText ?? '', /Xeon/);
  });

  it('Show Graph brings the graph page to the front and the webview draws the graph', async function () {
    const a = await api();
    const next = a.waitForRender(uri, (s) => s.graph?.state === 'shown');
    const r = await vscode.commands.executeCommand<vscode.Uri>('onnxProfiler.showGraph', uri);
    assert.equal(r?.toString(), uri.toString());
    const s = await next;
    const g = s.graph!;
    assert.equal(g.nodes, a.report(uri)!.report!.model.nodeCount);
    assert.ok(g.items > 3 && g.edges > 0 && g.blocks > 0, JSON.stringify(g));
    assert.equal(g.overlay, 'time');
    assert.equal(g.target, 'wse3');
    assert.equal(s.scriptsAdded, 0);
    assert.equal(s.foreignAdded, 0);
  });

  it('Show Model as Text opens the text view of the model', async function () {
    const result = await vscode.commands.executeCommand<unknown>('onnxProfiler.showModelAsText', uri);
    if (result === undefined) {
      console.log('skipped: the text view (language features) is not wired into this build');
      this.skip();
    }
    const doc = vscode.window.activeTextEditor?.document;
    assert.ok(doc, 'a text editor is active');
    assert.ok(doc.getText().length > 100, 'the text view has content');
  });
});

// The profile custom editor in a real VS Code: opening models (the embedded sample, a corpus model),
// a file that is not ONNX, model strings with markup, re-profiling on file change and settings change.
import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { TargetResult, WaferGrid } from '../../src/engine/hardware/types';

type TargetEntry = TargetResult | { id: string; error: string };
import { graph, model, node, T, tensor, vi } from '../fixtures/onnx-writer';
import { SKIP_NO_SHARED, sharedDir } from '../fixtures/paths';
import { api, assertTargetsHonest, cleanTempDirs, closeAll, openProfile, samplePath, tempDir } from './helpers';

const EVIL_NODE = '<img src=x onerror="window.__pwned=1">';
const EVIL_SCRIPT = '</td><script>window.__pwned=2</script>';
const EVIL_INPUT = '<b>input</b>';

/** A two-layer model whose node, tensor and producer names are HTML and script markup. */
function markupModel(): Uint8Array {
  return model({
    producer: '<script>alert(1)</script>',
    graph: graph({
      name: '<svg onload=alert(1)>',
      nodes: [
        node('MatMul', [EVIL_INPUT, 'w1'], ['h'], {}, { name: EVIL_NODE }),
        node('Relu', ['h'], ['r'], {}, { name: 'relu<iframe>' }),
        node('MatMul', ['r', 'w2'], ['<i>out</i>'], {}, { name: EVIL_SCRIPT }),
      ],
      inputs: [vi(EVIL_INPUT, T.FLOAT, [2, 8])],
      outputs: [vi('<i>out</i>', T.FLOAT, [2, 4])],
      initializers: [tensor('w1', T.FLOAT, [8, 16]), tensor('w2', T.FLOAT, [16, 4])],
    }),
  });
}

describe('profile editor', function () {
  afterEach(closeAll);
  after(cleanTempDirs);

  it('opens the embedded sample and draws every target (or says why not)', async function () {
    if (!fs.existsSync(samplePath())) this.skip();
    const { uri, summary } = await openProfile(samplePath());
    assert.equal(summary.status, 'profile');
    const r = (await api()).report(uri);
    assert.ok(r?.report, 'the document holds a profile');
    assert.equal(summary.layerRows, r.report.layers.length);
    assert.ok(summary.layerRows > 5, 'tiny-gpt has more than 5 fused layers');
    assert.ok(summary.summaryText.includes('tiny-gpt.onnx'));
    assert.equal(summary.targets.length, 1, 'one target shown by default');
    assertTargetsHonest(summary);
    for (const t of summary.targets) {
      const tr: TargetEntry | undefined = r.report.targets?.find((x) => x.id === t.id);
      assert.ok(tr, `${t.id} is in the report`);
      if ('error' in tr) {
        assert.equal(t.status, 'not-computed');
        assert.equal(t.reason, tr.error);
      } else if (tr.grid?.kind === 'wafer') {
        const g = tr.grid as WaferGrid;
        // every core of every system is in the owner map the heatmap draws from
        assert.equal(t.cellsDrawn % (g.width * g.height), 0);
        assert.ok(t.cellsDrawn >= g.width * g.height);
      } else if (tr.grid?.kind === 'gpu') {
        assert.equal(t.cellsDrawn, tr.grid.nodes * tr.grid.gpusPerNode);
      }
      if (t.status === 'computed') assert.ok(summary.charts >= 2, 'time and memory charts drawn');
    }
    assert.equal(summary.scriptsAdded, 0);
    assert.equal(summary.foreignAdded, 0);
  });

  it('opens a real corpus model', async function () {
    const shared = sharedDir();
    if (!shared) {
      console.log(`skipped: ${SKIP_NO_SHARED}`);
      this.skip();
    }
    const file = path.join(shared!, 'corpus', 'onnx-light', 'light_resnet50', 'model.onnx');
    const { uri, summary } = await openProfile(file);
    assert.equal(summary.status, 'profile');
    const r = (await api()).report(uri);
    assert.equal(r?.report?.model.nodeCount, 415, 'ResNet-50 (light) has 415 nodes (corpus manifest)');
    assert.ok(summary.layerRows > 40);
    assert.ok(summary.layerNamesShown.length > 0);
    assert.deepEqual(
      summary.layerNamesShown,
      r!.report!.layers.slice(0, summary.layerNamesShown.length).map((l) => l.name),
    );
    assertTargetsHonest(summary);
  });

  it('shows one clear message for a file that is not ONNX', async function () {
    const dir = tempDir();
    const file = path.join(dir, 'notes.onnx');
    fs.writeFileSync(file, 'These are my notes, not a protobuf ModelProto.\n'.repeat(20));
    const { uri, summary } = await openProfile(file);
    assert.equal(summary.status, 'error');
    assert.ok(summary.error?.includes(file), `the message names the file: ${summary.error}`);
    assert.ok(summary.errorText?.includes('not a readable ONNX model'), summary.errorText);
    assert.equal(summary.targets.length, 0, 'no target panels');
    assert.equal(summary.layerRows, 0);
    const r = (await api()).report(uri);
    assert.ok(r?.error, 'the document holds the error');
  });

  it('shows model strings containing markup as text, never as HTML', async function () {
    const dir = tempDir();
    const file = path.join(dir, 'markup.onnx');
    fs.writeFileSync(file, markupModel());
    const { uri, summary } = await openProfile(file);
    assert.equal(summary.status, 'profile');
    assert.equal(summary.scriptsAdded, 0, 'no script element was added after boot');
    assert.equal(summary.foreignAdded, 0, 'no img/iframe/svg/style element came from a model string');
    const names = (await api()).report(uri)!.report!.layers.map((l) => l.name);
    assert.ok(names.includes(EVIL_NODE) && names.includes(EVIL_SCRIPT), `layers: ${names.join(' | ')}`);
    for (const n of names) assert.ok(summary.layerNamesShown.includes(n), `layer name shown verbatim: ${n}`);
    assert.ok(summary.summaryText.includes(EVIL_INPUT), 'input name shown verbatim in the summary');
    assert.ok(summary.summaryText.includes('<script>alert(1)</script>'), 'producer shown verbatim');
  });

  it('re-profiles when the file changes on disk', async function () {
    if (!fs.existsSync(samplePath())) this.skip();
    const dir = tempDir();
    const file = path.join(dir, 'changing.onnx');
    fs.copyFileSync(samplePath(), file);
    const { uri, summary } = await openProfile(file);
    assert.equal(summary.status, 'profile');
    const a = await api();
    const before = a.report(uri)!;
    const next = a.waitForRender(uri, (s) => s.seq > before.seq && s.status === 'profile', 60_000);
    fs.writeFileSync(file, markupModel());
    const after = await next;
    assert.equal(a.report(uri)!.report!.model.nodeCount, 3, 'the new content was profiled');
    assert.equal(after.layerRows, a.report(uri)!.report!.layers.length);
  });

  it('re-profiles when a setting changes', async function () {
    if (!fs.existsSync(samplePath())) this.skip();
    const { uri } = await openProfile(samplePath());
    const a = await api();
    const before = a.report(uri)!;
    assert.equal(before.knobs.precision, 'fp16');
    const cfg = vscode.workspace.getConfiguration('onnxProfiler');
    const next = a.waitForRender(uri, (s) => s.seq > before.seq, 60_000);
    await cfg.update('precision', 'fp32', vscode.ConfigurationTarget.Global);
    try {
      await next;
      assert.equal(a.report(uri)!.knobs.precision, 'fp32');
    } finally {
      await cfg.update('precision', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('shows the target and its step time in the status bar', async function () {
    if (!fs.existsSync(samplePath())) this.skip();
    const { uri, summary } = await openProfile(samplePath());
    const text = (await api()).statusBarText();
    assert.ok(text, 'status bar item visible while the profile editor is active');
    const t = summary.targets[0];
    const tr = (await api()).report(uri)!.report!.targets!.find((x) => x.id === t.id)!;
    if ('error' in tr) assert.ok(text.includes(`${t.id}: not computed`), text);
    else assert.ok(text.includes(tr.name || tr.id) && text.includes('/step'), text);
  });
});

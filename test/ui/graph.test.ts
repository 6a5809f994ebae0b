// UI test of the graph view in the real VS Code workbench (code-server + Debian's Chromium, playwright-core):
// the sample opened and shown with "ONNX Profiler: Show Graph", a block expanded, a node hovered (its time
// on the target read from the tooltip), clicked (its layer selected in the layer table too), searched,
// overlays switched, a small tensor's values shown on request; attribute and tensor values never in e-notation
// (a writer-built model: a LayerNorm epsilon of 1e-12, a float32 mask); a CNN (writer-built) and an exported LLM
// (../shared's optimum SmolLM2, 7.5k nodes; skipped without ../shared) opened in the graph view.
// Screenshots: test-results/ui-graph-*.png. Run: npm run test:ui.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Frame, Page } from 'playwright-core';
import { cnnModel } from '../fixtures/cnn';
import { T, graph, model, node, rawOf, tensor, vi } from '../fixtures/onnx-writer';
import { sharedDir } from '../fixtures/paths';
import { launchWorkbench, results, root, type Session, type Workbench } from './driver';

const sample = path.join(root, 'media', 'sample', 'tiny-gpt.onnx');
const LLM = 'smollm2-135m.onnx';
const VALUES = 'values.onnx';
/** a number in e-notation: 4.582e+5, 3e-7 (as test/ui/layout.test.ts) */
const E_NOTATION = /\b\d+(?:\.\d+)?e[+-]?\d+\b/i;

/** Values toPrecision would write in e-notation: a LayerNorm epsilon of 1e-12 and a float32 attention mask. */
function valuesModel(): Uint8Array {
  return model({
    graph: graph({
      nodes: [
        node('Add', ['x', 'mask'], ['masked'], {}, { name: 'mask_add' }),
        node('LayerNormalization', ['masked', 'scale', 'bias'], ['y'], { epsilon: 1e-12, axis: -1 }, { name: 'ln' }),
      ],
      inputs: [vi('x', T.FLOAT, [1, 4])],
      outputs: [vi('y', T.FLOAT, [1, 4])],
      initializers: [
        tensor('mask', T.FLOAT, [4], {
          raw: rawOf(T.FLOAT, [-3.4028234663852886e38, 1.5e-7, 0.123456789, 1234567.891]),
        }),
        tensor('scale', T.FLOAT, [4], { raw: rawOf(T.FLOAT, [1, 1, 1, 1]) }),
        tensor('bias', T.FLOAT, [4], { raw: rawOf(T.FLOAT, [0, 0, 0, 0]) }),
      ],
    }),
  });
}

let session: Session | undefined;
let page: Page;
let wb: Workbench;
const shot = (name: string): Promise<void> => wb.shot(name);
const untilInPalette = (label: string): Promise<void> => wb.untilInPalette(label);
const runCommand = (label: string): Promise<void> => wb.runCommand(label);
const open = (file: string): Promise<Frame> => wb.open(file);
let frame: Frame;
let workspace: string;
let llmCopied = false;

interface Box {
  key: string;
  kind: string;
  title: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Waits until the graph is drawn (and, given, until it shows a different number of boxes than `before`). */
async function graphDrawn(before?: string): Promise<string> {
  const canvas = frame.locator('#graph-view:not([hidden]) canvas.graph-canvas[data-items]');
  await canvas.waitFor({ timeout: 180_000 });
  if (before !== undefined)
    await frame.waitForFunction(
      (b) => document.querySelector('canvas.graph-canvas')?.getAttribute('data-items') !== b,
      before,
      { timeout: 60_000 },
    );
  return (await canvas.getAttribute('data-items'))!;
}

/** The boxes in view, in page coordinates. */
async function boxes(): Promise<Box[]> {
  const canvas = frame.locator('canvas.graph-canvas');
  const at = (await canvas.boundingBox())!;
  const bs = await frame.evaluate(() =>
    (document.querySelector('canvas.graph-canvas') as HTMLCanvasElement & { graphBoxes(): Box[] }).graphBoxes(),
  );
  return bs.map((b) => ({ ...b, x: at.x + b.x, y: at.y + b.y }));
}

async function tooltipText(): Promise<string> {
  await frame.waitForSelector('#tooltip:not([hidden])', { timeout: 10_000 });
  return (await frame.textContent('#tooltip')) ?? '';
}

const centre = (b: Box) => ({ x: b.x + b.w / 2, y: b.y + b.h / 2 });

describe('graph view in the VS Code workbench', { timeout: 900_000 }, () => {
  before(async () => {
    fs.mkdirSync(results, { recursive: true });
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-profiler-graph-ui-'));
    fs.copyFileSync(sample, path.join(workspace, 'tiny-gpt.onnx'));
    fs.writeFileSync(path.join(workspace, 'mobilenet-cnn.onnx'), cnnModel());
    fs.writeFileSync(path.join(workspace, VALUES), valuesModel());
    const shared = sharedDir();
    const llm = shared ? path.join(shared, 'corpus', 'exporters', 'optimum-smollm2-135m', 'model.onnx') : '';
    if (llm && fs.existsSync(llm)) {
      fs.copyFileSync(llm, path.join(workspace, LLM));
      llmCopied = true;
    }
    session = await launchWorkbench({
      folder: workspace,
      log: 'code-server-graph-ui.log',
      shotPrefix: 'ui-graph-',
    });
    ({ page, wb } = session);
  });

  after(async () => {
    await session?.close();
    if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('opens the sample and shows its graph with "ONNX Profiler: Show Graph"', async () => {
    await untilInPalette('ONNX Profiler: Show Graph');
    frame = await open('tiny-gpt.onnx');
    await frame.waitForSelector('section.target[data-target="wse3"]', { timeout: 120_000 });
    await runCommand('ONNX Profiler: Show Graph');
    const items = await graphDrawn();
    assert.ok(Number(items) > 3, `boxes drawn: ${items}`);
    assert.equal(await frame.getAttribute('[data-page="graph"]', 'aria-selected'), 'true');
    assert.ok(await frame.locator('section.target').first().isHidden(), 'the heatmaps are behind the graph');
    const status = (await frame.textContent('.graph-status')) ?? '';
    assert.match(status, /^81 nodes: \d+ collapsed block\(s\)/);
    const legend = (await frame.textContent('#graph-legend h3')) ?? '';
    assert.equal(legend, 'Time on target');
    await shot('1-sample');
  });

  it('expands a block and hovers a node: the tooltip reads its time on the target', async () => {
    const before = await frame.getAttribute('canvas.graph-canvas', 'data-items');
    const block = (await boxes()).find((b) => b.kind === 'block');
    assert.ok(block, 'a collapsed block is in view');
    await page.mouse.click(centre(block).x, centre(block).y);
    await graphDrawn(before!);
    const expanded = await boxes();
    const node =
      expanded.find((b) => b.kind === 'node' && /MatMul$/.test(b.title)) ?? expanded.find((b) => b.kind === 'node');
    assert.ok(node, `a node is in view: ${expanded.map((b) => b.title).join(', ')}`);
    await page.mouse.move(centre(node).x, centre(node).y);
    const text = await tooltipText();
    assert.ok(text.startsWith(node.title), text);
    assert.match(text, /time on wse3≈[\d.]+ (ns|µs|ms|s) of its layer's/);
    for (const k of ['op', 'inputs', 'outputs', 'FLOPs', 'layer', 'memory on wse3', 'placement on wse3'])
      assert.ok(text.includes(k), `tooltip has ${k}: ${text}`);
    await shot('2-expanded-hover');
    // a click selects its layer everywhere: the layer table marks it
    await page.mouse.click(centre(node).x, centre(node).y);
    const layer = /layer(\/[^\s]*?)time on/.exec(text)?.[1] ?? '';
    await frame.waitForSelector('table.layers tbody tr[aria-selected="true"]', { timeout: 10_000 });
    const sel = await frame.getAttribute('table.layers tbody tr[aria-selected="true"]', 'data-layer');
    assert.ok(sel && text.includes(sel), `selected layer ${sel} (tooltip: ${text}; parsed ${layer})`);
    assert.equal(await frame.textContent('#graph-props .props-title'), node.title);
    await shot('3-node-selected');
  });

  it('searches by op type and reveals the matches', async () => {
    await frame.fill('[data-graph-search]', 'softmax');
    await frame.press('[data-graph-search]', 'Enter');
    await frame.waitForFunction(() =>
      /^match 1 of \d+/.test(document.querySelector('.graph-status')?.textContent ?? ''),
    );
    const status = (await frame.textContent('.graph-status')) ?? '';
    assert.match(status, /Softmax/);
    const title = (await frame.textContent('#graph-props .props-title')) ?? '';
    assert.ok(/softmax/i.test(title), title);
    await shot('4-search');
    await frame.fill('[data-graph-search]', '');
  });

  it('switches overlays: bound, memory fit, placement, FLOPs', async () => {
    for (const [kind, label] of [
      ['bound', 'Bound'],
      ['memory', 'Memory fit'],
      ['placement', 'Placement'],
      ['flops', 'FLOPs'],
    ] as const) {
      await frame.selectOption('[data-graph-overlay]', kind);
      await frame.waitForFunction((l) => document.querySelector('#graph-legend h3')?.textContent === l, label);
      if (kind === 'bound') {
        const legend = (await frame.textContent('#graph-legend')) ?? '';
        assert.ok(legend.includes('compute-bound') && legend.includes('memory-bound'), legend);
        await shot('5-overlay-bound');
      }
    }
    // the GPU cluster's times in the same view
    await frame.selectOption('[data-graph-overlay]', 'time');
    await frame.selectOption('[data-graph-target]', 'h100-dgx');
    await frame.waitForFunction(() => /h100-dgx/.test(document.querySelector('#graph-legend')?.textContent ?? ''));
    await shot('6-time-on-gpu');
    await frame.selectOption('[data-graph-target]', 'wse3');
  });

  it('shows a small tensor only when asked', async () => {
    const node = (await boxes()).find((b) => b.kind === 'node' && /Reshape$/.test(b.title));
    if (!node) {
      // the Reshape nodes sit in a block still collapsed: search one
      await frame.fill('[data-graph-search]', 'Reshape');
      await frame.press('[data-graph-search]', 'Enter');
      await frame.fill('[data-graph-search]', '');
    } else await page.mouse.click(centre(node).x, centre(node).y);
    const btn = frame.locator('#graph-props button.show-values').first();
    await btn.waitFor({ timeout: 10_000 });
    assert.equal(await frame.locator('#graph-props pre.values:not([hidden])').count(), 0, 'no values before asking');
    await btn.click();
    const pre = frame.locator('#graph-props pre.values:not([hidden])').first();
    await pre.waitFor({ timeout: 30_000 });
    assert.match((await pre.textContent()) ?? '', /^\[-?\d/);
    const init = (await frame.textContent('#graph-props .init')) ?? '';
    assert.match(init, /initializer: INT64\[\d+\], \d+ elements, \d+ B; embedded in the model/);
    await shot('7-tensor-values');
  });

  it('opens a CNN in the graph view and reads a Conv node', async () => {
    frame = await open('mobilenet-cnn.onnx');
    await frame.waitForSelector('[data-page="graph"]', { timeout: 120_000 });
    await frame.click('[data-page="graph"]');
    await graphDrawn();
    await frame.click('[data-graph-action="expand-all"]');
    await frame.waitForFunction(() =>
      /^27 nodes: 0 collapsed/.test(document.querySelector('.graph-status')?.textContent ?? ''),
    );
    await frame.fill('[data-graph-search]', 'features.1/dw/Conv');
    await frame.press('[data-graph-search]', 'Enter');
    const conv = (await boxes()).find((b) => b.title === '/features.1/dw/Conv');
    assert.ok(conv, 'the depthwise conv is in view');
    await page.mouse.move(centre(conv).x, centre(conv).y);
    const text = await tooltipText();
    assert.match(text, /opConv/);
    assert.match(text, /time on wse3≈[\d.]+ (ns|µs|ms|s)/);
    assert.match(text, /outputsFLOAT\[/);
    await shot('8-cnn');
  });

  it('writes attribute and tensor values with the project formatter, never in e-notation', async () => {
    frame = await open(VALUES);
    await frame.waitForSelector('[data-page="graph"]', { timeout: 120_000 });
    await frame.click('[data-page="graph"]');
    await graphDrawn();
    await frame.fill('[data-graph-search]', 'LayerNormalization');
    await frame.press('[data-graph-search]', 'Enter');
    await frame.waitForFunction(() => document.querySelector('#graph-props .props-title')?.textContent === 'ln');
    const dts = await frame.locator('#graph-props dl.attrs dt').allTextContents();
    const dds = await frame.locator('#graph-props dl.attrs dd').allTextContents();
    assert.equal(dds[dts.indexOf('epsilon')], '1×10⁻¹²', `attributes: ${dts.join(', ')} = ${dds.join(', ')}`);
    await shot('11-attributes');
    await frame.fill('[data-graph-search]', 'mask_add');
    await frame.press('[data-graph-search]', 'Enter');
    await frame.waitForFunction(() => document.querySelector('#graph-props .props-title')?.textContent === 'mask_add');
    await frame.click('#graph-props button[data-tensor-values="mask"]');
    const pre = frame.locator('#graph-props pre.values:not([hidden])').first();
    await pre.waitFor({ timeout: 30_000 });
    // float32's lowest, 1.5e-7, 0.123456789 and 1234567.891 as stored in float32
    assert.equal(await pre.textContent(), '[-3.40282×10³⁸, 1.5×10⁻⁷, 0.123457, 1234568]');
    const text = await frame.evaluate(() => document.body.innerText);
    const m = E_NOTATION.exec(text);
    assert.equal(
      m,
      null,
      `e-notation "${m?.[0]}" in the graph view: …${text.slice(Math.max(0, (m?.index ?? 0) - 80), (m?.index ?? 0) + 40)}…`,
    );
    await shot('12-values');
  });

  it('opens an exported LLM (7.5k nodes) collapsed, and expands one of its layers', async (t) => {
    if (!llmCopied) {
      t.skip('../shared is absent: no exported LLM (optimum SmolLM2-135M) to open');
      return;
    }
    frame = await open(LLM);
    await frame.waitForSelector('[data-page="graph"]', { timeout: 240_000 });
    await frame.click('[data-page="graph"]');
    const items = Number(await graphDrawn());
    const status = (await frame.textContent('.graph-status')) ?? '';
    const nodes = Number(/^(\d+) nodes/.exec(status)?.[1]);
    assert.ok(nodes > 5000, status);
    assert.ok(items <= 60, `a ${nodes}-node LLM opens as ${items} boxes`);
    await shot('9-llm-collapsed');
    await frame.fill('[data-graph-search]', 'layers.3/self_attn/q_proj/MatMul');
    await frame.press('[data-graph-search]', 'Enter');
    await frame.waitForFunction(() => /^match 1 of/.test(document.querySelector('.graph-status')?.textContent ?? ''));
    const q = (await boxes()).find((b) => b.title.endsWith('layers.3/self_attn/q_proj/MatMul'));
    assert.ok(q, 'the q projection of layer 3 is shown once its blocks are expanded');
    await page.mouse.move(centre(q).x, centre(q).y);
    assert.match(await tooltipText(), /time on wse3≈/);
    await shot('10-llm-layer3');
  });
});

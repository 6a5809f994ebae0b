// What the language server answers for a text view (hover, diagnostics, symbols, CodeLens, line <-> layer),
// computed by the real engine and mappers on the embedded sample and on small fixture models.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DiagnosticSeverity, SymbolKind, type DocumentSymbol, type MarkupContent } from 'vscode-languageserver';
import { readModelBytes } from '../../src/engine/onnx/reader';
import { loadSpec } from '../../src/engine/hardware';
import { ModelView } from '../../src/server/modelView';
import { optionsFromSettings } from '../../src/server/settings';
import { codeLenses, diagnosticsOf, documentSymbols, hoverAt, SELECT_LAYER_COMMAND } from '../../src/server/features';
import { fmtFlops, fmtPlacement, fmtSeconds } from '../../src/server/format';
import { sampleModelBytes } from '../fixtures/sample-model';
import { controlFlowModel } from '../fixtures/models';
import { T, graph, model, node, rawOf, tensor, vi } from '../fixtures/onnx-writer';

const TARGETS = ['wse3', 'h100-dgx'];

function sampleView(settings: Record<string, unknown> = { targets: TARGETS, batch: 1, dims: { seq: 64 } }): ModelView {
  const v = new ModelView(readModelBytes(sampleModelBytes(), 'tiny-gpt.onnx'), 'tiny-gpt.onnx');
  v.profile(optionsFromSettings(settings));
  return v;
}

const text = (h: ReturnType<typeof hoverAt>) => (h!.contents as MarkupContent).value;

function allSymbols(s: DocumentSymbol[], out: DocumentSymbol[] = []): DocumentSymbol[] {
  for (const x of s) {
    out.push(x);
    allSymbols(x.children ?? [], out);
  }
  return out;
}

test("settings become engine options with the editor's fallbacks", () => {
  const o = optionsFromSettings({
    targets: ['wse2'],
    mode: 'training',
    precision: 'bf16',
    batch: 4,
    dims: { seq: 2048, bad: -1 },
  });
  assert.deepEqual([o.targets, o.mode, o.precision, o.batch, o.dims], [['wse2'], 'training', 'bf16', 4, { seq: 2048 }]);
  const d = optionsFromSettings({ targets: 'wse3', precision: 'fp64', batch: 0 });
  assert.deepEqual([d.targets, d.mode, d.precision, d.batch], [['wse3', 'h100-dgx'], 'inference', 'fp16', undefined]);
});

test("hover on a node line: the node, its layer and the layer's time, bound, FLOPs, memory and placement per target", () => {
  const v = sampleView();
  const run = v.run!;
  assert.deepEqual(run.targetErrors, []);
  assert.deepEqual(
    run.targets.map((t) => t.target.id),
    TARGETS,
  );
  const k = v.model.graph.nodes.findIndex((n) => n.name === '/model/layers.0/mlp/c_fc/MatMul');
  const h = text(hoverAt(v, v.printed.nodeLine[k]));
  const li = run.nodeLayer[k];
  const layer = run.profile.analysis.layers[li];
  assert.equal(layer.name, '/model/layers.0/mlp/c_fc/MatMul');
  assert.ok(h.startsWith('**MatMul** `/model/layers.0/mlp/c_fc/MatMul`'), h);
  assert.ok(h.includes(`Node: ${fmtFlops(run.profile.analysis.nodeCosts[k].flops)} forward`), h);
  assert.ok(h.includes('outputs `float[1,64,256]`'), h);
  assert.ok(
    h.includes(`**Layer** \`${layer.name}\` (matmul, ${layer.nodes.length} nodes, block \`/model/layers.0\`)`),
    h,
  );
  for (const { target, rows } of run.targets) {
    const row = rows[li]!;
    assert.ok(row.seconds > 0, `${target.id} times the layer`);
    const f = typeof row.detail?.flops === 'number' ? row.detail.flops : layer.forwardFlops;
    const cells = [fmtSeconds(row.seconds), row.bound, fmtFlops(f)];
    const line = h.split('\n').find((l) => l.startsWith(`| **${target.id}**`));
    assert.ok(line, `a row for ${target.id}`);
    for (const c of cells) assert.ok(line!.includes(` ${c} `), `${target.id} row has ${c}: ${line}`);
    assert.ok(line!.includes(fmtPlacement(target, row)), line);
  }
  assert.match(fmtPlacement(run.targets[0].target, run.targets[0].rows[li]!), /^\d+×\d+ cores at \(\d+, \d+\)$/);
  assert.match(fmtPlacement(run.targets[1].target, run.targets[1].rows[li]!), /^stage \d+, \d+ GPU\(s\)/);
  assert.ok(h.endsWith('_inference, fp16, batch=1, seq=64 (onnxProfiler.* settings)_'), h);
  // the hover covers the statement, not its type comment
  const r = hoverAt(v, v.printed.nodeLine[k])!.range!;
  assert.equal(
    v.lines[r.start.line]
      .slice(r.start.character, r.end.character)
      .endsWith('("/model/layers.0/ln_2/LayerNormalization_output_0", "model.layers.0.mlp.c_fc.weight")'),
    true,
  );
});

test('hover on the graph signature summarises the model per target; initializer lines have no hover', () => {
  const v = sampleView();
  const h = text(hoverAt(v, v.graphLine));
  assert.ok(h.startsWith('**main\\_graph**: 81 nodes'), h);
  for (const { target } of v.run!.targets)
    assert.ok(h.includes(`| **${target.id}** `) && h.includes(fmtSeconds(target.stepSeconds)), h);
  assert.equal(hoverAt(v, v.printed.declLine.get('model.embed_tokens.weight')!), null);
});

test('diagnostics: unbound dims on the input that declares them, unknown targets on the graph line', () => {
  const v = sampleView({ targets: ['wse3', 'no-such-target'], batch: 1 });
  const d = diagnosticsOf(v);
  const unbound = d.filter((x) => x.code === 'unbound-dim');
  assert.equal(unbound.length, 1);
  assert.match(unbound[0].message, /symbolic dim 'seq' is unbound/);
  assert.equal(unbound[0].range.start.line, v.printed.declLine.get('input_ids'));
  assert.equal(unbound[0].severity, DiagnosticSeverity.Warning);
  const target = d.filter((x) => x.code === 'target');
  assert.equal(target.length, 1);
  assert.match(target[0].message, /^target no-such-target: unknown target/);
  assert.equal(target[0].severity, DiagnosticSeverity.Error);
  // bound: no unbound-dim warning, and nothing else to report on the sample
  assert.deepEqual(diagnosticsOf(sampleView()), []);
});

test('diagnostics: an op without shape inference or cost model is flagged on its own line', () => {
  const bytes = model({
    irVersion: 8,
    opsets: { '': 17, 'acme.ops': 1 },
    graph: graph({
      name: 'g',
      nodes: [
        node('MatMul', ['x', 'w'], ['h'], {}, { name: 'mm' }),
        node('Frobnicate', ['h'], ['y'], {}, { name: 'frob', domain: 'acme.ops' }),
      ],
      inputs: [vi('x', T.FLOAT, [2, 4])],
      outputs: [vi('y', T.FLOAT, [2, 4])],
      initializers: [tensor('w', T.FLOAT, [4, 4], { raw: rawOf(T.FLOAT, new Array(16).fill(0.5)) })],
    }),
  });
  const v = new ModelView(readModelBytes(bytes, 'custom.onnx'), 'custom.onnx');
  v.profile(optionsFromSettings({ targets: ['h100-dgx'] }));
  const d = diagnosticsOf(v);
  const frobLine = v.printed.nodeLine[1];
  const noCost = d.filter((x) => x.code === 'no-cost-model');
  assert.equal(noCost.length, 1);
  assert.equal(noCost[0].range.start.line, frobLine);
  assert.equal(noCost[0].message, 'no cost model for acme.ops.Frobnicate: counted as 1 FLOP per output element');
  const shape = d.filter((x) => x.code === 'shape');
  assert.ok(shape.length >= 1 && shape.every((x) => x.range.start.line === frobLine), JSON.stringify(d));
  assert.match(shape[0].message, /no shape inference for acme\.ops\.Frobnicate/);
  assert.ok(text(hoverAt(v, frobLine)).includes('**no cost model**'));
});

test('diagnostics: a target the model does not fit on, and the layers too big for one device', (t) => {
  // the built-in DGX H100 with 4 KiB of HBM per GPU: the sample's 141k parameters do not fit even split 8 ways
  const spec = JSON.parse(JSON.stringify(loadSpec('h100-dgx').spec));
  spec.id = 'tiny-hbm';
  spec.name = 'DGX H100 with 4 KiB HBM';
  spec.gpu.hbm_GiB = 4 / 2 ** 20;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsp-fit-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'tiny-hbm.json');
  fs.writeFileSync(file, JSON.stringify(spec));
  const v = sampleView({ targets: [file], batch: 1, dims: { seq: 128 } });
  assert.deepEqual(v.run!.targetErrors, []);
  const target = v.run!.targets[0].target;
  assert.equal(target.fits, false);
  const d = diagnosticsOf(v);
  const fit = d.filter((x) => x.code === 'does-not-fit');
  assert.equal(fit.length, 1);
  assert.equal(fit[0].range.start.line, v.graphLine);
  assert.match(fit[0].message, /^the model does not fit on DGX H100 with 4 KiB HBM \(tiny-hbm\): /);
  // a layer whose own memory exceeds a GPU's is flagged at its first node
  const rows = v.run!.targets[0].rows;
  const big = rows.map((r, li) => (r && r.memoryBytes > target.memory.capacityBytes ? li : -1)).filter((li) => li >= 0);
  const flagged = d.filter((x) => x.code === 'layer-does-not-fit');
  assert.ok(big.length > 0, 'some layer needs more than 4 KiB');
  assert.equal(flagged.length, big.length);
  for (const li of big) assert.ok(flagged.some((x) => x.range.start.line === v.layerLine(li)));
});

test('document symbols: graph > blocks > layers > nodes, every node once, ranges that contain their selection', () => {
  const v = sampleView();
  const s = documentSymbols(v);
  assert.equal(s.length, 1);
  const g = s[0];
  assert.equal(g.name, 'main_graph');
  assert.equal(g.kind, SymbolKind.Module);
  const blocks = g.children!.filter((c) => c.kind === SymbolKind.Namespace);
  assert.deepEqual(
    blocks.map((b) => b.name),
    ['/model/layers.0', '/model/layers.1'],
  );
  for (const b of blocks) {
    assert.ok(
      b.children!.length >= 4 &&
        b.children!.every((l) => l.kind === SymbolKind.Function && l.name.startsWith(b.name + '/')),
    );
  }
  const layers = allSymbols(s).filter((x) => x.kind === SymbolKind.Function);
  assert.deepEqual(layers.map((l) => l.name).sort(), v.run!.profile.analysis.layers.map((l) => l.name).sort());
  const nodes = allSymbols(s).filter((x) => x.kind === SymbolKind.Operator);
  assert.equal(nodes.length, v.model.graph.nodes.length);
  assert.deepEqual(new Set(nodes.map((n) => n.selectionRange.start.line)), new Set(v.printed.nodeLine));
  for (const x of allSymbols(s)) {
    const inside = x.range.start.line <= x.selectionRange.start.line && x.selectionRange.end.line <= x.range.end.line;
    assert.ok(inside, `${x.name}: selection inside range`);
    assert.ok(x.name.length > 0);
  }
  // the layer's detail gives its time on the first target
  const fc = layers.find((l) => l.name === '/model/layers.0/mlp/c_fc/MatMul')!;
  const li = v.layerIndexByName(fc.name);
  assert.ok(fc.detail!.includes(`${fmtSeconds(v.run!.targets[0].rows[li]!.seconds)} on wse3`), fc.detail);
});

test("CodeLens: one per layer on its first node's line, with its time on each target", () => {
  const v = sampleView();
  const uri = 'onnx-text:/m/tiny-gpt.onnx.onnxtxt?file%3A%2F%2F%2Fm%2Ftiny-gpt.onnx';
  const lenses = codeLenses(v, uri);
  const layers = v.run!.profile.analysis.layers;
  assert.equal(lenses.length, layers.length);
  lenses.forEach((l, li) => {
    const first = Math.min(...layers[li].nodeIndices.map((ni) => v.printed.nodeLine[ni]));
    assert.equal(l.range.start.line, first);
    assert.equal(l.command!.command, SELECT_LAYER_COMMAND);
    assert.deepEqual(l.command!.arguments, [uri, layers[li].name]);
    for (const { target, rows } of v.run!.targets)
      assert.ok(
        l.command!.title.includes(`${target.id} ${fmtSeconds(rows[li]!.seconds)} (${rows[li]!.bound})`),
        l.command!.title,
      );
  });
});

test('line <-> layer: every node line maps to its layer, and a layer maps back to its first node', () => {
  const v = sampleView();
  const run = v.run!;
  v.model.graph.nodes.forEach((_, k) => assert.equal(v.layerAt(v.printed.nodeLine[k]), run.nodeLayer[k]));
  run.profile.analysis.layers.forEach((l, li) => {
    const line = v.layerLine(li);
    assert.equal(v.layerAt(line), li);
    assert.equal(v.layerIndexByName(l.name), li);
  });
  assert.equal(v.layerAt(v.printed.declLine.get('model.embed_tokens.weight')!), undefined);
  assert.equal(v.layerAt(0), undefined);
});

test('subgraph lines belong to the layer of the node that owns the subgraph', () => {
  const v = new ModelView(readModelBytes(controlFlowModel(), 'cf.onnx'), 'cf.onnx');
  v.profile(optionsFromSettings({ targets: ['h100-dgx'], dims: { n: 3 } }));
  const ifLayer = v.run!.nodeLayer[0];
  const thenSpan = v.printed.graphs.find(
    (s) => s.owner?.graph === 'main' && s.owner.index === 0 && s.attr === 'then_branch',
  )!;
  const nestedLine = v.printed.subgraphNodeLines.get(thenSpan.path)![0];
  assert.equal(v.layerAt(nestedLine), ifLayer);
  assert.equal(v.layerAt(thenSpan.line), ifLayer);
  const h = text(hoverAt(v, nestedLine));
  assert.ok(h.startsWith(`**If** \`nested_if\` in subgraph \`${thenSpan.path}\``), h);
  assert.ok(h.includes(`**Layer** \`${v.run!.profile.analysis.layers[ifLayer].name}\``), h);
  // the If's subgraphs appear under its node in the Outline
  const ifSym = allSymbols(documentSymbols(v)).find((x) => x.kind === SymbolKind.Operator && x.name === 'if0')!;
  assert.deepEqual(ifSym.children!.map((c) => c.name).sort(), ['else_branch: else', 'then_branch: then']);
});

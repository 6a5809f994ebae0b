// The text view and its language server in a real VS Code: "Show Model as Text" on the embedded sample and
// on a corpus model, then hover, diagnostics, document symbols and CodeLens through VS Code's own provider
// commands, a settings change, and the cursor link with the profile editor.
import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { T, graph, model as modelBytes, node, vi } from '../fixtures/onnx-writer';
import { SKIP_NO_SHARED, sharedDir } from '../fixtures/paths';
import { api, closeAll, openProfile, samplePath, tempDir } from './helpers';

const LAYER = '/model/layers.0/mlp/c_fc/MatMul';

async function showAsText(model: vscode.Uri): Promise<vscode.TextEditor> {
  await api();
  const editor = await vscode.commands.executeCommand<vscode.TextEditor>('onnxProfiler.showModelAsText', model);
  assert.ok(editor, 'Show Model as Text returns the editor');
  return editor;
}

function lineOf(doc: vscode.TextDocument, needle: string): number {
  for (let i = 0; i < doc.lineCount; i++) if (doc.lineAt(i).text.includes(needle)) return i;
  throw new Error(`no line with ${needle}`);
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.map((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n')).join('\n');
}

/** Resolves once `accept` holds, checking now and at each change (no fixed sleeps). */
async function until<T>(
  what: string,
  read: () => T | Promise<T>,
  accept: (v: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await read();
    if (accept(v)) return v;
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)?.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function ourDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'onnx-profiler');
}

describe('text view and language server', function () {
  let model: vscode.Uri;

  beforeEach(function () {
    if (!fs.existsSync(samplePath())) this.skip();
    const file = path.join(tempDir(), 'tiny-gpt.onnx');
    fs.copyFileSync(samplePath(), file);
    model = vscode.Uri.file(file);
  });
  afterEach(async () => {
    await vscode.workspace
      .getConfiguration('onnxProfiler')
      .update('dims', undefined, vscode.ConfigurationTarget.Global);
    await closeAll();
  });

  it('shows the sample as read-only ONNX text, one statement per node', async function () {
    const editor = await showAsText(model);
    const doc = editor.document;
    assert.equal(doc.uri.scheme, 'onnx-text');
    assert.equal(doc.languageId, 'onnx-text');
    assert.equal(path.basename(doc.uri.path), 'tiny-gpt.onnx.onnxtxt');
    const text = doc.getText();
    assert.ok(
      text.includes('\nmain_graph (int64[batch,seq] input_ids) => (float[batch,seq,512] logits)\n'),
      text.slice(0, 800),
    );
    assert.ok(text.includes('   opset_import: ["" : 17],'));
    const statements = text.split('\n').filter((l) => /^ {3}\["\/(model|lm_head)\//.test(l));
    assert.equal(statements.length, 81, 'tiny-gpt has 81 nodes');
    assert.ok(doc.lineAt(lineOf(doc, `["${LAYER}"]`)).text.endsWith('  # float[batch,seq,256]'));
    // the command focuses the open view rather than opening a second one
    const again = await showAsText(model);
    assert.equal(again.document, doc);
    assert.equal(vscode.workspace.textDocuments.filter((d) => d.uri.toString() === doc.uri.toString()).length, 1);
  });

  it("hover gives the layer's time, bound, FLOPs, memory and placement on each target", async function () {
    const doc = (await showAsText(model)).document;
    const line = lineOf(doc, `["${LAYER}"]`);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      doc.uri,
      new vscode.Position(line, 8),
    );
    const md = hoverText(hovers);
    assert.ok(md.includes(`**Layer** \`${LAYER}\` (matmul`), md);
    assert.ok(md.includes('| target | time | bound | FLOPs | memory | placement |'), md);
    assert.match(
      md,
      /\| \*\*wse3\*\* \| [\d.]+ (ns|µs|ms) \| (compute|memory|communication|latency) \| [\d.]+ kFLOP \| [\d.]+ (B|KiB|MiB) \| \d+×\d+ cores at \(\d+, \d+\) \|/,
    );
    assert.match(
      md,
      /\| \*\*h100-dgx\*\* \| [\d.]+ (ns|µs|ms) \| (compute|memory|communication|latency) \| .* \| stage \d+, \d+ GPU\(s\)/,
    );
    const header = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      doc.uri,
      new vscode.Position(lineOf(doc, 'main_graph ('), 2),
    );
    assert.match(hoverText(header), /81 nodes · \d+ layers · 141,078 parameters/);
  });

  it('reports unbound dims in the Problems panel and clears them when the setting binds them', async function () {
    const doc = (await showAsText(model)).document;
    const d = await until(
      'the unbound-dim warning',
      () => ourDiagnostics(doc.uri),
      (ds) => ds.length > 0,
    );
    assert.deepEqual(
      d.map((x) => [x.code, x.severity, x.range.start.line]),
      [['unbound-dim', vscode.DiagnosticSeverity.Warning, lineOf(doc, 'main_graph (')]],
    );
    assert.match(d[0].message, /symbolic dim 'seq' is unbound/);
    await vscode.workspace
      .getConfiguration('onnxProfiler')
      .update('dims', { seq: 64 }, vscode.ConfigurationTarget.Global);
    await until(
      'diagnostics cleared by the seq binding',
      () => ourDiagnostics(doc.uri),
      (ds) => ds.length === 0,
    );
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      doc.uri,
      new vscode.Position(lineOf(doc, `["${LAYER}"]`), 8),
    );
    assert.ok(hoverText(hovers).includes('seq=64'), 'the hover follows the new binding');
  });

  it('outlines graph, blocks, layers and nodes, and puts a CodeLens with its time on each layer', async function () {
    const doc = (await showAsText(model)).document;
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>(
      'vscode.executeDocumentSymbolProvider',
      doc.uri,
    );
    assert.equal(symbols.length, 1);
    assert.equal(symbols[0].name, 'main_graph');
    const blocks = symbols[0].children.filter((c) => c.kind === vscode.SymbolKind.Namespace);
    assert.deepEqual(
      blocks.map((b) => b.name),
      ['/model/layers.0', '/model/layers.1'],
    );
    const layer = blocks[0].children.find((l) => l.name === LAYER);
    assert.ok(layer, 'the MLP up-projection layer is in block 0');
    assert.equal(layer.kind, vscode.SymbolKind.Function);
    assert.ok(layer.children.some((n) => n.name === LAYER && n.detail === 'MatMul'));
    let nodes = 0;
    const count = (s: vscode.DocumentSymbol) => {
      if (s.kind === vscode.SymbolKind.Operator) nodes++;
      s.children.forEach(count);
    };
    symbols.forEach(count);
    assert.equal(nodes, 81);

    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    const layerCount = symbols[0].children.reduce(
      (n, c) => n + (c.kind === vscode.SymbolKind.Namespace ? c.children.length : 1),
      0,
    );
    assert.equal(lenses.length, layerCount);
    const lens = lenses.find((l) => l.range.start.line === lineOf(doc, `["${LAYER}"]`));
    assert.ok(lens?.command, "a lens on the layer's first node");
    assert.match(lens.command.title, /^⏱ wse3 [\d.]+ (ns|µs|ms) \(\w+\) · h100-dgx [\d.]+ (ns|µs|ms) \(\w+\)/);
    assert.deepEqual(lens.command.arguments, [doc.uri.toString(), LAYER]);
  });

  it('links the cursor with the profile editor both ways', async function () {
    const { uri } = await openProfile(model.fsPath);
    const editor = await showAsText(uri);
    const line = lineOf(editor.document, `["${LAYER}"]`);
    // text -> profile editor: the webview highlights the layer under the cursor
    editor.selection = new vscode.Selection(line, 5, line, 5);
    const a = await api();
    await until(
      'the webview to select the layer',
      () => a.inspect(uri).then((s) => s?.selectedLayer ?? null),
      (l) => l === LAYER,
    );
    // profile editor -> text: the cursor moves to the layer's first node
    const other = '/model/layers.1/attn/c_attn/MatMul';
    await vscode.commands.executeCommand('onnxProfiler.text.revealLayer', uri, other);
    assert.equal(editor.selection.active.line, lineOf(editor.document, `["${other}"]`));
  });

  it('follows the model file when it changes on disk', async function () {
    const doc = (await showAsText(model)).document;
    await until(
      'the first analysis',
      () => ourDiagnostics(doc.uri).length,
      (n) => n > 0,
    );
    const small = modelBytes({
      irVersion: 8,
      opsets: { '': 17 },
      graph: graph({
        name: 'replaced_graph',
        nodes: [node('Relu', ['x'], ['y'], {}, { name: 'only_relu' })],
        inputs: [vi('x', T.FLOAT, [2, 3])],
        outputs: [vi('y', T.FLOAT, [2, 3])],
      }),
    });
    const replaced = (t: string) => t.includes('\nreplaced_graph (float[2,3] x) => (float[2,3] y)\n');
    // file watchers outside the workspace start asynchronously and may miss a first write: write again while waiting
    for (let attempt = 0; attempt < 6 && !replaced(doc.getText()); attempt++) {
      fs.writeFileSync(model.fsPath, small);
      await until('the text view to show the new model', () => doc.getText(), replaced, 5_000).catch(() => undefined);
    }
    assert.ok(replaced(doc.getText()), 'the text view shows the rewritten model');
    assert.ok(doc.getText().includes('   [only_relu] y = Relu (x)  # float[2,3]'));
    // the new model is profiled: no unbound dims any more, and one lens for its one layer
    await until(
      'diagnostics of the new model',
      () => ourDiagnostics(doc.uri).length,
      (n) => n === 0,
    );
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    assert.deepEqual(
      lenses.map((l) => l.command?.arguments?.[1]),
      ['only_relu'],
    );
  });

  it("shows a corpus model (GPT-2 small, external data absent) with a hover on every layer's first node", async function () {
    const shared = sharedDir();
    if (!shared) {
      console.log(SKIP_NO_SHARED);
      this.skip();
    }
    const file = path.join(shared!, 'corpus', 'torch', 'gpt2_small', 'gpt2_small.onnx');
    const doc = (await showAsText(vscode.Uri.file(file))).document;
    const statements = doc
      .getText()
      .split('\n')
      .filter((l) => /^ {3}\[/.test(l));
    assert.equal(statements.length, 857);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    assert.ok(lenses.length > 24, `${lenses.length} layers`);
    const attn = lineOf(doc, '["/h.11/attn/c_attn/Gemm"]');
    const md = hoverText(
      await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        doc.uri,
        new vscode.Position(attn, 6),
      ),
    );
    assert.ok(md.includes('block `/h.11`'), md);
    assert.match(md, /\| \*\*wse3\*\* \| [\d.]+ (ns|µs|ms) \|/);
    const d = await until(
      'the reader warning',
      () => ourDiagnostics(doc.uri),
      (ds) => ds.length > 0,
    );
    assert.ok(
      d.some((x) => x.code === 'reader' && /gpt2_small\.onnx\.data/.test(x.message)),
      JSON.stringify(d.map((x) => x.message)),
    );
  });
});

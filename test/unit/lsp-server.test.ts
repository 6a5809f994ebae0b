// The language server as VS Code runs it: bundled from src/server/server.ts, forked with node IPC, spoken to
// over LSP. Covers the custom requests, pushed diagnostics, hover, symbols, CodeLens and a settings change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, fork, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import {
  createProtocolConnection,
  IPCMessageReader,
  IPCMessageWriter,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type Hover,
  type DocumentSymbol,
  type CodeLens,
  type MarkupContent,
} from 'vscode-languageserver-protocol/node';
import { readModelFile } from '../../src/engine/onnx/reader';
import { inferShapes } from '../../src/engine/shapes/infer';
import { printModel } from '../../src/textview/printer';
import { sampleModelBytes } from '../fixtures/sample-model';
import { projectRoot } from '../fixtures/paths';
import {
  LayerToLineRequest,
  LineToLayerRequest,
  ModelTextRequest,
  type LineToLayerResult,
} from '../../src/lsp/protocol';

const TIMEOUT_MS = 30_000;

function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
}

interface Server {
  child: ChildProcess;
  conn: ProtocolConnection;
  settings: Record<string, unknown>;
  diagnostics: Map<string, PublishDiagnosticsParams[]>;
  lensRefreshes: number;
  /** resolves with the next diagnostics published for `uri` */
  nextDiagnostics(uri: string): Promise<PublishDiagnosticsParams>;
}

let bundle: string | undefined;

/** The same bundle esbuild.js makes for dist/server.js, built once here so the test does not depend on a prior build. */
function serverBundle(): string {
  if (bundle) return bundle;
  const root = projectRoot();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsp-server-bundle-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const out = path.join(dir, 'server.js');
  execFileSync(path.join(root, 'node_modules', 'esbuild', 'bin', 'esbuild'), [
    path.join(root, 'src', 'server', 'server.ts'),
    '--bundle',
    '--platform=node',
    '--format=cjs',
    '--target=node20',
    `--outfile=${out}`,
    '--log-level=warning',
  ]);
  return (bundle = out);
}

async function startServer(settings: Record<string, unknown>): Promise<Server> {
  const child = fork(serverBundle(), ['--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const conn = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  const waiting = new Map<string, ((p: PublishDiagnosticsParams) => void)[]>();
  const s: Server = {
    child,
    conn,
    settings,
    diagnostics: new Map(),
    lensRefreshes: 0,
    nextDiagnostics: (uri) =>
      within(
        new Promise((resolve) => {
          const list = waiting.get(uri) ?? [];
          list.push(resolve);
          waiting.set(uri, list);
        }),
        `diagnostics for ${uri}`,
      ),
  };
  conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    s.diagnostics.set(p.uri, [...(s.diagnostics.get(p.uri) ?? []), p]);
    const w = waiting.get(p.uri);
    if (w?.length) w.shift()!(p);
  });
  conn.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) =>
    p.items.map((i) => (i.section === 'onnxProfiler' ? s.settings : null)),
  );
  conn.onRequest('workspace/codeLens/refresh', () => {
    s.lensRefreshes++;
    return null;
  });
  conn.onNotification('window/logMessage', () => undefined);
  conn.listen();
  await within(
    conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      workspaceFolders: null,
      capabilities: { workspace: { configuration: true, codeLens: { refreshSupport: true } } },
    }),
    'initialize',
  );
  conn.sendNotification('initialized', {});
  return s;
}

async function stopServer(s: Server): Promise<void> {
  const exited = new Promise<void>((resolve) => s.child.once('exit', () => resolve()));
  try {
    await within(s.conn.sendRequest('shutdown'), 'shutdown');
    s.conn.sendNotification('exit');
    await within(exited, 'server exit');
  } finally {
    s.conn.dispose();
    if (s.child.exitCode === null) s.child.kill();
  }
}

function textUri(file: string): string {
  // what vscode.Uri.from({ scheme: 'onnx-text', path, query: modelUri }).toString() gives
  const model = pathToFileURL(file).href;
  return `onnx-text:${encodeURI(file)}.onnxtxt?${encodeURIComponent(model)}`;
}

test('the language server serves the text, diagnostics, hover, symbols, CodeLens and selection sync over IPC', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsp-server-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'tiny-gpt.onnx');
  fs.writeFileSync(file, sampleModelBytes());
  const s = await startServer({ targets: ['wse3', 'h100-dgx'], batch: 1, dims: { seq: 64 } });
  t.after(() => stopServer(s));
  const uri = textUri(file);

  // the text is the printer's, with the file name as title
  const m = readModelFile(file);
  const expected = printModel(m, { shapes: inferShapes(m, { bindings: {} }), title: 'tiny-gpt.onnx' });
  const r = await within(s.conn.sendRequest(ModelTextRequest, { uri }), 'modelText');
  assert.equal(r.error, undefined);
  assert.equal(r.text, expected.text);

  const first = s.nextDiagnostics(uri);
  s.conn.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'onnx-text', version: 1, text: r.text },
  });
  assert.deepEqual((await first).diagnostics, [], 'the sample with seq bound has nothing to report');

  const k = m.graph.nodes.findIndex((n) => n.name === '/model/layers.1/attn/c_attn/MatMul');
  const line = expected.nodeLine[k];
  const hover = await within(
    s.conn.sendRequest<Hover | null>('textDocument/hover', {
      textDocument: { uri },
      position: { line, character: 10 },
    }),
    'hover',
  );
  const md = (hover!.contents as MarkupContent).value;
  assert.ok(md.startsWith('**MatMul** `/model/layers.1/attn/c_attn/MatMul`'), md);
  assert.match(md, /\| \*\*wse3\*\* \| [\d.]+ (ns|µs|ms) \| (compute|memory|communication|latency) \| /);
  assert.match(md, /\| \*\*h100-dgx\*\* \| [\d.]+ (ns|µs|ms) \| /);

  const symbols = await within(
    s.conn.sendRequest<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } }),
    'symbols',
  );
  assert.equal(symbols[0].name, 'main_graph');
  assert.deepEqual(
    symbols[0].children!.filter((c) => c.name.startsWith('/model/layers.')).map((c) => c.name),
    ['/model/layers.0', '/model/layers.1'],
  );

  const lenses = await within(
    s.conn.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } }),
    'codeLens',
  );
  assert.equal(
    lenses.length,
    symbols[0].children!.reduce((n, c) => n + (c.name.startsWith('/model/layers.') ? c.children!.length : 1), 0),
  );
  assert.ok(
    lenses.every((l) => /^⏱ wse3 [\d.]+ (ns|µs|ms) \(\w+\) · h100-dgx /.test(l.command!.title)),
    lenses[0].command!.title,
  );

  // selection sync: a node line -> its layer -> the layer's first line
  const at: LineToLayerResult = await within(s.conn.sendRequest(LineToLayerRequest, { uri, line }), 'lineToLayer');
  assert.deepEqual(at, { layer: '/model/layers.1/attn/c_attn/MatMul', node: '/model/layers.1/attn/c_attn/MatMul' });
  const back = await within(s.conn.sendRequest(LayerToLineRequest, { uri, layer: at.layer! }), 'layerToLine');
  assert.equal(back.line, line);
  assert.deepEqual(await s.conn.sendRequest(LayerToLineRequest, { uri, layer: 'no such layer' }), { line: null });
  assert.deepEqual(await s.conn.sendRequest(LineToLayerRequest, { uri, line: 0 }), { layer: null, node: null });

  // a settings change re-profiles: seq unbound now, one target; the lenses are refreshed
  const again = s.nextDiagnostics(uri);
  s.settings = { targets: ['wse3'], batch: 1 };
  s.conn.sendNotification('workspace/didChangeConfiguration', { settings: { onnxProfiler: s.settings } });
  const d = await again;
  assert.deepEqual(
    d.diagnostics.map((x) => [x.code, x.range.start.line]),
    [['unbound-dim', expected.declLine.get('input_ids')]],
  );
  const lenses2 = await s.conn.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
  assert.ok(lenses2.every((l) => !l.command!.title.includes('h100-dgx')));
  assert.equal(s.lensRefreshes, 1);

  // closing the document clears its diagnostics
  const cleared = s.nextDiagnostics(uri);
  s.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  assert.deepEqual((await cleared).diagnostics, []);
});

test('a file that is not a model gives an explaining text and an error diagnostic, not a failure', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsp-server-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'notes.onnx');
  fs.writeFileSync(file, 'this is a text file, not a protobuf model\n');
  const s = await startServer({});
  t.after(() => stopServer(s));
  const uri = textUri(file);
  const r = await within(s.conn.sendRequest(ModelTextRequest, { uri }), 'modelText');
  assert.ok(r.error && r.error.includes('notes.onnx'), r.error);
  assert.match(r.text, /^# file:\/\/.*notes\.onnx\n# cannot be shown as ONNX text: /);
  const d = s.nextDiagnostics(uri);
  s.conn.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'onnx-text', version: 1, text: r.text },
  });
  const got = await d;
  assert.equal(got.diagnostics.length, 1);
  assert.equal(got.diagnostics[0].severity, 1);
  assert.equal(got.diagnostics[0].message, r.error);
  assert.equal(
    await s.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } }),
    null,
  );
});

#!/usr/bin/env node
// @ts-check
// `npm start`: packages the extension, installs it into a fresh code-server (a real VS Code in the browser)
// on 127.0.0.1, opens the embedded sample model in the profile editor, and prints the URL and the CLI's
// report of the same sample. Ctrl-C stops the server (its whole process group).
// Environment: PORT (default: a free port).
'use strict';
const cp = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { projectRoot, startCodeServer, workbenchUrl } = require('./server');

async function main() {
  const root = projectRoot(__dirname);
  const sample = path.join(root, 'media', 'sample', 'tiny-gpt.onnx');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-profiler-start-'));
  const vsix = path.join(tmp, 'onnx-hardware-profiler.vsix');
  const vsce = cp.spawnSync(
    process.execPath,
    [require.resolve('@vscode/vsce/vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '--out', vsix],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (vsce.status !== 0) throw new Error('vsce package failed');
  const server = await startCodeServer({
    installVsix: vsix,
    // the sample opens with the window: without the association it can open before the installed extension's
    // custom editor is registered, and lands in the text editor
    settings: { 'workbench.editorAssociations': { '*.onnx': 'onnxProfiler.profile' } },
    port: process.env.PORT ? Number(process.env.PORT) : undefined,
    logFile: path.join(tmp, 'code-server.log'),
  });
  const stop = async () => {
    await server.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  // no model argument: the CLI profiles the sample at its documented context (batch 1, seq 128)
  const report = cp.spawnSync(process.execPath, [path.join(root, 'dist', 'cli.js')], { encoding: 'utf8' });
  process.stdout.write(
    `\nCLI report of the sample (node dist/cli.js: no model = the sample, batch 1, seq 128):\n\n${report.stdout}${report.stderr}\n`,
  );
  const url = workbenchUrl(server, { folder: path.dirname(sample), openFile: sample });
  process.stdout.write(
    `VS Code (code-server ${require('./install').CODE_SERVER_VERSION}) with the ONNX Hardware Profiler is running at:\n\n  ${url}\n\n` +
      `(plain: ${server.url}/ ; log: ${path.join(tmp, 'code-server.log')}). Press Ctrl-C to stop.\n`,
  );
  if (process.env.ONNX_PROFILER_START_ONCE) await stop(); // used by tests of this script
}

main().catch((e) => {
  process.stderr.write(`start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});

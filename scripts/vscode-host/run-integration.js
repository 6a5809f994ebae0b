#!/usr/bin/env node
// @ts-check
// Runs the integration suites (out/test/integration/index.js, a mocha run() inside the real extension
// host) in code-server + headless Chromium, through VS Code's own test hooks: the workbench URL carries a
// payload with extensionDevelopmentPath and extensionTestsPath, the suite's output arrives through
// codeAutomationLog and its exit code through codeAutomationExit.
// Usage: node scripts/vscode-host/run-integration.js [--grep PATTERN]
// Writes test-results/integration.json ({passed, failed, pending}) and exits with the suite's code.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const util = require('util');
const { projectRoot, startCodeServer, launchChromium, workbenchUrl } = require('./server');

const TIMEOUT_MS = Number(process.env.INTEGRATION_TIMEOUT_MS || 15 * 60_000);

async function main() {
  const root = projectRoot(__dirname);
  const suite = path.join(root, 'out', 'test', 'integration', 'index.js');
  if (!fs.existsSync(suite))
    throw new Error(`${suite} is missing: run \`node esbuild.js && node esbuild.js --tests\` first`);
  if (!fs.existsSync(path.join(root, 'dist', 'extension.js')))
    throw new Error('dist/extension.js is missing: run `node esbuild.js` first');
  const results = path.join(root, 'test-results');
  fs.mkdirSync(results, { recursive: true });
  const grep = process.argv.includes('--grep') ? process.argv[process.argv.indexOf('--grep') + 1] : undefined;
  // the suites read their options from this file (the extension host does not inherit our environment)
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-profiler-ws-'));
  fs.writeFileSync(path.join(workspace, '.integration.json'), JSON.stringify({ projectRoot: root, grep, results }));
  const t0 = Date.now();
  let server;
  let browser;
  let code = 1;
  let summary = { passed: 0, failed: 0, pending: 0 };
  try {
    server = await startCodeServer({ logFile: path.join(results, 'code-server-integration.log') });
    const b = await launchChromium(server.chromium);
    browser = b.browser;
    const exit = new Promise((resolve) => {
      void b.page.exposeFunction('codeAutomationExit', (c) => resolve(Number(c)));
    });
    const log = fs.createWriteStream(path.join(results, 'integration.log'));
    await b.page.exposeFunction('codeAutomationLog', (type, args) => {
      const list = Array.isArray(args) ? args : [args];
      // the workbench's own logging is styled ("%c ..."): to the log file only; the suites' output
      // (console.log in the extension host, format string first: mocha's spec reporter uses %s/%d) to stdout too
      const text = util.format(...list);
      const workbench = (typeof list[0] === 'string' && list[0].startsWith('%c')) || text.includes('/static/out/vs/');
      log.write(`[${type}] ${text}\n`);
      const m = /INTEGRATION-RESULT (\{.*\})/.exec(text);
      if (m) summary = JSON.parse(m[1]);
      if (!workbench) process.stdout.write(`${type === 'error' ? '[extension host error] ' : ''}${text}\n`);
    });
    await b.page.goto(
      workbenchUrl(server, { folder: workspace, extensionDevelopmentPath: root, extensionTestsPath: suite }),
    );
    const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), TIMEOUT_MS));
    const r = await Promise.race([exit, timeout]);
    if (r === 'timeout') {
      process.stdout.write(`integration suites did not finish within ${TIMEOUT_MS / 1000} s\n`);
      await b.page.screenshot({ path: path.join(results, 'integration-timeout.png') }).catch(() => undefined);
      code = 1;
    } else code = /** @type {number} */ (r);
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
  }
  if (code !== 0 && summary.failed === 0) summary.failed = 1; // a crash or timeout counts as a failure
  fs.writeFileSync(
    path.join(results, 'integration.json'),
    JSON.stringify({ ...summary, exitCode: code, seconds: (Date.now() - t0) / 1000 }),
  );
  process.stdout.write(
    `integration: ${summary.passed} passed, ${summary.failed} failed, ${summary.pending} pending in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
  );
  process.exit(code);
}

main().catch((e) => {
  process.stderr.write(`run-integration: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});

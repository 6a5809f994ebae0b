#!/usr/bin/env node
// @ts-check
// The ecosystem's standard launcher, for machines with internet access: @vscode/test-electron downloads a
// desktop VS Code build and runs the same integration suites (out/test/integration/index.js) in it.
// Not used by `npm test`: offline, the download fails (getaddrinfo ENOTFOUND), so npm test runs the
// suites in code-server instead (run-integration.js). Usage: npm run test:electron [-- --version stable]
'use strict';
const path = require('path');
const { runTests } = require('@vscode/test-electron');
const { projectRoot } = require('./server');

async function main() {
  const root = projectRoot(__dirname);
  const v = process.argv.indexOf('--version');
  const version = v > 0 ? process.argv[v + 1] : 'stable';
  const code = await runTests({
    version,
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'out', 'test', 'integration', 'index.js'),
    // a clean profile, no other extensions (rust-analyzer's tests/runTests.ts does the same)
    launchArgs: ['--disable-extensions', '--disable-workspace-trust', path.join(root, 'media', 'sample')],
  });
  process.exit(code);
}

main().catch((e) => {
  process.stderr.write(`electron tests failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});

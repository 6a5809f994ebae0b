// The suite index VS Code's test runner loads inside the extension host (extensionTestsPath):
// runs every compiled *.test.js next to it with mocha, and prints one machine-readable result line
// (INTEGRATION-RESULT {...}) that scripts/vscode-host/run-integration.js turns into the summary.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';
import * as vscode from 'vscode';

interface RunConfig {
  grep?: string;
}

function config(): RunConfig {
  const ws = vscode.workspace.workspaceFolders?.[0];
  if (!ws) return {};
  try {
    return JSON.parse(fs.readFileSync(path.join(ws.uri.fsPath, '.integration.json'), 'utf8')) as RunConfig;
  } catch {
    return {};
  }
}

export function run(): Promise<void> {
  const cfg = config();
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 120_000, reporter: 'spec', grep: cfg.grep });
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const s = runner.stats ?? { passes: 0, failures, pending: 0 };
      console.log(
        `INTEGRATION-RESULT ${JSON.stringify({ passed: s.passes, failed: s.failures, pending: s.pending, files: files.length })}`,
      );
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
      else resolve();
    });
  });
}

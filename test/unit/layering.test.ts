// Data flows one way (bytes -> model -> shapes -> costs -> mapping -> profile -> views): the engine imports
// neither VS Code nor any view layer (report, editor, server, webview), so the CLI and the worker can run it alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { projectRoot } from '../fixtures/paths';

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

test('src/engine imports no vscode and no view layer', () => {
  const engine = path.join(projectRoot(), 'src', 'engine');
  const files = tsFiles(engine);
  assert.ok(files.length > 50, `engine sources found: ${files.length}`);
  const bad: string[] = [];
  for (const f of files) {
    const src = fs.readFileSync(f, 'utf8');
    for (const m of src.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)) {
      const spec = m[1];
      if (spec === 'vscode') bad.push(`${path.relative(engine, f)} imports vscode`);
      else if (spec.startsWith('.')) {
        const target = path.resolve(path.dirname(f), spec);
        if (!target.startsWith(engine + path.sep)) bad.push(`${path.relative(engine, f)} imports ${spec}`);
      }
    }
  }
  assert.deepEqual(bad, []);
});

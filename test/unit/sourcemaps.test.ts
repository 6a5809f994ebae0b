// The shipped bundles and their source maps agree: every .js that .vscodeignore ships names a map
// (sourceMappingURL) that is shipped too, parses as a v3 map, and whose `sources` exist in the checkout.
// Runs against dist/ as built by `node esbuild.js` (or --production); skips when dist/ was not built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { projectRoot } from '../fixtures/paths';

const root = projectRoot();
const allowed = fs
  .readFileSync(path.join(root, '.vscodeignore'), 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('!'))
  .map((l) => l.slice(1).trim());
const shippedJs = allowed.filter((p) => /^dist\/[^*]+\.js$/.test(p));
const built = shippedJs.length > 0 && shippedJs.every((p) => fs.existsSync(path.join(root, p)));

test(
  'each shipped bundle links a shipped source map whose sources exist',
  { skip: built ? false : 'dist/ not built (run node esbuild.js): skipped' },
  () => {
    assert.ok(shippedJs.length >= 5, `bundles shipped: ${shippedJs.join(', ')}`);
    for (const js of shippedJs) {
      const text = fs.readFileSync(path.join(root, js), 'utf8');
      const m = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text);
      assert.ok(m, `${js}: ends with a sourceMappingURL comment`);
      const mapRel = path.posix.join(path.posix.dirname(js), m![1]);
      assert.ok(allowed.includes(mapRel), `${mapRel} is shipped (.vscodeignore allow-list)`);
      const mapFile = path.join(root, mapRel);
      assert.ok(fs.existsSync(mapFile), `${mapRel} exists`);
      const map = JSON.parse(fs.readFileSync(mapFile, 'utf8')) as {
        version: number;
        sources: string[];
        sourcesContent?: (string | null)[];
      };
      assert.equal(map.version, 3, `${mapRel}: source map v3`);
      assert.ok(map.sources.length > 0, `${mapRel}: names its sources`);
      // a source exists on disk, or (a dependency's original sources that its package does not ship, e.g.
      // chart.js's src/ reached through its own maps) its text is embedded in sourcesContent
      const onDisk = (s: string) => fs.existsSync(path.resolve(path.dirname(mapFile), s));
      const missing = map.sources.filter((s, i) => !onDisk(s) && typeof map.sourcesContent?.[i] !== 'string');
      assert.deepEqual(missing, [], `${mapRel}: every source exists or is embedded`);
      const own = map.sources.filter((s) => /^\.\.\/(src|webview)\//.test(s));
      assert.deepEqual(
        own.filter((s) => !onDisk(s)),
        [],
        `${mapRel}: the project's own sources exist in the checkout`,
      );
      assert.ok(
        map.sources.some((s) => /(^|\/)src\/|(^|\/)webview\//.test(s)),
        `${mapRel}: maps back to the project's own sources`,
      );
    }
  },
);

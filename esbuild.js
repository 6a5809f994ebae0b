// Builds every bundle of the extension with one config: the extension host (node, cjs), the language
// server, the engine worker, the CLI, the webview (browser) and, with --tests, the test suites.
// Flags: --production minifies (source maps stay linked); --watch rebuilds on change and reports errors in the esbuild problem-matcher format.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const tests = process.argv.includes('--tests');

/** Prints errors as `✘ [ERROR] msg` + `file:line:col:` so the esbuild problem matcher picks them up. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => {
      if (watch) console.log('[watch] build started');
    });
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      if (watch) console.log('[watch] build finished');
    });
  },
};

// Linked source maps in every build, production included: the shipped bundles name their maps
// (sourceMappingURL) and .vscodeignore ships the maps, so stack traces from users map back to src/
// (test/unit/sourcemaps.test.ts checks each shipped bundle's map resolves and its sources exist).
const common = {
  bundle: true,
  sourcemap: 'linked',
  minify: production,
  logLevel: 'warning',
  plugins: [problemMatcher],
};

const node = { ...common, platform: 'node', format: 'cjs', target: 'node20' };

function listTests(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true })
    .filter(
      (f) =>
        /\.(test|bench|suite|index|run)\.ts$/.test(f) ||
        /(^|\/)index\.ts$/.test(f) ||
        (/\.ts$/.test(f) && dir.endsWith('bench')),
    )
    .map((f) => path.join(dir, f));
}

const builds = tests
  ? [
      {
        ...node,
        entryPoints: listTests('test/unit'),
        outdir: 'out/test/unit',
        external: ['vscode', 'onnxruntime-node'],
      },
      { ...node, entryPoints: listTests('test/corpus'), outdir: 'out/test/corpus' },
      // the suite index and every *.test.ts: index.js loads the compiled tests inside the extension host
      {
        ...node,
        entryPoints: listTests('test/integration').filter((f) => /(^|\/)index\.ts$|\.test\.ts$/.test(f)),
        outdir: 'out/test/integration',
        // onnxruntime-node (native, dev only): the measured-profile test makes a real CPU profile in the host
        external: ['vscode', 'mocha', 'onnxruntime-node'],
      },
      {
        ...node,
        entryPoints: listTests('test/ui').filter((f) => /\.test\.ts$/.test(f)),
        outdir: 'out/test/ui',
        external: ['playwright-core', 'onnxruntime-node'],
      },
      {
        ...node,
        entryPoints: ['test/bench/bench.ts', 'test/bench/webview-bench.ts', 'test/bench/profile-bench.ts'].filter(
          fs.existsSync,
        ),
        outdir: 'out/test/bench',
        external: ['onnx-proto', 'protobufjs', 'playwright-core'],
      },
      // the fuzz runner (npm run fuzz) and the child process that unit tests and the runner use to survive aborts
      {
        ...node,
        entryPoints: ['test/fuzz/run.ts', 'test/fuzz/child.ts'].filter(fs.existsSync),
        outdir: 'out/test/fuzz',
      },
    ].filter((b) => b.entryPoints.length > 0)
  : [
      { ...node, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
      { ...node, entryPoints: ['src/server/server.ts'], outfile: 'dist/server.js' },
      { ...node, entryPoints: ['src/editor/worker.ts'], outfile: 'dist/worker.js' },
      { ...node, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
      {
        ...common,
        platform: 'browser',
        format: 'iife',
        target: 'es2022',
        entryPoints: ['webview/main.ts'],
        outfile: 'dist/webview.js',
      },
    ].filter((b) => b.entryPoints.every(fs.existsSync));

async function main() {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  let failed = false;
  for (const c of contexts) {
    try {
      await c.rebuild();
    } catch {
      failed = true;
    }
    await c.dispose();
  }
  if (!tests && fs.existsSync('dist/cli.js')) fs.chmodSync('dist/cli.js', 0o755);
  if (failed) process.exit(1);
  if (!tests) await writeSpecSchema();
}

/** dist/hardware-spec.schema.json, derived from the built-in specs (src/engine/hardware/schema.ts). */
async function writeSpecSchema() {
  const outfile = path.join('out', 'scripts', 'write-spec-schema.js');
  await esbuild.build({ ...node, plugins: [], entryPoints: ['scripts/write-spec-schema.ts'], outfile });
  require(path.resolve(outfile));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

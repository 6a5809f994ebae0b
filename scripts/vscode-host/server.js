// @ts-check
// Starts code-server (a real VS Code 1.139 workbench + extension host) on 127.0.0.1 with throwaway
// profile folders, and a headless Chromium (Debian's, driven by playwright-core) to load it.
// Flags and traps: ../shared/reference/real-vscode-host.md (beside the project). Key points:
//  - --vscode-option enable-smoke-test-driver: without it the extensionTestsPath payload is ignored silently;
//  - the server runs in its own session/process group (detached = setsid()) and is stopped with
//    kill(-pgid): its agent host and extension host would otherwise outlive it;
//  - XDG_* and --user-data-dir/--extensions-dir point at temp folders so nothing lands in $HOME.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const net = require('net');
const http = require('http');
const cp = require('child_process');
const { ensureCodeServer } = require('./install');

/** The project root: the nearest folder above `from` whose package.json is this extension's. */
function projectRoot(from = process.cwd()) {
  let dir = path.resolve(from);
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      try {
        if (JSON.parse(fs.readFileSync(pj, 'utf8')).name === 'onnx-hardware-profiler') return dir;
      } catch {
        /* keep looking */
      }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the project root above ${from}`);
    dir = up;
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function get(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(2000, () => {
      req.destroy();
      resolve(0);
    });
  });
}

/** User settings for a quiet, deterministic workbench. */
const QUIET_SETTINGS = {
  'chat.disableAIFeatures': true,
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'workbench.tips.enabled': false,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'files.simpleDialog.enable': true,
};

/**
 * @param {{ settings?: Record<string, unknown>, logFile?: string, port?: number, installVsix?: string }} [opts]
 * @returns {Promise<{ port: number, base: string, url: string, dirs: Record<string, string>, chromium: string, stop: () => Promise<void> }>}
 */
async function startCodeServer(opts = {}) {
  const { node, entry, chromium } = ensureCodeServer();
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-profiler-vscode-'));
  const dirs = {
    userData: path.join(base, 'user-data'),
    extensions: path.join(base, 'extensions'),
    config: path.join(base, 'xdg-config'),
    data: path.join(base, 'xdg-data'),
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(dirs.userData, 'User', 'settings.json'),
    JSON.stringify({ ...QUIET_SETTINGS, ...(opts.settings ?? {}) }, null, 2),
  );
  if (opts.installVsix) {
    // the way a user installs it: code-server --install-extension (offline, about a second)
    const r = cp.spawnSync(
      node,
      [
        entry,
        '--install-extension',
        opts.installVsix,
        '--extensions-dir',
        dirs.extensions,
        '--user-data-dir',
        dirs.userData,
      ],
      { encoding: 'utf8', env: { ...process.env, XDG_CONFIG_HOME: dirs.config, XDG_DATA_HOME: dirs.data } },
    );
    if (r.status !== 0) throw new Error(`installing ${opts.installVsix} failed: ${r.stderr || r.stdout}`);
  }
  const port = opts.port ?? (await freePort());
  const args = [
    entry,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir',
    dirs.userData,
    '--extensions-dir',
    dirs.extensions,
    '--reconnection-grace-time',
    '5',
    '--vscode-option',
    'enable-smoke-test-driver',
  ];
  const log = opts.logFile ? fs.openSync(opts.logFile, 'w') : 'ignore';
  const child = cp.spawn(node, args, {
    detached: true, // setsid(): the server leads a new process group that stop() kills as a whole
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      XDG_CONFIG_HOME: dirs.config,
      XDG_DATA_HOME: dirs.data,
      PATH: `${path.dirname(node)}:${process.env.PATH}`,
    },
  });
  const pgid = child.pid;
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while ((await get(`${url}/healthz`)) !== 200) {
    if (exited) throw new Error(`code-server exited during start-up${opts.logFile ? ` (log: ${opts.logFile})` : ''}`);
    if (Date.now() > deadline) {
      if (pgid)
        try {
          process.kill(-pgid, 'SIGKILL');
        } catch {
          /* gone */
        }
      throw new Error('code-server did not answer /healthz within 60 s');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (pgid) {
      try {
        process.kill(-pgid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      for (let i = 0; i < 30; i++) {
        try {
          process.kill(-pgid, 0);
        } catch {
          break;
        } // no process left in the group
        await new Promise((r) => setTimeout(r, 100));
      }
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        /* all gone */
      }
    }
    if (typeof log === 'number') fs.closeSync(log);
    fs.rmSync(base, { recursive: true, force: true });
  };
  return { port, base, url, dirs, chromium, stop };
}

/** Chromium flags for a headless, offline, sandbox-less run (the container has no user namespaces). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** @param {string} executablePath */
async function launchChromium(executablePath, { width = 1400, height = 900 } = {}) {
  // playwright-core only drives a browser; it never downloads one (no `npx playwright install`)
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  return { browser, context, page };
}

/** The workbench URL that opens `folder`, optionally loading an extension under development and a test suite. */
function workbenchUrl(server, { folder, extensionDevelopmentPath, extensionTestsPath, openFile }) {
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${path.resolve(p)}`;
  /** @type {[string, string][]} */
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  if (openFile) payload.push(['openFile', remote(openFile)]);
  const q = new URLSearchParams();
  if (folder) q.set('folder', path.resolve(folder));
  if (payload.length) q.set('payload', JSON.stringify(payload));
  return `${server.url}/?${q.toString()}`;
}

module.exports = { projectRoot, startCodeServer, launchChromium, workbenchUrl, CHROMIUM_ARGS };

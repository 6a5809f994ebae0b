#!/usr/bin/env bash
# `npm start`: installs what it needs (node_modules, Node 24 + code-server in $HOME/.cache/onnx-profiler),
# builds, and serves a real VS Code on 127.0.0.1 with the extension installed and the sample model open.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ]; then
  # onnxruntime-node (tests only) bundles its CPU binaries; its install script would fetch optional GPU ones
  export ONNXRUNTIME_NODE_INSTALL=skip
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
fi
node esbuild.js --production
node scripts/vscode-host/install.js
exec node scripts/vscode-host/start.js

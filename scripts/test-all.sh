#!/usr/bin/env bash
# `npm test`: the single test command.
#   dependencies (npm ci when node_modules is missing) -> build -> type-check -> lint/format/cycles -> unit tests (node --test)
#   -> corpus tests (skip themselves when ../shared is absent) -> integration suites in a real VS Code
#   (code-server + headless Chromium) -> UI test (playwright-core driving the workbench).
# The first run installs Node 24 + code-server into $HOME/.cache/onnx-profiler (about 3-4 minutes), and
# Debian's chromium/libkrb5-dev when missing (root only). Prints a last line "N passed, N failed" and
# exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RESULTS="$ROOT/test-results"
mkdir -p "$RESULTS"

PASSED=0
FAILED=0
SKIPPED=0
T_START=$(date +%s)
SUMMARY=()

step() { printf '\n=== %s ===\n' "$1"; }
now() { date +%s; }

# a step that is one check: passes when the command exits 0
check() {
  local name=$1; shift
  local t0; t0=$(now)
  step "$name"
  if "$@"; then
    PASSED=$((PASSED + 1)); SUMMARY+=("$name: ok ($(( $(now) - t0 )) s)")
  else
    FAILED=$((FAILED + 1)); SUMMARY+=("$name: FAILED ($(( $(now) - t0 )) s)")
  fi
}

# node --test over a folder, with a TAP copy to count tests
node_tests() {
  local name=$1 dir=$2
  local t0; t0=$(now)
  step "$name"
  if ! ls "$dir"/*.test.js >/dev/null 2>&1; then
    SUMMARY+=("$name: no tests in $dir"); return
  fi
  local tap="$RESULTS/$(echo "$name" | tr ' ' '-').tap"
  node --test --test-reporter=spec --test-reporter-destination=stdout --test-reporter=tap --test-reporter-destination="$tap" "$dir"/*.test.js
  local rc=$?
  local p f s c
  p=$(grep -E '^# pass ' "$tap" | tail -1 | awk '{print $3}'); p=${p:-0}
  f=$(grep -E '^# fail ' "$tap" | tail -1 | awk '{print $3}'); f=${f:-0}
  s=$(grep -E '^# skipped ' "$tap" | tail -1 | awk '{print $3}'); s=${s:-0}
  c=$(grep -E '^# cancelled ' "$tap" | tail -1 | awk '{print $3}'); c=${c:-0}
  f=$((f + c))
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # a crash before any test reported
  PASSED=$((PASSED + p)); FAILED=$((FAILED + f)); SKIPPED=$((SKIPPED + s))
  SUMMARY+=("$name: $p passed, $f failed, $s skipped ($(( $(now) - t0 )) s)")
}

# onnxruntime-node (tests only) bundles its CPU binaries; its install script would fetch optional GPU ones
if [ ! -d node_modules ]; then
  if [ -f package-lock.json ]; then check "npm ci" env ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund; else check "npm install" env ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund; fi
fi

check "build" node esbuild.js
check "type-check" npx tsc --noEmit -p .
check "lint, format and import cycles" npm run --silent lint
check "build tests" node esbuild.js --tests

node_tests "unit" out/test/unit
node_tests "corpus" out/test/corpus

t0=$(now)
step "integration (real VS Code: code-server + Chromium)"
rm -f "$RESULTS/integration.json"
node scripts/vscode-host/run-integration.js
rc=$?
if [ -f "$RESULTS/integration.json" ]; then
  read -r p f s < <(node -e 'const r=require(process.argv[1]);console.log(r.passed|0, r.failed|0, r.pending|0)' "$RESULTS/integration.json")
else
  p=0; f=1; s=0
fi
if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
PASSED=$((PASSED + p)); FAILED=$((FAILED + f)); SKIPPED=$((SKIPPED + s))
SUMMARY+=("integration: $p passed, $f failed, $s pending ($(( $(now) - t0 )) s)")

node_tests "ui" out/test/ui

printf '\n=== summary (%s s) ===\n' "$(( $(now) - T_START ))"
for line in "${SUMMARY[@]}"; do echo "  $line"; done
[ "$SKIPPED" -gt 0 ] && echo "  ($SKIPPED skipped)"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]

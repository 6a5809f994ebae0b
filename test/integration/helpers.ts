// Shared helpers of the integration suites (they run inside the real extension host).
import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { OnnxProfilerApi } from '../../src/extension';
import type { RenderSummary } from '../../src/shared/protocol';
import { projectRoot } from '../fixtures/paths';

export const EXTENSION_ID = 'onnx-profiler.onnx-hardware-profiler';
export const VIEW_TYPE = 'onnxProfiler.profile';

export async function api(): Promise<OnnxProfilerApi> {
  const ext = vscode.extensions.getExtension<OnnxProfilerApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded`);
  return ext.activate();
}

export function samplePath(): string {
  return path.join(projectRoot(), 'media', 'sample', 'tiny-gpt.onnx');
}

const made: string[] = [];

/** A fresh temporary folder, removed by cleanTempDirs() (each suite's after hook). */
export function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-profiler-it-'));
  made.push(d);
  return d;
}

export function cleanTempDirs(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

// Each suite bundle has its own copy of this module: a root-level hook (registered while mocha loads the
// file) removes this bundle's folders after its tests, also for suites that never call cleanTempDirs.
if (typeof after === 'function') after(cleanTempDirs);

/** Opens `file` in the profile editor and resolves with its first render that satisfies `accept`. */
export async function openProfile(
  file: string,
  accept: (s: RenderSummary) => boolean = () => true,
): Promise<{ uri: vscode.Uri; summary: RenderSummary }> {
  const a = await api();
  const uri = vscode.Uri.file(file);
  const rendered = a.waitForRender(uri, accept, 90_000);
  await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
  return { uri, summary: await rendered };
}

export async function closeAll(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** Every target panel is either computed with a heatmap of every cell, or marked not computed with a reason. */
export function assertTargetsHonest(s: RenderSummary): void {
  for (const t of s.targets) {
    if (t.status === 'not-computed') {
      assert.ok(t.reason && t.reason.length > 3, `${t.id}: not computed without a reason`);
      assert.equal(t.cellsDrawn, 0, `${t.id}: not computed but drew cells`);
    } else {
      assert.equal(t.status, 'computed');
      assert.ok(typeof t.stepSeconds === 'number' && t.stepSeconds > 0, `${t.id}: computed without a step time`);
      if (t.heatmaps.length) {
        assert.deepEqual(t.heatmaps, ['placement', 'memory', 'time']);
        assert.ok(t.cellsDrawn > 0, `${t.id}: heatmap with no cells`);
      }
    }
  }
}

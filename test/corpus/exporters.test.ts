// The LLM exporters' outputs (../shared/corpus/exporters: onnxruntime-genai and optimum files, weights not
// shipped) through the engine: every file reads, its parameter count equals the logical count of the manifest
// (int4 weights as K x N, scales left out), inference alone (no declared value_info) matches >= 95% of
// onnxruntime's runtime tensor shapes with no op left without shape inference, and a merged decoder costs the
// branch its binding selects: the same FLOPs as decoder_with_past for the same step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { readModelFile } from '../../src/engine/onnx/reader';
import { profileModel } from '../../src/engine/profile';
import { defaultRunOptions } from '../../src/engine/options';
import { sharedDir, SKIP_NO_SHARED } from '../fixtures/paths';

const shared = sharedDir();
const root = shared ? path.join(shared, 'corpus', 'exporters') : '';
const present = !!shared && fs.existsSync(path.join(root, 'manifest.jsonl'));

interface Row {
  name: string;
  path: string;
  status: string;
  expected_parameter_count: number;
  bind?: Record<string, number>;
  runtime_shapes?: string;
}

const rows = (): Row[] =>
  fs
    .readFileSync(path.join(root, 'manifest.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Row)
    .filter((r) => r.status === 'ok' && fs.existsSync(path.join(root, r.path)));

const profile = (r: Row, dims: Record<string, number> = r.bind ?? {}) =>
  profileModel(readModelFile(path.join(root, r.path)), {
    ...defaultRunOptions(),
    targets: [],
    shapes: true,
    useDeclared: false,
    dims,
  }).report;

test(
  'exporters: logical parameter counts, inference-only runtime shapes, no op without inference',
  { skip: present ? false : shared ? 'no ../shared/corpus/exporters' : SKIP_NO_SHARED },
  () => {
    const all = rows();
    assert.ok(all.length >= 10, `exporter files found: ${all.length}`);
    let ok = 0,
      total = 0;
    const lines: string[] = [];
    for (const r of all) {
      const rep = profile(r);
      assert.equal(rep.model.parameterCount, r.expected_parameter_count, `${r.path}: parameterCount`);
      const noInfer = rep.diagnostics.filter((d) => /no shape inference/.test(d.message)).map((d) => d.message);
      assert.deepEqual(noInfer, [], `${r.path}: ops without shape inference`);
      if (!r.runtime_shapes) continue;
      const rts = JSON.parse(fs.readFileSync(path.join(root, r.runtime_shapes), 'utf8')).tensors as Record<
        string,
        { dims: number[] }
      >;
      const names = Object.keys(rts);
      const hit = names.filter((n) => JSON.stringify(rep.tensors?.[n]?.dims) === JSON.stringify(rts[n].dims)).length;
      lines.push(`${r.path}: ${hit}/${names.length}`);
      assert.ok(
        hit >= 0.95 * names.length,
        `${r.path}: inference alone matched ${hit}/${names.length} runtime tensors`,
      );
      ok += hit;
      total += names.length;
    }
    console.log(`# infer-only runtime tensors ${ok}/${total}\n# ${lines.join('\n# ')}`);
  },
);

test(
  'exporters: an optimum merged decoder costs the with-past branch only (the FLOPs of decoder_with_past)',
  { skip: present ? false : shared ? 'no ../shared/corpus/exporters' : SKIP_NO_SHARED },
  () => {
    const all = rows();
    const merged = all.filter((r) => r.path.endsWith('decoder_model_merged.onnx'));
    assert.ok(merged.length >= 1);
    for (const m of merged) {
      const wp = all.find((r) => r.path === path.join(path.dirname(m.path), 'decoder_with_past_model.onnx'));
      if (!wp) continue;
      const a = profile(m),
        b = profile(wp, m.bind);
      assert.ok(
        Math.abs(a.model.forwardFlops / b.model.forwardFlops - 1) < 0.01,
        `${a.model.forwardFlops} vs ${b.model.forwardFlops}`,
      );
      assert.ok(a.diagnostics.some((d) => /then_branch \(with_past\) is costed/.test(d.message)));
    }
  },
);

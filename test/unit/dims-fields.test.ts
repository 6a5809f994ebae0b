// The dims bar lists one field per symbol the model's inputs and outputs use (webview/controls.ts symbolicDims):
// an expression ('past + 1') is bound through its symbols, a bound batch through the bindings that name it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { symbolicDims, batchDims } from '../../webview/controls';
import { readModelBytes } from '../../src/engine/onnx/reader';
import { profileModel } from '../../src/engine/profile';
import { defaultRunOptions } from '../../src/engine/options';
import { CONFIGS, llamaDecode } from '../fixtures/llama';

test('a Llama decode step: fields for past (not "past + 1") and the batch its knob binds', () => {
  const knobs = { ...defaultRunOptions(), targets: [], batch: 1 };
  const r = profileModel(readModelBytes(llamaDecode(CONFIGS['llama-3.1-8B']), 'llama.onnx'), knobs).report;
  assert.ok(
    r.model.outputs.some((o) => o.dims?.some((d) => typeof d === 'string' && /^past ?\+ ?1$/.test(d))),
    'the outputs use the expression',
  );
  assert.deepEqual(symbolicDims(r, knobs), ['batch', 'past']);
  assert.deepEqual(batchDims(r, knobs), ['batch']);
  assert.deepEqual(r.model.unboundDims, ['past']);
});

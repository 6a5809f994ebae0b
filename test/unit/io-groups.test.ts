// The summary's input/output lists collapse repeated tensors (webview/ioGroups.ts): an exported LLM's KV cache
// becomes one row per direction; distinct tensors stay one row each; nothing is lost or reordered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupIo, GROUP_MIN, type IoValue } from '../../webview/ioGroups';
import { readModelBytes } from '../../src/engine/onnx/reader';
import { profileModel } from '../../src/engine/profile';
import { defaultRunOptions } from '../../src/engine/options';
import { GENAI, genaiInt4Model } from '../fixtures/exporters';

const kv = (n: string): IoValue => ({ name: n, dtype: 'float16', dims: ['batch', 8, 'past', 128] });

test('32 layers of key/value cache become one row: past_key_values.0-31.key/value', () => {
  const values: IoValue[] = [{ name: 'input_ids', dtype: 'int64', dims: ['batch', 'seq'] }];
  for (let l = 0; l < 32; l++) values.push(kv(`past_key_values.${l}.key`), kv(`past_key_values.${l}.value`));
  values.push({ name: 'attention_mask', dtype: 'int64', dims: ['batch', 'total'] });
  const g = groupIo(values);
  assert.deepEqual(
    g.map((x) => [x.label, x.members.length]),
    [
      ['input_ids', 1],
      ['past_key_values.0-31.key/value', 64],
      ['attention_mask', 1],
    ],
  );
  assert.deepEqual(g[1].dims, ['batch', 8, 'past', 128]);
  // every value once, in the model's order within its group
  assert.deepEqual(g.flatMap((x) => x.members.map((m) => m.name)).sort(), values.map((v) => v.name).sort());
  assert.equal(g[1].members[0].name, 'past_key_values.0.key');
  assert.equal(g[1].members[1].name, 'past_key_values.0.value');
});

test('different dims or dtypes split a group; short runs stay listed one by one', () => {
  const values = [kv('a.0'), kv('a.1'), kv('a.2'), { ...kv('a.3'), dtype: 'float32' }];
  const g = groupIo(values);
  assert.equal(g.length, 4, 'three of a kind is under GROUP_MIN: listed one by one');
  assert.ok(GROUP_MIN > 3);
  const many = Array.from({ length: 6 }, (_, i) => kv(`cache_${i * 2}`));
  assert.deepEqual(
    groupIo(many).map((x) => x.label),
    ['cache_0,2,4,6,8,10'],
  );
  const named = ['x', 'y', 'z', 'w', 'v'].map((n) => kv(n));
  assert.equal(groupIo(named).length, 5, 'names without numbers are not grouped');
});

test('a writer-built genai export: its KV-cache inputs and outputs collapse to one row each', () => {
  const d = { ...GENAI, layers: 32 };
  const r = profileModel(readModelBytes(genaiInt4Model(d), 'genai.onnx'), {
    ...defaultRunOptions(),
    targets: [],
  }).report;
  const ins = groupIo(r.model.inputs);
  const outs = groupIo(r.model.outputs);
  const cacheIn = ins.find((x) => x.members.length > 1)!;
  const cacheOut = outs.find((x) => x.members.length > 1)!;
  assert.equal(cacheIn.label, 'past_key_values.0-31.key/value');
  assert.equal(cacheIn.members.length, 64);
  assert.equal(cacheOut.label, 'present.0-31.key/value');
  assert.equal(cacheOut.members.length, 64);
  assert.ok(ins.length <= 4 && outs.length <= 3, `${ins.length} input rows, ${outs.length} output rows`);
});

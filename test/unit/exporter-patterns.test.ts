// The LLM exporters' graph patterns (test/fixtures/exporters.ts) through the whole pipeline: shapes by
// inference alone, logical parameter counts of int4 weights, stored bytes on the targets, MoE FLOPs with
// k of E experts, and the merged decoder's If costed by the branch the bindings select.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readModelBytes } from '../../src/engine/onnx/reader';
import { profileModel } from '../../src/engine/profile';
import { defaultRunOptions, type RunOptions } from '../../src/engine/options';
import { weightBytesAt } from '../../src/engine/cost/layers';
import { T, graph, model, node, vi } from '../fixtures/onnx-writer';
import { GENAI, MERGED, MOE, genaiCounts, genaiInt4Model, mergedDecoderModel, moeModel } from '../fixtures/exporters';

const run = (bytes: Uint8Array, dims: Record<string, number>, extra: Partial<RunOptions> = {}) =>
  profileModel(readModelBytes(bytes, 'fixture.onnx'), {
    ...defaultRunOptions(),
    targets: [],
    shapes: true,
    useDeclared: false,
    dims,
    ...extra,
  });

const GENAI_BIND = { batch_size: 1, sequence_length: 8, past_sequence_length: 4, total_sequence_length: 12 };

test('genai int4 decoder: every tensor inferred without declared shapes, no op left without inference', () => {
  const { report } = run(genaiInt4Model(), GENAI_BIND);
  const t = report.tensors!;
  assert.deepEqual(t['emb'].dims, [1, 8, GENAI.hidden]);
  assert.deepEqual(t['logits'].dims, [1, 8, GENAI.vocab]);
  for (let l = 0; l < GENAI.layers; l++) {
    assert.deepEqual(t[`present.${l}.key`].dims, [1, GENAI.kvHeads, 12, GENAI.headDim]);
    assert.deepEqual(t[`/model/layers.${l}/post_sum`].dims, [1, 8, GENAI.hidden]);
  }
  const missing = report.diagnostics.filter((d) => /no shape inference|no cost model/.test(d.message));
  assert.deepEqual(missing, []);
});

test('genai int4 decoder: MatMulNBits counts K x N, the tied embedding once, scales not at all', () => {
  const { report, analysis } = run(genaiInt4Model(), GENAI_BIND);
  const c = genaiCounts();
  assert.equal(report.model.parameterCount, c.logical);
  assert.equal(report.model.parameterBytes, c.storedBytes); // bytes stay as stored: packed int4 + fp32 scales
  assert.equal(analysis.stats.quantizedParamCount, GENAI.layers * 36864 + GENAI.hidden * GENAI.vocab);
  // lm_head: 2 * tokens * K * N + dequantizing K x N weights once
  const lm = analysis.nodeCosts[analysis.model.graph.nodes.findIndex((n) => n.name === '/lm_head/MatMul_Q4')];
  assert.equal(lm.flops, 2 * 8 * GENAI.hidden * GENAI.vocab + 2 * GENAI.hidden * GENAI.vocab);
  assert.equal(lm.paramCount, GENAI.hidden * GENAI.vocab);
  // stored: 4-bit values (K*N/2 bytes) + one fp32 scale per 32-value block
  assert.equal(lm.paramBytes, (GENAI.hidden * GENAI.vocab) / 2 + ((GENAI.hidden * GENAI.vocab) / 32) * 4);
  // targets hold int4 weights as stored whatever the precision: the lm_head layer at fp16 is its stored bytes
  const layer = analysis.layers.find((l) => l.nodes.includes('/lm_head/MatMul_Q4'))!;
  assert.equal(weightBytesAt(layer, 2), lm.paramBytes);
  // the view of lm_head's weight that feeds the embedding is folded: no second copy of the table
  const reshape =
    analysis.nodeCosts[analysis.model.graph.nodes.findIndex((n) => n.name === '/model/embed_tokens/Reshape')];
  assert.equal(reshape.paramBytes, 0);
});

test('MoE: FLOPs for k of E experts per token, parameters for all of them; QMoE counts logical weights', () => {
  const { hidden: H, inter: I, experts: E, k } = MOE;
  const fp = run(moeModel(), { batch_size: 1, sequence_length: 4 });
  const experts = E * (2 * I * H + H * I);
  const biases = E * (2 * I + H);
  const router = H * E + 2; // router weight + reshape shape
  assert.equal(fp.report.model.parameterCount, experts + biases + router);
  const moe = fp.analysis.nodeCosts[2];
  const perExpert = 2 * (2 * I * H + H * I) + (2 * I + H) + I * 8;
  const perToken = k * perExpert + 5 * E + E * 1 + 2 * k + 2 * k * H;
  assert.equal(moe.flops, 4 * perToken);
  const q = run(moeModel(MOE, true), { batch_size: 1, sequence_length: 4 });
  assert.equal(q.report.model.parameterCount, experts + biases + router); // scales left out
  assert.equal(q.analysis.nodeCosts[2].flops, moe.flops);
  assert.ok(q.report.model.parameterBytes < fp.report.model.parameterBytes / 4);
});

test('merged decoder: the bound past length selects the with-past branch; FLOPs are that branch only', () => {
  const { hidden: H, heads: N, headDim: D, vocab: V } = MERGED;
  const s = 3;
  const withPast = run(mergedDecoderModel(), {
    batch_size: 1,
    decoder_sequence_length: s,
    past_decoder_sequence_length: 5,
  });
  assert.deepEqual(withPast.report.tensors!['present.0.decoder.key'].dims, [1, N, 8, D]);
  const proj = 2 * s * H * H * 2 + 2 * s * H * V; // K and Q projections, logits
  assert.equal(withPast.report.model.forwardFlops, proj + 2 * N * s * 8 * D);
  assert.ok(
    withPast.report.diagnostics.some((d) =>
      /then_branch \(with_past\) is costed: past_decoder_sequence_length=5 > 0/.test(d.message),
    ),
  );
  assert.ok(!withPast.analysis.model.graph.nodes.some((n) => n.opType === 'If'));
  const first = run(mergedDecoderModel(), { batch_size: 1, decoder_sequence_length: s, use_cache_branch: 0 });
  assert.deepEqual(first.report.tensors!['present.0.decoder.key'].dims, [1, N, s, D]);
  assert.equal(first.report.model.forwardFlops, proj + 2 * N * s * s * D);
  const unbound = run(mergedDecoderModel(), { batch_size: 1, decoder_sequence_length: 1 });
  const w = unbound.report.diagnostics.find((d) => /with-past \(then\) branch is assumed/.test(d.message));
  assert.equal(w?.severity, 'warning');
});

test('an unknown contrib op: a diagnostic naming it and where its outputs came from, never a silent zero cost', () => {
  const bytes = model({
    opsets: { '': 21, 'com.microsoft': 1 },
    graph: graph({
      name: 'unknown',
      nodes: [
        node('FancyNorm', ['x'], ['y'], {}, { domain: 'com.microsoft', name: 'fancy' }),
        node('Mystery', ['y'], ['z'], {}, { domain: 'com.microsoft', name: 'mystery' }),
      ],
      inputs: [vi('x', T.FLOAT, [2, 8, 16])],
      outputs: [vi('z', T.FLOAT, null)],
      valueInfo: [vi('y', T.FLOAT, [2, 8, 16])],
    }),
  });
  const declared = profileModel(readModelBytes(bytes, 'u.onnx'), { ...defaultRunOptions(), targets: [], dims: {} });
  const msg = (re: RegExp) => declared.report.diagnostics.find((d) => re.test(d.message))?.message ?? '';
  assert.match(
    msg(/no shape inference for com\.microsoft\.FancyNorm/),
    /outputs y taken from the model's declared shapes/,
  );
  assert.match(msg(/no shape inference for com\.microsoft\.Mystery/), /outputs z unknown \(no declared shape\)/);
  const costs = declared.analysis.nodeCosts;
  assert.equal(costs[0].flops, 256); // 1 per output element of the declared [2, 8, 16]
  assert.equal(costs[1].flops, 256); // output unknown: 1 per input element, never 0
  assert.equal(costs[1].approximate, true);
  assert.match(costs[1].note ?? '', /no cost model for com\.microsoft\.Mystery and its outputs' shapes are unknown/);
  // inference alone: the declared shape is not used, so FancyNorm's output is unknown too
  const alone = profileModel(readModelBytes(bytes, 'u.onnx'), {
    ...defaultRunOptions(),
    targets: [],
    dims: {},
    useDeclared: false,
  });
  assert.ok(alone.report.diagnostics.some((d) => /FancyNorm \(opset 1\): outputs y unknown/.test(d.message)));
});

// Transformer structure read from the graph's structure, not its names (src/engine/structure/), on graphs in the
// patterns of onnxruntime-genai (fused GroupQueryAttention, int4 MatMulNBits, GatherBlockQuantized tied embedding,
// a final norm, a com.microsoft MoE op) and of optimum / torch exports (plain attention, grouped-query repeat_kv,
// Qwen3-style head dims, cross-attention, unrolled experts behind a TopK router).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readModelBytes } from '../../src/engine/onnx/reader';
import { analyse, profileModel } from '../../src/engine/profile';
import { defaultRunOptions, type RunOptions } from '../../src/engine/options';
import { findTransformer, transformerStructure } from '../../src/engine/structure';
import { resultOfKind } from '../../src/engine/hardware/types';
import { parametersText } from '../../webview/summary';
import { GENAI, genaiInt4Model, moeModel } from '../fixtures/exporters';
import { genaiMoeDecoder, genaiMoeExpertParams, plainDecoder, type GenaiMoeOptions } from '../fixtures/transformers';

const DIMS = {
  batch: 1,
  seq: 8,
  past: 4,
  batch_size: 1,
  sequence_length: 8,
  past_sequence_length: 4,
  total_sequence_length: 12,
  enc: 16,
};
const opts = (targets: string[] = []): RunOptions => ({ ...defaultRunOptions(), targets, dims: DIMS });
const structureOf = (bytes: Uint8Array, name: string) => {
  const m = readModelBytes(bytes, name);
  const a = analyse(m, opts());
  return { m, a, s: transformerStructure(a) };
};
const dense = { experts: 0, expertsPerToken: 0 };

test('genai int4: layers without the final norm, hidden from MatMulNBits K, vocab from the GatherBlockQuantized table', () => {
  const { a, s } = structureOf(genaiInt4Model(), 'genai-int4.onnx');
  assert.deepEqual(s, {
    layers: GENAI.layers,
    hidden: GENAI.hidden,
    heads: GENAI.heads,
    kvHeads: GENAI.kvHeads,
    headDim: GENAI.headDim,
    ffn: GENAI.ffn,
    gated: true,
    vocab: GENAI.vocab,
    ...dense,
    encoderDecoder: false,
  });
  // fused attention: the GPU mapper gets roles anchored at the GroupQueryAttention op, and a tied head
  const p = findTransformer(a, DIMS).pattern!;
  assert.ok(p, 'fused attention gives the full pattern');
  const gqa = a.model.graph.nodes.findIndex((n) => n.opType === 'GroupQueryAttention');
  assert.equal(p.blocks[0].softmax, gqa);
  assert.equal(p.tiedEmbedding, true);
  assert.equal(a.model.graph.nodes[p.finalNorm].opType, 'SkipSimplifiedLayerNormalization');
  assert.equal(p.seq, 8);
  assert.equal(p.kvSeq, 12);
  // block weights are logical (K x N per MatMulNBits) and leave the rotary caches out
  const qkv = (GENAI.heads + 2 * GENAI.kvHeads) * GENAI.headDim;
  const H = GENAI.hidden,
    F = GENAI.ffn;
  assert.equal(p.blocks[1].params, H * qkv + H * H + 3 * H * F + 2 * H);
});

test('optimum-style plain attention with a KV cache and repeat_kv: grouped-query heads from the Q and K projections', () => {
  const o = { layers: 3, hidden: 64, heads: 4, kvHeads: 2, headDim: 16, ffn: 128, vocab: 300, cache: true };
  const { a, s } = structureOf(plainDecoder(o), 'plain.onnx');
  const { cache: _cache, ...dims } = o;
  assert.deepEqual(s, { ...dims, gated: true, ...dense, encoderDecoder: false });
  const p = findTransformer(a, DIMS).pattern!;
  assert.equal(p.blocks.length, 3);
  assert.equal(p.past, 4);
  const n = a.model.graph.nodes;
  assert.deepEqual(
    p.blocks[0].qkv.map((i) => n[i].opType),
    ['MatMul', 'MatMul', 'MatMul'],
  );
  assert.equal(n[p.blocks[0].softmax].opType, 'Softmax');
  assert.equal(p.blocks[0].up.length, 2, 'gate and up');
  assert.equal(n[p.lmHeadNode].outputs[0], 'logits');
});

test('head dim from the Reshape, not hidden / heads (Qwen3: 4 heads x 32 over hidden 64), with opaque node names', () => {
  const o = { layers: 2, hidden: 64, heads: 4, kvHeads: 2, headDim: 32, ffn: 96, vocab: 300, opaque: true };
  const { s } = structureOf(plainDecoder(o), 'qwen3.onnx');
  assert.equal(s!.headDim, 32);
  assert.equal(s!.heads, 4);
  assert.equal(s!.kvHeads, 2);
  assert.equal(s!.hidden, 64);
  assert.equal(s!.layers, 2);
  assert.equal(s!.ffn, 96);
});

test('encoder-decoder: cross-attention K/V from the encoder output are attention, not the MLP; one layer per block', () => {
  const o = { layers: 2, hidden: 64, heads: 4, kvHeads: 4, headDim: 16, ffn: 256, vocab: 300, gated: false };
  const { a, s } = structureOf(plainDecoder({ ...o, cross: true }), 'encdec.onnx');
  assert.deepEqual(s, { ...o, ...dense, encoderDecoder: true });
  const p = findTransformer(a, DIMS).pattern!;
  const n = a.model.graph.nodes;
  // the cross-attention's projections (q, k, v, o) and its scores / context MatMuls sit in the block
  assert.equal(p.blocks[0].cross.filter((i) => n[i].opType === 'MatMul').length, 4 + 2);
  assert.equal(p.blocks[0].up.length, 1);
  assert.equal(n[p.blocks[0].act].opType, 'Relu');
  // without the encoder input the same decoder is not an encoder-decoder
  assert.equal(structureOf(plainDecoder(o), 'dec.onnx').s!.encoderDecoder, false);
});

test('com.microsoft MoE: experts and k from the op, FFN from its weights, active parameters k of E', () => {
  const o: GenaiMoeOptions = {
    layers: 2,
    hidden: 64,
    heads: 4,
    kvHeads: 1,
    headDim: 16,
    inner: 48,
    experts: 8,
    k: 2,
    vocab: 300,
  };
  const m = readModelBytes(genaiMoeDecoder(o), 'moe.onnx');
  const r = profileModel(m, opts(['wse3', 'h100-dgx'])).report;
  assert.deepEqual(r.model.transformer, {
    layers: 2,
    hidden: 64,
    heads: 4,
    kvHeads: 1,
    headDim: 16,
    ffn: 48,
    gated: true,
    vocab: 300,
    experts: 8,
    expertsPerToken: 2,
    encoderDecoder: false,
  });
  const inactive = genaiMoeExpertParams(o) * (1 - o.k / o.experts);
  assert.equal(r.model.activeParameterCount, r.model.parameterCount - inactive);
  // the webview's summary shows both
  assert.match(parametersText(r), /total; .* active per token$/);
  const wafer = resultOfKind(r.targets![0], 'wafer');
  assert.match(wafer.notes.join('\n'), /mixture of experts: 8 experts, 2 per token \(.* active parameters per token\)/);
});

test('unrolled experts behind a TopK router: experts, k, gating; FLOPs per token count k of E experts', () => {
  const o = { layers: 2, hidden: 64, heads: 4, kvHeads: 4, headDim: 16, ffn: 32, vocab: 300 };
  const moe = { experts: 4, k: 2 };
  const m = readModelBytes(plainDecoder({ ...o, moe }), 'unrolled.onnx');
  const a = analyse(m, opts());
  assert.deepEqual(transformerStructure(a), {
    ...o,
    gated: true,
    experts: 4,
    expertsPerToken: 2,
    encoderDecoder: false,
  });
  const expertFlops = a.nodeCosts
    .filter((c) => /expert projection/.test(c.note ?? ''))
    .reduce((s, c) => s + c.flops, 0);
  const tokens = DIMS.batch * DIMS.seq;
  // per block and token: k experts x (gate, up, down) x 2 x hidden x ffn
  assert.equal(expertFlops, o.layers * tokens * moe.k * 3 * 2 * o.hidden * o.ffn);
  const r = profileModel(m, opts()).report;
  const expertParams = o.layers * moe.experts * 3 * o.hidden * o.ffn;
  assert.equal(r.model.activeParameterCount, r.model.parameterCount - expertParams / 2);
  assert.ok(r.diagnostics.some((d) => /FLOPs counted for the 2 of 4 experts/.test(d.message)));
});

test('GPU mapper: fused-attention graphs get tensor parallelism; the slowest layer is never a constant', () => {
  const m = readModelBytes(genaiInt4Model(), 'genai-int4.onnx');
  const gpu = resultOfKind(profileModel(m, opts(['h100-dgx'])).report.targets![0], 'gpu-cluster');
  assert.match(gpu.notes.join('\n'), /transformer pattern: 2 blocks, hidden 64, 4 heads \(2 KV\) of dim 16/);
  assert.equal(gpu.parallelism.tensorParallel, 'megatron');
  const slowest = [...gpu.layers].sort((x, y) => y.seconds - x.seconds)[0];
  assert.ok(slowest.seconds > 0);
  const node = m.graph.nodes.find((n) => n.name === slowest.name);
  assert.notEqual(node?.opType, 'Constant', slowest.name);
});

test('no attention: no transformer, and the report leaves model.transformer out', () => {
  // a MoE layer alone (router + com.microsoft MoE, no attention): experts, but no transformer
  const r = profileModel(readModelBytes(moeModel(), 'moe-layer.onnx'), opts()).report;
  assert.equal(r.model.transformer, undefined);
  assert.equal(r.model.activeParameterCount, r.model.parameterCount);
  assert.doesNotMatch(parametersText(r), /active/);
});

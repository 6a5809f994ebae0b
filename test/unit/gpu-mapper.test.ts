// The gpu-cluster mapper end to end on small graphs built here: a GPT-style transformer (the pattern is
// found: blocks, heads, FFN, vocabulary; tensor parallelism applies; bad plans are refused with the
// reason) and an MLP without attention (per-layer kernels, no tensor parallelism).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Model, Node, TensorInfo } from '../../src/engine/onnx/ir';
import { analyseFor, bindingsFor, mapOptionsFrom, profileModel } from '../../src/engine/profile';
import { defaultRunOptions, type RunOptions } from '../../src/engine/options';
import { findTransformer } from '../../src/engine/structure';
import { buildContext, mapGpuCluster } from '../../src/engine/hardware/gpu/mapper';
import { readModelBytes } from '../../src/engine/onnx/reader';
import { blockBackward, blockForward, expertWeightScale } from '../../src/engine/hardware/gpu/megatron';
import { plainDecoder } from '../fixtures/transformers';
import { blockShape, evaluate, linksFor, type Plan } from '../../src/engine/hardware/gpu/plan';
import { planOf } from '../fixtures/plan';
import { collectiveTime, deviceFor, kernelTime } from '../../src/engine/hardware/gpu/roofline';
import type { GpuClusterSpec } from '../../src/engine/hardware/gpu/spec';
import { loadSpec } from '../../src/engine/hardware';
import {
  isTargetError,
  resultOfKind,
  type GpuTargetResult,
  type MapOptions,
  type TargetOutcome,
} from '../../src/engine/hardware/types';

const FLOAT16 = 10,
  INT64 = 7;

class GraphBuilder {
  nodes: Node[] = [];
  inits: TensorInfo[] = [];
  private k = 0;
  init(name: string, dims: number[], dtype = FLOAT16, values?: number[]): string {
    const elements = dims.reduce((a, b) => a * b, 1);
    this.inits.push({ name, dtype, dims, elements, data: { kind: 'none' }, values });
    return name;
  }
  op(opType: string, name: string, inputs: string[], attrs: Node['attrs'] = {}, nOut = 1): string[] {
    const outputs = Array.from({ length: nOut }, (_, i) => `${name}_output_${i}`);
    this.nodes.push({ index: this.nodes.length, opType, name, domain: '', inputs, outputs, attrs });
    this.k++;
    return outputs;
  }
}

/** GPT with L blocks: fused QKV, Reshape to [0, 0, heads, 3 d], tied LM head. */
function gpt(L: number, h: number, heads: number, vocab: number): Model {
  const g = new GraphBuilder();
  const d = h / heads;
  g.init('embed.weight', [vocab, h]);
  let x = g.op('Gather', '/model/embed_tokens/Gather', ['embed.weight', 'input_ids'])[0];
  g.init('qkv_shape', [4], INT64, [0, 0, heads, 3 * d]);
  g.init('ctx_shape', [3], INT64, [0, 0, h]);
  for (let l = 0; l < L; l++) {
    const p = `/model/layers.${l}`;
    const w = (n: string, dims: number[]) => g.init(`model.layers.${l}.${n}`, dims);
    const ln1 = g.op('LayerNormalization', `${p}/input_layernorm/LayerNormalization`, [
      x,
      w('ln1.w', [h]),
      w('ln1.b', [h]),
    ])[0];
    const qkv = g.op('MatMul', `${p}/self_attn/qkv_proj/MatMul`, [ln1, w('qkv.w', [h, 3 * h])])[0];
    const r = g.op('Reshape', `${p}/self_attn/Reshape`, [qkv, 'qkv_shape'])[0];
    const [q, k, v] = g.op('Split', `${p}/self_attn/Split`, [r], { axis: { type: 'int', value: 3 } }, 3);
    const qt = g.op('Transpose', `${p}/self_attn/Transpose`, [q], { perm: { type: 'ints', value: [0, 2, 1, 3] } })[0];
    const kt = g.op('Transpose', `${p}/self_attn/Transpose_1`, [k], { perm: { type: 'ints', value: [0, 2, 3, 1] } })[0];
    const vt = g.op('Transpose', `${p}/self_attn/Transpose_2`, [v], { perm: { type: 'ints', value: [0, 2, 1, 3] } })[0];
    const sc = g.op('MatMul', `${p}/self_attn/MatMul`, [qt, kt])[0];
    const sm = g.op('Softmax', `${p}/self_attn/Softmax`, [sc], { axis: { type: 'int', value: -1 } })[0];
    const cx = g.op('MatMul', `${p}/self_attn/MatMul_1`, [sm, vt])[0];
    const ct = g.op('Transpose', `${p}/self_attn/Transpose_3`, [cx], {
      perm: { type: 'ints', value: [0, 2, 1, 3] },
    })[0];
    const cr = g.op('Reshape', `${p}/self_attn/Reshape_1`, [ct, 'ctx_shape'])[0];
    const o = g.op('MatMul', `${p}/self_attn/o_proj/MatMul`, [cr, w('o.w', [h, h])])[0];
    const res1 = g.op('Add', `${p}/Add`, [x, o])[0];
    const ln2 = g.op('LayerNormalization', `${p}/post_attention_layernorm/LayerNormalization`, [
      res1,
      w('ln2.w', [h]),
      w('ln2.b', [h]),
    ])[0];
    const f1 = g.op('MatMul', `${p}/mlp/fc1/MatMul`, [ln2, w('fc1.w', [h, 4 * h])])[0];
    const act = g.op('Gelu', `${p}/mlp/act/Gelu`, [f1])[0];
    const f2 = g.op('MatMul', `${p}/mlp/fc2/MatMul`, [act, w('fc2.w', [4 * h, h])])[0];
    x = g.op('Add', `${p}/Add_1`, [res1, f2])[0];
  }
  const fn = g.op('LayerNormalization', '/model/norm/LayerNormalization', [
    x,
    g.init('norm.w', [h]),
    g.init('norm.b', [h]),
  ])[0];
  const wt = g.op('Transpose', '/lm_head/Transpose', ['embed.weight'], { perm: { type: 'ints', value: [1, 0] } })[0];
  const logits = g.op('MatMul', '/lm_head/MatMul', [fn, wt])[0];
  return wrap(g, [{ name: 'input_ids', type: { kind: 'tensor', dtype: INT64, dims: ['batch', 'seq'] } }], logits);
}

function mlp(): Model {
  const g = new GraphBuilder();
  let x = 'x';
  for (let l = 0; l < 3; l++) {
    x = g.op('MatMul', `/net/fc${l}/MatMul`, [x, g.init(`fc${l}.w`, [512, 512])])[0];
    x = g.op('Relu', `/net/relu${l}/Relu`, [x])[0];
  }
  return wrap(g, [{ name: 'x', type: { kind: 'tensor', dtype: FLOAT16, dims: ['batch', 512] } }], x);
}

function wrap(g: GraphBuilder, inputs: Model['graph']['inputs'], out: string): Model {
  return {
    path: 'synthetic.onnx',
    fileSize: 0,
    irVersion: 8,
    opsets: { '': 17 },
    producerName: 'test',
    producerVersion: '',
    domain: '',
    modelVersion: 0,
    docString: '',
    metadata: {},
    functions: [],
    trainingInfoCount: 0,
    diagnostics: [],
    graph: {
      name: 'g',
      path: 'main',
      nodes: g.nodes,
      inputs,
      outputs: [{ name: out, type: null }],
      valueInfo: [],
      initializers: g.inits,
      sparseInitializers: [],
    },
  };
}

function opts(over: Partial<RunOptions> = {}, gpu: RunOptions['gpu'] = {}): RunOptions {
  return { ...defaultRunOptions(), targets: ['a100-dgx'], dims: { seq: 1024 }, batch: 2, ...over, gpu };
}

function errorOf(t: TargetOutcome): string {
  assert.ok(isTargetError(t), `expected an error, got a ${'kind' in t ? t.kind : ''} result`);
  return t.error;
}

function target(m: Model, o: RunOptions): TargetOutcome {
  return profileModel(m, o).report.targets![0];
}

test('the transformer pattern is read from the graph: blocks, hidden, heads, FFN, vocabulary, tied head', () => {
  const m = gpt(4, 256, 8, 1000);
  const o = opts();
  const a = analyseFor(m, o);
  const r = findTransformer(a, { batch: 2, seq: 1024 });
  assert.ok(r.pattern, r.reason);
  const p = r.pattern!;
  assert.equal(p.layers, 4);
  assert.equal(p.hidden, 256);
  assert.equal(p.heads, 8);
  assert.equal(p.kvHeads, 8);
  assert.equal(p.headDim, 32);
  assert.equal(p.ffn, 1024);
  assert.equal(p.gated, false);
  assert.equal(p.vocab, 1000);
  assert.equal(p.tiedEmbedding, true);
  assert.equal(p.seq, 1024);
  assert.equal(p.batch, 2);
  // weights + norm vectors, and the two Reshape shape tensors the block reads (stored constants count)
  assert.equal(p.blocks[0].params, 256 * 768 + 256 * 256 + 2 * 256 * 1024 + 4 * 256 + 4 + 3);
});

test('training on the transformer: a fitting plan, every layer reported, grid and alternatives filled', () => {
  const m = gpt(4, 256, 8, 1000);
  const t = resultOfKind(target(m, opts({ mode: 'training', nodes: 1 }, { globalBatch: 16 })), 'gpu-cluster');
  assert.equal(t.kind, 'gpu-cluster');
  assert.ok(t.fits);
  assert.ok(t.stepSeconds > 0);
  assert.equal(t.throughput.unit, 'tokens/s');
  const a = analyseFor(m, opts());
  assert.equal(t.layers.length, a.layers.length);
  const p = t.parallelism;
  assert.equal(p.tp * p.pp * p.dp <= 8, true);
  assert.equal(p.globalBatch, 16);
  const grid = t.grid!;
  assert.equal(grid.kind, 'gpu');
  if (grid.kind === 'gpu') {
    assert.equal(grid.stage.length, 8);
    assert.equal(grid.stage.filter((s) => s >= 0).length, p.tp * p.pp * p.dp);
    assert.ok(grid.memUtil.every((u) => u >= 0 && u < 1));
  }
  assert.ok((t.alternatives ?? []).length > 0);
  for (const alt of t.alternatives!) assert.ok(alt.why.length > 0);
  assert.ok(t.energyJoulesPerStep! > 0);
  // the matmul layers carry the time
  const qkv = t.layers.find((l) => l.name.endsWith('layers.0/self_attn/qkv_proj/MatMul'))!;
  assert.ok(qkv.seconds > 0);
});

test('a fixed plan is evaluated as given; the bubble follows (p-1)/(v m)', () => {
  const m = gpt(4, 256, 8, 1000);
  const t = resultOfKind(
    target(
      m,
      opts(
        { mode: 'training', nodes: 1 },
        { tp: 2, pp: 2, dp: 2, microbatch: 1, globalBatch: 16, interleave: 2, recompute: 'selective', zero: 1 },
      ),
    ),
    'gpu-cluster',
  );
  const p = t.parallelism;
  assert.deepEqual(
    [p.tp, p.pp, p.dp, p.microbatch, p.interleave, p.recompute, p.zero, p.microbatches],
    [2, 2, 2, 1, 2, 'selective', 1, 8],
  );
  assert.equal(p.bubbleFraction, 1 / (2 * 8));
});

test('bad plans are refused with the reason', () => {
  const m = gpt(4, 256, 8, 1000);
  const heads = errorOf(target(m, opts({ mode: 'training' }, { tp: 3 })));
  assert.match(heads, /tp=3 does not divide the 8 attention heads/);
  const gpus = errorOf(target(m, opts({ mode: 'training', nodes: 1 }, { tp: 8, pp: 2, dp: 2 })));
  assert.match(gpus, /needs 32 GPUs .* cluster has 8/);
  const chunks = errorOf(target(m, opts({ mode: 'training', nodes: 1 }, { tp: 1, pp: 2, interleave: 3 })));
  assert.match(chunks, /4 blocks do not split into pp x interleave = 6/);
});

test('a model too big for the cluster is reported as not fitting, by how much', () => {
  // 8 blocks of hidden 8192: 6.4 G parameters, 18 B/param training state on one GPU
  const m = gpt(8, 8192, 64, 32000);
  const t = resultOfKind(
    target(
      m,
      opts({ mode: 'training', nodes: 1 }, { tp: 1, pp: 1, dp: 1, microbatch: 1, globalBatch: 1, recompute: 'full' }),
    ),
    'gpu-cluster',
  );
  assert.equal(t.fits, false);
  assert.ok(t.memory.usedBytes > t.memory.capacityBytes);
  assert.ok(t.notes.some((n) => /does not fit/.test(n)));
});

test('a graph without attention: per-layer kernels, tensor parallelism refused', () => {
  const m = mlp();
  const t = resultOfKind(target(m, opts({ mode: 'training', nodes: 1 }, { globalBatch: 64 })), 'gpu-cluster');
  assert.equal(t.parallelism.tp, 1);
  assert.ok(t.notes.some((n) => /no transformer pattern/.test(n)));
  assert.equal(t.throughput.unit, 'samples/s');
  const bad = errorOf(target(m, opts({ mode: 'training' }, { tp: 2 })));
  assert.match(bad, /tensor parallelism needs the transformer pattern/);
});

test('the mapper is registered for built-in ids and user spec files', () => {
  const spec = loadSpec('h100-dgx');
  assert.equal(spec.kind, 'gpu-cluster');
  const m = gpt(2, 128, 4, 500);
  const a = analyseFor(m, opts());
  const mo: MapOptions = {
    mode: 'inference',
    precision: 'bf16',
    gpu: {},
    execution: 'auto',
    bindings: { batch: 2, seq: 1024 },
  };
  const r = mapGpuCluster(a, spec.spec, mo);
  assert.equal(r.id, 'h100-dgx');
  assert.equal(r.execution, 'inference');
  assert.equal(r.parallelism.recompute, 'none');
});

test('per-layer times add up to the step on one stage (inference, one microbatch)', () => {
  const m = gpt(3, 256, 8, 1000);
  const t = resultOfKind(target(m, opts({ mode: 'inference', nodes: 1 }, { tp: 4, pp: 1, dp: 1 })), 'gpu-cluster');
  const sum = t.layers.reduce((a, l) => a + l.seconds, 0);
  assert.ok(Math.abs(sum / t.stepSeconds - 1) < 1e-9, `layers ${sum} vs step ${t.stepSeconds}`);
  // tensor-parallel all-reduces make the projections' layers communication-heavy, not free
  const o = t.layers.find((l) => l.name.endsWith('layers.0/self_attn/o_proj/MatMul'))!;
  assert.ok((o.detail!.commSeconds as number) > 0);
});

test('a tiny model is bounded by the per-kernel floor: launch + minimum per kernel, a note says so', () => {
  // 2 blocks, hidden 64, one token: every kernel's work is nanoseconds
  const m = gpt(2, 64, 4, 512);
  const o = opts(
    { targets: ['h100-dgx'], mode: 'inference', nodes: 1, precision: 'bf16', dims: { seq: 1 }, batch: 1 },
    { tp: 1 },
  );
  const t = resultOfKind(target(m, o), 'gpu-cluster');
  const k = (
    loadSpec('h100-dgx').spec as unknown as {
      kernel: { launch_us: number; matrixMinimum_us: number; vectorMinimum_us: number };
    }
  ).kernel;
  // per block at least QKV, out-proj, MLP up and down, scores and context (matrix) and two norms (vector)
  const floor = 2 * (6 * (k.launch_us + k.matrixMinimum_us) + 2 * (k.launch_us + k.vectorMinimum_us)) * 1e-6;
  assert.ok(t.stepSeconds >= floor, `step ${t.stepSeconds} < floor ${floor}`);
  assert.ok(t.stepSeconds < 3 * floor, `step ${t.stepSeconds} far above the floor ${floor}`);
  const sum = t.layers.reduce((a, l) => a + l.seconds, 0);
  assert.ok(Math.abs(sum / t.stepSeconds - 1) < 1e-9);
  const qkv = t.layers.find((l) => l.name.endsWith('layers.0/self_attn/qkv_proj/MatMul'))!;
  assert.equal(qkv.bound, 'latency');
  assert.ok((qkv.detail!.kernelOverheadSeconds as number) > 0.9 * qkv.seconds);
  assert.ok(
    t.notes.some((n) => /fixed per-kernel cost/.test(n)),
    t.notes.join('\n'),
  );
  // the same model with a long sequence does real work: the fixed costs are a small share
  const big = resultOfKind(target(m, { ...o, dims: { seq: 4096 }, batch: 64 }), 'gpu-cluster');
  assert.ok(big.stepSeconds > 10 * t.stepSeconds);
  assert.ok(!big.notes.some((n) => /fixed per-kernel cost/.test(n)), big.notes.join('\n'));
});

test('an LM head whose vocabulary is not a multiple of 8 (fp16) is slower than the padded one and named in a note', () => {
  // 1,000 vs 1,001 words: the same FLOPs within 0.1 %, but N = 1,001 misses cuBLAS's 16-byte alignment
  const o = opts(
    { targets: ['h100-dgx'], mode: 'inference', nodes: 1, precision: 'fp16', dims: { seq: 1024 }, batch: 8 },
    { tp: 1, pp: 1, dp: 1 },
  );
  const head = (t: GpuTargetResult) => t.layers.find((l) => l.name === '/lm_head/MatMul');
  const aligned = resultOfKind(target(gpt(2, 256, 8, 1000), o), 'gpu-cluster');
  const unaligned = resultOfKind(target(gpt(2, 256, 8, 1001), o), 'gpu-cluster');
  assert.ok(!('error' in aligned) && !('error' in unaligned));
  assert.ok(!aligned.notes.some((n) => /not a multiple of 8 fp16 elements/.test(n)), aligned.notes.join('\n'));
  const note = unaligned.notes.find((n) => /not a multiple of 8 fp16 elements/.test(n));
  assert.ok(note && /lm-head \[8192,256\]x\[256,1001\]/.test(note), unaligned.notes.join('\n'));
  // [8192,256] x [256,1001]: 4.2 GFLOP, aligned at 0.803 x 256 / (256 + 300) = 0.37 of 989.4 TF (11.5 us; the
  // tile factor of a short K loop) vs the 124 TF/s ceiling (34 us)
  const ha = head(aligned),
    hu = head(unaligned);
  assert.ok(ha && hu, aligned.layers.map((l) => l.name).join(', '));
  assert.ok(hu.seconds > 2.5 * ha.seconds, `${hu.seconds} vs ${ha.seconds}`);
  assert.ok(unaligned.stepSeconds > aligned.stepSeconds);
});

test('a vocabulary that does not split evenly over the tensor-parallel ranks gives each rank whole rows', () => {
  // 1,001 words over tp 2: 501 rows per rank (the vocabulary padded to 1,002), never 500.5
  const o = opts(
    { targets: ['h100-dgx'], mode: 'inference', nodes: 1, precision: 'fp16', dims: { seq: 1024 }, batch: 8 },
    { tp: 2, pp: 1, dp: 1 },
  );
  const r = resultOfKind(target(gpt(2, 256, 8, 1001), o), 'gpu-cluster');
  assert.ok(!('error' in r));
  const note = r.notes.find((n) => /not a multiple of 8 fp16 elements/.test(n));
  assert.ok(note && /lm-head \[8192,256\]x\[256,501\]/.test(note), r.notes.join('\n'));
});

// ---- production stacks (issue 11): fused attention, context / expert parallelism refusals, FP8, serving

test('fused attention: the default of the H100 stack when training, no S x S activations, stated in a note', () => {
  const m = gpt(2, 256, 8, 1000);
  const run = (attention?: 'flash' | 'unfused') =>
    resultOfKind(
      target(m, opts({ targets: ['h100-dgx'], mode: 'training', nodes: 1 }, { tp: 1, pp: 1, dp: 1, attention })),
      'gpu-cluster',
    );
  const def = run(),
    flash = run('flash'),
    unfused = run('unfused');
  assert.equal(def.parallelism.attention, 'flash');
  assert.equal(unfused.parallelism.attention, 'unfused');
  assert.ok(
    def.notes.some((n) => /^attention: fused .*NeMo/.test(n)),
    def.notes.join('\n'),
  );
  assert.equal(def.stepSeconds, flash.stepSeconds);
  // seq 1024, batch 2, 8 heads: the unfused scores, mask and dropout output (5 a s^2 b bytes per block) are gone
  const sq = 5 * 8 * 1024 * 1024 * 2;
  assert.ok(unfused.memory.usedBytes - flash.memory.usedBytes > 2 * sq * 0.9, `${unfused.memory.usedBytes}`);
  assert.ok(flash.stepSeconds < unfused.stepSeconds);
  // the A100 spec describes Megatron-LM 2021-22: unfused unless asked
  const a100 = resultOfKind(target(m, opts({ mode: 'training', nodes: 1 }, { tp: 1, pp: 1, dp: 1 })), 'gpu-cluster');
  assert.equal(a100.parallelism.attention, 'unfused');
});

test('a plan the hardware cannot run is refused with the reason, never replaced (refused: the CLI exits 2)', () => {
  const m = gpt(2, 256, 8, 1000);
  const refusal = (gpu: RunOptions['gpu'], over: Partial<RunOptions> = {}) => {
    const t = target(m, opts({ targets: ['h100-dgx'], mode: 'training', nodes: 2, ...over }, gpu));
    assert.ok(isTargetError(t) && t.refused === true, JSON.stringify(t).slice(0, 200));
    return errorOf(t);
  };
  assert.match(refusal({ tp: 3 }), /tp=3 does not divide the 8 attention heads/);
  assert.match(refusal({ tp: 1, cp: 3 }), /cp=3 does not divide the sequence 1024 into 6 equal chunks/);
  assert.match(refusal({ tp: 1, cp: 2, attention: 'unfused' }), /ring attention runs on the fused attention kernel/);
  assert.match(refusal({ tp: 1, ep: 2 }), /ep=2: expert parallelism needs a mixture-of-experts model/);
});

test('context parallelism: the sequence split cp ways, K / V around the ring, activations / cp', () => {
  const m = gpt(2, 256, 8, 1000);
  const run = (cp: number) =>
    resultOfKind(
      target(
        m,
        opts({ targets: ['h100-dgx'], mode: 'training', nodes: 1 }, { tp: 2, pp: 1, dp: 2, cp, microbatch: 2 }),
      ),
      'gpu-cluster',
    );
  const one = run(1),
    two = run(2);
  assert.equal(two.parallelism.cp, 2);
  assert.equal(two.parallelism.gpus, 8);
  assert.equal(one.parallelism.gpus, 4);
  const act = (r: GpuTargetResult) => (r.memory as unknown as { activationsBytes: number }).activationsBytes;
  assert.ok(act(two) < 0.6 * act(one), `${act(two)} vs ${act(one)}`);
  assert.ok(two.stepSeconds < one.stepSeconds);
});

test('FP8 training keeps the 16-bit weights plus the FP8 copy and its transpose; the NeMo stack a bf16 grad buffer', () => {
  const m = gpt(2, 256, 8, 1000);
  const run = (precision: 'bf16' | 'fp8') =>
    resultOfKind(
      target(m, opts({ targets: ['h100-dgx'], mode: 'training', nodes: 1, precision }, { tp: 1, pp: 1, dp: 1 })),
      'gpu-cluster',
    );
  const w = (r: GpuTargetResult) => r.memory as unknown as { weightsBytes: number; gradientsBytes: number };
  const bf = run('bf16'),
    f8 = run('fp8');
  assert.ok(Math.abs(w(f8).weightsBytes / w(bf).weightsBytes - 2) < 1e-9);
  assert.ok(Math.abs(w(bf).gradientsBytes / w(bf).weightsBytes - 1) < 1e-9); // 2 B grads, 2 B weights
});

test('inference reports serving latency: time to the first token (prefill) and per output token (decode)', () => {
  const m = gpt(2, 256, 8, 1000);
  const r = resultOfKind(
    target(m, opts({ targets: ['h100-dgx'], mode: 'inference', nodes: 1, batch: 4 }, { tp: 1, pp: 1 })),
    'gpu-cluster',
  );
  const ttft = r.latency?.firstTokenSeconds ?? 0,
    tpot = r.latency?.perTokenSeconds ?? 0;
  assert.ok(ttft > 0 && tpot > 0, JSON.stringify(r.latency));
  // a 1024-token prefill of one request does more work than one decode step of four
  assert.ok(ttft > tpot);
  assert.ok(
    r.notes.some((n) => /^serving: first token after .* tokens\/s per user/.test(n)),
    r.notes.join('\n'),
  );
  // --kv-precision on a graph without a KV cache is named as ignored
  const k = resultOfKind(
    target(m, opts({ targets: ['h100-dgx'], mode: 'inference', nodes: 1, kvPrecision: 'fp8' }, { tp: 1 })),
    'gpu-cluster',
  );
  assert.ok(k.notes.some((n) => /--kv-precision fp8 ignored: the graph has no KV cache/.test(n)));
});

// ---- how the stacks overlap data-parallel and pipeline communication, and what runs in 16 bits under FP8
function evalWith(
  m: Model,
  specId: string,
  stack: Record<string, unknown>,
  plan: Partial<Plan>,
  precision: 'bf16' | 'fp8' = 'bf16',
) {
  const o = opts({ targets: [specId], mode: 'training', precision });
  const a = analyseFor(m, o);
  const base = loadSpec(specId).spec as unknown as GpuClusterSpec;
  const spec = { ...base, stack: { ...base.stack!, ...stack } };
  const { ctx } = buildContext(a, spec, mapOptionsFrom(o, bindingsFor(m, o)));
  const full = planOf(plan);
  return { e: evaluate(ctx, full), ctx, spec };
}

test('data-parallel sync: the reduce-scatter hides behind the last backward, the gather behind the first forward, in the stack dtype', () => {
  const m = gpt(4, 1024, 16, 1024);
  const plan = { dp: 16, nodes: 2, globalBatch: 64, microbatch: 1, zero: 1 as const };
  const exposed = evalWith(m, 'h100-dgx', { dpOverlap: false }, plan);
  const hidden = evalWith(m, 'h100-dgx', { dpOverlap: true }, plan);
  const fp32 = evalWith(m, 'h100-dgx', { dpOverlap: false, gradientSync_bytes: 4 }, plan);
  // exposed: reduce-scatter of the bf16 grads + all-gather of the bf16 weights over the 16 ranks of 2 nodes
  const { ctx } = exposed;
  const links = linksFor(ctx.spec, exposed.e.plan);
  const params = exposed.e.stages[0].params;
  const want =
    collectiveTime(links.dp.link, 'reduce-scatter', params * 2, 16).seconds +
    collectiveTime(links.dp.link, 'all-gather', params * 2, 16).seconds;
  assert.ok(Math.abs(exposed.e.breakdown.dpSync / want - 1) < 1e-9, `${exposed.e.breakdown.dpSync} vs ${want}`);
  assert.ok(hidden.e.breakdown.dpSync < exposed.e.breakdown.dpSync);
  // fp32 gradients double the reduce-scatter only
  const rs = collectiveTime(links.dp.link, 'reduce-scatter', params * 2, 16).seconds;
  const rs32 = collectiveTime(links.dp.link, 'reduce-scatter', params * 4, 16).seconds;
  assert.ok(Math.abs(fp32.e.breakdown.dpSync - exposed.e.breakdown.dpSync - (rs32 - rs)) < 1e-12);
});

test('pipeline sends of the interleaved schedule hide behind compute where the stack overlaps them (overlap_p2p_comm)', () => {
  const m = gpt(4, 1024, 16, 1024);
  const plan = { pp: 2, interleave: 2, globalBatch: 8, nodes: 1 };
  const sync = evalWith(m, 'h100-dgx', { ppOverlap: false }, plan);
  const over = evalWith(m, 'h100-dgx', { ppOverlap: true }, plan);
  const u = over.spec.efficiency.commComputeInterference;
  assert.ok(sync.e.breakdown.ppComm > 0);
  assert.ok(Math.abs(over.e.breakdown.ppComm / sync.e.breakdown.ppComm - u) < 1e-9);
  // without interleaving Megatron-core does not overlap them
  const v1 = evalWith(m, 'h100-dgx', { ppOverlap: true }, { ...plan, interleave: 1 });
  const v1s = evalWith(m, 'h100-dgx', { ppOverlap: false }, { ...plan, interleave: 1 });
  assert.equal(v1.e.breakdown.ppComm, v1s.e.breakdown.ppComm);
});

test('FP8 training runs the blocks in FP8 and the LM head in bf16; the sustained matrix scale slows training kernels only', () => {
  const m = gpt(2, 1024, 16, 4096);
  const run = (precision: 'bf16' | 'fp8') =>
    resultOfKind(
      target(m, opts({ targets: ['h100-dgx'], mode: 'training', nodes: 1, precision }, { tp: 1, pp: 1, dp: 1 })),
      'gpu-cluster',
    );
  const layer = (r: GpuTargetResult, name: string) => r.layers.find((l) => l.name.includes(name))!.seconds;
  const bf = run('bf16'),
    f8 = run('fp8');
  assert.ok(layer(f8, 'fc1/MatMul') < layer(bf, 'fc1/MatMul'), 'the MLP GEMMs run in FP8');
  assert.ok(Math.abs(layer(f8, '/lm_head/MatMul') / layer(bf, '/lm_head/MatMul') - 1) < 1e-9, 'the LM head stays bf16');
  const h100 = loadSpec('h100-dgx').spec as unknown as GpuClusterSpec;
  const s = h100.stack!.trainingMatrixScale!;
  assert.ok(s > 0 && s < 1);
  const k = (training: boolean) => kernelTime(deviceFor(h100, 'bf16', training), 'matrix', 1e12, 1e6).compute;
  assert.ok(Math.abs(k(true) / k(false) - 1 / s) < 1e-9);
});

test('expert parallelism: experts split ep ways in memory, two all-to-alls per MoE layer each way, ep searched', () => {
  const o = { layers: 4, hidden: 512, heads: 8, kvHeads: 8, headDim: 64, ffn: 1024, vocab: 1024 };
  const m = readModelBytes(plainDecoder({ ...o, moe: { experts: 8, k: 2 } }), 'moe.onnx');
  const plan = { dp: 16, nodes: 2, globalBatch: 64, zero: 1 as const };
  const one = evalWith(m, 'h100-dgx', {}, plan);
  const four = evalWith(m, 'h100-dgx', {}, { ...plan, ep: 4 });
  const p = one.ctx.pattern!;
  const expertParams = p.moe!.expertParams / p.layers;
  assert.ok(expertParams > 0);
  // each block holds 3/4 fewer expert weights on a GPU
  const perBlock = (e: typeof one) => e.e.stages[0].params;
  assert.ok(Math.abs(perBlock(one) - perBlock(four) - p.layers * expertParams * (3 / 4)) < 1);
  // the all-to-alls: 2 forward + 2 backward per block, each sending (ep-1)/ep of T k h e bytes over the ep link
  const links = linksFor(four.ctx.spec, four.e.plan);
  const T = 1 * p.seq;
  const a2a = collectiveTime(links.ep.link, 'all-to-all', T * 2 * o.hidden * 2, 4).seconds;
  // the block's kernels: a dispatch and a combine all-to-all forward, both again on the gradients backward
  const x = blockShape(four.ctx, four.e.plan);
  const comms = [...blockForward(four.ctx.dev, x), ...blockBackward(four.ctx.dev, x)].filter(
    (w) => w.coll === 'all-to-all',
  );
  assert.deepEqual(
    comms.map((w) => w.name),
    ['moe.dispatch', 'moe.combine', 'moe.combine.bwd', 'moe.dispatch.bwd'],
  );
  for (const w of comms) assert.equal(w.bytes, T * 2 * o.hidden * 2);
  assert.equal(
    blockForward(one.ctx.dev, blockShape(one.ctx, one.e.plan)).filter((w) => w.coll === 'all-to-all').length,
    0,
  );
  // per microbatch the stage gains at most the all-to-alls (fewer experts per GPU also read fewer weights)
  const extra = four.e.stages[0].secondsPerMicrobatch - one.e.stages[0].secondsPerMicrobatch;
  assert.ok(extra > 0 && extra <= p.layers * 4 * a2a, `${extra} vs ${p.layers * 4 * a2a}`);
  // ep 4 inside a node runs on NVLink; ep 16 over two nodes crosses the NICs
  assert.equal(links.ep.link, four.ctx.spec.nvlink);
  assert.ok(
    linksFor(four.ctx.spec, { ...four.e.plan, ep: 16 }).ep.link.bandwidthPerGpu_GBps <
      four.ctx.spec.nvlink.bandwidthPerGpu_GBps,
  );
  // the search tries ep on a MoE model and says so
  const t = resultOfKind(
    target(m, opts({ targets: ['h100-dgx'], mode: 'training', nodes: 2 }, { tp: 1, pp: 1, dp: 16, globalBatch: 64 })),
    'gpu-cluster',
  );
  assert.match(t.notes.join('\n'), /searched [^\n]*\bep\b/);
  assert.ok([1, 2, 4, 8].includes(t.parallelism.ep ?? 1));
});

test('serving over --generate N tokens: the decode step at the mean KV length, the cache sized for the last token', () => {
  const o = { layers: 4, hidden: 1024, heads: 16, kvHeads: 4, headDim: 64, ffn: 2816, vocab: 4096, cache: true };
  const m = readModelBytes(plainDecoder(o), 'decode.onnx');
  const run = (past: number, gpu: RunOptions['gpu'] = {}) =>
    resultOfKind(
      target(m, {
        ...defaultRunOptions(),
        targets: ['h100-dgx'],
        mode: 'inference',
        precision: 'bf16',
        nodes: 1,
        dims: { batch: 64, seq: 1, past },
        gpu: { tp: 1, pp: 1, dp: 1, ...gpu },
      }),
      'gpu-cluster',
    );
  const base = run(4096),
    gen = run(4096, { generate: 2001 }),
    mean = run(4096 + 1000),
    last = run(4096 + 2000);
  // decode steps are linear in the KV length: the step at the mean length is the mean step
  assert.equal(gen.stepSeconds, mean.stepSeconds);
  assert.equal(gen.latency!.perTokenSeconds, mean.stepSeconds);
  assert.ok(gen.stepSeconds > base.stepSeconds);
  // the first token waits for the same prompt
  assert.equal(gen.latency!.firstTokenSeconds, base.latency!.firstTokenSeconds);
  // the cache holds the last token's context: as much as a graph bound there, more than at the mean
  assert.ok(gen.memory.usedBytes > mean.memory.usedBytes);
  assert.ok(Math.abs(gen.memory.usedBytes - last.memory.usedBytes) / last.memory.usedBytes < 0.01);
  assert.match(gen.notes.join('\n'), /decode over 2001 generated tokens: the step is taken at the mean KV length 5097/);
});

test('MoE weight traffic: one decode token reads k experts, a large batch every expert it touches', () => {
  const x = { b: 1, sq: 1, moeK: 2, experts: 8, ep: 1 } as Parameters<typeof expertWeightScale>[0];
  assert.ok(Math.abs(expertWeightScale(x) - 1) < 1e-12); // k of E experts: the k-wide MLP's weights
  // 64 tokens touch all 8 experts (1 - (3/4)^64 ~ 1): 4x the weights of k = 2
  assert.ok(Math.abs(expertWeightScale({ ...x, b: 64 }) - 4) < 1e-6);
  // 4 tokens: 8 (1 - (3/4)^4) = 5.47 experts
  assert.ok(Math.abs(expertWeightScale({ ...x, b: 4 }) - (8 * (1 - 0.75 ** 4)) / 2) < 1e-12);
  // ep 8: one expert per rank, read once however many tokens reach it
  assert.ok(Math.abs(expertWeightScale({ ...x, b: 64, ep: 8 }) - 0.5) < 1e-6);
  // a dense MLP is unscaled
  assert.equal(expertWeightScale({ ...x, moeK: 0 }), 1);
});

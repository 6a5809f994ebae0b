// GPU-cluster VALIDATION: the published runs of ../shared/fidelity/published.json that no constant was fitted to
// (gpu-published.ts CALIBRATION lists the others; gpu-calibration.test.ts checks those), against the goal:
// training step time mean |error| <= 10 %, max <= 20 %; decode tokens/s within 1.5x; every published
// configuration fits in memory as it did. Also the WaferLLM / Cerebras / measured batch-1 decode points.
// Constants and their sources: docs/GPU-MODEL.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'path';
import { readModelFile } from '../../src/engine/onnx/reader';
import { profileModel } from '../../src/engine/profile';
import { defaultRunOptions, type RunOptions } from '../../src/engine/options';
import type { TargetResult } from '../../src/engine/hardware/types';
import { analyseFor } from '../../src/engine/profile';
import { buildContext } from '../../src/engine/hardware/gpu/mapper';
import { evaluate, type Context } from '../../src/engine/hardware/gpu/plan';
import { planOf } from '../fixtures/plan';
import { loadSpec } from '../../src/engine/hardware';
import { calibrationIds, gpuRuns, present, runPublished, shared } from './gpu-published';

// The goal (issue 11): training mean <= 10 %, max <= 20 %; decode within 1.5x, all asserted. The printed table
// shows every row (the worst, NeMo 24.07 GPT3-5B FP8 at tp 1, is 12 % fast; docs/GPU-MODEL.md "Known gaps").
const TRAIN_MEAN = 0.1,
  TRAIN_MAX = 0.2,
  DECODE_FACTOR = 1.5;

test(
  `gpu validation: published runs never fitted, training mean |error| <= ${100 * TRAIN_MEAN} % and max <= ${100 * TRAIN_MAX} %, decode within ${DECODE_FACTOR}x`,
  { skip: present ? false : '../shared/fidelity absent: skipped' },
  () => {
    const runs = gpuRuns().filter((r) => !calibrationIds.has(r.id));
    assert.ok(runs.length > 0);
    const lines: string[] = [];
    const train: number[] = [];
    const failures: string[] = [];
    for (const run of runs) {
      const r = runPublished(run);
      lines.push(r.line);
      if (!r.target.fits) failures.push(`${run.id}: the published configuration ran, the model says it does not fit`);
      if (run.metric === 'tokensPerSecond') {
        if (r.error > DECODE_FACTOR || r.error < 1 / DECODE_FACTOR) failures.push(r.line);
      } else train.push(Math.abs(r.error));
    }
    const mean = train.reduce((a, b) => a + b, 0) / Math.max(1, train.length);
    const max = Math.max(0, ...train);
    console.log(
      [
        'GPU validation (published, not fitted):',
        ...lines,
        `training: mean |error| ${(100 * mean).toFixed(2)} %, max ${(100 * max).toFixed(2)} % over ${train.length}`,
      ].join('\n'),
    );
    assert.deepEqual(failures, []);
    assert.ok(mean <= TRAIN_MEAN, `mean |error| ${(100 * mean).toFixed(2)} % > ${100 * TRAIN_MEAN} %`);
    assert.ok(max <= TRAIN_MAX, `max |error| ${(100 * max).toFixed(2)} % > ${100 * TRAIN_MAX} %`);
  },
);

// ---------------------------------------------------------------------------------------------------------
// Batch-1 decode, where the per-kernel launch / minimum times and the collectives' latency dominate.
// Published: WaferLLM (He et al., OSDI'25) Table 4, A100-80GB + SGLang decode tokens/s per request (via
// ../shared/reference/wafer-latency.md §3); Cerebras' comparison, best H100 result 128 tok/s on Llama 3.1 70B
// (hardware-and-peers.md §1.3, [S]). Measured: a Llama decode step in PyTorch with CUDA graphs on the lent
// H100 (scripts/bench-gpu-floor.py, docs/GPU-MODEL.md). Assumed where the source does not say [U]: bf16
// weights, context 4096 for WaferLLM's rows (its decode configs are 4K), 1024 for the Cerebras row, 8 GPUs of
// one node = tensor parallelism 8, 2x8 = tensor parallelism 16 over two nodes. LLaMA3-8B runs the Llama 3.1 8B
// graph (same architecture); the other WaferLLM models run the Llama 3.1 70B graph's pattern re-dimensioned
// to their public configs. Nothing here was fitted: the kernel constants were measured on their own
// (spec sources), the rest are the Table 5 constants.
interface Dims {
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  ffn: number;
  vocab: number;
}
const LLAMA2_13B: Dims = { layers: 40, hidden: 5120, heads: 40, kvHeads: 40, ffn: 13824, vocab: 32000 };
const CODELLAMA_34B: Dims = { layers: 48, hidden: 8192, heads: 64, kvHeads: 8, ffn: 22016, vocab: 32000 };
const QWEN2_72B: Dims = { layers: 80, hidden: 8192, heads: 64, kvHeads: 8, ffn: 29568, vocab: 152064 };

interface DecodeRow {
  id: string;
  graph: '8B' | '70B';
  dims?: Dims;
  target: 'a100-dgx' | 'h100-dgx';
  tp: number;
  nodes: number;
  past: number;
  /** tokens/s */
  published: number;
  /** compare the GPU's own time (without the tensor-parallel collectives): a measured single-GPU shard */
  computeOnly?: boolean;
  /** asserted within FACTOR; rows that are not say why */
  unasserted?: string;
}
// The 2x8 rows' few-KB all-reduces span two nodes: NCCL's tree over the network (a100-dgx collectiveSteps, calibrated
// on an nccl-tests 2 x DGX A100 microbenchmark, not on these rows).
const W = 'WaferLLM T4';
const DECODE: DecodeRow[] = [
  { id: `${W} LLaMA3-8B A100 x1`, graph: '8B', target: 'a100-dgx', tp: 1, nodes: 1, past: 4096, published: 78.9 },
  { id: `${W} LLaMA3-8B A100 x8`, graph: '8B', target: 'a100-dgx', tp: 8, nodes: 1, past: 4096, published: 260.4 },
  {
    id: `${W} LLaMA3-8B A100 2x8`,
    graph: '8B',
    target: 'a100-dgx',
    tp: 16,
    nodes: 2,
    past: 4096,
    published: 164.6,
  },
  {
    id: `${W} LLaMA2-13B A100 x1`,
    graph: '70B',
    dims: LLAMA2_13B,
    target: 'a100-dgx',
    tp: 1,
    nodes: 1,
    past: 4096,
    published: 48.7,
  },
  {
    id: `${W} LLaMA2-13B A100 x8`,
    graph: '70B',
    dims: LLAMA2_13B,
    target: 'a100-dgx',
    tp: 8,
    nodes: 1,
    past: 4096,
    published: 175.8,
  },
  {
    id: `${W} CodeLLaMA-34B A100 x1`,
    graph: '70B',
    dims: CODELLAMA_34B,
    target: 'a100-dgx',
    tp: 1,
    nodes: 1,
    past: 4096,
    published: 26.1,
  },
  {
    id: `${W} CodeLLaMA-34B A100 x8`,
    graph: '70B',
    dims: CODELLAMA_34B,
    target: 'a100-dgx',
    tp: 8,
    nodes: 1,
    past: 4096,
    published: 100.4,
  },
  {
    id: `${W} CodeLLaMA-34B A100 2x8`,
    graph: '70B',
    dims: CODELLAMA_34B,
    target: 'a100-dgx',
    tp: 16,
    nodes: 2,
    past: 4096,
    published: 84.5,
  },
  {
    id: `${W} QWen2-72B A100 x1`,
    graph: '70B',
    dims: QWEN2_72B,
    target: 'a100-dgx',
    tp: 1,
    nodes: 1,
    past: 4096,
    published: 10.6,
    unasserted: '144 GB of weights on one 80 GB GPU: WaferLLM scaled it from a subset of layers',
  },
  {
    id: `${W} QWen2-72B A100 x8`,
    graph: '70B',
    dims: QWEN2_72B,
    target: 'a100-dgx',
    tp: 8,
    nodes: 1,
    past: 4096,
    published: 51.2,
  },
  {
    id: `${W} QWen2-72B A100 2x8`,
    graph: '70B',
    dims: QWEN2_72B,
    target: 'a100-dgx',
    tp: 16,
    nodes: 2,
    past: 4096,
    published: 48.7,
  },
  { id: 'Cerebras: best H100 70B', graph: '70B', target: 'h100-dgx', tp: 8, nodes: 1, past: 1024, published: 128 },
  {
    id: 'measured H100 8B x1 1K',
    graph: '8B',
    target: 'h100-dgx',
    tp: 1,
    nodes: 1,
    past: 1024,
    published: 1e3 / 6.618,
  },
  { id: 'measured H100 8B x1 4K', graph: '8B', target: 'h100-dgx', tp: 1, nodes: 1, past: 4096, published: 1e3 / 6.81 },
  {
    id: 'measured H100 8B tp8 shard',
    graph: '8B',
    target: 'h100-dgx',
    tp: 8,
    nodes: 1,
    past: 4096,
    published: 1e3 / 2.089,
    computeOnly: true,
  },
  {
    id: 'measured H100 70B tp8 shard',
    graph: '70B',
    target: 'h100-dgx',
    tp: 8,
    nodes: 1,
    past: 1024,
    published: 1e3 / 10.283,
    computeOnly: true,
  },
];
// WaferLLM's SGLang rows on 8 A100s come out 1.27-1.38x fast since the A100's small all-reduces take nccl-tests'
// 16 us (SGLang's per-step scheduling and sampling are not modelled): the goal, 1.5x, is asserted.
const FACTOR = 1.5;

/** The graph's transformer pattern re-dimensioned to another Llama-style model (untied embeddings). */
function redimension(p: NonNullable<Context['pattern']>, d: Dims): NonNullable<Context['pattern']> {
  const hd = d.hidden / d.heads;
  const params = d.hidden * (2 * d.hidden + 2 * d.kvHeads * hd) + 3 * d.hidden * d.ffn + 2 * d.hidden;
  const block = { ...p.blocks[0], params };
  return {
    ...p,
    layers: d.layers,
    hidden: d.hidden,
    heads: d.heads,
    kvHeads: d.kvHeads,
    headDim: hd,
    ffn: d.ffn,
    gated: true,
    vocab: d.vocab,
    blocks: Array.from({ length: d.layers }, () => block),
    tiedEmbedding: false,
    embeddingParams: d.vocab * d.hidden,
    lmHeadParams: d.vocab * d.hidden,
    otherParams: 2 * d.vocab * d.hidden + d.hidden,
  };
}

test(
  `gpu decode fidelity: batch-1 decode tokens/s within ${FACTOR}x of published and measured points`,
  { skip: present ? false : '../shared/fidelity absent: skipped' },
  () => {
    const graphs = { '8B': 'llama-3.1-8B/llama-3.1-8B-decode.onnx', '70B': 'llama-3.1-70B/llama-3.1-70B-decode.onnx' };
    const models = new Map<string, ReturnType<typeof readModelFile>>();
    const lines: string[] = [];
    const failures: string[] = [];
    for (const r of DECODE) {
      const file = graphs[r.graph];
      if (!models.has(file)) models.set(file, readModelFile(path.join(shared!, 'fidelity', 'models', file)));
      const m = models.get(file)!;
      const dims = { past: r.past };
      let tps: number, fits: boolean;
      if (!r.dims && !r.computeOnly) {
        // as the CLI runs it: --target T --nodes N --tp T --mode inference --precision bf16 --dim past=P
        const o: RunOptions = {
          ...defaultRunOptions(),
          targets: [r.target],
          precision: 'bf16',
          dims,
          nodes: r.nodes,
          gpu: { tp: r.tp },
        };
        const t = profileModel(m, o).report.targets![0] as TargetResult;
        assert.ok(!('error' in t), `${r.id}: ${(t as unknown as { error: string }).error}`);
        assert.equal(t.throughput.unit, 'tokens/s');
        tps = t.throughput.value;
        fits = t.fits;
      } else {
        const a = analyseFor(m, { ...defaultRunOptions(), targets: [], dims });
        const { ctx } = buildContext(a, loadSpec(r.target).spec as never, {
          mode: 'inference',
          precision: 'bf16',
          gpu: {},
          execution: 'auto',
          bindings: dims,
        });
        if (r.dims) {
          ctx.pattern = redimension(ctx.pattern!, r.dims);
          ctx.generic = { ...ctx.generic, layers: [] }; // the graph's own outside layers belong to its shape
        }
        const plan = planOf({ tp: r.tp, nodes: r.nodes });
        const e = evaluate(ctx, plan);
        tps = 1 / (e.stepSeconds - (r.computeOnly ? e.breakdown.tpComm : 0));
        fits = e.fits;
      }
      const f = tps / r.published;
      const within = f <= FACTOR && f >= 1 / FACTOR;
      lines.push(
        `${r.id.padEnd(34)} ${r.target} tp${String(r.tp).padEnd(2)} past ${String(r.past).padEnd(4)}: predicted ${tps.toFixed(1).padStart(6)} tok/s, reference ${r.published.toFixed(1).padStart(6)} (x${f.toFixed(2)})${fits ? '' : ' [does not fit]'}${r.unasserted ? `  not asserted: ${r.unasserted}` : ''}`,
      );
      if (!r.unasserted && !within) failures.push(lines[lines.length - 1]);
    }
    console.log(['GPU decode fidelity (batch 1, bf16):', ...lines].join('\n'));
    assert.deepEqual(failures, [], `outside ${FACTOR}x`);
  },
);

// GPU-cluster fidelity: every gpu-cluster run of ../shared/fidelity/published.json (Korthikanti et al.
// 2022 Table 5, Megatron-LM on A100-80GB DGX nodes) through the engine, predicted vs published step time,
// against the project's goal: mean |error| <= 5 %, max <= 10 %. The constants in play and where they come
// from are in docs/GPU-MODEL.md; the one fitted to these rows is efficiency.tpBackwardOverlap (= 0).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { readModelFile } from '../../src/engine/onnx/reader';
import { profileModel } from '../../src/engine/profile';
import { defaultRunOptions, type RunOptions } from '../../src/engine/options';
import type { TargetResult } from '../../src/engine/hardware/types';
import { sharedDir } from '../fixtures/paths';
import { parseCli } from '../../src/cli/run';
import { analyse } from '../../src/engine/profile';
import { buildContext } from '../../src/engine/hardware/gpu/mapper';
import { evaluate, type Context, type Plan } from '../../src/engine/hardware/gpu/plan';
import { loadSpec } from '../../src/engine/hardware';

interface Run {
  id: string;
  kind: string;
  model: string;
  target: string;
  args: string[];
  metric: string;
  published: number;
}

/** The published run's CLI options, parsed by the CLI's own parser. */
function optionsFrom(target: string, args: string[]): RunOptions {
  return parseCli(['--target', target, ...args]).opts;
}

const shared = sharedDir();
const file = shared ? path.join(shared, 'fidelity', 'published.json') : '';
const present = shared !== null && fs.existsSync(file);

test(
  'gpu fidelity: Korthikanti Table 5 step times, mean |error| <= 5 %, max <= 10 %',
  { skip: present ? false : '../shared/fidelity absent: skipped' },
  () => {
    const runs = (JSON.parse(fs.readFileSync(file, 'utf8')).runs as Run[]).filter((r) => r.kind === 'gpu-cluster');
    assert.ok(runs.length > 0);
    const rows: string[] = [];
    const errs: number[] = [];
    for (const run of runs) {
      const m = readModelFile(path.join(shared!, 'fidelity', run.model));
      const t = profileModel(m, optionsFrom(run.target, run.args)).report.targets![0] as TargetResult;
      assert.ok(!('error' in t), `${run.id}: ${(t as unknown as { error: string }).error}`);
      assert.equal(t.kind, 'gpu-cluster');
      assert.ok(
        t.fits,
        `${run.id}: the published configuration fits in 80 GB (${(t.memory.usedBytes / 2 ** 30).toFixed(1)} GiB predicted)`,
      );
      const got = t.stepSeconds;
      const err = got / run.published - 1;
      errs.push(Math.abs(err));
      const p = t.parallelism;
      rows.push(
        `${run.id.padEnd(18)} tp${p.tp} pp${p.pp} dp${p.dp} mb${p.microbatch} v${p.interleave} ${String(p.recompute).padEnd(9)} sp=${p.sequenceParallel ? 1 : 0}: predicted ${got.toFixed(3).padStart(7)} s, published ${run.published.toFixed(2).padStart(6)} s (${err >= 0 ? '+' : ''}${(100 * err).toFixed(1)} %), ${(t.memory.usedBytes / 2 ** 30).toFixed(1)} GiB/GPU`,
      );
    }
    const mean = errs.reduce((a, b) => a + b, 0) / errs.length;
    const max = Math.max(...errs);
    console.log(
      [
        'GPU fidelity (Korthikanti et al. 2022 Table 5, A100-80GB DGX):',
        ...rows,
        `mean |error| ${(100 * mean).toFixed(2)} %, max ${(100 * max).toFixed(2)} %`,
      ].join('\n'),
    );
    assert.ok(mean <= 0.05, `mean |error| ${(100 * mean).toFixed(2)} % > 5 %`);
    assert.ok(max <= 0.1, `max |error| ${(100 * max).toFixed(2)} % > 10 %`);
  },
);

// The other two models of the same table (no graphs in ../shared): the 175B graph's transformer pattern
// re-dimensioned to Megatron 530B (h 20480, 128 heads, 105 layers; tp 8, pp 35, interleave 3, batch 280)
// and 1T (h 25600, 160 heads, 128 layers; tp 8, pp 64, batch 512), microbatch 1, seq 2048, vocab 51200.
// Published step times: Korthikanti et al. 2022 Table 5 as Calculon's validation.py (seqsel_tab5) lists
// them; configurations as in Calculon's validation/*.json. Nothing was fitted to these rows.
test(
  'gpu fidelity, same table without graphs: 530B and 1T from the re-dimensioned pattern',
  { skip: present ? false : '../shared/fidelity absent: skipped' },
  () => {
    const m = readModelFile(path.join(shared!, 'fidelity', 'models', 'gpt3-175B', 'gpt3-175B-train.onnx'));
    const o = { ...defaultRunOptions(), mode: 'training' as const };
    const a = analyse(m, o);
    const spec = loadSpec('a100-dgx').spec;
    const rows: [string, number, number, number, number, number, number, number][] = [
      // name, h, heads, layers, pp, interleave, published full, published seq+sel
      ['530B', 20480, 128, 105, 35, 3, 49.05, 37.83],
      ['1T', 25600, 160, 128, 64, 1, 94.42, 71.49],
    ];
    const lines: string[] = [];
    const errs: number[] = [];
    for (const [name, h, heads, L, pp, v, full, seqsel] of rows) {
      const { ctx } = buildContext(a, spec as never, {
        mode: 'training',
        precision: 'fp16',
        gpu: {},
        execution: 'auto',
        bindings: {},
      });
      const p = ctx.pattern!;
      const block = { ...p.blocks[0], params: 12 * h * h + 13 * h };
      ctx.pattern = {
        ...p,
        hidden: h,
        heads,
        kvHeads: heads,
        headDim: h / heads,
        ffn: 4 * h,
        layers: L,
        blocks: Array.from({ length: L }, () => block),
        embeddingParams: 51200 * h,
        otherParams: 51200 * h + 2048 * h + 2 * h,
      };
      ctx.generic = { ...ctx.generic, layers: [] }; // the graph's own layers belong to the 175B shape
      for (const [mode, published] of [
        ['full', full],
        ['seqsel', seqsel],
      ] as const) {
        const plan: Plan = {
          tp: 8,
          pp,
          dp: 1,
          microbatch: 1,
          globalBatch: 8 * pp,
          interleave: v,
          recompute: mode === 'full' ? 'full' : 'selective',
          sequenceParallel: mode === 'seqsel',
          zero: 0,
          nodes: pp,
        };
        const e = evaluate(ctx, plan);
        assert.ok(e.fits, `${name} ${mode} fits`);
        const err = e.stepSeconds / published - 1;
        errs.push(Math.abs(err));
        lines.push(
          `tab5-${name}-${mode}`.padEnd(18) +
            ` tp8 pp${pp} v${v}: predicted ${e.stepSeconds.toFixed(2).padStart(7)} s, published ${published.toFixed(2).padStart(6)} s (${err >= 0 ? '+' : ''}${(100 * err).toFixed(1)} %), ${(e.memoryBytes / 2 ** 30).toFixed(1)} GiB/GPU`,
        );
      }
    }
    const mean = errs.reduce((x, y) => x + y, 0) / errs.length,
      max = Math.max(...errs);
    console.log([...lines, `mean |error| ${(100 * mean).toFixed(2)} %, max ${(100 * max).toFixed(2)} %`].join('\n'));
    assert.ok(mean <= 0.05 && max <= 0.1, `mean ${(100 * mean).toFixed(2)} %, max ${(100 * max).toFixed(2)} %`);
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
const W = 'WaferLLM T4',
  CROSS = "cross-node small all-reduce latency not modelled (IB latency is Calculon's 20 us)";
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
    unasserted: CROSS,
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
    unasserted: CROSS,
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
    unasserted: CROSS,
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
        const a = analyse(m, { ...defaultRunOptions(), targets: [], dims });
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
        const plan: Plan = {
          tp: r.tp,
          pp: 1,
          dp: 1,
          microbatch: 1,
          globalBatch: 1,
          interleave: 1,
          recompute: 'none',
          sequenceParallel: false,
          zero: 0,
          nodes: r.nodes,
        };
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

// The gpu-cluster mapper: finds the transformer pattern (or falls back to per-layer kernels), searches
// the parallel knobs left open, and fills the TargetResult (per-layer times, memory per GPU, grid).
import type { Analysis, GpuGrid, GpuPlacement, GpuTargetResult, MapOptions, TargetLayer } from '../types';
import { deviceFor } from './roofline';
import type { GpuClusterSpec } from './spec';
import { findTransformer } from '../../structure';
import { genericModel } from './generic';
import { evaluate, gpusOf, PlanError, type Context, type Plan } from './plan';
import { describePlan, searchPlans, throughputOf } from './search';
import { boundOf } from './work';
import { PlanRefusal } from '../errors';
import { derivedOf } from '../derived';
import { PRECISION_BYTES } from '../../options';
import { fmtBytes, fmtNumber, fmtPercent, fmtRate, fmtSeconds } from '../../format/units';

export function buildContext(
  analysis: Analysis,
  spec: GpuClusterSpec,
  opts: MapOptions,
): { ctx: Context; notes: string[] } {
  const training = opts.mode === 'training';
  const dev = deviceFor(spec, opts.precision, training);
  // graph walks that depend on the analysis alone: once per analysis (a tp or nodes change re-uses them)
  const found = derivedOf(analysis, 'transformer', opts.bindings, () => findTransformer(analysis, opts.bindings));
  const notes: string[] = [...dev.notes];
  const nodeLayer = new Int32Array(analysis.model.graph.nodes.length).fill(-1);
  analysis.layers.forEach((l, i) =>
    l.nodeIndices.forEach((n) => {
      nodeLayer[n] = i;
    }),
  );
  const g = analysis.model.graph;
  const inits = new Map(g.initializers.map((t) => [t.name, t]));
  let positional = false,
    kvCache = false;
  if (found.pattern) {
    const p = found.pattern;
    notes.push(
      `transformer pattern: ${p.layers} blocks, hidden ${p.hidden}, ${p.heads} heads (${p.kvHeads} KV) of dim ${p.headDim}, FFN ${p.ffn}${p.gated ? ' (gated)' : ''}, vocabulary ${p.vocab}, sequence ${p.seq}${p.kvSeq !== p.seq ? ` attending ${p.kvSeq}` : ''}: Megatron tensor parallelism applies`,
    );
    if (p.experts > 0)
      notes.push(
        `mixture of experts: ${p.experts} experts, ${p.expertsPerToken} per token: the block kernels run ${p.expertsPerToken} expert FFNs per token (width ${p.expertsPerToken} x ${p.ffn}); every expert's weights are held, split ep ways under expert parallelism (dispatch and combine all-to-alls per block)`,
      );
    notes.push(...p.notes);
    positional = g.nodes.some(
      (n, i) => i !== p.embedNode && n.opType === 'Gather' && inits.get(n.inputs[0])?.dims[1] === p.hidden,
    );
    kvCache = [...g.inputs, ...g.outputs].some((v) => /past|present|cache/i.test(v.name));
  } else {
    notes.push(
      `no transformer pattern (${found.reason}): per-layer kernels from the node costs, no tensor parallelism`,
    );
  }
  const ctx: Context = {
    analysis,
    spec,
    dev,
    precision: opts.precision,
    training,
    pattern: found.pattern,
    generic: derivedOf(analysis, 'gpu-generic', opts.bindings, () => genericModel(analysis, opts.bindings)),
    nodeLayer,
    positional,
    kvCache,
    cache: new Map(),
    attention: opts.gpu.attention ?? (training ? (spec.stack?.trainingAttention ?? 'unfused') : 'flash'),
    kvBytes: opts.kvPrecision ? PRECISION_BYTES[opts.kvPrecision] : undefined,
    causal: found.pattern ? isCausal(analysis, found.pattern) : false,
  };
  if (found.pattern) notes.push(attentionNote(ctx, opts.gpu.attention !== undefined));
  if (opts.kvPrecision)
    notes.push(
      kvCache && !training
        ? `KV cache in ${opts.kvPrecision} (${PRECISION_BYTES[opts.kvPrecision]} B per element): its memory and the attention's reads of it`
        : `--kv-precision ${opts.kvPrecision} ignored: ${training ? 'training keeps no KV cache' : 'the graph has no KV cache'}`,
    );
  return { ctx, notes };
}

/** A decoder language model attends causally: the pattern has an LM head onto the vocabulary and the graph has
 * no encoder-style inputs (token types, a separate encoder output). A graph that says nothing either way is
 * taken as causal when it has an LM head, as the GPT / Llama exports are (their masks are additive inputs). */
function isCausal(analysis: Analysis, p: NonNullable<Context['pattern']>): boolean {
  if (p.vocab <= 0 || p.lmHeadNode < 0) return false;
  const names = analysis.model.graph.inputs.map((v) => v.name.toLowerCase());
  return !names.some((n) => n.includes('token_type') || n.includes('encoder'));
}

/** The mean KV length over `generate` decode steps starting at `first` (step i attends to first + i - 1 keys; a
 * decode step's time is linear in its KV length, so the step at the mean length is the mean step). */
function meanKv(first: number, generate: number | undefined): number {
  return generate && generate > 1 ? Math.round(first + (generate - 1) / 2) : first;
}

/** Serving latency of a transformer as servers run it: the first token waits for the prompt's prefill (one
 * request, the plan's tp / pp, fused attention over the prompt, writing its KV cache), every further token is one
 * decode step of the batch over the cache (the batch = the requests decoded together, continuous batching at
 * that concurrency). A decode graph (one new token) gives the decode step; its prefill runs the same pattern over
 * the `past` prompt. A full-sequence graph gives the prefill; its decode step runs one token over the sequence. */
function servingLatency(
  ctx: Context,
  plan: Plan,
  stepSeconds: number,
  graphPattern: Context['pattern'],
  generate: number | undefined,
): { firstTokenSeconds: number; perTokenSeconds: number; prompt: number; batch: number } | undefined {
  const p = graphPattern;
  if (!p || ctx.training || p.vocab <= 0) return undefined;
  const phase = (seq: number, kvSeq: number, batch: number): number => {
    const saved = { pattern: ctx.pattern, cache: ctx.cache, kvCache: ctx.kvCache };
    ctx.pattern = { ...p, seq, kvSeq };
    ctx.cache = new Map();
    ctx.kvCache = true;
    try {
      const one: Plan = { ...plan, dp: 1, microbatch: batch, globalBatch: batch, interleave: 1, cp: undefined };
      return evaluate(ctx, one, false).stepSeconds;
    } finally {
      Object.assign(ctx, saved);
    }
  };
  try {
    if (p.seq === 1) {
      const prompt = Math.max(1, p.kvSeq - 1);
      return {
        firstTokenSeconds: phase(prompt, prompt, 1),
        // the evaluated step: at the graph's context, or at the mean KV length over --generate tokens
        perTokenSeconds: stepSeconds,
        prompt,
        batch: plan.microbatch,
      };
    }
    return {
      firstTokenSeconds: phase(p.seq, p.kvSeq, 1),
      perTokenSeconds: phase(1, meanKv(p.kvSeq + 1, generate), plan.microbatch),
      prompt: p.seq,
      batch: plan.microbatch,
    };
  } catch (e) {
    if (e instanceof PlanError) return undefined; // the plan does not carry over to the other phase
    throw e;
  }
}

function attentionNote(ctx: Context, explicit: boolean): string {
  const why = explicit
    ? 'as --attention asks'
    : ctx.training
      ? `the default of this spec's stack (${ctx.spec.stack?.name ?? 'unnamed'}); --attention ${ctx.attention === 'flash' ? 'unfused' : 'flash'} for the other`
      : 'serving runtimes fuse attention (--attention unfused for the explicit kernels)';
  const fused = ctx.training
    ? `one kernel, no S x S tensor${ctx.causal ? ', causal blocks skipped' : ''}, recomputed in the backward kernel`
    : `one kernel, no S x S tensor${ctx.causal ? ', causal blocks skipped' : ''}; one-token steps split the KV cache (Flash-Decoding)`;
  return ctx.attention === 'flash'
    ? `attention: fused (FlashAttention-style: ${fused}), ${why}`
    : `attention: unfused (scores, softmax${ctx.training ? ', dropout' : ''}, context as separate kernels with the S x S tensor in HBM), ${why}`;
}

export function mapGpuCluster(analysis: Analysis, rawSpec: unknown, opts: MapOptions): GpuTargetResult {
  const spec = rawSpec as GpuClusterSpec;
  const { ctx, notes } = buildContext(analysis, spec, opts);
  const training = ctx.training;
  const gpu = { ...opts.gpu };
  if (!training) {
    if (gpu.recompute && gpu.recompute !== 'none')
      notes.push(`--recompute ${gpu.recompute} ignored: inference keeps no activations for a backward pass`);
    gpu.recompute = 'none';
  }
  const pat = ctx.pattern;
  if (pat && !pat.batchSymbolic && gpu.microbatch !== undefined && gpu.microbatch !== pat.batch) {
    notes.push(
      `the graph's batch is fixed at ${pat.batch}: microbatch ${gpu.microbatch} scales its activations linearly`,
    );
  }
  const tokens = analysis.throughputUnit === 'tokens/s';
  // serving a decode graph over --generate tokens: continuous batching keeps `batch` requests decoding while each
  // one's cache grows from the graph's context; the step is evaluated at the mean KV length, the cache sized for
  // the last token
  const graphPattern = pat;
  const generate = gpu.generate;
  if (generate !== undefined && !training && pat && ctx.kvCache && pat.seq === 1 && generate > 1) {
    ctx.pattern = { ...pat, kvSeq: meanKv(pat.kvSeq, generate) };
    ctx.kvCapacity = pat.kvSeq + generate - 1;
    notes.push(
      `decode over ${generate} generated tokens: the step is taken at the mean KV length ${ctx.pattern.kvSeq} (the cache grows from ${pat.kvSeq} to ${ctx.kvCapacity}, sized for ${ctx.kvCapacity})`,
    );
  } else if (generate !== undefined && pat && !training && ctx.kvCache && pat.seq > 1) {
    ctx.kvCapacity = pat.kvSeq + generate;
  } else if (generate !== undefined)
    notes.push(`--generate ${generate} ignored: it applies to inference of a language model with a KV cache`);
  let result;
  try {
    result = searchPlans(ctx, gpu, opts.nodes, tokens);
  } catch (e) {
    if (e instanceof PlanError) throw new PlanRefusal(e.message);
    throw e;
  }
  const { best, alternatives, searched } = result;
  const plan = best.plan;
  const m = plan.globalBatch / (plan.microbatch * plan.dp);
  const gpusUsed = gpusOf(plan);
  const inner = plan.tp * (plan.cp ?? 1) * plan.dp; // GPUs of one pipeline stage
  const critical = best.stages.reduce((a, s) => (s.memory.total > a.memory.total ? s : a), best.stages[0]);
  if (searched.length)
    notes.push(`searched ${searched.join(', ')} over ${result.tried} plans: best ${describePlan(plan)}`);
  notes.push(
    best.fits
      ? `fits: ${fmtBytes(best.memoryBytes)} of ${fmtBytes(best.capacityBytes)} per GPU (stage ${critical.index}: weights ${fmtBytes(critical.memory.weights)}, gradients ${fmtBytes(critical.memory.gradients)}, optimizer ${fmtBytes(critical.memory.optimizer)}, activations ${fmtBytes(critical.memory.activations)})`
      : `does not fit: ${fmtBytes(best.memoryBytes)} per GPU needed, ${fmtBytes(best.capacityBytes)} available (${fmtBytes(best.memoryBytes - best.capacityBytes)} over on stage ${critical.index})`,
  );
  const bd = best.breakdown;
  notes.push(
    `step ${fmtSeconds(best.stepSeconds)} = pipeline ${fmtSeconds(bd.pipeline)} (bubble ${fmtSeconds(bd.bubble)}, ${m} microbatches) + optimizer ${fmtSeconds(bd.optimizer)} + data-parallel sync ${fmtSeconds(bd.dpSync)}${bd.embeddingSync ? ` + embedding sync ${fmtSeconds(bd.embeddingSync)}` : ''}`,
  );
  notes.push(...best.notes);
  if (best.stepSeconds === 0)
    notes.push(
      'the graph does no costed work (no FLOPs, no bytes): step time 0, throughput not defined (reported as 0)',
    );
  // fixed per-kernel costs (launch, minimum duration): what makes batch-1 decode and small models slow
  let busy = 0,
    fixed = 0;
  for (const t of best.layerTimes.values()) {
    busy += t.seconds;
    fixed += t.overhead;
  }
  const k = spec.kernel;
  if (busy > 0 && fixed / busy >= 0.1) {
    notes.push(
      `${fmtPercent(fixed / busy)} of the GPUs' busy time is fixed per-kernel cost (launch ${k.launch_us} us, minimum ${k.gemmMinimum_us} us per GEMM / ${k.matrixMinimum_us} us per GEMV or other matrix kernel / ${k.vectorMinimum_us} us per vector kernel): the kernels are too small to load the GPU; batching or fusing them would help`,
    );
  }
  notes.push(
    `calibration: efficiency tables, NVLink/IB efficiency, compute interference and per-kernel launch / minimum times from the spec (${spec.id}); see docs/GPU-MODEL.md`,
  );
  const serving = servingLatency(ctx, plan, best.stepSeconds, graphPattern, generate);
  if (serving)
    notes.push(
      `serving: first token after ${fmtSeconds(serving.firstTokenSeconds)} (prefill of a ${serving.prompt}-token prompt, one request), then ${fmtSeconds(serving.perTokenSeconds)} per token at batch ${serving.batch} (decode over the KV cache at this context; it grows as tokens are generated): ${fmtRate(1 / serving.perTokenSeconds, 'tokens/s')} per user, ${fmtNumber(serving.batch / serving.perTokenSeconds)} in aggregate`,
    );
  const layers: TargetLayer<GpuPlacement>[] = analysis.layers.map((l, i): TargetLayer<GpuPlacement> => {
    const t = best.layerTimes.get(i);
    const stage = best.layerStage.get(i) ?? -1;
    const seconds = t?.seconds ?? 0;
    return {
      name: l.name,
      seconds,
      bound: t ? boundOf(t) : 'memory',
      memoryBytes: best.layerMemory.get(i) ?? 0,
      placement: { stage, gpus: stage >= 0 ? inner : 0, tp: pat ? plan.tp : 1, dp: plan.dp },
      detail: t
        ? {
            flopsPerGpu: t.flops,
            computeSeconds: t.compute,
            memorySeconds: t.memory,
            commSeconds: t.comm,
            kernelOverheadSeconds: t.overhead,
            achievedTflops: seconds > 0 ? t.flops / seconds / 1e12 : 0,
          }
        : undefined,
    };
  });
  const gpn = spec.gpusPerNode_count;
  const stageOfRank = (r: number) => (r < gpusUsed ? Math.floor(r / inner) : -1);
  const total = plan.nodes * gpn;
  const grid: GpuGrid = {
    kind: 'gpu',
    nodes: plan.nodes,
    gpusPerNode: gpn,
    stage: Array.from({ length: total }, (_, r) => stageOfRank(r)),
    memUtil: Array.from({ length: total }, (_, r) => {
      const s = stageOfRank(r);
      return s < 0 ? 0 : best.stages[s].memory.total / best.capacityBytes;
    }),
    busy: Array.from({ length: total }, (_, r) => {
      const s = stageOfRank(r);
      return s < 0 ? 0 : best.stages[s].busy;
    }),
    stageLayers: best.stages.map((s) => s.layers),
  };
  const memory = Object.assign(
    { usedBytes: best.memoryBytes, capacityBytes: best.capacityBytes },
    {
      weightsBytes: critical.memory.weights,
      gradientsBytes: critical.memory.gradients,
      optimizerBytes: critical.memory.optimizer,
      activationsBytes: critical.memory.activations,
      headroomBytes: best.capacityBytes - best.memoryBytes,
      stage: critical.index,
    },
  );
  return {
    id: spec.id,
    name: spec.name,
    kind: 'gpu-cluster',
    execution: training ? 'training' : 'inference',
    nodes: plan.nodes,
    parallelism: {
      tp: plan.tp,
      pp: plan.pp,
      dp: plan.dp,
      microbatch: plan.microbatch,
      globalBatch: plan.globalBatch,
      microbatches: m,
      interleave: plan.interleave,
      recompute: plan.recompute,
      sequenceParallel: plan.sequenceParallel,
      zero: plan.zero,
      cp: plan.cp ?? 1,
      ep: plan.ep ?? 1,
      attention: ctx.attention,
      gpus: gpusUsed,
      bubbleFraction: (plan.pp - 1) / (plan.interleave * m),
      searched,
      tensorParallel: pat ? 'megatron' : 'not applicable (no transformer pattern)',
    },
    fits: best.fits,
    stepSeconds: best.stepSeconds,
    ...(serving
      ? { latency: { firstTokenSeconds: serving.firstTokenSeconds, perTokenSeconds: serving.perTokenSeconds } }
      : {}),
    throughput: {
      value: best.stepSeconds > 0 ? throughputOf(best, tokens) : 0,
      unit: tokens ? 'tokens/s' : 'samples/s',
    },
    memory,
    // upper bound: every GPU of the plan at its TDP for the whole step
    energyJoulesPerStep: gpusUsed * spec.gpu.tdp_W * best.stepSeconds,
    layers,
    notes,
    grid,
    alternatives: alternatives.map((a) => ({
      parallelism: { ...a.evaluation.plan },
      stepSeconds: a.evaluation.stepSeconds,
      fits: a.evaluation.fits,
      why: a.why,
    })),
  };
}

// Plan search: every parallel knob the user left undefined is enumerated (tensor-parallel sizes that
// divide the heads and fit an NVLink domain, pipeline depths that divide the blocks, microbatch sizes,
// interleaving, recompute, sequence parallelism, ZeRO); the fastest plan (highest throughput) that fits
// in GPU memory wins. Without --nodes the smallest power-of-two node count with a fitting plan is used.
import type { GpuParallelOptions } from '../types';
import { evaluate, gpusOf, PlanError, type Context, type Evaluation, type Plan, type Recompute } from './plan';
import { moeFacts } from './moe';
import { fmtBytes } from '../../format/units';

export interface SearchResult {
  best: Evaluation;
  /** runners-up, best first, with why they lost */
  alternatives: { evaluation: Evaluation; why: string }[];
  tried: number;
  searched: string[];
}

const MAX_NODES = 4096;
/** evaluations kept while searching (the best few are re-evaluated with per-layer detail) */
const KEEP = 8;

function divisors(n: number): number[] {
  const out: number[] = [];
  for (let i = 1; i <= n; i++) if (n % i === 0) out.push(i);
  return out;
}

const pow2UpTo = (n: number): number[] => {
  const out: number[] = [];
  for (let i = 1; i <= n; i *= 2) out.push(i);
  return out;
};

export function throughputOf(e: Evaluation, tokens: boolean): number {
  return e.stepSeconds > 0 ? (tokens ? e.tokensPerStep : e.samplesPerStep) / e.stepSeconds : 0;
}

function rank(a: Evaluation, b: Evaluation, tokens: boolean): number {
  if (a.fits !== b.fits) return a.fits ? -1 : 1;
  if (!a.fits) return a.memoryBytes - b.memoryBytes;
  return throughputOf(b, tokens) - throughputOf(a, tokens);
}

const COMPONENTS: [keyof Evaluation['breakdown'], string][] = [
  ['bubble', 'pipeline bubble'],
  ['recompute', 'activation recompute'],
  ['tpComm', 'tensor-parallel communication'],
  ['ppComm', 'pipeline sends'],
  ['dpSync', 'data-parallel gradient sync'],
  ['optimizer', 'optimizer step'],
  ['embeddingSync', 'tied-embedding sync'],
  ['kernels', 'kernel time (GEMM sizes, unsplit elementwise work)'],
];

export function whyLost(alt: Evaluation, best: Evaluation, tokens: boolean): string {
  if (!alt.fits) return `does not fit: ${fmtBytes(alt.memoryBytes)} per GPU of ${fmtBytes(alt.capacityBytes)}`;
  // "x% lower throughput" is 1 - alt/best (201 us vs 107 us per step is 47% lower, not 88%)
  const lower = 1 - throughputOf(alt, tokens) / throughputOf(best, tokens);
  // the component that grew most, per sample processed
  const perSample = (e: Evaluation, k: keyof Evaluation['breakdown']) => e.breakdown[k] / e.samplesPerStep;
  let reason = 'lower kernel efficiency',
    most = 0;
  for (const [k, label] of COMPONENTS) {
    const d = perSample(alt, k) - perSample(best, k);
    if (d > most) {
      most = d;
      reason = `more ${label}`;
    }
  }
  const gpus = (e: Evaluation) => gpusOf(e.plan);
  if (gpus(alt) < gpus(best)) reason = `uses ${gpus(alt)} of ${gpus(best)} GPUs`;
  return `${(100 * lower).toFixed(1)}% lower throughput: ${reason}`;
}

export function describePlan(p: Plan): string {
  return (
    `tp ${p.tp}${(p.cp ?? 1) > 1 ? ` x cp ${p.cp}` : ''} x pp ${p.pp} x dp ${p.dp}${(p.ep ?? 1) > 1 ? ` (ep ${p.ep})` : ''}, microbatch ${p.microbatch}, global batch ${p.globalBatch}` +
    (p.interleave > 1 ? `, interleave ${p.interleave}` : '') +
    `, recompute ${p.recompute}` +
    (p.sequenceParallel ? ', sequence parallel' : '') +
    (p.zero ? `, ZeRO-${p.zero}` : '')
  );
}

export function searchPlans(
  ctx: Context,
  opts: GpuParallelOptions,
  nodesOpt: number | undefined,
  tokens: boolean,
): SearchResult {
  const spec = ctx.spec,
    pat = ctx.pattern;
  const searched: string[] = [];
  const graphBatch = pat ? pat.batch : ctx.generic.graphBatch;
  const moe = pat ? moeFacts(pat) : undefined;
  // expert parallelism on a mixture-of-experts model: the divisors of the experts (the ones that also divide the
  // data-parallel ranks are kept per plan); a dense model runs ep 1
  const moeEp = moe ? divisors(moe.experts) : [1];
  const blocks = pat ? pat.layers : Math.max(1, ctx.generic.layers.length);
  const tpList =
    opts.tp !== undefined
      ? [opts.tp]
      : pat
        ? divisors(pat.heads).filter(
            (t) =>
              t <= spec.nvlink.domain_gpus && (pat.kvHeads % t === 0 || t % pat.kvHeads === 0) && pat.ffn % t === 0,
          )
        : [1];
  if (opts.tp === undefined) searched.push('tp');
  const ppAll = opts.pp !== undefined ? [opts.pp] : pat ? divisors(blocks) : pow2UpTo(Math.min(blocks, 64));
  if (opts.pp === undefined) searched.push('pp');
  const rcList: Recompute[] = !ctx.training
    ? ['none']
    : opts.recompute
      ? [opts.recompute]
      : ['none', 'selective', 'full'];
  if (ctx.training && !opts.recompute) searched.push('recompute');
  const gpusFixed = opts.tp !== undefined && opts.pp !== undefined && opts.dp !== undefined;
  const nodeCounts =
    nodesOpt !== undefined
      ? [nodesOpt]
      : gpusFixed
        ? [Math.ceil((opts.tp! * (opts.cp ?? 1) * opts.pp! * opts.dp!) / spec.gpusPerNode_count)]
        : pow2UpTo(MAX_NODES);
  if (nodesOpt === undefined && !gpusFixed) searched.push('nodes');
  let tried = 0;
  let firstError: string | undefined;
  let all: Evaluation[] = [];
  for (const nodes of nodeCounts) {
    const gpus = nodes * spec.gpusPerNode_count;
    const evals: Evaluation[] = [];
    for (const tp of tpList)
      for (const pp of ppAll) {
        // context parallelism is taken as given (default 1), not searched; expert parallelism is searched on a
        // mixture-of-experts model (divisors of the experts that divide the data-parallel ranks, below)
        const cp = opts.cp ?? 1;
        if (tp * cp * pp > gpus && !(opts.tp !== undefined && opts.pp !== undefined)) continue;
        const dpList =
          opts.dp !== undefined
            ? [opts.dp]
            : !ctx.training && opts.globalBatch === undefined
              ? [1]
              : [Math.max(1, Math.floor(gpus / (tp * cp * pp)))];
        for (const dp of dpList) {
          // without --global-batch: training runs 4 microbatches per pipeline stage on every replica (enough to
          // keep the bubble small); inference runs the graph's batch once, on one replica (lowest latency)
          const mPerReplica = ctx.training && pp > 1 ? 4 * pp : 1;
          const gbFixed = opts.globalBatch;
          const mbList =
            opts.microbatch !== undefined
              ? [opts.microbatch]
              : gbFixed !== undefined
                ? pow2UpTo(64).filter((b) => (gbFixed / dp) % b === 0)
                : [graphBatch];
          for (const mb of mbList.length ? mbList : [1]) {
            const gb = gbFixed ?? mb * dp * mPerReplica;
            const vList =
              opts.interleave !== undefined
                ? [opts.interleave]
                : pp > 1 && pat
                  ? [1, 2, 3, 4].filter((v) => blocks % (pp * v) === 0)
                  : [1];
            // --sequence-parallel is a Megatron switch: with tp given and the switch absent it is off; searched with tp
            const spList =
              opts.sequenceParallel !== undefined
                ? [opts.sequenceParallel]
                : tp > 1 && pat && opts.tp === undefined
                  ? [false, true]
                  : [false];
            const zList: (0 | 1 | 2 | 3)[] =
              opts.zero !== undefined ? [opts.zero] : ctx.training && dp > 1 ? [0, 1, 2, 3] : [0];
            const epList = (opts.ep !== undefined ? [opts.ep] : moeEp).filter(
              (e) => opts.ep !== undefined || (dp * cp) % e === 0,
            );
            for (const interleave of vList)
              for (const recompute of rcList)
                for (const sequenceParallel of spList)
                  for (const zero of zList)
                    for (const ep of epList) {
                      const plan: Plan = {
                        tp,
                        pp,
                        dp,
                        microbatch: mb,
                        globalBatch: gb,
                        interleave,
                        recompute,
                        sequenceParallel,
                        zero,
                        nodes,
                        ...(cp > 1 ? { cp } : {}),
                        ...(ep > 1 ? { ep } : {}),
                      };
                      tried++;
                      try {
                        evals.push(evaluate(ctx, plan, false));
                        if (evals.length > 256) {
                          evals.sort((a, b) => rank(a, b, tokens));
                          evals.length = KEEP;
                        }
                      } catch (e) {
                        if (!(e instanceof PlanError)) throw e;
                        firstError ??= e.message;
                      }
                    }
          }
        }
      }
    all = evals;
    if (evals.some((e) => e.fits)) break;
  }
  if (opts.microbatch === undefined && opts.globalBatch !== undefined) searched.push('microbatch');
  if (opts.interleave === undefined && pat && all.some((e) => e.plan.pp > 1)) searched.push('interleave');
  if (opts.sequenceParallel === undefined && pat && opts.tp === undefined) searched.push('sequence-parallel');
  if (opts.zero === undefined && ctx.training && all.some((e) => e.plan.dp > 1)) searched.push('zero');
  if (opts.ep === undefined && moeEp.length > 1) searched.push('ep');
  // every plan the options allow was refused: the options ask for what the hardware cannot run (a PlanError)
  if (all.length === 0)
    throw firstError ? new PlanError(firstError) : new Error('no parallel plan is possible on this cluster');
  all.sort((a, b) => rank(a, b, tokens));
  const best = evaluate(ctx, all[0].plan, true);
  // runners-up: the next plans, best first (at most 5)
  const alternatives = all.slice(1, 6).map((e) => ({ evaluation: e, why: whyLost(e, best, tokens) }));
  return { best, alternatives, tried, searched };
}

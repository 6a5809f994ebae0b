// The one pipeline and the one result schema: bytes -> model -> shapes -> costs -> kernels -> mapping -> report.
// The CLI, the language server and the tests all call profileModel(); the JSON report is the contract
// of ARCHITECTURE.md ("onnx-profile/1").
import type { Dim, Model, ValueType } from './onnx/ir';
import { bytesFor, dtypeName } from './onnx/dtypes';
import { modelStats, type ModelStats } from './onnx/stats';
import type { Diagnostic } from './onnx/errors';
import { inferShapes, type ShapeResult } from './shapes/infer';
import { selectIfBranches } from './shapes/branches';
import { computeCosts } from './cost/cost';
import { buildLayers, type Layer } from './cost/layers';
import type { NodeCost } from './cost/types';
import { evalDim } from './shapes/dims';
import { graphIds } from './onnx/nameIds';
import { loadSpec, mapTarget } from './hardware';
import { isTargetError, type Analysis, type MapOptions, type TargetOutcome } from './hardware/types';
import { PlanRefusal } from './hardware/errors';
import { isBatchLike, type RunOptions } from './options';
import {
  activeParameterCount,
  routeUnrolledExperts,
  transformerStructure,
  type TransformerStructure,
} from './structure';
import { checkLimit } from './limits';
import { finiteReport } from './finite';
import {
  attachFigures,
  commonGlobalBatch,
  compareTargets,
  validateEconomics,
  type Comparison,
  type Workload,
} from './compare';
import { UNBOUND_DIM_VALUE, unboundPhrase } from './shapes/unbound';

export const SCHEMA = 'onnx-profile/1';
export interface ReportLayer {
  name: string;
  kind: string;
  block: string | null;
  opTypes: string[];
  nodes: string[];
  forwardFlops: number;
  parameterBytes: number;
  activationBytes: number;
  bytesRead: number;
  bytesWritten: number;
  arithmeticIntensity: number;
  costModelled: boolean;
  approximate: boolean;
}

export interface Report {
  schema: string;
  model: {
    path: string;
    irVersion: number;
    opsets: Record<string, number>;
    producer: string;
    nodeCount: number;
    nodeCountWithSubgraphs: number;
    parameterCount: number;
    parameterBytes: number;
    /** parameters a token uses (mixture of experts: k of E experts); = parameterCount otherwise */
    activeParameterCount: number;
    forwardFlops: number;
    peakActivationBytes: number;
    opHistogram: Record<string, number>;
    inputs: { name: string; dtype: string; dims: Dim[] | null }[];
    outputs: { name: string; dtype: string; dims: Dim[] | null }[];
    bindings: Record<string, number>;
    unboundDims: string[];
    /** the transformer the structure detector found (src/engine/structure/types.ts); absent when none */
    transformer?: TransformerStructure;
  };
  tensors?: Record<string, { dtype: string; dims: Dim[] | null }>;
  layers: ReportLayer[];
  /** one per requested target: a result, or `{ id, error }` (narrow with isTargetError / 'error' in t) */
  targets?: TargetOutcome[];
  /** ratios to the first computed target and the verdict; present when two or more targets were computed */
  comparison?: Comparison;
  /** the run's assumptions as given (the HTML export states them; bindings are in model.bindings) */
  assumptions?: {
    mode: RunOptions['mode'];
    precision: RunOptions['precision'];
    execution: RunOptions['execution'];
    basis: RunOptions['basis'];
    prices: Record<string, number>;
    trainTokens?: number;
    serveRate?: number;
  };
  diagnostics: Diagnostic[];
}

export interface Profile {
  report: Report;
  analysis: Analysis;
}

/** Binds `batch` to the batch-like symbols the model's inputs use, then applies explicit --dim bindings. */
export function bindingsFor(model: Model, opts: RunOptions): Record<string, number> {
  const b: Record<string, number> = {};
  if (opts.batch !== undefined) {
    const syms = new Set<string>();
    for (const i of model.graph.inputs) {
      const t = i.type;
      if (t && t.kind === 'tensor' && t.dims) for (const d of t.dims) if (typeof d === 'string') syms.add(d);
    }
    const batchLike = [...syms].filter(isBatchLike);
    // a model with no batch-like symbol: `batch` still binds, so --batch is never silently ignored by the mappers
    for (const s of batchLike.length ? batchLike : ['batch']) b[s] = opts.batch;
  }
  return { ...b, ...opts.dims };
}

/** Peak live activation bytes in execution order: a tensor is freed after its last consumer. */
export function peakActivation(
  model: Model,
  costs: NodeCost[],
  shapes: ShapeResult,
  bind: Record<string, number>,
): number {
  const g = model.graph;
  // per tensor id (onnx/nameIds.ts): the last node reading it (KEPT: a graph output, never freed)
  const ids = graphIds(g);
  const { ins, insEnd, outs, outsEnd, inputs: inputIds, inits } = ids.names;
  const KEPT = 0x7fffffff;
  const lastUse = new Int32Array(ids.count).fill(-1);
  for (let k = 0, j = 0; k < g.nodes.length; k++)
    for (const e = insEnd[k]; j < e; j++) if (ins[j] >= 0) lastUse[ins[j]] = k;
  const outputIds = ids.names.outputs;
  for (let j = 0; j < outputIds.length; j++) if (outputIds[j] >= 0) lastUse[outputIds[j]] = KEPT;
  const constant = new Uint8Array(ids.count);
  for (let j = 0; j < inits.length; j++) if (inits[j] >= 0) constant[inits[j]] = 1;
  // tensors along a shape-preserving chain share one type object (shapes/infer.ts): its size is computed once
  let lastType: ValueType | null | undefined,
    lastSize = 0;
  const byId = shapes.main.outputsById?.ids === ids ? shapes.main.outputsById.values : undefined;
  const sizeOf = (name: string, id: number): number => {
    const t = ((byId ? byId[id] : undefined) ?? shapes.main.values.get(name))?.type;
    if (t === lastType) return lastSize;
    lastType = t;
    lastSize = 0;
    if (!t || t.kind !== 'tensor' || !t.dims) return 0;
    let e = 1;
    for (const d of t.dims) e *= evalDim(d, bind) ?? UNBOUND_DIM_VALUE;
    return (lastSize = bytesFor(t.dtype, e));
  };
  // linear: each tensor is freed at the first non-Constant node at or after both its birth and its last use;
  // the tensors to free at each node are a linked list in flat arrays (no list per node)
  const n = g.nodes.length;
  const head = new Int32Array(n + 1).fill(-1);
  const entryId: number[] = [];
  const entryNext: number[] = [];
  const schedule = (id: number, born: number) => {
    const last = lastUse[id];
    if (last === KEPT) return;
    const at = Math.max(0, born, last);
    entryId.push(id);
    entryNext.push(head[at]);
    head[at] = entryId.length - 1;
  };
  let live = 0,
    peak = 0,
    swept = 0;
  // the bytes of each live tensor (NaN: not live)
  const alive = new Float64Array(ids.count).fill(NaN);
  const born = (id: number, name: string, at: number) => {
    const s = sizeOf(name, id);
    alive[id] = s;
    live += s;
    schedule(id, at);
  };
  for (let j = 0; j < g.inputs.length; j++) {
    const id = inputIds[j];
    if (id >= 0 && !constant[id] && Number.isNaN(alive[id])) born(id, g.inputs[j].name, 0);
  }
  peak = live;
  for (let k = 0; k < n; k++) {
    const node = g.nodes[k];
    if (node.opType === 'Constant') continue;
    const o0 = k ? outsEnd[k - 1] : 0;
    for (let j = o0; j < outsEnd[k]; j++) {
      const id = outs[j];
      if (id >= 0 && Number.isNaN(alive[id])) born(id, node.outputs[j - o0], k);
    }
    if (live > peak) peak = live;
    for (; swept <= k; swept++)
      for (let e = head[swept]; e >= 0; e = entryNext[e]) {
        const id = entryId[e];
        const s = alive[id];
        if (Number.isNaN(s)) continue;
        live -= s;
        alive[id] = NaN;
      }
  }
  void costs;
  return peak;
}

function detectDecode(
  model: Model,
  shapes: ShapeResult,
  bind: Record<string, number>,
): { decode: boolean; tokens: number; samples: number; tokenIds: boolean } {
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  const inputs = model.graph.inputs.filter((i) => !inits.has(i.name));
  const hasCache = inputs.some((i) => /past|cache|key_values|present/i.test(i.name));
  const ids =
    inputs.find((i) => /input_ids|tokens|^ids$/i.test(i.name)) ??
    inputs.find((i) => i.type?.kind === 'tensor' && i.type.dtype === 7);
  let tokens = 1,
    samples = 1;
  const v = ids ? shapes.main.values.get(ids.name)?.type : undefined;
  if (v && v.kind === 'tensor' && v.dims && v.dims.length >= 1) {
    samples = evalDim(v.dims[0], bind) ?? UNBOUND_DIM_VALUE;
    tokens = v.dims.reduce<number>((a, d) => a * (evalDim(d, bind) ?? UNBOUND_DIM_VALUE), 1);
  } else {
    const first = inputs[0] ? shapes.main.values.get(inputs[0].name)?.type : undefined;
    if (first && first.kind === 'tensor' && first.dims?.length)
      samples = evalDim(first.dims[0], bind) ?? UNBOUND_DIM_VALUE;
    tokens = samples;
  }
  const decode = hasCache && ids !== undefined && tokens === samples;
  const tokenIds = ids !== undefined && /input_ids|tokens|^ids$/i.test(ids.name);
  return { decode, tokens, samples, tokenIds };
}

/**
 * Everything about the model that does not depend on the target: shapes, costs, layers (fused kernels), decode
 * detection, under these symbolic-dim bindings. The expensive half of a profile; cache it (ProfileCache) and map
 * it to as many targets and mapping options as needed.
 */
export function analyse(model: Model, bindings: Record<string, number>, useDeclared?: boolean): Analysis;
/** analyse() under the bindings the run options give (batch, dims) and their useDeclared. */
export function analyse(model: Model, opts: RunOptions): Analysis;
export function analyse(model: Model, b: Record<string, number> | RunOptions, declared?: boolean): Analysis {
  const isOpts = typeof (b as RunOptions).targets === 'object' && typeof (b as RunOptions).mode === 'string';
  const bindings = isOpts ? bindingsFor(model, b as RunOptions) : (b as Record<string, number>);
  const useDeclared = isOpts ? ((b as RunOptions).useDeclared ?? true) : (declared ?? true);
  const stats: ModelStats = modelStats(model);
  const inferOpts = { bindings, useDeclared };
  const first = inferShapes(model, inferOpts);
  // an If the bindings decide (optimum's merged decoder) runs one branch: the rest of the pipeline sees that graph
  const sel = selectIfBranches(model, first, bindings);
  const run = sel.model;
  const shapes = sel.choices.length ? inferShapes(run, inferOpts) : first;
  shapes.diagnostics.push(...sel.diagnostics);
  const nodeCosts = computeCosts(run, shapes, { bindings });
  const experts = routeUnrolledExperts({ model: run, shapes, stats }, nodeCosts);
  if (experts) shapes.diagnostics.push({ severity: 'info', message: experts });
  const layers: Layer[] = buildLayers(run, nodeCosts);
  const d = detectDecode(run, shapes, bindings);
  return {
    model: run,
    bindings,
    stats,
    shapes,
    nodeCosts,
    layers,
    decode: d.decode,
    tokensPerStep: d.tokens,
    samplesPerStep: d.samples,
    throughputUnit: d.decode || d.tokenIds ? 'tokens/s' : 'samples/s',
  };
}

/** analyse() under the bindings the run options give (batch, dims) and their useDeclared. */
export function analyseFor(model: Model, opts: RunOptions): Analysis {
  return analyse(model, opts);
}

/** The mappers' view of the run options: everything but the model-side fields, plus the bindings in force. */
export function mapOptionsFrom(opts: RunOptions, bindings: Record<string, number>): MapOptions {
  const {
    targets: _t,
    dims: _d,
    batch: _b,
    shapes: _s,
    useDeclared: _u,
    basis: _ba,
    prices: _p,
    trainTokens: _tt,
    serveRate: _sr,
    ...mapping
  } = opts;
  return { ...mapping, bindings };
}

/** Why the model's costs cannot be mapped (a cost out of the double range), or undefined when all are finite. */
function nonFiniteCost(a: Analysis): string | undefined {
  for (const l of a.layers)
    for (const k of ['forwardFlops', 'parameterBytes', 'activationBytes', 'bytesRead', 'bytesWritten'] as const)
      if (!Number.isFinite(l[k]))
        return `layer ${l.name} has a ${k} that is not finite (out of the double range; bind smaller dims)`;
  for (const k of ['tokensPerStep', 'samplesPerStep'] as const)
    if (!Number.isFinite(a[k])) return `${k} is not finite (out of the double range; bind smaller dims)`;
  return undefined;
}

/** Refuses option values past LIMITS wherever the options came from (CLI, settings, tests): a LimitError. */
export function checkOptionLimits(opts: RunOptions): void {
  if (opts.batch !== undefined) checkLimit('maxDimValue', opts.batch, 'batch');
  for (const [k, v] of Object.entries(opts.dims)) checkLimit('maxDimValue', v, `dim ${k}`);
  if (typeof opts.systems === 'number') checkLimit('maxPlanValue', opts.systems, 'systems');
  if (opts.nodes !== undefined) checkLimit('maxPlanValue', opts.nodes, 'nodes');
  for (const k of ['tp', 'pp', 'dp', 'interleave'] as const) {
    const v = opts.gpu[k];
    if (v !== undefined) checkLimit('maxPlanValue', v, k);
  }
  for (const k of ['microbatch', 'globalBatch'] as const) {
    const v = opts.gpu[k];
    if (v !== undefined) checkLimit('maxDimValue', v, k);
  }
}

/** Maps one target (a built-in id or a spec file): its result, or `{ id, error }` when it cannot be computed. */
export function mapOne(analysis: Analysis, target: string, opts: MapOptions): TargetOutcome {
  try {
    return mapTarget(loadSpec(target), analysis, opts);
  } catch (e) {
    // a plan the hardware cannot run as asked: bad usage (the CLI exits 2)
    return e instanceof PlanRefusal
      ? { id: target, error: (e as Error).message, refused: true as const }
      : { id: target, error: (e as Error).message };
  }
}

/** The report's target-independent part (model facts, layers, diagnostics, tensors with `shapes`). */
export function modelReport(analysis: Analysis, shapesWanted: boolean): Report {
  const { model, stats, shapes, nodeCosts, layers, bindings } = analysis;
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  const io = (vs: typeof model.graph.inputs) =>
    vs
      .filter((v) => !inits.has(v.name))
      .map((v) => {
        const t = shapes.main.values.get(v.name)?.type ?? v.type;
        return t && t.kind === 'tensor'
          ? { name: v.name, dtype: dtypeName(t.dtype), dims: t.dims }
          : { name: v.name, dtype: t?.kind ?? 'unknown', dims: null };
      });
  const report: Report = {
    schema: SCHEMA,
    model: {
      path: model.path,
      irVersion: model.irVersion,
      opsets: Object.fromEntries(Object.entries(model.opsets).map(([k, v]) => [k === '' ? 'ai.onnx' : k, v])),
      producer: [model.producerName, model.producerVersion].filter(Boolean).join(' '),
      nodeCount: stats.nodeCount,
      nodeCountWithSubgraphs: stats.nodeCountWithSubgraphs,
      parameterCount: stats.parameterCount,
      parameterBytes: stats.parameterBytes,
      activeParameterCount: activeParameterCount(analysis, stats.parameterCount),
      forwardFlops: nodeCosts.reduce((a, c) => a + c.flops, 0),
      peakActivationBytes: peakActivation(analysis.model, nodeCosts, shapes, bindings),
      opHistogram: stats.opHistogram,
      inputs: io(model.graph.inputs),
      outputs: io(model.graph.outputs),
      bindings,
      unboundDims: shapes.unboundSymbols,
      transformer: transformerStructure(analysis),
    },
    layers: layers.map((l) => ({
      name: l.name,
      kind: l.kind,
      block: l.block,
      opTypes: l.opTypes,
      nodes: l.nodes,
      forwardFlops: l.forwardFlops,
      parameterBytes: l.parameterBytes,
      activationBytes: l.activationBytes,
      bytesRead: l.bytesRead,
      bytesWritten: l.bytesWritten,
      arithmeticIntensity: l.bytesRead + l.bytesWritten > 0 ? l.forwardFlops / (l.bytesRead + l.bytesWritten) : 0,
      costModelled: l.modelled,
      approximate: l.approximate,
    })),
    diagnostics: [...model.diagnostics, ...shapes.diagnostics],
  };
  if (shapes.unboundSymbols.length) {
    report.diagnostics.push({
      severity: 'warning',
      message: `symbolic dims ${unboundPhrase(shapes.unboundSymbols)} (bind with --dim NAME=VALUE)`,
    });
  }
  if (shapesWanted) {
    report.tensors = {};
    for (const [name, v] of shapes.main.values) {
      const t = v.type;
      if (t && (t.kind === 'tensor' || t.kind === 'sparse_tensor'))
        report.tensors[name] = { dtype: dtypeName(t.dtype), dims: t.dims };
    }
  }
  return report;
}

/** The whole profile of an analysis: the model report plus one outcome per target of `opts` (mapped by `map`,
 * which a cache replaces to re-use earlier mappings). */
export function profileAnalysis(
  analysis: Analysis,
  opts: RunOptions,
  map: (target: string, mo: MapOptions) => TargetOutcome = (t, mo) => mapOne(analysis, t, mo),
  base: Report = modelReport(analysis, opts.shapes),
): Profile {
  const report: Report = { ...base };
  report.assumptions = {
    mode: opts.mode,
    precision: opts.precision,
    execution: opts.execution,
    basis: opts.basis,
    prices: { ...opts.prices },
    ...(opts.trainTokens !== undefined ? { trainTokens: opts.trainTokens } : {}),
    ...(opts.serveRate !== undefined ? { serveRate: opts.serveRate } : {}),
  };
  if (opts.targets.length) mapAndCompare(report, analysis, opts, map);
  finiteReport(report);
  return { report, analysis };
}

/** Maps every target, puts training targets on one global batch, and attaches the comparison's figures. */
function mapAndCompare(
  report: Report,
  analysis: Analysis,
  opts: RunOptions,
  map: (target: string, mo: MapOptions) => TargetOutcome,
): void {
  const specs = opts.targets.map((id) => {
    try {
      const s = loadSpec(id);
      // a spec file's power and price, when it gives them, must be positive numbers (refused naming the field)
      validateEconomics(s.spec, id);
      return s;
    } catch (e) {
      return e as Error;
    }
  });
  // a mapper given costs past the double range answers NaN and Infinity: refuse to map instead
  const notFinite = nonFiniteCost(analysis);
  const mapAll = (mo: MapOptions): TargetOutcome[] =>
    specs.map((s, i) => {
      if (notFinite) return { id: opts.targets[i], error: `not mapped: ${notFinite}` };
      if (s instanceof Error) return { id: opts.targets[i], error: s.message };
      return map(opts.targets[i], mo);
    });
  const mo = mapOptionsFrom(opts, analysis.bindings);
  let targets = mapAll(mo);
  const notes: string[] = [];
  // training on one basis: every target runs the same global batch (unless --global-batch fixed it)
  const gb = opts.mode === 'training' && opts.gpu.globalBatch === undefined ? commonGlobalBatch(targets) : undefined;
  if (gb !== undefined) {
    const again = mapAll({ ...mo, gpu: { ...mo.gpu, globalBatch: gb } });
    targets = targets.map((t, i) => {
      const r = again[i];
      if (isTargetError(r)) {
        if (!isTargetError(t)) t.notes.push(`could not run the common global batch ${gb} (${r.error}): kept its own`);
        return isTargetError(t) ? r : t;
      }
      r.notes.push(
        `global batch ${gb} on every target so the comparison runs the same workload (the largest any target chose; --global-batch sets it)`,
      );
      return r;
    });
    notes.push(`global batch ${gb} on every target`);
  }
  const w: Workload = {
    mode: opts.mode,
    precision: opts.precision,
    forwardFlops: report.model.forwardFlops,
    tokensPerStep: analysis.tokensPerStep,
    samplesPerStep: analysis.samplesPerStep,
    unit: analysis.throughputUnit,
    decode: analysis.decode,
  };
  const co = { basis: opts.basis, prices: opts.prices, trainTokens: opts.trainTokens, serveRate: opts.serveRate };
  attachFigures(
    targets,
    specs.map((s) => (s instanceof Error ? undefined : s.spec)),
    w,
    co,
  );
  report.targets = targets;
  const c = compareTargets(targets, w, co);
  if (c) {
    c.notes.unshift(...notes);
    report.comparison = c;
  }
}

/** The one pipeline, uncached: analyse, then map every target. */
export function profileModel(model: Model, opts: RunOptions): Profile {
  checkOptionLimits(opts);
  return profileAnalysis(analyseFor(model, opts), opts);
}

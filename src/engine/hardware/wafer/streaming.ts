// Weight-streaming execution: one layer at a time on the whole wafer, the layer's weights streamed in from
// MemoryX while the previous layer computes, gradients streamed back through SwarmX, which reduces them across
// systems and hands them to MemoryX for the optimizer step; systems are data parallel (Cerebras glossary:
// "weight streaming", "MemoryX", "SwarmX"; hardware-and-peers.md §1.2). docs/WAFER-MODEL.md has the formulas.
//
// A layer's matmul on the whole wafer (wholeWaferGemmCycles): the activations stay on the cores, each core
// holding a square tile of the output; every streamed weight element triggers one FMAC vector op over the
// core's tile column (Cerebras' dataflow: arriving data triggers a task over a DSD). A vector op of length m
// costs m / SIMD width cycles plus a fixed issue overhead `streamingGemmOpOverhead_cycles` (fitted, see the
// spec), so large layers with long per-core vectors run near peak and small ones do not.
import type { WaferLayer, WaferTargetResult } from '../types';
import { weightBytesAt } from '../../cost/layers';
import {
  allreduceCycles,
  decodeOpsCycles,
  dominant,
  emptyOps,
  totalCycles,
  zeroParts,
  type CycleParts,
} from './latency';
import type { KernelWork } from './kernels';
import { pushCalibrationNote, pushClockNote, type Ctx } from './context';
import { fmtBytes, fmtNumber, fmtPercent, fmtSeconds, si } from '../../format/units';

/** Cycles of a matmul of `macs` multiply-adds with `outElems` outputs spread over `cores` cores (weight
 * streaming's layer-on-the-whole-wafer form). With fewer outputs than cores the reduction dimension is split
 * instead (vector length 1). */
export function wholeWaferGemmCycles(
  macs: number,
  outElems: number,
  cores: number,
  simd: number,
  opOverhead: number,
): number {
  if (macs <= 0) return 0;
  const m = Math.max(1, Math.sqrt(outElems / cores));
  return (macs / cores / m) * (m / simd + opOverhead);
}

/** Fraction of peak a whole-wafer matmul reaches with per-core output tiles of `outPerCore` elements. */
export function wholeWaferGemmEfficiency(outPerCore: number, simd: number, opOverhead: number): number {
  const m = Math.max(1, Math.sqrt(outPerCore));
  return m / simd / (m / simd + opOverhead);
}

interface KernelPass {
  fwd: CycleParts;
  bwd: CycleParts;
  /** weight bytes streamed in per pass (embedding tables: only the rows the micro-batch touches) */
  streamBytes: number;
  /** gradient bytes streamed out per micro-batch */
  gradBytes: number;
}

/** Forward and backward cycles of one kernel for `rowsScale` x its graph rows, on the whole wafer. */
function kernelPass(c: Ctx, kw: KernelWork, rowsScale: number): KernelPass {
  const { d, spec, k } = c;
  const W = spec.gridWidth_cores,
    H = spec.gridHeight_cores;
  const cores = d.cores;
  const simd = d.flopsPerCyclePerCore / 2;
  const o = spec.streamingGemmOpOverhead_cycles;
  const fwd = zeroParts(),
    bwd = zeroParts();
  const ops = kw.decode;
  for (const g of ops.gemvs) {
    const rows = g.rows * rowsScale;
    const macs = g.k * g.n * rows;
    fwd.compute += wholeWaferGemmCycles(macs, rows * g.n, cores, simd, o);
    // input gradient (rows x K outputs) and weight gradient (K x N outputs), each as many MACs as the forward
    bwd.compute +=
      wholeWaferGemmCycles(macs, rows * g.k, cores, simd, o) + wholeWaferGemmCycles(macs, g.k * g.n, cores, simd, o);
  }
  for (const a of ops.attn) {
    const macs = a.macs * rowsScale,
      out = a.outElems * rowsScale;
    fwd.compute += wholeWaferGemmCycles(macs, out, cores, simd, o);
    bwd.compute += 2 * wholeWaferGemmCycles(macs, out, cores, simd, o);
  }
  // elementwise work, table lookups (rows copied out of the table) and reductions use the decode forms with all rows
  const ew = [
    ...ops.elementwise.map((e) => ({ rows: e.rows * rowsScale, cols: e.cols })),
    ...(ops.gathers ?? []).map((g) => ({ rows: g.rows * rowsScale, cols: g.cols })),
  ];
  const rest = decodeOpsCycles({ ...emptyOps(), elementwise: ew }, W, H, k);
  fwd.memory += rest.memory;
  bwd.memory += rest.memory;
  if (ops.scalarReductions > 0) {
    const rows = Math.max(1, ...ew.map((e) => e.rows));
    const ar = allreduceCycles(Math.round((W + H) / 2), Math.ceil(rows / H) * 4, k);
    for (const p of [fwd, bwd]) {
      p.latency += ar.latency * ops.scalarReductions;
      p.communication += ar.comm * ops.scalarReductions;
    }
  }
  if (ops.otherFlops > 0) {
    fwd.compute += (ops.otherFlops * rowsScale) / (cores * d.flopsPerCyclePerCore);
    bwd.compute += (2 * ops.otherFlops * rowsScale) / (cores * d.flopsPerCyclePerCore);
  }
  // a layer's data crosses the wafer once, and its kernel starts once
  for (const p of [fwd, bwd]) p.latency += (k.hopCycles * (W + H)) / 2 + k.kernelCycles;
  // The stack streams an embedding table's gradient and rows sparsely: only the rows the micro-batch looks up
  let streamBytes = kw.weightBytes,
    gradBytes = kw.params * d.elemBytes;
  const gathers = ops.gathers ?? [];
  if (gathers.length && ops.gemvs.length === 0) {
    const touched = gathers.reduce((s, g) => s + Math.min(g.tableRows, g.rows * rowsScale) * g.cols, 0);
    streamBytes = Math.min(streamBytes, touched * d.elemBytes);
    gradBytes = Math.min(gradBytes, touched * d.elemBytes);
  }
  return { fwd, bwd, streamBytes, gradBytes };
}

export function weightStreaming(c: Ctx): WaferTargetResult {
  const { d, spec, a, opts } = c;
  const W = spec.gridWidth_cores,
    H = spec.gridHeight_cores;
  const hz = d.clockHz;
  const systems = typeof opts.systems === 'number' ? opts.systems : 1;
  if (opts.systems === 'auto')
    c.notes.push(
      'systems auto: weight streaming runs on any number of systems; 1 chosen (data parallelism only adds throughput)',
    );
  const graphBatch = Math.max(1, a.samplesPerStep);
  const gb = c.training ? (opts.gpu.globalBatch ?? graphBatch * systems) : graphBatch * systems;
  const perSystem = gb / systems;
  const memX = d.memoryXBytesPerSecond,
    io = d.ioBytesPerSecond;
  const cap = d.cores * d.usableBytesPerCore;
  // SRAM: the KV cache / inputs stay, the current layer's weights pass through (at most a quarter of the wafer
  // is given to the streamed chunk), and per sample the activations kept for the backward pass plus the
  // largest layer's in/out buffers. The batch per system is cut into micro-batches that fit (gradient
  // accumulation); the weights stream again for every micro-batch.
  const inputs = c.work.reduce((s, k) => s + k.inputBufferBytes, 0);
  // the streamed chunk: the largest layer, or in training the largest block (kept from its recompute to its backward)
  const blockBytes = new Map<string, number>();
  for (const k of c.work) if (k.block !== null) blockBytes.set(k.block, (blockBytes.get(k.block) ?? 0) + k.weightBytes);
  const largest = Math.max(...c.work.map((k) => k.weightBytes), ...(c.training ? [...blockBytes.values()] : []));
  const chunk = Math.min(largest, cap / 4);
  const bufPerSample = Math.max(...c.work.map((k) => k.actInBytes + k.actOutBytes)) / graphBatch;
  const room = cap - inputs - chunk;
  // Activations kept for the backward pass: all kernel outputs, or with activation checkpointing (full
  // recompute, Korthikanti et al.) only each block's input, the block's forward running again before its backward.
  const keepAll = c.training ? c.work.reduce((s, k) => s + k.actOutBytes, 0) / graphBatch : 0;
  const firstOfBlock = c.work.filter((k, i) => k.block !== null && (i === 0 || c.work[i - 1].block !== k.block));
  const blockInputs =
    firstOfBlock.reduce((s, k) => s + k.actInBytes, 0) / graphBatch +
    c.work.filter((k) => k.block === null).reduce((s, k) => s + k.actOutBytes, 0) / graphBatch;
  const plans = [{ recompute: false, kept: keepAll }];
  if (c.training && firstOfBlock.length > 0) plans.push({ recompute: true, kept: blockInputs });
  const evaluate = (kept: number, recompute: boolean) => {
    const fitSamples = room > 0 ? Math.floor(room / Math.max(1e-9, kept + bufPerSample)) : 0;
    const micro = fitSamples >= 1 && fitSamples < perSystem ? Math.ceil(perSystem / fitSamples) : 1;
    const mb = perSystem / micro;
    const bf = mb / graphBatch;
    let total = 0,
      computeSum = 0,
      streamSum = 0;
    const rows: WaferLayer[] = [];
    for (const kw of c.work) {
      let fwd: CycleParts, bwd: CycleParts, streamBytes: number, gradBytes: number;
      if (c.decode) {
        fwd = decodeOpsCycles(kw.decode, W, H, c.k);
        bwd = zeroParts();
        streamBytes = kw.weightBytes;
        gradBytes = 0;
      } else ({ fwd, bwd, streamBytes, gradBytes } = kernelPass(c, kw, bf));
      const fwdS = totalCycles(fwd) / hz;
      const bwdS = c.training ? totalCycles(bwd) / hz : 0;
      // weights stream in ahead of each pass (overlapped with the previous layer's compute); gradients stream out
      const inS = streamBytes / memX;
      const gradS = c.training ? gradBytes / io : 0;
      const fwdT = Math.max(fwdS, inS);
      // with checkpointing a block's forward runs again just before its backward and its weights, fetched
      // once for both, stay on the wafer in between
      const bwdT = recompute ? Math.max(fwdS + bwdS, inS, gradS) : Math.max(bwdS, inS, gradS);
      const sec = (fwdT + (c.training ? bwdT : 0)) * micro;
      total += sec;
      const comp = (fwdS * (recompute ? 2 : 1) + bwdS) * micro;
      computeSum += comp;
      streamSum += (inS * (c.training ? 2 : 1) + gradS) * micro;
      const streamBound = inS > fwdS || (c.training && (inS > bwdS || gradS > bwdS));
      const buf = (kw.actInBytes + kw.actOutBytes) * bf + kw.inputBufferBytes;
      rows.push({
        name: kw.name,
        seconds: sec,
        bound: streamBound ? 'communication' : dominant(fwd),
        memoryBytes: buf,
        placement: { x: 0, y: 0, w: W, h: H, cores: d.cores, system: 'all' },
        detail: {
          flops: kw.flops * bf * micro * (c.training ? (recompute ? 4 : 3) : 1),
          weightStreamSeconds: inS * micro,
          gradientStreamSeconds: gradS * micro,
          computeSeconds: comp,
          bytesPerCore: Math.ceil(buf / d.cores),
          sramPerCoreBytes: d.sramBytesPerCore,
        },
      });
    }
    return {
      recompute,
      kept,
      fitSamples,
      micro,
      mb,
      total,
      computeSum,
      streamSum,
      rows,
      onWafer: inputs + chunk + Math.min(perSystem, Math.max(1, fitSamples)) * (kept + bufPerSample),
    };
  };
  const results = plans.map((p) => evaluate(p.kept, p.recompute));
  const feasible = results.filter((r) => r.fitSamples >= 1);
  const plan = (feasible.length ? feasible : results).reduce((b, r) => (r.total < b.total ? r : b));
  let fits = plan.fitSamples >= 1;
  const { micro, mb, total, computeSum, rows, onWafer } = plan;
  if (!fits)
    c.notes.push(
      `does not fit: one sample needs ${fmtBytes(plan.kept + bufPerSample)} of activations${c.training ? ' kept for the backward pass' : ''} and buffers besides ${fmtBytes(inputs + chunk)} of inputs/KV cache and streamed weights, over one wafer's ${fmtBytes(cap)}`,
    );
  if (plan.recompute)
    c.notes.push(
      `activation checkpointing: only each block's input is kept (${fmtBytes(plan.kept)} per sample instead of ${fmtBytes(keepAll)}); blocks run forward again before their backward pass${feasible.length > 1 ? ' (faster than keeping everything)' : ''}`,
    );
  if (micro > 1)
    c.notes.push(
      `gradient accumulation: ${perSystem} samples per system do not fit the wafer's SRAM at once: ${micro} micro-batches of ${fmtNumber(mb)} (weights stream once per micro-batch, gradients accumulate)`,
    );
  // SwarmX: a broadcast/reduce tree of fan-out 4 whose latency grows with log N; paid once per step, the
  // rest of the reduction runs at line rate alongside the gradient stream. MemoryX's fetch latency is exposed
  // once per step, at the iteration boundary (glossary: weight fetch is pipelined ahead of each layer).
  const levels = systems > 1 ? Math.ceil(Math.log(systems) / Math.log(spec.swarmXFanout_count)) : 0;
  const swarm = c.training ? 2 * levels * spec.swarmXLevelLatency_us * 1e-6 : 0;
  const memXLatency = spec.memoryXLatency_us * 1e-6;
  const step = Math.max(total + swarm + memXLatency, 1 / hz);
  // weights at the run precision, block-quantized ones as stored (int4 + scales); training adds gradients and Adam state
  const stateBytes =
    weightBytesAt({ ...a.stats, paramCount: a.stats.parameterCount }, d.elemBytes) +
    (c.training ? a.stats.parameterCount * (d.elemBytes + 12) : 0);
  const memXCap = spec.memoryXCapacity_TB * 1e12;
  if (stateBytes > memXCap) {
    fits = false;
    c.notes.push(
      `does not fit: ${fmtBytes(stateBytes)} of weights${c.training ? ' and optimizer state' : ''} exceed MemoryX's ${spec.memoryXCapacity_TB} TB`,
    );
  }
  c.notes.push(
    `weight streaming: each layer runs on the whole wafer while the next layer's weights stream from MemoryX at ${spec.memoryXBandwidth_GBps} GB/s${c.training ? `; gradients stream back at ${fmtNumber(d.ioBytesPerSecond / 1e9)} GB/s and MemoryX applies the update; embedding tables stream and update only the rows a micro-batch looks up` : ''}; ${systems} system(s), data parallel${c.training ? ` (global batch ${gb}, ${perSystem} per system${levels ? `, SwarmX tree of ${levels} level(s)` : ''})` : ''}`,
  );
  const stream = rows.filter((r) => r.bound === 'communication').length;
  c.notes.push(
    `${stream} of ${rows.length} kernels wait on weight streaming; compute ${fmtSeconds(computeSum)} of ${fmtSeconds(total)}`,
  );
  if (c.decode && systems > 1)
    c.notes.push(`tokens/s counts all ${systems} data-parallel systems; one stream gets 1/${systems} of it`);
  const unitKind = a.throughputUnit;
  const perStep = c.decode
    ? Math.max(1, a.tokensPerStep) * systems
    : gb * (unitKind === 'tokens/s' ? Math.max(1, a.tokensPerStep / Math.max(1, a.samplesPerStep)) : 1);
  // model FLOPs utilisation: the model's FLOPs (training: forward x 3, no recompute) over the systems' peak
  const modelFlops = a.layers.reduce((s, l) => s + l.forwardFlops, 0) * (gb / graphBatch) * (c.training ? 3 : 1);
  const mfu = modelFlops / (step * d.peakFlops * systems);
  const hwFlops =
    c.work.reduce((s, r) => s + r.flops, 0) * (gb / graphBatch) * (c.training ? (plan.recompute ? 4 : 3) : 1);
  c.notes.push(
    `model FLOPs utilisation ${fmtPercent(mfu)} of ${systems} x ${si(d.peakFlops, 'FLOP/s')}${plan.recompute ? ` (${fmtPercent(hwFlops / (step * d.peakFlops * systems))} counting the recomputed forward)` : ''}`,
  );
  pushClockNote(c, step, perStep, unitKind);
  pushCalibrationNote(c);
  const slow = rows.reduce((bi, r, i) => (r.seconds > rows[bi].seconds ? i : bi), 0);
  const shown = Math.min(systems, 64);
  if (shown < systems) c.notes.push(`grid shows ${shown} of ${systems} identical systems`);
  return {
    id: spec.id,
    name: spec.name,
    kind: 'wafer',
    execution: 'weight-streaming',
    systems,
    parallelism: {
      execution: 'weight-streaming',
      systems,
      dataParallel: systems,
      globalBatch: gb,
      microBatches: micro,
      recompute: plan.recompute ? 'full' : 'none',
      slowestLayer: rows[slow]?.name,
    },
    fits,
    stepSeconds: step,
    throughput: { value: perStep / step, unit: unitKind },
    memory: { usedBytes: onWafer, capacityBytes: cap },
    energyJoulesPerStep: systems * spec.systemPower_kW * 1e3 * step,
    utilization: { placedFraction: 1, busyFraction: computeSum / Math.max(1e-30, total), mfu },
    layers: rows,
    notes: c.notes,
    grid: {
      kind: 'wafer',
      width: W,
      height: H,
      rects: Array.from({ length: shown }, (_, s) => ({
        layer: 0,
        layerCount: rows.length,
        x: 0,
        y: 0,
        w: W,
        h: H,
        system: s,
        memUtil: onWafer / cap,
        busy: computeSum / Math.max(1e-30, total),
      })),
    },
  };
}

// The wafer mapper: picks the execution mode (pipelined on one or more systems, or weight streaming),
// sizes and places a rectangle per region, and times every kernel. docs/WAFER-MODEL.md has the formulas.
import type { Analysis, Bound, MapOptions, WaferGrid, WaferLayer, WaferTargetResult } from '../types';
import { decodeCalibrationOf, derive, precisionNote, type WaferSpec } from './spec';
import { kernelWork, type KernelWork } from './kernels';
import { transformerDims, describeTransformer } from '../../structure';
import { decodeOpsCycles, dominant, totalCycles, type CycleParts } from './latency';
import { stepCycles } from './throughput';
import { allocateLatency, allocateThroughput, splitContiguous, type AllocUnit } from './alloc';
import { place, hopsAt, hopsBetween, type Layout, type Rect } from './placement';
import { FILL, kernelBytes, pushCalibrationNote, pushClockNote, type Ctx } from './context';
import { weightStreaming } from './streaming';
import { derivedOf } from '../derived';
import { draftDims, draftTokenCycles, expectedTokens, scaleRows } from './speculative';
import { fmtBytes, fmtNumber, fmtPercent, fmtRate, fmtRatio, fmtSeconds } from '../../format/units';

/** Regions placed as a whole: one kernel, or (decode) the kernels of one repeated block sharing its cores. */
interface Unit {
  kernels: number[];
  bytes: number;
  minCores: number;
  /** cost class: units of one class time the same on any region (repeated blocks), so each class is timed once */
  cls: number;
}

export function mapWafer(a: Analysis, raw: unknown, opts: MapOptions): WaferTargetResult {
  const spec = raw as WaferSpec;
  const d = derive(spec, opts.precision);
  const st = transformerDims(a, opts.bindings);
  const training = opts.mode === 'training';
  const calib = decodeCalibrationOf(spec, opts.wafer?.calibration);
  const ctx: Ctx = {
    a,
    spec,
    d,
    opts,
    st,
    training,
    decode: a.decode && !training,
    // what each kernel asks of the wafer depends on the analysis and precision alone: once per analysis (a
    // systems or execution change re-uses it); shared, so changed below only by copying
    work: derivedOf(a, `wafer-work|${opts.precision}`, opts.bindings, () =>
      kernelWork(a, opts.precision, opts.bindings, st),
    ),
    k: {
      hopCycles: spec.hopLatency_cycles,
      stageCycles: calib.cal.reductionStageOverhead_cycles,
      kernelCycles: calib.cal.decodeKernelOverhead_cycles,
      cyclesPerWeight: calib.cal.gemv_cyclesPerWeight,
      reduceShortSide: calib.cal.reduceShortSide,
      linkBytesPerCycle: spec.fabricLinkBandwidth_BytesPerCycle,
      flopsPerCyclePerCore: d.flopsPerCyclePerCore,
      elemBytes: d.elemBytes,
      gemmEfficiency: spec.matmulEfficiency_fraction,
      gemmStepCycles: spec.gemmStepOverhead_cycles,
    },
    notes: [],
    calibration: calib,
  };
  if (st) ctx.notes.push(describeTransformer(st), ...st.notes);
  const moe = ctx.work.filter((w) => w.moe);
  if (moe.length) {
    const m = moe[0].moe!;
    ctx.notes.push(
      `mixture of experts: ${moe.length} MoE kernel(s) of ${m.experts} experts, all resident in SRAM; ${m.perToken} per token compute (${fmtNumber(m.active)} distinct experts active for ${m.tokens} token(s)${m.imbalance > 1 ? `, busiest expert ${fmtRatio(m.imbalance)} the mean load` : ''}); each expert spread over its region, so a step reads only the routed experts' tiles`,
    );
  }
  const spec0 = opts.wafer?.speculative;
  if (spec0 && ctx.decode)
    // the target's verify pass checks the k proposals and the next position at once: k + 1 rows per step
    ctx.work = ctx.work.map((w) => ({ ...w, decode: scaleRows(w.decode, spec0.tokens + 1) }));
  else if (spec0) ctx.notes.push('speculative decoding applies to a decode graph only: ignored');
  const pn = precisionNote(opts.precision);
  if (pn) ctx.notes.push(pn);
  const perWafer = d.cores * d.usableBytesPerCore;
  const units = buildUnits(ctx);
  const tooBig = units.filter((u) => u.minCores > d.cores);
  const totalBytes = units.reduce((s, u) => s + u.bytes, 0);

  const streaming = (why: string): WaferTargetResult => {
    ctx.notes.unshift(`execution: weight-streaming (${why})`);
    return weightStreaming(ctx);
  };
  if (opts.execution === 'weight-streaming') return streaming('requested');
  // name up to three; a long list (every layer of a large model in training) becomes one line
  for (const u of tooBig.length > 3 ? [tooBig.reduce((b, x) => (x.bytes > b.bytes ? x : b))] : tooBig) {
    const names = u.kernels.map((i) => ctx.work[i].name);
    if (tooBig.length > 3)
      ctx.notes.push(`${tooBig.length} kernels are each larger than one whole wafer; the largest:`);
    ctx.notes.push(
      `kernel ${names.length === 1 ? names[0] : `${names[0]} .. ${names[names.length - 1]}`} needs ${fmtBytes(u.bytes)} = ${u.minCores.toLocaleString('en-US')} cores, more than one whole wafer (${d.cores.toLocaleString('en-US')} cores): pipelined execution cannot hold it; weight-streaming runs it (one layer at a time on the whole wafer, weights streamed from MemoryX)`,
    );
  }
  if (training) {
    // Cerebras: pipelined mode keeps all weights on one wafer and does not train across systems (glossary 2.0.3).
    const single = opts.systems === undefined || opts.systems === 'auto' || opts.systems === 1;
    if (tooBig.length === 0 && single && totalBytes <= perWafer * FILL) {
      const r = pipelined(ctx, units, 1);
      if (r) {
        r.notes.unshift(
          `execution: pipelined (training state: weights, gradients, optimizer state and activations, ${fmtBytes(totalBytes)}, fits one wafer's ${fmtBytes(perWafer)} of SRAM)`,
        );
        return r;
      }
    }
    if (opts.execution === 'pipelined')
      return notFitting(
        ctx,
        'pipelined',
        totalBytes,
        perWafer,
        1,
        single
          ? `training state ${fmtBytes(totalBytes)} does not fit one wafer (${fmtBytes(perWafer)})`
          : 'pipelined training runs on one system only (Cerebras glossary)',
      );
    return streaming(
      `training state (weights, gradients, optimizer state, activations: ${fmtBytes(totalBytes)}) exceeds one wafer's ${fmtBytes(perWafer)} of SRAM${tooBig.length ? `, ${tooBig.length} kernel(s) alone do` : ''}${single ? '' : '; pipelined training does not span systems'}`,
    );
  }
  // inference
  if (tooBig.length) {
    if (opts.execution === 'pipelined')
      return notFitting(
        ctx,
        'pipelined',
        totalBytes,
        perWafer,
        typeof opts.systems === 'number' ? opts.systems : 1,
        'a kernel is larger than the whole wafer',
      );
    return streaming('a kernel is larger than the whole wafer');
  }
  const minSystems = Math.max(1, Math.ceil(totalBytes / (perWafer * FILL)));
  const tries: number[] = [];
  if (typeof opts.systems === 'number') tries.push(opts.systems);
  else for (let n = minSystems; n <= Math.min(spec.maxSystems_count, minSystems + 8); n++) tries.push(n);
  if (opts.systems !== undefined && typeof opts.systems !== 'number' && opts.wafer?.systemsObjective === 'latency') {
    const r = lowestLatency(
      ctx,
      units,
      minSystems,
      opts.wafer.maxSystems ?? Math.min(spec.maxSystems_count, 2 * minSystems),
    );
    if (r) return r;
  }
  for (const n of tries) {
    const r = pipelined(ctx, units, n);
    if (r) {
      const why =
        n === 1
          ? `weights and buffers (${fmtBytes(totalBytes)}) fit one wafer's ${fmtBytes(perWafer)} of SRAM${typeof opts.systems === 'number' || opts.systems === undefined ? '' : '; systems auto, objective: fewest that fit'}`
          : `${fmtBytes(totalBytes)} of weights and buffers split into ${n} contiguous segments, one per system${typeof opts.systems === 'number' ? '' : ' (systems auto, objective: fewest that fit; --systems-objective latency weighs more)'}`;
      r.notes.unshift(`execution: pipelined (${why})`);
      return r;
    }
  }
  const n = tries[tries.length - 1];
  if (opts.execution === 'pipelined')
    return notFitting(
      ctx,
      'pipelined',
      totalBytes,
      perWafer,
      n,
      `${fmtBytes(totalBytes)} does not fit ${n} system(s) (${fmtBytes(perWafer * n)})`,
    );
  return streaming(`${fmtBytes(totalBytes)} of weights and buffers do not fit ${n} system(s) in pipelined mode`);
}

/** `--systems auto --systems-objective latency`: every system count from the fewest that fit up to the budget
 * (at most 12 counts, spread geometrically), keeping the one with the shortest step (decode: per-token latency). */
function lowestLatency(c: Ctx, units: Unit[], lo: number, budget: number): WaferTargetResult | null {
  const hi = Math.max(lo, Math.min(budget, c.spec.maxSystems_count));
  const counts = new Set<number>([lo, hi]);
  for (let i = 1; i < 11; i++) counts.add(Math.round(lo * Math.pow(hi / lo, i / 11)));
  let best: { n: number; r: WaferTargetResult; notes: string[] } | null = null;
  const tried: string[] = [];
  for (const n of [...counts].sort((a, b) => a - b)) {
    const mark = c.notes.length;
    const r = pipelined(c, units, n);
    const notes = c.notes.splice(mark);
    if (!r) continue;
    tried.push(`${n}: ${fmtRate(r.throughput.value, r.throughput.unit)}`);
    if (!best || r.stepSeconds < best.r.stepSeconds) best = { n, r, notes };
  }
  if (!best) return null;
  c.notes.push(...best.notes);
  best.r.notes = c.notes;
  c.notes.unshift(
    `execution: pipelined on ${best.n} systems: systems auto, objective lowest latency within a budget of ${hi} (fewest that fit: ${lo}); tried ${tried.join(', ')}`,
  );
  return best.r;
}

function buildUnits(c: Ctx): Unit[] {
  const units: Unit[] = [];
  const mk = (ks: number[]): Unit => {
    const bytes = ks.reduce((s, i) => s + kernelBytes(c, c.work[i]), 0);
    return { kernels: ks, bytes, minCores: Math.max(1, Math.ceil(bytes / c.d.usableBytesPerCore)), cls: -1 };
  };
  if (!c.decode)
    return classify(
      c,
      c.work.map((_, i) => mk([i])),
    );
  // Decode: the kernels of one block share one region, each core holding a tile of every weight matrix of
  // the block (WaferLLM's layout: all decode kernels on one P x P grid). With a region per kernel, 6 of
  // every 7 regions would idle while the token passes through the other one.
  let cur: number[] = [];
  let curBlock: string | null = null;
  const flush = () => {
    if (!cur.length) return;
    const u = mk(cur);
    if (u.minCores > c.d.cores && cur.length > 1) for (const i of cur) units.push(mk([i]));
    else units.push(u);
    cur = [];
  };
  c.work.forEach((w, i) => {
    if (w.block === null || w.block !== curBlock) {
      flush();
      curBlock = w.block;
    }
    cur.push(i);
    if (w.block === null) flush();
  });
  flush();
  return classify(c, units);
}

/** Sets each unit's cost class: the same kernels' timing classes in the same order and the same minimum cores. */
function classify(c: Ctx, units: Unit[]): Unit[] {
  const ids = new Map<string, number>();
  for (const u of units) {
    let key = `${u.minCores}`;
    for (const i of u.kernels) key += `#${c.work[i].timing}`;
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = ids.size));
    u.cls = id;
  }
  c.costClasses = ids.size;
  return units;
}

/** Cycles of a unit's kernels on a w x h region, per kernel: per token step (decode) or per sample. */
function unitKernelCycles(c: Ctx, u: Unit, w: number, h: number): CycleParts[] {
  let gemvs = 0;
  return u.kernels.map((i) => {
    const kw = c.work[i];
    if (c.decode) {
      const p = decodeOpsCycles(kw.decode, w, h, c.k, gemvs);
      gemvs += kw.decode.gemvs.length;
      return p;
    }
    // Samples stream through the pipeline: a region's interval per sample is its work per sample plus one task
    // start; the hops and systolic steps of a sample (pipeline fill) overlap the next sample's work (fillCycles).
    // A kernel splits over output positions and channels, one output element per core at most: cores past
    // that hold nothing more to do (maxUsefulCores), the stated limit of a split.
    const [we, he] = usefulShape(c, kw, w, h);
    const q = stepCycles(kw.decode, kw.actInBytes, we, he, c.k, c.training);
    const B = Math.max(1, c.a.samplesPerStep);
    return {
      compute: q.compute / B,
      memory: q.memory / B,
      communication: q.communication / B,
      latency: c.k.kernelCycles,
    };
  });
}

/** Output elements of one sample: how far a kernel can be split over output positions and channels. */
function maxUsefulCores(c: Ctx, kw: KernelWork): number {
  const B = Math.max(1, c.a.samplesPerStep);
  const o = kw.decode;
  const outs = [
    ...o.gemvs.map((g) => g.rows * g.n),
    ...o.attn.map((x) => x.outElems),
    ...o.elementwise.map((e) => e.rows * e.cols),
    (kw.actOutBytes + kw.actInBytes) / c.d.elemBytes,
  ];
  return Math.max(1, Math.max(...outs) / B);
}

/** The region the kernel's work spreads over: w x h, shrunk to its useful cores. */
function usefulShape(c: Ctx, kw: KernelWork, w: number, h: number): [number, number] {
  const cap = maxUsefulCores(c, kw);
  if (w * h <= cap) return [w, h];
  const f = Math.sqrt(cap / (w * h));
  return [Math.max(1, w * f), Math.max(1, h * f)];
}

/** Pipeline fill of a unit on w x h: the per-sample hops and systolic steps not counted in its interval. */
function unitFillCycles(c: Ctx, u: Unit, w: number, h: number): number {
  if (c.decode) return 0;
  return u.kernels.reduce((s, i) => {
    const kw = c.work[i];
    const [we, he] = usefulShape(c, kw, w, h);
    return s + stepCycles(kw.decode, kw.actInBytes, we, he, c.k, c.training).latency;
  }, 0);
}

function unitCycles(c: Ctx, u: Unit, w: number, h: number): number {
  return unitKernelCycles(c, u, w, h).reduce((s, p) => s + totalCycles(p), 0);
}

/** unitCycles and a region's parts per cost class, remembered: a placement candidate gives most regions of a
 * class the same shape, so `total` and `parts` keep each class's last shape; `parts` (read-only, shared by the
 * regions of a class and shape) keeps the others by class and shape too. */
function classCycles(c: Ctx): {
  total: (u: Unit, w: number, h: number) => number;
  parts: (u: Unit, w: number, h: number) => RegionCycles;
} {
  const n = c.costClasses ?? 0;
  const lastW = new Float64Array(n).fill(NaN),
    lastH = new Float64Array(n),
    lastT = new Float64Array(n);
  const partsW = new Float64Array(n).fill(NaN),
    partsH = new Float64Array(n),
    lastParts = new Array<RegionCycles | undefined>(n);
  const seen = new Map<string, RegionCycles>();
  return {
    total: (u, w, h) => {
      const k = u.cls;
      if (lastW[k] !== w || lastH[k] !== h) {
        lastW[k] = w;
        lastH[k] = h;
        lastT[k] = unitCycles(c, u, w, h);
      }
      return lastT[k];
    },
    parts: (u, w, h) => {
      const k = u.cls;
      if (partsW[k] === w && partsH[k] === h) return lastParts[k]!;
      const key = `${k},${w},${h}`;
      let v = seen.get(key);
      if (!v) {
        const parts = unitKernelCycles(c, u, w, h);
        seen.set(key, (v = { parts, fill: unitFillCycles(c, u, w, h), total: sumCycles(parts) }));
      }
      partsW[k] = w;
      partsH[k] = h;
      lastParts[k] = v;
      return v;
    },
  };
}

/** A region's cycles per kernel, their sum and its pipeline fill. */
interface RegionCycles {
  parts: CycleParts[];
  fill: number;
  total: number;
}

function sumCycles(parts: CycleParts[]): number {
  return parts.reduce((s, q) => s + totalCycles(q), 0);
}

interface Placed {
  unit: Unit;
  rect: Rect;
  system: number;
  parts: CycleParts[];
  /** the sum of parts' cycles */
  total: number;
  /** hop / inter-system cycles paid on entry to this region (decode) */
  entry: number;
  /** pipeline fill cycles of a sample (throughput mode), counted in latency, not in the interval */
  fill: number;
  /** copy of the pipeline this region belongs to (data-parallel replicas inside a wafer) */
  replica: number;
}

function pipelined(c: Ctx, units: Unit[], systems: number): WaferTargetResult | null {
  const { d, spec } = c;
  const W = spec.gridWidth_cores,
    H = spec.gridHeight_cores;
  const segs =
    systems === 1
      ? [units.map((_, i) => i)]
      : splitContiguous(
          units.map((u) => u.bytes),
          systems,
        );
  if (!segs) return null;
  const placed: Placed[] = [];
  for (let s = 0; s < segs.length; s++) {
    const us = segs[s].map((i) => units[i]);
    if (us.reduce((a, u) => a + u.minCores, 0) > d.cores * FILL) return null;
    const au: AllocUnit[] = us.map((u) => ({
      minCores: u.minCores,
      cost: (n: number) => unitCycles(c, u, Math.sqrt(n), Math.sqrt(n)),
      cls: u.cls,
    }));
    // Data-parallel copies of the pipeline inside the wafer when the batch allows (inference, one system):
    // R copies each get a 1/R share of the cores and of the samples; the R with the highest rate wins.
    const B = Math.max(1, c.a.samplesPerStep);
    const ioPerSample = (c.work.reduce((a, k) => a + k.inputBufferBytes, 0) / B) * (d.clockHz / d.ioBytesPerSecond);
    const minSum = us.reduce((a, u) => a + u.minCores, 0);
    const maxR = c.decode || c.training || segs.length > 1 ? 1 : Math.min(B, Math.floor((d.cores * FILL) / minSum), 64);
    let R = 1,
      alloc: { cores: number[]; bottleneck: number } | { cores: number[]; total: number } | null = null,
      bestRate = 0;
    for (let r = 1; r <= maxR; r = r < 4 ? r + 1 : r * 2) {
      const a1 = c.decode
        ? allocateLatency(au, Math.floor(d.cores * FILL))
        : allocateThroughput(au, Math.floor((d.cores * FILL) / r));
      if (!a1) break;
      // the copies share the system's input stream: r samples' inputs per interval
      const rate = 'bottleneck' in a1 ? r / Math.max(1e-9, a1.bottleneck, r * ioPerSample) : 1;
      if (!alloc || rate > bestRate * 1.02) {
        alloc = a1;
        bestRate = rate;
        R = r;
      }
      if (c.decode) break;
    }
    if (!alloc) return null;
    c.replicas = R;
    // rectangles waste some cores; if the split does not pack, move it toward the SRAM minima until it does
    let done = false;
    const chosen = alloc;
    const cyclesOn = classCycles(c);
    for (const shrink of [1, 0.9, 0.75, 0.6, 0.45, 0.3, 0.15, 0]) {
      const one = chosen.cores.map((n, i) =>
        Math.max(us[i].minCores, Math.floor(us[i].minCores + (n - us[i].minCores) * shrink)),
      );
      const cores = Array.from({ length: R }, () => one).flat();
      const p = place(cores, W, H, (l: Layout, n: number, bound: number) => {
        // throughput: the slowest region; decode: the sum of the regions' times plus the hops between them.
        // Both only grow region by region (times and hops are not negative), so a layout whose partial score
        // reaches the best so far cannot win: stop there.
        const m = us.length;
        const finite = bound < Infinity;
        if (!c.decode) {
          let slowest = -Infinity;
          for (let i = 0, j = 0; i < n; i++, j = j + 1 === m ? 0 : j + 1) {
            slowest = Math.max(slowest, cyclesOn.total(us[j], l.w[i], l.h[i]));
            if (finite && slowest >= bound) return slowest;
          }
          return slowest;
        }
        let sum = 0,
          hops = 0;
        for (let i = 0, j = 0; i < n; i++, j = j + 1 === m ? 0 : j + 1) {
          sum += cyclesOn.total(us[j], l.w[i], l.h[i]);
          if (i) hops += hopsAt(l, i - 1, i);
          if (finite && sum + hops * spec.hopLatency_cycles >= bound) return sum + hops * spec.hopLatency_cycles;
        }
        return sum + hops * spec.hopLatency_cycles;
      });
      if (!p) continue;
      p.rects.forEach((r, i) => {
        const u = us[i % us.length];
        const t = cyclesOn.parts(u, r.w, r.h);
        placed.push({
          unit: u,
          rect: r,
          system: s,
          parts: t.parts,
          total: t.total,
          entry: 0,
          fill: t.fill,
          replica: Math.floor(i / us.length),
        });
      });
      done = true;
      break;
    }
    if (!done) return null;
  }
  return pipelinedResult(c, placed, segs.length);
}

function pipelinedResult(c: Ctx, placed: Placed[], systems: number): WaferTargetResult {
  const { d, spec, a } = c;
  const hz = d.clockHz;
  const ioCyclesPerByte = hz / d.ioBytesPerSecond;
  const linkLatency = spec.interSystemLatency_us * 1e-6 * hz;
  const layerRows: WaferLayer[] = new Array(c.work.length);
  let bottleneck = 0,
    latencyCycles = 0,
    bottleneckName = '';
  for (let i = 0; i < placed.length; i++) {
    const p = placed[i];
    // copies of the pipeline (replica > 0) run the same kernels on other samples: timed once, drawn on the grid
    if (p.replica > 0) continue;
    if (i > 0) {
      const prev = placed[i - 1];
      const outBytes = c.work[prev.unit.kernels[prev.unit.kernels.length - 1]].actOutBytes;
      if (prev.system !== p.system) {
        // the activations leave one wafer and enter the next over the systems' Ethernet I/O
        p.entry =
          linkLatency +
          outBytes * ioCyclesPerByte +
          (spec.hopLatency_cycles * (spec.gridWidth_cores + spec.gridHeight_cores)) / 2;
      } else {
        p.entry = spec.hopLatency_cycles * hopsBetween(prev.rect, p.rect) + 2 * spec.rampLatency_cycles;
      }
    }
    const unitTotal = p.total;
    latencyCycles += unitTotal + p.entry + p.fill;
    if (unitTotal > bottleneck) {
      bottleneck = unitTotal;
      bottleneckName = c.work[p.unit.kernels[0]].name;
    }
    if (i > 0 && placed[i - 1].system !== p.system) {
      // in a pipeline the link between systems is a stage of its own: its bandwidth, not its latency, limits throughput
      const link =
        (c.work[placed[i - 1].unit.kernels[placed[i - 1].unit.kernels.length - 1]].actOutBytes /
          Math.max(1, a.samplesPerStep)) *
        ioCyclesPerByte *
        (c.training ? 2 : 1);
      if (link > bottleneck) {
        bottleneck = link;
        bottleneckName = `the link into system ${p.system}`;
      }
    }
    const cores = p.rect.w * p.rect.h;
    p.unit.kernels.forEach((ki, j) => {
      const kw = c.work[ki];
      // the shared parts, copied where the region's entry hops are added
      const parts = j === 0 && c.decode ? { ...p.parts[j], latency: p.parts[j].latency + p.entry } : p.parts[j];
      const cyc = totalCycles(parts);
      const bytes = kernelBytes(c, kw);
      layerRows[ki] = {
        name: kw.name,
        seconds: cyc / hz,
        bound: cyc > 0 ? dominant(parts) : 'latency',
        memoryBytes: bytes,
        placement: {
          x: p.rect.x,
          y: p.rect.y,
          w: p.rect.w,
          h: p.rect.h,
          cores,
          system: p.system,
          region: i,
        },
        detail: {
          flops: kw.flops * (c.training ? 3 : 1),
          bytesPerCore: Math.ceil(p.unit.bytes / cores),
          sramPerCoreBytes: d.sramBytesPerCore,
          usablePerCoreBytes: d.usableBytesPerCore,
          cycles: Math.round(cyc),
          computeCycles: Math.round(parts.compute),
          memoryCycles: Math.round(parts.memory),
          communicationCycles: Math.round(parts.communication),
          latencyCycles: Math.round(parts.latency),
          sharedRegionKernels: p.unit.kernels.length,
        },
      };
    });
  }
  if (!c.decode) {
    // the graph's inputs stream in from the host over the system's I/O, one sample at a time: a stage too
    const inBytes = c.work.reduce((s, k) => s + k.inputBufferBytes, 0) / Math.max(1, a.samplesPerStep);
    const io = inBytes * ioCyclesPerByte * (c.replicas ?? 1); // the copies share the system's I/O
    latencyCycles += io;
    if (io > bottleneck) {
      bottleneck = io;
      bottleneckName = 'the input stream (system I/O)';
    }
  }
  bottleneck = Math.max(bottleneck, 1);
  latencyCycles = Math.max(latencyCycles, 1);
  let stepSeconds: number,
    perStep: number,
    busyScale = 1;
  // inference outside decode: a request's latency is one sample's way through the pipeline (its fill: every
  // region's interval plus the hops and systolic steps a first sample waits for) plus the intervals of the rest
  let latency: { firstTokenSeconds?: number; requestSeconds?: number } | undefined;
  const unitKind = a.throughputUnit;
  // tokens each sample carries when throughput is counted in tokens (prefill / LM training: the sequence)
  const tokensPerSample = unitKind === 'tokens/s' ? Math.max(1, a.tokensPerStep / Math.max(1, a.samplesPerStep)) : 1;
  if (c.decode) {
    stepSeconds = latencyCycles / hz;
    perStep = Math.max(1, a.tokensPerStep);
    const sd = c.opts.wafer?.speculative;
    if (sd) {
      const dims = draftDims(sd.draftParams, c.st?.vocab ?? 0, c.st?.past ?? 0);
      const draft = draftTokenCycles(dims, d.usableBytesPerCore, c.k);
      const tokens = expectedTokens(sd.acceptance, sd.tokens);
      stepSeconds = (latencyCycles + sd.tokens * draft) / hz;
      perStep *= tokens;
      c.notes.push(
        `speculative decoding ON (--speculative): a ${fmtNumber(sd.draftParams / 1e9)}B-parameter draft (${dims.layers} x ${dims.hidden}, Llama-shaped) proposes ${sd.tokens} tokens at ${fmtSeconds(draft / hz)} each; the target verifies ${sd.tokens + 1} positions in one pass of ${fmtSeconds(latencyCycles / hz)}; acceptance ${sd.acceptance} gives ${fmtNumber(tokens)} tokens per step (Leviathan et al. 2023); the draft's cores are not placed on the grid`,
      );
    } else c.notes.push('speculative decoding off (published speeds from 2024-10 on may use it: --speculative)');
    c.notes.push(
      `batch-${a.samplesPerStep} decode is latency-bound: one token passes every region in turn, so the step is the sum of the regions' times (${placed.length} regions${systems > 1 ? `, ${systems - 1} system-to-system links` : ''}), not the slowest one`,
    );
  } else {
    // one sample enters every `bottleneck` cycles; the first one takes `latencyCycles` to come out
    const samples = Math.max(1, c.training ? (c.opts.gpu.globalBatch ?? a.samplesPerStep) : a.samplesPerStep);
    // optimizer: every core updates its own weights locally (read + write of weights, grads, master, moments)
    const opt = c.training
      ? (Math.max(...placed.map((p) => p.unit.bytes / (p.rect.w * p.rect.h))) * 2) /
        spec.sramBandwidthPerCore_BytesPerCycle
      : 0;
    const R = c.replicas ?? 1;
    stepSeconds = c.training
      ? ((samples - 1) * bottleneck + latencyCycles + opt) / hz
      : (Math.ceil(samples / R) * bottleneck) / hz;
    if (!c.training) {
      const request = (latencyCycles + (Math.ceil(samples / R) - 1) * bottleneck) / hz;
      latency = unitKind === 'tokens/s' ? { firstTokenSeconds: request } : { requestSeconds: request };
    }
    perStep = samples * tokensPerSample;
    busyScale = Math.ceil(samples / R);
    if (R > 1)
      c.notes.push(
        `${R} copies of the pipeline side by side on the wafer (data parallel inside the wafer: batch ${samples} allows it), ${Math.ceil(samples / R)} sample(s) each`,
      );
    c.notes.push(
      `pipelined${c.training ? ' training (forward and backward per kernel)' : ''}: a sample enters every ${fmtSeconds(bottleneck / hz)} (slowest: ${bottleneckName}); one sample takes ${fmtSeconds(latencyCycles / hz)} end to end${c.training ? `; a step of ${samples} samples adds the fill/drain and a local optimizer update` : ''}`,
    );
  }
  // a kernel row's seconds: its busy time in one step (per-sample time x samples in the step)
  if (busyScale !== 1) for (const r of layerRows) if (r) r.seconds *= busyScale;
  pushClockNote(c, stepSeconds, perStep, unitKind);
  pushCalibrationNote(c);
  const usedBytes = placed.reduce((s, p) => s + p.unit.bytes, 0);
  const cap = systems * d.cores * d.usableBytesPerCore;
  const grid: WaferGrid = {
    kind: 'wafer',
    width: spec.gridWidth_cores,
    height: spec.gridHeight_cores,
    rects: placed.map((p) => {
      const t = p.total;
      return {
        layer: p.unit.kernels[0],
        layerCount: p.unit.kernels.length,
        x: p.rect.x,
        y: p.rect.y,
        w: p.rect.w,
        h: p.rect.h,
        system: p.system,
        ...(c.replicas && c.replicas > 1 ? { replica: p.replica } : {}),
        memUtil: p.unit.bytes / (p.rect.w * p.rect.h * d.usableBytesPerCore),
        busy: c.decode ? t / Math.max(1, latencyCycles) : t / Math.max(1, bottleneck),
      };
    }),
  };
  const utilization = placedUtilization(c, placed, systems, bottleneck, latencyCycles, bottleneckName);
  c.notes.push(
    `wafer use: ${fmtPercent(utilization.placedFraction)} of the cores hold work, ${fmtPercent(utilization.busyFraction)} busy on average; limit: ${utilization.limit}`,
  );
  return {
    id: spec.id,
    name: spec.name,
    kind: 'wafer',
    execution: 'pipelined',
    systems,
    parallelism: {
      execution: 'pipelined',
      systems,
      regions: placed.length,
      layout: c.decode ? 'one region per block (kernels share it)' : 'one region per kernel',
      // the samples one step runs (training: the global batch), so comparisons can check they match
      ...(c.training ? { globalBatch: Math.max(1, c.opts.gpu.globalBatch ?? a.samplesPerStep) } : {}),
    },
    fits: true,
    stepSeconds,
    ...(latency ? { latency } : {}),
    throughput: { value: perStep / stepSeconds, unit: unitKind },
    memory: { usedBytes, capacityBytes: cap },
    energyJoulesPerStep: systems * spec.systemPower_kW * 1e3 * stepSeconds,
    utilization,
    layers: fillRows(c, layerRows),
    notes: c.notes,
    grid,
  };
}

/** Share of the cores holding work, their average busy share, model FLOPs utilisation, and what stops the
 * pipelined map from using more of the wafer. */
function placedUtilization(
  c: Ctx,
  placed: Placed[],
  systems: number,
  bottleneck: number,
  latency: number,
  slowest: string,
): { placedFraction: number; busyFraction: number; mfu: number; limit: string } {
  const total = c.d.cores * systems;
  let area = 0,
    busy = 0;
  for (const p of placed) {
    const n = p.rect.w * p.rect.h;
    const t = p.total;
    area += n;
    busy += n * Math.min(1, t / Math.max(1, c.decode ? latency : bottleneck));
  }
  const B = Math.max(1, c.a.samplesPerStep);
  const R = c.replicas ?? 1;
  const flopsPerSecond = c.decode
    ? c.work.reduce((s, k) => s + k.flops, 0) / (latency / c.d.clockHz)
    : ((c.work.reduce((s, k) => s + k.flops, 0) / B) * (c.training ? 3 : 1) * R) / (bottleneck / c.d.clockHz);
  const mfu = flopsPerSecond / (c.d.peakFlops * systems);
  let limit: string;
  if (c.decode)
    limit =
      'batch-1 decode: regions are sized for the sum of their times (latency), each holding its weights; cores beyond that add reduction hops';
  else {
    const first = placed.filter((p) => p.replica === 0);
    const slow = first.reduce((b, p) => (p.total > b.total ? p : b));
    const kw = c.work[slow.unit.kernels[0]];
    const cap = maxUsefulCores(c, kw);
    const atCap = slow.rect.w * slow.rect.h >= 0.9 * cap;
    const parts = [
      atCap
        ? `the slowest kernel ${kw.name} is split to one output element per core (${Math.round(cap).toLocaleString('en-US')} cores per sample)`
        : `the slowest stage is ${slowest}`,
    ];
    if (c.training) parts.push('pipelined training keeps one copy (no data-parallel copies inside the wafer)');
    else if (R > 1) parts.push(`${R} copies of the pipeline${R >= B ? ` (batch ${B} allows no more)` : ''}`);
    else if (B === 1 && atCap) parts.push('batch 1 allows no copies of the pipeline (a larger --batch would)');
    limit = parts.join('; ');
  }
  return { placedFraction: area / total, busyFraction: busy / total, mfu, limit };
}

/** Kernels with no row (none in practice) get an empty one so rows stay 1:1 with Analysis.layers. */
function fillRows(c: Ctx, rows: WaferLayer[]): WaferLayer[] {
  return c.work.map(
    (w, i) => rows[i] ?? { name: w.name, seconds: 0, bound: 'latency' as Bound, memoryBytes: 0, placement: {} },
  );
}

function notFitting(
  c: Ctx,
  execution: string,
  totalBytes: number,
  perWafer: number,
  systems: number,
  why: string,
): WaferTargetResult {
  c.notes.unshift(`execution: ${execution} (requested) does not fit: ${why}`);
  const rows = c.work.map((w): WaferLayer => ({
    name: w.name,
    seconds: 0,
    bound: 'memory',
    memoryBytes: kernelBytes(c, w),
    placement: {},
  }));
  return {
    id: c.spec.id,
    name: c.spec.name,
    kind: 'wafer',
    execution,
    systems,
    parallelism: { execution, systems },
    fits: false,
    stepSeconds: 0,
    throughput: { value: 0, unit: c.a.throughputUnit },
    memory: { usedBytes: totalBytes, capacityBytes: perWafer * systems },
    layers: rows,
    notes: c.notes,
  };
}

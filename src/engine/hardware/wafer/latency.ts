// Batch-1 decode latency on a rectangle of cores: WaferLLM's PLMR view (He et al., OSDI'25; formulas
// gathered in /shared/reference/wafer-latency.md). A decode step is a chain of small GEMVs, each followed
// by an allreduce across the region; at 10^4-10^5 cores per region the fixed costs (hops, relay stages,
// kernel launches) are as large as the arithmetic, which is why a FLOP/bandwidth roofline is far off here.
//
//   GEMV on a region (K split over Pa cores, N over Pb):  c + rho * ceil(K/Pa) * ceil(N/Pb)          (local tile)
//                                                        + T_AR(Pa, ceil(N/Pb) elements)            (reduce partial sums)
//   T_AR(P, bytes) = hop * P                     chain-reduce to the middle and multicast back (~P hops)   [P: MeshGEMV code]
//                  + s * 2 * ceil(sqrt(P))       relay stages: groups of ~sqrt(P), then across group roots  [P: group_num ~ sqrt(P)]
//                  + 3 * ceil(bytes / link)      the vector slice streamed in 3 passes (2 reduce, 1 bcast)  [D: MeshGEMV code]
//   norms / softmax: one scalar T_AR per reduction (softmax: max and sum)                               [P: decode.csl]
// GEMV reduction directions alternate x/y so no transpose is needed [P: decode.csl]; we alternate likewise.
// c, s and rho are the calibration constants of the spec (docs/WAFER-MODEL.md).

/** What one kernel does per decode step, read from its graph nodes. */
export interface DecodeOps {
  /** weight matmuls: K x N weight, `rows` activation rows (tokens in the step) */
  gemvs: { k: number; n: number; rows: number }[];
  /** activation x activation matmuls (attention over the KV cache): elements of the cached operand, output elements, multiply-adds */
  attn: { elems: number; outElems: number; macs: number }[];
  /** scalar allreduces (mean/variance of a norm, max/sum of a softmax, other reductions) */
  scalarReductions: number;
  /** elementwise work per step: tensors as rows x cols (cols = last dim), spread over the region in 2-D */
  elementwise: { rows: number; cols: number }[];
  /** table lookups (embedding gathers): one row fetched */
  lookups: number;
  /** the same lookups with sizes: rows looked up, row width, rows in the table (weight streaming moves only those rows) */
  gathers?: { rows: number; cols: number; tableRows: number }[];
  /** FLOPs of work no field above describes (recurrent cells, Einsum ...), run at the core's FLOP rate */
  otherFlops: number;
}

export function emptyOps(): DecodeOps {
  return { gemvs: [], attn: [], scalarReductions: 0, elementwise: [], lookups: 0, otherFlops: 0 };
}

export interface LatencyConsts {
  hopCycles: number;
  stageCycles: number;
  kernelCycles: number;
  /** cycles per 16-bit weight element of a local GEMV tile */
  cyclesPerWeight: number;
  linkBytesPerCycle: number;
  flopsPerCyclePerCore: number;
  /** bytes per weight/activation element */
  elemBytes: number;
  /** production layout: every GEMV reduces along the region's shorter side (the output vector is re-laid
   * along the longer one) instead of alternating x/y as WaferLLM's transpose-free kernels do */
  reduceShortSide?: boolean;
}

/** Cycles of an allreduce (or reduce + broadcast) along a line of P cores carrying `bytes` per core. */
export function allreduceCycles(P: number, bytes: number, k: LatencyConsts): { latency: number; comm: number } {
  if (P <= 1) return { latency: 0, comm: 0 };
  return {
    latency: k.hopCycles * P + k.stageCycles * 2 * Math.ceil(Math.sqrt(P)),
    comm: 3 * Math.ceil(bytes / k.linkBytesPerCycle),
  };
}

/** Cycle breakdown: `memory` = local SRAM-bound work, `compute` = local FLOP-bound work (when larger),
 * `communication` = bytes streamed over links, `latency` = hops, relay stages and kernel overheads. */
export interface CycleParts {
  compute: number;
  memory: number;
  communication: number;
  latency: number;
}

export function zeroParts(): CycleParts {
  return { compute: 0, memory: 0, communication: 0, latency: 0 };
}

export function totalCycles(p: CycleParts): number {
  return p.compute + p.memory + p.communication + p.latency;
}

export function dominant(p: CycleParts): 'compute' | 'memory' | 'communication' | 'latency' {
  let best: keyof CycleParts = 'latency';
  for (const key of ['compute', 'memory', 'communication', 'latency'] as const) if (p[key] > p[best]) best = key;
  return best;
}

/**
 * Decode cycles of one kernel's ops on a w x h region. `axis0` is the parity of the first GEMV
 * (reductions alternate between the region's columns and rows).
 */
export function decodeOpsCycles(ops: DecodeOps, w: number, h: number, k: LatencyConsts, axis0 = 0): CycleParts {
  const p = zeroParts();
  const wScale = k.elemBytes / 2; // rho is per 16-bit weight; the SRAM-bound tile time scales with bytes
  ops.gemvs.forEach((g, i) => {
    const alongY = k.reduceShortSide ? h <= w : (axis0 + i) % 2 === 0;
    const pa = alongY ? h : w;
    const pb = alongY ? w : h;
    const tile = Math.ceil(g.k / pa) * Math.ceil(g.n / pb);
    const mem = k.cyclesPerWeight * tile * wScale;
    const comp = (2 * tile * g.rows) / k.flopsPerCyclePerCore;
    if (comp > mem) p.compute += comp;
    else p.memory += mem;
    const ar = allreduceCycles(pa, Math.ceil(g.n / pb) * g.rows * k.elemBytes, k);
    p.latency += k.kernelCycles + ar.latency;
    p.communication += ar.comm;
  });
  const side = Math.sqrt(w * h);
  for (const a of ops.attn) {
    p.memory += k.cyclesPerWeight * Math.ceil(a.elems / (w * h)) * wScale;
    const ar = allreduceCycles(Math.round(side), Math.ceil(a.outElems / side) * k.elemBytes, k);
    p.latency += k.kernelCycles + ar.latency;
    p.communication += ar.comm;
  }
  const mean = Math.round((w + h) / 2);
  for (let i = 0; i < ops.scalarReductions; i++) {
    const ar = allreduceCycles(mean, 4, k);
    p.latency += ar.latency;
    p.communication += ar.comm;
  }
  // Elementwise work: rows over the region's height, the last dim over its width, one SRAM pass per element.
  for (const e of ops.elementwise)
    p.memory += k.cyclesPerWeight * Math.ceil(e.rows / h) * Math.ceil(e.cols / w) * wScale;
  // A lookup fetches one row: the request and the row cross the region once.
  if (ops.lookups > 0) p.latency += ops.lookups * (k.hopCycles * (w + h) + k.kernelCycles);
  if (ops.otherFlops > 0) p.compute += ops.otherFlops / (w * h * k.flopsPerCyclePerCore);
  return p;
}

export function addParts(a: CycleParts, b: CycleParts): CycleParts {
  return {
    compute: a.compute + b.compute,
    memory: a.memory + b.memory,
    communication: a.communication + b.communication,
    latency: a.latency + b.latency,
  };
}

// Step cycles of one kernel on a w x h region outside batch-1 decode (prefill, CNNs, training): the work of
// one graph execution. Matmuls take the slower of two calibrated forms:
//   GEMM (MeshGEMM-like, OSDI §5; calibrated on WaferLLM Table 3 prefill):
//       MACs / (w*h * FLOP/cycle/2 * eta)  +  (w+h)/2 * stepOverhead       (about one systolic step per core along a side)
//   GEMV (the decode form of latency.ts), which wins when few rows stream through.
// Elementwise work and reductions use the decode formulas with all rows. Training runs forward + backward:
// matmuls 3x (forward, input gradient, weight gradient), elementwise and reductions 2x.
import {
  allreduceCycles,
  decodeOpsCycles,
  emptyOps,
  totalCycles,
  zeroParts,
  type CycleParts,
  type DecodeOps,
  type LatencyConsts,
} from './latency';

export interface WaferConsts extends LatencyConsts {
  gemmEfficiency: number;
  gemmStepCycles: number;
}

function better(a: CycleParts, b: CycleParts): CycleParts {
  return totalCycles(a) >= totalCycles(b) ? a : b;
}

function add(into: CycleParts, p: CycleParts, times = 1): void {
  into.compute += p.compute * times;
  into.memory += p.memory * times;
  into.communication += p.communication * times;
  into.latency += p.latency * times;
}

/** Cycles of one graph execution of a kernel's ops on a w x h region (throughput mode). */
export function stepCycles(
  ops: DecodeOps,
  actInBytes: number,
  w: number,
  h: number,
  k: WaferConsts,
  training: boolean,
): CycleParts {
  const p = zeroParts();
  const macsPerCycle = (w * h * k.flopsPerCyclePerCore * k.gemmEfficiency) / 2;
  const steps = (w + h) / 2;
  const mm = training ? 3 : 1;
  ops.gemvs.forEach((g, i) => {
    const gemm: CycleParts = {
      compute: (g.k * g.n * g.rows) / macsPerCycle,
      memory: 0,
      communication: 0,
      latency: steps * k.gemmStepCycles,
    };
    const gemv = decodeOpsCycles({ ...emptyOps(), gemvs: [g] }, w, h, k, i);
    add(p, better(gemm, gemv), mm);
  });
  // attention over many query rows is a GEMM with both operands in flight; its outputs stay distributed
  // (no allreduce of every row through one line), so only the GEMM form applies once rows > 1
  for (const a of ops.attn) {
    const gemm: CycleParts = {
      compute: a.macs / macsPerCycle,
      memory: k.cyclesPerWeight * Math.ceil(a.elems / (w * h)) * (k.elemBytes / 2),
      communication: 0,
      latency: steps * k.gemmStepCycles,
    };
    const single = a.macs < 16 * a.elems; // each cached element reused by few queries: decode-like
    add(p, single ? better(gemm, decodeOpsCycles({ ...emptyOps(), attn: [a] }, w, h, k)) : gemm, mm);
  }
  const rest = decodeOpsCycles({ ...emptyOps(), elementwise: ops.elementwise, lookups: ops.lookups }, w, h, k);
  rest.compute += ops.otherFlops / (w * h * k.flopsPerCyclePerCore * k.gemmEfficiency);
  add(p, rest, training ? 2 : 1);
  if (ops.scalarReductions > 0) {
    // one reduction per row; rows stream through the same chain, so the latency is paid once per reduction
    const rows = Math.max(1, ...ops.elementwise.map((e) => e.rows));
    const ar = allreduceCycles(Math.round((w + h) / 2), Math.ceil(rows / h) * 4, k);
    add(
      p,
      { compute: 0, memory: 0, communication: ar.comm, latency: ar.latency },
      ops.scalarReductions * (training ? 2 : 1),
    );
  }
  // activations enter through the edge shared with the previous kernel: placement puts consecutive
  // regions side by side in a band, so that edge is the region's height (h links)
  p.communication += (actInBytes * (training ? 2 : 1)) / (Math.max(1, h) * k.linkBytesPerCycle);
  // and cross the region: a kernel that only routes data (Reshape, Concat) still costs its hops
  p.latency += (k.hopCycles * (w + h)) / 2;
  return p;
}

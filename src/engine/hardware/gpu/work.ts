// A pass (forward, backward, recompute) on one GPU for one microbatch is a list of Work items:
// kernels (matrix or vector engine) and collectives. A collective either runs exposed or is issued
// with a named kernel (Megatron's async all-reduce / all-gather in the backward pass); then the
// spec's tpBackwardOverlap of the overlap is hidden, and the hidden part still costs the compute
// interference (Calculon's processor_usage). Kernel times include the spec's fixed per-kernel costs
// (launch, minimum duration), kept apart as `overhead`.
import type { Bound } from '../types';
import {
  collectiveTime,
  gemmAligned,
  kernelTime,
  type CollectiveKind,
  type Device,
  type Engine,
  type GemmShape,
} from './roofline';
import type { GpuLink } from './spec';
import { fmtNumber } from '../../format/units';

export type Group = 'tp' | 'cp' | 'pp' | 'dp' | 'ep';

export interface Work {
  /** what it is, e.g. 'qkv.dgrad', 'softmax', 'tp.all-reduce' */
  name: string;
  /** the role whose graph node the time is attributed to ('qkv', 'ln1', ... or 'node:<index>') */
  role: string;
  kind: Engine | 'comm';
  flops: number;
  bytes: number;
  /** the matrix product of a GEMM / batched-matmul kernel (its minimum time and alignment depend on it) */
  gemm?: GemmShape;
  coll?: CollectiveKind;
  group?: Group;
  /** name of the kernel (in the same pass) this collective hides behind */
  hideBehind?: string;
  /** the fraction of it that the stack overlaps with that kernel (default: the spec's tpBackwardOverlap for a
   * tensor-parallel collective, all of it for the others) */
  overlap?: number;
  /** a fused kernel's own achieved fraction of the 16-bit matrix peak (FlashAttention), instead of the table */
  efficiency?: number;
}

export interface LinkFor {
  /** link and rank count of each communicator group */
  tp: { link: GpuLink; n: number };
  /** context-parallel ring (ring attention's K / V exchange) */
  cp: { link: GpuLink; n: number };
  dp: { link: GpuLink; n: number };
  pp: { link: GpuLink; n: number };
  /** expert-parallel all-to-all (MoE token dispatch / combine) */
  ep: { link: GpuLink; n: number };
}

/** Parts of a time: compute and memory work, exposed communication (of which `latency` is the collectives'
 * fixed latency) and `overhead`, the kernels' fixed costs (launch, minimum duration). */
export interface TimeParts {
  seconds: number;
  compute: number;
  memory: number;
  comm: number;
  latency: number;
  overhead: number;
}

export function emptyParts(): TimeParts {
  return { seconds: 0, compute: 0, memory: 0, comm: 0, latency: 0, overhead: 0 };
}

export interface PassTime {
  seconds: number;
  compute: number;
  memory: number;
  comm: number;
  commLatency: number;
  /** the kernels' fixed costs */
  overhead: number;
  /** seconds by role (attribution to graph nodes) */
  byRole: Map<string, TimeParts>;
}

export function emptyPass(): PassTime {
  return { seconds: 0, compute: 0, memory: 0, comm: 0, commLatency: 0, overhead: 0, byRole: new Map() };
}

export function addPass(into: PassTime, p: PassTime, times = 1): void {
  into.seconds += p.seconds * times;
  into.compute += p.compute * times;
  into.memory += p.memory * times;
  into.comm += p.comm * times;
  into.commLatency += p.commLatency * times;
  into.overhead += p.overhead * times;
  for (const [r, v] of p.byRole) {
    const o = into.byRole.get(r) ?? emptyParts();
    o.seconds += v.seconds * times;
    o.compute += v.compute * times;
    o.memory += v.memory * times;
    o.comm += v.comm * times;
    o.latency += v.latency * times;
    o.overhead += v.overhead * times;
    into.byRole.set(r, o);
  }
}

export function passTime(dev: Device, links: LinkFor, items: Work[]): PassTime {
  const out = emptyPass();
  const kernelSeconds = new Map<string, number>();
  const add = (
    role: string,
    seconds: number,
    part: 'compute' | 'memory' | 'comm' | 'overhead',
    amount: number,
    latency = 0,
  ) => {
    const o = out.byRole.get(role) ?? emptyParts();
    o.seconds += seconds;
    o[part] += amount;
    o.latency += latency;
    out.byRole.set(role, o);
    return o;
  };
  for (const w of items) {
    if (w.kind === 'comm') continue;
    const k = kernelTime(dev, w.kind, w.flops, w.bytes, w.gemm, w.efficiency);
    kernelSeconds.set(w.name, k.seconds);
    out.seconds += k.seconds;
    out.overhead += k.overhead;
    // the work part of the kernel's time, split between compute and memory in proportion
    const work = k.seconds - k.overhead;
    const tot = k.compute + k.memory || 1;
    out.compute += (work * k.compute) / tot;
    out.memory += (work * k.memory) / tot;
    const o = add(w.role, k.seconds, 'overhead', k.overhead);
    o.compute += (work * k.compute) / tot;
    o.memory += (work * k.memory) / tot;
  }
  const u = dev.spec.efficiency.commComputeInterference;
  for (const w of items) {
    if (w.kind !== 'comm' || !w.coll || !w.group) continue;
    const g = links[w.group];
    const c = collectiveTime(g.link, w.coll, w.bytes, w.coll === 'p2p' ? 2 : g.n);
    if (c.seconds === 0) continue;
    // the part a tensor-parallel collective overlaps with its kernel is the spec's tpBackwardOverlap of the
    // smaller of the two; the overlapped part still costs the compute interference
    const f = w.overlap ?? (w.group === 'tp' ? dev.spec.efficiency.tpBackwardOverlap : 1);
    const hidden = w.hideBehind ? f * Math.min(c.seconds, kernelSeconds.get(w.hideBehind) ?? 0) : 0;
    const exposed = c.seconds - hidden + u * hidden;
    out.seconds += exposed;
    out.comm += exposed;
    const lat = c.seconds > 0 ? (exposed * c.latency) / c.seconds : 0;
    out.commLatency += lat;
    add(w.role, exposed, 'comm', exposed, lat);
  }
  return out;
}

/** The largest part: compute, memory, communication bandwidth, or fixed latencies (collective latency plus
 * the kernels' launch and minimum-duration costs). */
export function boundOf(p: {
  compute: number;
  memory: number;
  comm: number;
  latency: number;
  overhead?: number;
}): Bound {
  const bw = p.comm - p.latency;
  const lat = p.latency + (p.overhead ?? 0);
  const m = Math.max(p.compute, p.memory, bw, lat);
  if (m === p.compute) return 'compute';
  if (m === p.memory) return 'memory';
  return m === lat ? 'latency' : 'communication';
}

/** One line per distinct unaligned matrix product among the kernels (role and shape), for the notes. GEMVs
 * (m = 1, batch-1 decode) are left out: they are memory-bound, so the ceiling does not slow them. */
export function unalignedGemms(dev: Device, items: Work[], label: (w: Work) => string = (w) => w.role): string[] {
  const seen = new Set<string>();
  for (const w of items) {
    if (w.kind !== 'matrix' || !w.gemm || w.gemm.m <= 1 || gemmAligned(dev, w.gemm)) continue;
    const g = w.gemm;
    seen.add(`${label(w)} ${g.batch > 1 ? `${g.batch} x ` : ''}[${g.m},${g.k}]x[${g.k},${g.n}]`);
  }
  return [...seen];
}

/** The note for unaligned GEMMs (cuBLAS falls back to align1 kernels), or none. */
export function alignmentNote(dev: Device, lines: string[]): string[] {
  if (lines.length === 0) return [];
  const eff = dev.spec.efficiency;
  const elems = eff.gemmAlignment_bytes / Math.min(dev.actBytes, dev.weightBytes);
  const cap = eff.unalignedGemmEfficiency * dev.spec.gpu.matrix_TFLOPS.fp16;
  const shown = lines.slice(0, 4).join('; ') + (lines.length > 4 ? `; and ${lines.length - 4} more` : '');
  return [
    `${lines.length} matrix product${lines.length > 1 ? 's have' : ' has'} a leading dimension (K or N) that is not a multiple of ${elems} ${dev.precision} elements (${eff.gemmAlignment_bytes} bytes): cuBLAS runs ${lines.length > 1 ? 'them' : 'it'} on unaligned kernels at most ${fmtNumber(cap)} TF/s (${shown}); padding the dimension (a vocabulary to a multiple of 64, as Megatron does) avoids it`,
  ];
}

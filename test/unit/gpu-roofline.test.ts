// Hand-computed GPU cost cases: one GEMM's time (A100: Calculon's no_overlap sum; H100: the measured table
// with the roofline max, the GEMM / GEMV minimums, the alignment cap), collective times on NVLink and
// InfiniBand, the efficiency-table lookup, and which link each communicator group uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  collectiveLatency,
  collectiveTime,
  deviceFor,
  gemmAligned,
  kernelTime,
  lookupEfficiency,
} from '../../src/engine/hardware/gpu/roofline';
import { linksFor } from '../../src/engine/hardware/gpu/plan';
import { planOf } from '../fixtures/plan';
import type { GpuClusterSpec } from '../../src/engine/hardware/gpu/spec';
import a100json from '../../src/engine/hardware/gpu/specs/a100-dgx.json';
import h100json from '../../src/engine/hardware/gpu/specs/h100-dgx.json';

const a100 = a100json as unknown as GpuClusterSpec;
const h100 = h100json as unknown as GpuClusterSpec;
const close = (got: number, want: number, rel = 1e-9) =>
  assert.ok(Math.abs(got - want) <= rel * Math.abs(want), `${got} != ${want}`);

test('efficiency lookup takes the first row (largest threshold first) the size reaches', () => {
  const t: [number, number][] = [
    [0, 0.1],
    [128, 0.95],
    [16, 0.9],
    [1, 0.6],
  ];
  assert.equal(lookupEfficiency(t, 500), 0.95);
  assert.equal(lookupEfficiency(t, 128), 0.95);
  assert.equal(lookupEfficiency(t, 127.9), 0.9);
  assert.equal(lookupEfficiency(t, 1), 0.6);
  assert.equal(lookupEfficiency(t, 0.5), 0.1);
});

test('a single 8192^3 fp16 GEMM on A100: the achievable rate x the tile factor, roofline', () => {
  const dev = deviceFor(a100, 'fp16');
  const n = 8192;
  const flops = 2 * n ** 3; // 1.0995e12 FLOP = 1099.5 GFLOP >= 128
  const bytes = 3 * n * n * 2; // A, B, C once in fp16 = 402.7 MB >= 100 MB -> efficiency 0.9
  const k = kernelTime(dev, 'matrix', flops, bytes, { m: n, k: n, n, batch: 1 });
  // the achievable rate (MAMF 0.869) x the tile factor K / (K + 300)
  const compute = flops / (312e12 * 0.869 * (n / (n + 300)));
  const memory = bytes / (2039e9 * 0.9);
  close(k.compute, compute);
  close(k.memory, memory);
  const launch = a100.kernel.launch_us * 1e-6;
  assert.equal(a100.efficiency.computeMemoryOverlap, 'roofline');
  close(k.seconds, launch + compute); // 0.78 us + 4.204 ms: the roofline takes the larger part
  close(k.overhead, launch);
  assert.equal(k.bound, 'compute');
  assert.ok(Math.abs(k.seconds - 4.205e-3) < 2e-6, `${k.seconds}`);
  // the no_overlap mode adds the memory time instead
  const sum = deviceFor({ ...a100, efficiency: { ...a100.efficiency, computeMemoryOverlap: 'no_overlap' } }, 'fp16');
  close(kernelTime(sum, 'matrix', flops, bytes, { m: n, k: n, n, batch: 1 }).seconds, launch + compute + memory);
  // a short K loop: the tile factor lowers the rate (K = 768: 768 / 1068 of it); without a shape, no factor
  const short = kernelTime(dev, 'matrix', 2 * n * n * 768, (2 * n * 768 + n * n) * 2, { m: n, k: 768, n, batch: 1 });
  close(short.compute, (2 * n * n * 768) / (312e12 * 0.869 * (768 / 1068)));
  close(kernelTime(dev, 'matrix', flops, bytes).compute, flops / (312e12 * 0.869));
});

test('per-kernel floor: launch + max(minimum by engine, work); a small kernel is latency-bound', () => {
  const dev = deviceFor(h100, 'bf16');
  const k = h100.kernel;
  // batch-1 GEMV [1,4096] x [4096,512]: 4 MB of weights take 2.1 us at 0.6 x 3.35 TB/s, under the matrix minimum
  const bytes = (4096 + 512) * 2 + 4096 * 512 * 2;
  const g = kernelTime(dev, 'matrix', 2 * 4096 * 512, bytes);
  close(g.seconds, (k.launch_us + k.matrixMinimum_us) * 1e-6);
  assert.ok(g.memory < k.matrixMinimum_us * 1e-6 && g.memory > 1e-6);
  // the H100 spec combines compute and memory as a roofline (the larger), so the fixed part is the rest
  assert.equal(h100.efficiency.computeMemoryOverlap, 'roofline');
  close(g.overhead, g.seconds - Math.max(g.compute, g.memory));
  assert.equal(g.bound, 'latency');
  // the same bytes as an elementwise kernel: its minimum is lower, so the work shows through
  const v = kernelTime(dev, 'vector', 0, bytes);
  close(v.seconds, k.launch_us * 1e-6 + v.memory);
  assert.equal(v.bound, 'memory');
  // a 4096-element norm: launch + vector minimum; no work at all: no kernel
  close(kernelTime(dev, 'vector', 8 * 4096, 4 * 4096).seconds, (k.launch_us + k.vectorMinimum_us) * 1e-6);
  assert.deepEqual(kernelTime(dev, 'matrix', 0, 0), {
    seconds: 0,
    compute: 0,
    memory: 0,
    overhead: 0,
    bound: 'memory',
  });
});

test('H100 GEMMs: measured efficiency table with the roofline, GEMM minimum apart from the GEMV one', () => {
  const dev = deviceFor(h100, 'fp16');
  const k = h100.kernel;
  const eff = h100.efficiency;
  // [4096,768] x [768,3072]: 19.3 GFLOP (row >= 16 GFLOP), 12.6 + 2.4 + 4.7 M elements = 39.3 MB (row >= 10 MB)
  const M = 4096,
    K = 768,
    N = 3072;
  const flops = 2 * M * K * N,
    bytes = (M * K + M * N + K * N) * 2;
  const g = kernelTime(dev, 'matrix', flops, bytes, { m: M, k: K, n: N, batch: 1 });
  // 19.3 GFLOP: the >= 16 row (0.803) capped by the tile factor 0.803 x 768 / 1068 = 0.577 (measured 0.587)
  const compute = flops / (989.4e12 * Math.min(lookupEfficiency(eff.matrixByWork_GFLOP, 19.33), 0.803 * (768 / 1068)));
  const memory = bytes / (3350e9 * 0.75);
  close(g.compute, compute);
  close(g.memory, memory);
  assert.ok(compute > memory);
  close(g.seconds, k.launch_us * 1e-6 + compute); // roofline: the larger of the two
  assert.equal(g.bound, 'compute');
  // [128,768] x [768,768]: 0.15 GFLOP of work is under the GEMM minimum, which is below the GEMV one
  const s = kernelTime(dev, 'matrix', 2 * 128 * 768 * 768, (128 * 768 * 2 + 768 * 768) * 2, {
    m: 128,
    k: 768,
    n: 768,
    batch: 1,
  });
  close(s.seconds, (k.launch_us + k.gemmMinimum_us) * 1e-6);
  assert.equal(s.bound, 'latency');
  assert.ok(k.gemmMinimum_us < k.matrixMinimum_us);
  // the same product with one row is a GEMV: the matrix (GEMV) minimum; without a shape too (convolutions)
  const v = kernelTime(dev, 'matrix', 2 * 768 * 768, (768 * 2 + 768 * 768) * 2, { m: 1, k: 768, n: 768, batch: 1 });
  close(v.seconds, (k.launch_us + k.matrixMinimum_us) * 1e-6);
  close(
    kernelTime(dev, 'matrix', 2 * 128 * 768 * 768, (128 * 768 * 2 + 768 * 768) * 2).seconds,
    (k.launch_us + k.matrixMinimum_us) * 1e-6,
  );
});

test('a GEMM whose K or N is not a multiple of 16 bytes is capped at the unaligned rate', () => {
  const dev = deviceFor(h100, 'fp16');
  const eff = h100.efficiency;
  const M = 1024,
    K = 768;
  const shape = (n: number) => ({ m: M, k: K, n, batch: 1 });
  const time = (n: number) => kernelTime(dev, 'matrix', 2 * M * K * n, (M * K + M * n + K * n) * 2, shape(n));
  // N = 50,304 (8 x 6,288) is aligned; N = 50,257 (GPT-2's vocabulary) is not
  assert.equal(gemmAligned(dev, shape(50304)), true);
  assert.equal(gemmAligned(dev, shape(50257)), false);
  assert.equal(gemmAligned(dev, { m: 197, k: 768, n: 2304, batch: 1 }), true); // M is not a leading dimension
  assert.equal(gemmAligned(dev, { m: 197, k: 64, n: 197, batch: 384 }), false); // ViT's attention scores
  const a = time(50304),
    u = time(50257);
  close(a.compute, (2 * M * K * 50304) / (989.4e12 * 0.803 * (768 / 1068))); // measured 0.613 of the peak
  close(u.compute, (2 * M * K * 50257) / (eff.unalignedGemmEfficiency * 989.4e12)); // 0.125 x 989.4 = 123.7 TF/s
  close(u.seconds, h100.kernel.launch_us * 1e-6 + u.compute);
  assert.ok(u.seconds / a.seconds > 4.5 && u.seconds / a.seconds < 5.2); // measured 635 / 131 us = 4.8x
  // alignment is in bytes: fp32 (TF32) needs multiples of 4 elements, fp8 of 16; the cap is a rate, so a
  // TF32 GEMM (half the fp16 peak) loses less to it
  assert.equal(gemmAligned(deviceFor(h100, 'fp32'), { m: 8, k: 12, n: 20, batch: 1 }), true);
  assert.equal(gemmAligned(deviceFor(h100, 'fp16'), { m: 8, k: 12, n: 20, batch: 1 }), false);
  assert.equal(gemmAligned(deviceFor(h100, 'fp8'), { m: 8, k: 24, n: 32, batch: 1 }), false);
  const f32 = deviceFor(h100, 'fp32');
  const t32 = kernelTime(f32, 'matrix', 2 * M * K * 50257, (M * K + M * 50257 + K * 50257) * 4, shape(50257));
  close(t32.compute, (2 * M * K * 50257) / (eff.unalignedGemmEfficiency * 989.4e12));
  // a vector kernel is never a GEMM
  const vk = kernelTime(dev, 'vector', 1e6, 1e6, shape(50257));
  assert.equal(vk.compute, 1e6 / (120e12 * 0.1));
});

test('a memory-bound elementwise kernel is memory-bound', () => {
  const dev = deviceFor(h100, 'bf16');
  const bytes = 2 * 50e6 * 2; // read + write 50M bf16 elements = 200 MB
  const k = kernelTime(dev, 'vector', 5 * 50e6, bytes);
  assert.equal(k.bound, 'memory');
  close(k.memory, bytes / (3350e9 * 0.9));
});

test('fp8 on A100 falls back to the fp16 tensor-core rate, with a note', () => {
  const dev = deviceFor(a100, 'fp8');
  assert.equal(dev.matrixPeak, 312e12);
  assert.ok(dev.notes.some((n) => /fp8/.test(n)));
  assert.equal(deviceFor(h100, 'fp8').matrixPeak, 1978.9e12);
});

test('ring all-reduce of 100 MB on 8 A100s over NVLink: 2(n-1)/n S / (B eff) + latency', () => {
  const c = collectiveTime(a100.nvlink, 'all-reduce', 100e6, 8);
  const want = 16e-6 + (((2 * 7) / 8) * 100e6) / (300e9 * 0.6); // 0.9722 ms + 16 us (nccl-tests small-message time)
  close(c.seconds, want);
  close(c.latency, 16e-6);
  // all-gather and reduce-scatter move half of it; a single rank moves nothing
  close(collectiveTime(a100.nvlink, 'all-gather', 100e6, 8).seconds, 16e-6 + ((7 / 8) * 100e6) / (300e9 * 0.6));
  assert.equal(collectiveTime(a100.nvlink, 'all-reduce', 100e6, 1).seconds, 0);
  close(collectiveTime(a100.infiniband, 'p2p', 1e6, 2).seconds, 20e-6 + 1e6 / (25e9 * 0.9));
});

test('small collectives across nodes: NCCL latency model (tree / ring, LL) with the A100 step constants', () => {
  const plan = planOf({ tp: 16, nodes: 2 });
  const tp = linksFor(a100, plan).tp;
  assert.deepEqual(
    { domains: tp.link.crossDomain?.domains, ranksPerDomain: tp.link.crossDomain?.ranksPerDomain },
    { domains: 2, ranksPerDomain: 8 },
  );
  // tp 16 over 2 DGX A100: the tree, 6.8 + 2 (7 x 0.67 + 1 x 15.25) = 46.68 us, beats the ring,
  // 6.6 + 28 x max(0.67, 2.0) + 2 x 15.25 = 93.1 us (the nccl-tests ring the network step was derived from)
  close(collectiveLatency(tp.link, 'all-reduce', 16), 46.68e-6);
  const ring = 6.6 + 28 * 2.0 + 2 * 15.25;
  close(ring, 93.1);
  // a few-KB decode all-reduce: the latency plus 2 x 15/16 x 8 KB over 8 NICs' 200 GB/s (capped by NVLink's 300)
  const c = collectiveTime(tp.link, 'all-reduce', 8192, 16);
  close(c.latency, 46.68e-6);
  close(c.seconds, 46.68e-6 + (2 * (15 / 16) * 8192) / (200e9 * 0.9));
  // all-gather / reduce-scatter run the ring: 15 steps, 1 across the network
  close(collectiveLatency(tp.link, 'all-gather', 16), (6.6 + 14 * 2.0 + 15.25) * 1e-6);
  // one rank per node (tp 8, dp 32 strided across 32 nodes): the tree's 5 levels, no NVLink step
  const dp = linksFor(a100, { ...plan, tp: 8, dp: 32, nodes: 32 }).dp;
  assert.equal(dp.link.crossDomain?.ranksPerDomain, 1);
  close(collectiveLatency(dp.link, 'all-reduce', 32), (6.8 + 2 * 5 * 15.25) * 1e-6);
  // inside one node and for point-to-point sends: the link's measured latency, as before
  close(collectiveLatency(a100.nvlink, 'all-reduce', 8), 16e-6);
  close(collectiveLatency(tp.link, 'p2p', 2), 20e-6);
  // a spec without collectiveSteps keeps the InfiniBand latency
  const bare = { ...a100, collectiveSteps: undefined };
  close(collectiveLatency(linksFor(bare, plan).tp.link, 'all-reduce', 16), 20e-6);
});

test('communicator links: TP inside the node on NVLink, DP across nodes over the NICs', () => {
  const plan = planOf({ tp: 8, pp: 2, dp: 4, globalBatch: 32, nodes: 8 });
  const l = linksFor(a100, plan);
  assert.equal(l.tp.link, a100.nvlink);
  assert.equal(l.tp.n, 8);
  // one DP rank per node: one 25 GB/s NIC per GPU
  assert.equal(l.dp.link.bandwidthPerGpu_GBps, 25);
  assert.equal(l.pp.link, a100.infiniband);
  // 100 MB all-reduce over 4 ranks across nodes (one per node): 2 * 3/4 * S / (25 GB/s * 0.9) + the tree's
  // latency over 4 nodes, 6.8 + 2 x 2 x 15.25 us
  close(
    collectiveTime(l.dp.link, 'all-reduce', 100e6, 4).seconds,
    (6.8 + 4 * 15.25) * 1e-6 + (1.5 * 100e6) / (25e9 * 0.9),
  );
  // tp 1, dp 16 over 2 nodes: 8 members per node ring over 8 NICs, capped by NVLink
  const l2 = linksFor(a100, { ...plan, tp: 1, pp: 1, dp: 16, nodes: 2 });
  assert.equal(l2.dp.link.bandwidthPerGpu_GBps, Math.min(300, 8 * 25));
  // the whole plan inside one node: everything on NVLink
  const l3 = linksFor(a100, { ...plan, tp: 2, pp: 2, dp: 2, nodes: 1 });
  assert.equal(l3.dp.link, a100.nvlink);
  assert.equal(l3.pp.link, a100.nvlink);
});

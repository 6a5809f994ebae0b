// Core counts per region. Two objectives, both subject to SRAM fit (n >= minimum cores) and the wafer size:
//  - throughput (pipelined layers): minimise the slowest region's time, so the pipeline is balanced;
//    bisection on the target time T, each region takes the fewest cores that meet T;
//  - latency (batch-1 decode, regions used one after another): minimise the sum of region times;
//    Lagrangian water-filling, each region takes argmin f(n) + lambda*n, bisection on lambda.
// Cost functions are sampled on a geometric grid of core counts (3% steps), evaluated on square regions.

export interface AllocUnit {
  minCores: number;
  /** cycles on n cores (a square region of side sqrt(n)) */
  cost: (n: number) => number;
}

function grid(cap: number): number[] {
  const g: number[] = [];
  for (let n = 1; n < cap; n = Math.max(n + 1, Math.floor(n * 1.03))) g.push(n);
  g.push(cap);
  return g;
}

interface Sampled {
  ns: number[];
  fs: number[];
}

function sample(units: AllocUnit[], cap: number): Sampled[] {
  const g = grid(cap);
  return units.map((u) => {
    const m = Math.max(1, Math.ceil(u.minCores));
    const ns = [m, ...g.filter((n) => n > m)];
    return { ns, fs: ns.map((n) => u.cost(n)) };
  });
}

/** Balanced pipeline: returns cores per unit and the bottleneck cycles, or null if the minima exceed cap. */
export function allocateThroughput(units: AllocUnit[], cap: number): { cores: number[]; bottleneck: number } | null {
  const mins = units.map((u) => Math.max(1, Math.ceil(u.minCores)));
  if (mins.reduce((a, b) => a + b, 0) > cap) return null;
  const s = sample(units, cap);
  const pick = (T: number): number[] | null => {
    const out: number[] = [];
    for (const u of s) {
      const k = u.fs.findIndex((f) => f <= T);
      if (k < 0) return null;
      out.push(u.ns[k]);
    }
    return out;
  };
  const sum = (c: number[]) => c.reduce((a, b) => a + b, 0);
  // at the minima (always feasible here) the bottleneck is the slowest unit on its fewest cores;
  // no split beats every unit's own best
  let best = mins;
  let hi = Math.max(...s.map((u) => u.fs[0]));
  let lo = Math.max(...s.map((u) => Math.min(...u.fs))) * 0.999;
  for (let it = 0; it < 60 && hi - lo > 1e-6 * hi; it++) {
    const mid = (lo + hi) / 2;
    const c = pick(mid);
    if (c && sum(c) <= cap) {
      best = c;
      hi = mid;
    } else lo = mid;
  }
  return { cores: best, bottleneck: Math.max(...best.map((n, i) => units[i].cost(n))) };
}

/** Latency-optimal split (sum of unit costs), or null if the minima exceed cap. */
export function allocateLatency(units: AllocUnit[], cap: number): { cores: number[]; total: number } | null {
  const mins = units.map((u) => Math.max(1, Math.ceil(u.minCores)));
  if (mins.reduce((a, b) => a + b, 0) > cap) return null;
  const s = sample(units, cap);
  const pick = (lambda: number): number[] =>
    s.map((u) => {
      let bi = 0,
        bv = Infinity;
      for (let k = 0; k < u.ns.length; k++) {
        const v = u.fs[k] + lambda * u.ns[k];
        if (v < bv) {
          bv = v;
          bi = k;
        }
      }
      return u.ns[bi];
    });
  const sum = (c: number[]) => c.reduce((a, b) => a + b, 0);
  let lo = 1e-12,
    hi = 1e9;
  let best = pick(hi);
  if (sum(best) > cap) best = mins;
  for (let it = 0; it < 80; it++) {
    const mid = Math.sqrt(lo * hi);
    const c = pick(mid);
    if (sum(c) <= cap) {
      best = c;
      hi = mid;
    } else lo = mid;
    if (hi / lo < 1.0001) break;
  }
  return { cores: best, total: best.reduce((a, n, i) => a + units[i].cost(n), 0) };
}

/** Contiguous split of sizes into k segments minimising the largest segment (binary search on the bound). */
export function splitContiguous(sizes: number[], k: number): number[][] | null {
  if (sizes.length === 0) return [];
  if (k <= 0) return null;
  const fits = (bound: number): number[][] | null => {
    const segs: number[][] = [[]];
    let acc = 0;
    for (let i = 0; i < sizes.length; i++) {
      if (sizes[i] > bound) return null;
      if (acc + sizes[i] > bound && segs[segs.length - 1].length > 0) {
        segs.push([]);
        acc = 0;
      }
      segs[segs.length - 1].push(i);
      acc += sizes[i];
    }
    return segs.length <= k ? segs : null;
  };
  let lo = Math.max(...sizes),
    hi = sizes.reduce((a, b) => a + b, 0);
  let best = fits(hi);
  for (let it = 0; it < 100 && hi - lo > 1e-9 * hi; it++) {
    const mid = (lo + hi) / 2;
    const r = fits(mid);
    if (r) {
      best = r;
      hi = mid;
    } else lo = mid;
  }
  const r = fits(hi) ?? best;
  return r;
}

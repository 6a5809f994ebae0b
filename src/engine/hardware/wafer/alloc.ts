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
  /** units with the same class have the same minCores and cost function (repeated blocks of a model): they
   * are sampled and picked once and get the same core count, exactly as if each were done alone */
  cls?: number;
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

/** One representative per class, each unit's class index, and how many units each class has. */
interface Classes {
  reps: AllocUnit[];
  of: Int32Array;
  count: number[];
}

function classesOf(units: AllocUnit[]): Classes {
  const reps: AllocUnit[] = [];
  const count: number[] = [];
  const of = new Int32Array(units.length);
  const index = new Map<number, number>();
  units.forEach((u, i) => {
    let j = u.cls === undefined ? undefined : index.get(u.cls);
    if (j === undefined) {
      j = reps.length;
      reps.push(u);
      count.push(0);
      if (u.cls !== undefined) index.set(u.cls, j);
    }
    of[i] = j;
    count[j]++;
  });
  return { reps, of, count };
}

const minOf = (u: AllocUnit) => Math.max(1, Math.ceil(u.minCores));

/** Cores of all units when each class j takes perClass[j]. */
function weightedSum(perClass: number[], count: number[]): number {
  let s = 0;
  for (let j = 0; j < perClass.length; j++) s += perClass[j] * count[j];
  return s;
}

function expand(perClass: number[], of: Int32Array): number[] {
  const out: number[] = new Array(of.length);
  for (let i = 0; i < of.length; i++) out[i] = perClass[of[i]];
  return out;
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
  const { reps, of, count } = classesOf(units);
  const mins = reps.map(minOf);
  if (weightedSum(mins, count) > cap) return null;
  const s = sample(reps, cap);
  // the first sample at or under T is the first index where the running minimum is: a binary search on it
  const runMin = s.map((u) => {
    const m = new Float64Array(u.fs.length);
    let r = Infinity;
    u.fs.forEach((f, k) => {
      if (f < r) r = f; // NaN never counts as at or under T, as in a scan
      m[k] = r;
    });
    return m;
  });
  const pick = (T: number): number[] | null => {
    const out: number[] = [];
    for (let j = 0; j < s.length; j++) {
      const m = runMin[j];
      if (!(m[m.length - 1] <= T)) return null;
      let a = 0,
        b = m.length - 1;
      while (a < b) {
        const mid = (a + b) >> 1;
        if (m[mid] <= T) b = mid;
        else a = mid + 1;
      }
      out.push(s[j].ns[a]);
    }
    return out;
  };
  // at the minima (always feasible here) the bottleneck is the slowest unit on its fewest cores;
  // no split beats every unit's own best
  let best = mins;
  let hi = Math.max(...s.map((u) => u.fs[0]));
  let lo = Math.max(...s.map((u) => Math.min(...u.fs))) * 0.999;
  for (let it = 0; it < 60 && hi - lo > 1e-6 * hi; it++) {
    const mid = (lo + hi) / 2;
    const c = pick(mid);
    if (c && weightedSum(c, count) <= cap) {
      best = c;
      hi = mid;
    } else lo = mid;
  }
  return { cores: expand(best, of), bottleneck: Math.max(...best.map((n, j) => reps[j].cost(n))) };
}

/** Latency-optimal split (sum of unit costs), or null if the minima exceed cap. */
export function allocateLatency(units: AllocUnit[], cap: number): { cores: number[]; total: number } | null {
  const { reps, of, count } = classesOf(units);
  const mins = reps.map(minOf);
  if (weightedSum(mins, count) > cap) return null;
  const s = sample(reps, cap);
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
  let lo = 1e-12,
    hi = 1e9;
  let best = pick(hi);
  if (weightedSum(best, count) > cap) best = mins;
  for (let it = 0; it < 80; it++) {
    const mid = Math.sqrt(lo * hi);
    const c = pick(mid);
    if (weightedSum(c, count) <= cap) {
      best = c;
      hi = mid;
    } else lo = mid;
    if (hi / lo < 1.0001) break;
  }
  const costs = best.map((n, j) => reps[j].cost(n));
  let total = 0;
  for (let i = 0; i < of.length; i++) total += costs[of[i]];
  return { cores: expand(best, of), total };
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

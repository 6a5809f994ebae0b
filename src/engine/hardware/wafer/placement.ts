// Serpentine-strip placement of regions on a W x H core grid. Regions are laid in order along horizontal
// bands of height b, left to right in even bands and right to left in odd ones, all top-anchored in their
// band, so consecutive regions share a vertical edge. The last region of a band is stretched to the band's
// end and full height, so it also touches the first region of the next band (which starts at that end):
// consecutive kernels are always neighbours and the activation stream never crosses the wafer.
// Rectangle placement mirrors what SdkLayout exposes (rectangular code regions, routes between them).

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Shape for n cores in a band of height b: full band height (at most b - 1 cores wasted), or one column
 * of n cores when n < b. Square-ish shapes would leave holes under every region shorter than the band. */
export function shapeFor(n: number, b: number, W: number): { w: number; h: number } | null {
  const h = Math.max(1, Math.min(b, n));
  const w = Math.ceil(n / h);
  return w > W ? null : { w, h };
}

/** Regions as parallel arrays: the band search lays out every candidate band height for every region, so it
 * writes into reused arrays instead of allocating an object per region per candidate. */
export interface Layout {
  x: Float64Array;
  y: Float64Array;
  w: Float64Array;
  h: Float64Array;
}

export function newLayout(n: number): Layout {
  return { x: new Float64Array(n), y: new Float64Array(n), w: new Float64Array(n), h: new Float64Array(n) };
}

/** Lays out regions of at least `cores[i]` cores with band height b into `out`; false when they do not fit. */
export function layoutBand(cores: ArrayLike<number>, W: number, H: number, b: number, out: Layout): boolean {
  const { x: X, y: Y, w: Wd, h: Ht } = out;
  let band = 0,
    x = 0; // x = cores used from the band's starting end
  const bands = Math.floor(H / b);
  if (bands < 1) return false;
  for (let i = 0; i < cores.length; i++) {
    // shapeFor, inlined: full band height, or one column of n cores when n < b
    const n = Math.max(1, cores[i]);
    const sh = Math.max(1, Math.min(b, n));
    const sw = Math.ceil(n / sh);
    if (sw > W) return false;
    if (x + sw > W) {
      // close the band: stretch its last region to the band end and the full band height
      if (i > 0) {
        const l = i - 1;
        if (band % 2 === 0) Wd[l] = W - X[l];
        else {
          Wd[l] = X[l] + Wd[l];
          X[l] = 0;
        }
        Ht[l] = b;
      }
      band++;
      x = 0;
      if (band >= bands) return false;
    }
    X[i] = band % 2 === 0 ? x : W - x - sw;
    Y[i] = band * b;
    Wd[i] = sw;
    Ht[i] = sh;
    x += sw;
  }
  return true;
}

function rectsOf(l: Layout, n: number): Rect[] {
  const out: Rect[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = { x: l.x[i], y: l.y[i], w: l.w[i], h: l.h[i] };
  return out;
}

/** Places regions of at least `cores[i]` cores with band height b; null when they do not fit. */
export function placeWithBand(cores: number[], W: number, H: number, b: number): Rect[] | null {
  const l = newLayout(cores.length);
  return layoutBand(cores, W, H, b, l) ? rectsOf(l, cores.length) : null;
}

/**
 * Tries band heights from the smallest that holds the largest region upward and keeps the packing with the
 * lowest score (the caller's cost of the laid-out regions, `n` of them in `l`; by default wasted cores plus
 * elongation). A score may stop early and return any value at or above `bound` (the best score so far) once it
 * knows the layout cannot beat it: only a score below the best wins.
 */
export function place(
  cores: number[],
  W: number,
  H: number,
  score?: (l: Layout, n: number, bound: number) => number,
): { rects: Rect[]; band: number } | null {
  if (cores.length === 0) return { rects: [], band: H };
  let nMax = -Infinity,
    total = 0;
  for (const c of cores) {
    nMax = Math.max(nMax, c);
    total += Math.max(1, c);
  }
  if (total > W * H) return null;
  const lo = Math.max(1, Math.ceil(nMax / W));
  const cands = new Set<number>([lo]);
  const sorted = cores.slice().sort((a, b) => a - b);
  for (const q of [0.5, 0.75, 0.9, 1])
    cands.add(Math.ceil(Math.sqrt(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))])));
  for (let nb = 1; nb <= Math.min(H, 100); nb++) cands.add(Math.floor(H / nb));
  const n = cores.length;
  const defaultScore = (l: Layout) => {
    let a = 0;
    for (let i = 0; i < n; i++) a = a + l.w[i] * l.h[i] + Math.abs(l.w[i] - l.h[i]);
    return a - total;
  };
  // two layouts: the candidate being tried and the best so far, swapped when the candidate wins
  let cur = newLayout(n),
    keep = newLayout(n);
  let best: { band: number; score: number } | null = null;
  for (const b of cands) {
    if (b < lo || b > H) continue;
    if (!layoutBand(cores, W, H, b, cur)) continue;
    const sc: number = score ? score(cur, n, best ? best.score : Infinity) : defaultScore(cur);
    if (!best || sc < best.score) {
      best = { band: b, score: sc };
      [cur, keep] = [keep, cur];
    }
  }
  return best ? { rects: rectsOf(keep, n), band: best.band } : null;
}

export function overlaps(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** Two rectangles share an edge segment of at least one core. */
export function adjacent(a: Rect, b: Rect): boolean {
  const xTouch = a.x + a.w === b.x || b.x + b.w === a.x;
  const yTouch = a.y + a.h === b.y || b.y + b.h === a.y;
  const xOverlap = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const yOverlap = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return (xTouch && yOverlap > 0) || (yTouch && xOverlap > 0);
}

/** Hops between two regions' centres (Manhattan distance on the mesh). */
export function hopsBetween(a: Rect, b: Rect): number {
  return Math.abs(a.x + a.w / 2 - (b.x + b.w / 2)) + Math.abs(a.y + a.h / 2 - (b.y + b.h / 2));
}

/** hopsBetween for regions i and j of a layout. */
export function hopsAt(l: Layout, i: number, j: number): number {
  return Math.abs(l.x[i] + l.w[i] / 2 - (l.x[j] + l.w[j] / 2)) + Math.abs(l.y[i] + l.h[i] / 2 - (l.y[j] + l.h[j] / 2));
}

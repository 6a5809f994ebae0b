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

/** Places regions of at least `cores[i]` cores with band height b; null when they do not fit. */
export function placeWithBand(cores: number[], W: number, H: number, b: number): Rect[] | null {
  const rects: Rect[] = [];
  let band = 0,
    x = 0; // x = cores used from the band's starting end
  const bands = Math.floor(H / b);
  if (bands < 1) return null;
  const closeBand = () => {
    const last = rects[rects.length - 1];
    if (!last) return;
    // stretch the band's last region to the band end and the full band height
    if (band % 2 === 0) last.w = W - last.x;
    else {
      last.w = last.x + last.w;
      last.x = 0;
    }
    last.h = b;
  };
  for (let i = 0; i < cores.length; i++) {
    const s = shapeFor(Math.max(1, cores[i]), b, W);
    if (!s) return null;
    if (x + s.w > W) {
      closeBand();
      band++;
      x = 0;
      if (band >= bands) return null;
    }
    const y = band * b;
    const rx = band % 2 === 0 ? x : W - x - s.w;
    rects.push({ x: rx, y, w: s.w, h: s.h });
    x += s.w;
  }
  return rects;
}

/**
 * Tries band heights from the smallest that holds the largest region upward and keeps the packing with the
 * lowest score (the caller's cost of the placed regions; by default wasted cores plus elongation).
 */
export function place(
  cores: number[],
  W: number,
  H: number,
  score?: (rects: Rect[]) => number,
): { rects: Rect[]; band: number } | null {
  if (cores.length === 0) return { rects: [], band: H };
  const nMax = Math.max(...cores);
  const total = cores.reduce((a, c) => a + Math.max(1, c), 0);
  if (total > W * H) return null;
  const lo = Math.max(1, Math.ceil(nMax / W));
  const cands = new Set<number>([lo]);
  const sorted = cores.slice().sort((a, b) => a - b);
  for (const q of [0.5, 0.75, 0.9, 1])
    cands.add(Math.ceil(Math.sqrt(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))])));
  for (let nb = 1; nb <= Math.min(H, 100); nb++) cands.add(Math.floor(H / nb));
  const defaultScore = (r: Rect[]) => r.reduce((a, q) => a + q.w * q.h + Math.abs(q.w - q.h), 0) - total;
  let best: { rects: Rect[]; band: number; score: number } | null = null;
  for (const b of cands) {
    if (b < lo || b > H) continue;
    const r = placeWithBand(cores, W, H, b);
    if (!r) continue;
    const sc = (score ?? defaultScore)(r);
    if (!best || sc < best.score) best = { rects: r, band: b, score: sc };
  }
  return best ? { rects: best.rects, band: best.band } : null;
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

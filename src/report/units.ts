// Human formatting of engineering quantities (SI prefixes, bytes in binary units).
export function fmtFlops(f: number): string {
  return si(f, 'FLOP');
}

export function si(v: number, unit: string): string {
  if (!Number.isFinite(v)) return `- ${unit}`;
  const a = Math.abs(v);
  const p: [number, string][] = [[1e18, 'E'], [1e15, 'P'], [1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [m, s] of p) if (a >= m) return `${(v / m).toPrecision(3)} ${s}${unit}`;
  return `${Number(v.toPrecision(3))} ${unit}`;
}

export function fmtBytes(b: number): string {
  if (!Number.isFinite(b)) return '-';
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  let v = b;
  while (Math.abs(v) >= 1024 && i < u.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v.toFixed(0) : v.toPrecision(3)} ${u[i]}`;
}

export function fmtSeconds(s: number): string {
  if (!Number.isFinite(s)) return '-';
  if (s === 0) return '0 s';
  if (s >= 1) return `${s.toPrecision(3)} s`;
  if (s >= 1e-3) return `${(s * 1e3).toPrecision(3)} ms`;
  if (s >= 1e-6) return `${(s * 1e6).toPrecision(3)} µs`;
  return `${(s * 1e9).toPrecision(3)} ns`;
}

export function fmtCount(n: number): string {
  return si(n, '').trim();
}

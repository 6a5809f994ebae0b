// Human formatting of engineering quantities (SI prefixes, bytes in binary units).
export function fmtFlops(f: number): string {
  return si(f, 'FLOP');
}

export function si(v: number, unit: string): string {
  if (!Number.isFinite(v)) return `- ${unit}`;
  const a = Math.abs(v);
  const p: [number, string][] = [
    [1e18, 'E'],
    [1e15, 'P'],
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [m, s] of p) if (a >= m) return `${(v / m).toPrecision(3)} ${s}${unit}`;
  return `${Number(v.toPrecision(3))} ${unit}`;
}

export function fmtBytes(b: number): string {
  if (!Number.isFinite(b)) return '-';
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  let v = b;
  while (Math.abs(v) >= 1024 && i < u.length - 1) {
    v /= 1024;
    i++;
  }
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

/** A per-layer detail entry as "label", "value": camelCase keys become words, units come from the key's name. */
export function fmtDetail(key: string, v: number | string): [string, string] {
  const label = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();
  if (typeof v !== 'number') return [label, v];
  if (/bytes/i.test(key)) return [label.replace(/ bytes$/, ''), fmtBytes(v)];
  if (/flops/i.test(key)) return [label, fmtFlops(v)];
  if (/cycles/i.test(key)) return [label, groupThousands(Math.round(v))];
  if (/seconds$/i.test(key)) return [label.replace(/ seconds$/, ''), fmtSeconds(v)];
  return [label, Number(v.toPrecision(4)).toString()];
}

/** 14840 -> "14,840" (toLocaleString's first call costs tens of ms in a webview: too slow for a hover). */
export function groupThousands(n: number): string {
  const s = String(Math.abs(Math.trunc(n)));
  return (n < 0 ? '-' : '') + s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

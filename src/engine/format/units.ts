// Human formatting of engineering quantities (SI prefixes, bytes in binary units): the one formatter of the
// engine's notes, table report, HTML export, webview, hovers and status bar, so a number reads the same
// everywhere. Never e-notation: plain digits with thousands separators, or an SI prefix. Pure (no imports), so
// the engine uses it and src/report/units.ts re-exports it.
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
  if (a >= 1e21) return `${fmtNumber(v / 1e18)} E${unit}`;
  for (const [m, s] of p) if (a >= m) return `${fmtNumber(v / m)} ${s}${unit}`;
  return `${fmtNumber(v)} ${unit}`;
}

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** The binary unit fmtBytes writes `b` in, as [bytes per unit, name]: 3e9 -> [1024 ** 3, 'GiB'], 0 -> [1, 'B']. */
export function binaryUnit(b: number): [number, string] {
  let i = 0;
  let v = Math.abs(b);
  while (v >= 1024 && i < BINARY_UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return [1024 ** i, BINARY_UNITS[i]!];
}

export function fmtBytes(b: number): string {
  if (!Number.isFinite(b)) return '-';
  const [per, name] = binaryUnit(b);
  return `${per === 1 ? b.toFixed(0) : fmtNumber(b / per)} ${name}`;
}

/** The unit fmtSeconds writes `s` in (same thresholds), as [seconds per unit, name]: 3e-4 -> [1e-6, 'µs']. */
export function secondsUnit(s: number): [number, string] {
  const a = Math.abs(s);
  if (a === 0 || !Number.isFinite(a)) return [1, 's'];
  if (a >= 86400 * 2) return [86400, 'days'];
  if (a >= 3600 * 2) return [3600, 'h'];
  if (a >= 1) return [1, 's'];
  if (a >= 1e-3) return [1e-3, 'ms'];
  if (a >= 1e-6) return [1e-6, 'µs'];
  return [1e-9, 'ns'];
}

export function fmtSeconds(s: number): string {
  if (!Number.isFinite(s)) return '-';
  if (s === 0) return '0 s';
  const a = Math.abs(s);
  if (a >= 86400 * 2) return `${fmtNumber(s / 86400)} days`;
  if (a >= 3600 * 2) return `${fmtNumber(s / 3600)} h`;
  if (a >= 1) return `${fmtNumber(s)} s`;
  if (a >= 1e-3) return `${fmtNumber(s * 1e3)} ms`;
  if (a >= 1e-6) return `${fmtNumber(s * 1e6)} µs`;
  return `${fmtNumber(s * 1e9)} ns`;
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
  return [label, fmtNumber(v, 4)];
}

/** 14840 -> "14,840" (toLocaleString's first call costs tens of ms in a webview: too slow for a hover). */
export function groupThousands(n: number): string {
  const a = Math.abs(Math.trunc(n));
  // String() switches to e-notation from 1e21 on; BigInt prints every digit
  const s = a >= 1e21 ? BigInt(a).toString() : String(a);
  return (n < 0 ? '-' : '') + s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * A plain number with `digits` significant digits, thousands separators from 1,000 up and never e-notation:
 * 458213 -> "458,213", 0.000123 -> "0.000123", 3.14159 -> "3.14".
 */
export function fmtNumber(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return '-';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 10 ** (digits - 1)) return groupThousands(Math.round(v));
  const decimals = Math.min(12, Math.max(0, digits - 1 - Math.floor(Math.log10(a))));
  // trim trailing zeros of the fraction ("2.50" -> "2.5") but keep the significant ones
  return v.toFixed(decimals).replace(/(\.\d*?[1-9])0+$|\.0+$/, '$1');
}

/** A throughput with its unit: "458,213 tokens/s", "12.3 samples/s". */
export function fmtRate(value: number, unit: string): string {
  return `${fmtNumber(value)} ${unit}`;
}

/** Below this a percentage reads "< 0.01%": digits past the second decimal of a percent say nothing a reader uses
 * (a tiny model's MFU of 0.000037% is "< 0.01%"). */
export const PERCENT_FLOOR = 0.01;

/** A fraction as a percentage: 0.4713 -> "47.1%", 3.7e-7 -> "< 0.01%", 0 -> "0%". */
export function fmtPercent(f: number): string {
  if (!Number.isFinite(f)) return '-';
  const p = f * 100;
  if (p !== 0 && Math.abs(p) < PERCENT_FLOOR) return p > 0 ? `< ${PERCENT_FLOOR}%` : `> -${PERCENT_FLOOR}%`;
  return `${fmtNumber(p)}%`;
}

/** A ratio: 1.5312 -> "1.53×". */
export function fmtRatio(r: number): string {
  return `${fmtNumber(r)}×`;
}

/** Long durations in the unit a reader plans with: s, min, h, days, years. */
export function fmtDuration(s: number): string {
  if (!Number.isFinite(s)) return '-';
  if (s < 60) return fmtSeconds(s);
  if (s < 3600) return `${fmtNumber(s / 60)} min`;
  if (s < 86400) return `${fmtNumber(s / 3600)} h`;
  if (s < 365 * 86400) return `${fmtNumber(s / 86400)} days`;
  return `${fmtNumber(s / (365 * 86400))} years`;
}

/** Below a cent, money reads "< $0.01". */
export const USD_FLOOR = 0.01;

/**
 * Money as an engineer writes it, one rule for every amount shown (engine notes, CLI text, HTML export, webview):
 * no bill has fractions of a cent, so below a cent an amount reads "< $0.01" (a rate that small changes its
 * unit instead: fmtUsdPer); under a dollar two significant digits, at least the cents ("$0.054", "$0.50");
 * dollars and cents up to a thousand ("$95.13", "$20": ".00" dropped); whole dollars with thousands separators
 * up to a million ("$2,769"); then three digits and money's own suffixes M, B, T ("$2.5M", "$1.23B"; not
 * SI's G, which nobody writes after a dollar sign).
 */
export function fmtUsd(v: number): string {
  if (!Number.isFinite(v)) return '-';
  if (v < 0) {
    const s = fmtUsd(-v);
    return s.startsWith('<') ? '> -$0.01' : `-${s}`;
  }
  if (v === 0) return '$0';
  if (v < USD_FLOOR) return `< $${USD_FLOOR}`;
  if (v < 1) {
    // two significant digits, trailing zeros past the cents dropped ("0.050" -> "0.05", "0.10" stays)
    const s = v.toFixed(Math.max(2, 1 - Math.floor(Math.log10(v)))).replace(/^(\d+\.\d\d\d*?)0+$/, '$1');
    if (Number(s) < 1) return `$${s}`; // 0.996 rounds to a dollar: read on as dollars and cents
  }
  // rounding decides the form: $999.996 is "$1,000", $999,999.6 is "$1M"
  if (Math.round(v * 100) < 100_000) {
    const c = v.toFixed(2);
    return `$${c.endsWith('.00') ? c.slice(0, -3) : c}`;
  }
  if (Math.round(v) < 1e6) return `$${groupThousands(Math.round(v))}`;
  const suffixes: [number, string][] = [
    [1e6, 'M'],
    [1e9, 'B'],
    [1e12, 'T'],
  ];
  for (const [m, s] of suffixes) {
    const n = fmtNumber(v / m);
    if (m === 1e12 || Number(n.replace(/,/g, '')) < 1000) return `$${n}${s}`;
  }
  return '-'; // not reached: the last suffix always returns
}

/** The quantities a price per unit is quoted for: 1, k, M, B, T units. */
const PER: [number, string][] = [
  [1, ''],
  [1e3, 'k'],
  [1e6, 'M'],
  [1e9, 'B'],
  [1e12, 'T'],
];

/**
 * A price per unit of work: "$1.32/M tokens", "$0.054/B tokens", "$0.02/sample", "$0.72/M samples".
 * Why a changing unit rather than "< $0.01/M tokens": a small model's tokens are that cheap, and two targets
 * that both read "< $0.01" could not be told apart; a longer run of zeros ("$0.0000537/M tokens") is the
 * e-notation problem again (count the zeros). So the quantity grows by thousands (k, M, B, T units) while the
 * amount is under a cent, and shrinks while it needs a money suffix (so "$1.2M/M tokens" reads "$1,200/k
 * tokens"): the amount keeps two or three significant digits. It starts where people quote such prices:
 * tokens per million (as LLM APIs price them), samples one at a time. Past a trillion units: "< $0.01/T tokens".
 */
export function fmtUsdPer(usdPerUnit: number, unit: 'token' | 'sample', like?: number): string {
  if (!Number.isFinite(usdPerUnit)) return `- per ${unit}`;
  // `like`: the price whose unit to use (the cheapest of targets shown side by side), so they read in one unit
  const ref = like !== undefined && Number.isFinite(like) ? like : usdPerUnit;
  let i = unit === 'token' ? 2 : 0;
  const a = Math.abs(ref);
  while (a > 0 && a * PER[i]![0] < USD_FLOOR && i < PER.length - 1) i++;
  while (Math.round(a * PER[i]![0]) >= 1e6 && i > 0) i--;
  const [m, prefix] = PER[i]!;
  return `${fmtUsd(usdPerUnit * m)}/${m === 1 ? unit : `${prefix} ${unit}s`}`;
}

/** Joules with SI prefixes both ways: "45.9 mJ", "7.08 µJ", "31.3 kJ" (energy per step, token or sample). */
export function fmtJoules(j: number): string {
  if (!Number.isFinite(j)) return '- J';
  const a = Math.abs(j);
  if (a === 0 || a >= 1) return si(j, 'J');
  if (a >= 1e-3) return `${fmtNumber(j * 1e3)} mJ`;
  if (a >= 1e-6) return `${fmtNumber(j * 1e6)} µJ`;
  return `${fmtNumber(j * 1e9)} nJ`;
}

/** Energy: J below a kWh, then kWh/MWh/GWh. */
export function fmtEnergy(j: number): string {
  if (!Number.isFinite(j)) return '-';
  const kwh = j / 3.6e6;
  if (kwh < 1) return si(j, 'J');
  return si(kwh * 1e3, 'Wh');
}

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';

/**
 * A raw value of the model (an attribute, a tensor element), never in e-notation: integers in full, other
 * values with `digits` significant digits (toPrecision's count; toPrecision itself writes 1e-7 as "1e-7").
 * No thousands separators: the values are listed with ", " between them ("[1,024, 768]" would read as three).
 * Magnitudes plain digits do not carry legibly (below 0.0001: count the zeros; from 10^15, where a double no
 * longer holds every integer) read as a paper writes them: "1×10⁻¹²", "-3.40282×10³⁸" (float32's lowest,
 * the usual attention mask). NaN and infinities as ONNX's text format writes them: "nan", "inf", "-inf".
 * An int64 value (`int64`: an int attribute, an INT64 tensor) at its type's limits reads "INT64_MAX" /
 * "INT64_MIN" (Slice's "to the end"), which a double cannot hold exactly (9223372036854775807 reads ...808).
 */
export function fmtValue(v: number, o: { digits?: number; int64?: boolean } = {}): string {
  const digits = o.digits ?? 6;
  if (o.int64 && v >= 2 ** 63) return 'INT64_MAX';
  if (o.int64 && v <= -(2 ** 63)) return 'INT64_MIN';
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-4 || a >= 1e15) {
    const [m, e] = v.toExponential(digits - 1).split('e') as [string, string];
    const mantissa = m.replace(/\.?0+$/, '');
    const exp = String(Number(e))
      .replace('-', '⁻')
      .replace(/\d/g, (d) => SUPERSCRIPT[Number(d)]!);
    return `${mantissa}×10${exp}`;
  }
  if (Number.isInteger(v)) return String(v);
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(a)));
  const s = v.toFixed(decimals);
  return decimals > 0 ? s.replace(/\.?0+$/, '') : s;
}

// Symbolic dimension arithmetic. A dim is a number, a symbol expression string, or null (unknown).
// Expressions are polynomials over symbols with integer coefficients, printed canonically
// ("seq+1", "2*seq", "batch*seq") so equal expressions compare equal as strings.
// Division and modulo keep exact results only when they divide evenly; otherwise a named
// expression such as "floor(seq/2)" stands as an opaque symbol.
import type { Dim } from '../onnx/ir';

type Poly = Map<string, number>; // monomial key ("" = constant, "a*b" sorted factors) -> coefficient

const IDENT = /^[A-Za-z_][A-Za-z0-9_.:-]*$/;

function parse(s: string): Poly | null {
  // Accept only our own canonical output and plain symbols: terms joined by + / -, factors by *.
  const p: Poly = new Map();
  const src = s.replace(/\s+/g, '');
  if (!src) return null;
  const terms = splitTop(src, '+-').filter((t) => t !== '');
  for (let t of terms) {
    let coef = 1;
    if (t.startsWith('-')) {
      coef = -1;
      t = t.slice(1);
    }
    const factors: string[] = [];
    for (const f of splitTop(t, '*')) {
      if (/^\d+$/.test(f)) coef *= Number(f);
      else if (IDENT.test(f) || /^\(.*\)$/.test(f) || /^floor\(.*\)$|^ceil\(.*\)$|^mod\(.*\)$/.test(f)) factors.push(f);
      else return null;
    }
    factors.sort();
    const key = factors.join('*');
    p.set(key, (p.get(key) ?? 0) + coef);
  }
  return p;
}

/** Splits at the separator characters outside parentheses, so "floor(H-3/2)" stays one factor; a '-' stays on its term. */
function splitTop(s: string, seps: string): string[] {
  const out: string[] = [];
  let depth = 0,
    cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    if (depth === 0 && seps.includes(ch)) {
      out.push(cur);
      cur = ch === '-' ? '-' : '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function fromDim(d: number | string): Poly | null {
  if (typeof d === 'number') return new Map([['', d]]);
  // a '-' is our subtraction ("L-1"), so only hyphen-free names are taken whole
  if (IDENT.test(d) && !d.includes('-')) return new Map([[d, 1]]);
  return parse(d);
}

function toDim(p: Poly): Dim {
  const keys = [...p.keys()].filter((k) => p.get(k) !== 0);
  if (keys.length === 0) return 0;
  if (keys.length === 1 && keys[0] === '') return p.get('')!;
  // symbols first (sorted), constant last: "seq+1", "2*seq-1"
  keys.sort((a, b) => (a === '' ? 1 : b === '' ? -1 : a < b ? -1 : a > b ? 1 : 0));
  let out = '';
  for (const k of keys) {
    const c = p.get(k)!;
    const mag = Math.abs(c);
    const body = k === '' ? String(mag) : mag === 1 ? k : `${mag}*${k}`;
    out += out === '' ? (c < 0 ? '-' + body : body) : c < 0 ? '-' + body : '+' + body;
  }
  return out;
}

function wrap(d: string): string {
  return IDENT.test(d) ? d : `(${d})`;
}

export function dimAdd(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (a === null || b === null) return null;
  const pa = fromDim(a),
    pb = fromDim(b);
  if (!pa || !pb) return `${wrap(String(a))}+${wrap(String(b))}`;
  for (const [k, v] of pb) pa.set(k, (pa.get(k) ?? 0) + v);
  return toDim(pa);
}

export function dimNeg(a: Dim): Dim {
  if (a === null) return null;
  if (typeof a === 'number') return -a;
  const p = fromDim(a);
  if (!p) return `-${wrap(a)}`;
  for (const [k, v] of p) p.set(k, -v);
  return toDim(p);
}

export function dimSub(a: Dim, b: Dim): Dim {
  return dimAdd(a, dimNeg(b));
}

export function dimMul(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a * b;
  if (a === 0 || b === 0) return 0;
  if (a === null || b === null) return null;
  const pa = fromDim(a),
    pb = fromDim(b);
  if (!pa || !pb) return `${wrap(String(a))}*${wrap(String(b))}`;
  const out: Poly = new Map();
  for (const [ka, va] of pa)
    for (const [kb, vb] of pb) {
      const key = [ka, kb].filter(Boolean).join('*').split('*').filter(Boolean).sort().join('*');
      out.set(key, (out.get(key) ?? 0) + va * vb);
    }
  return toDim(out);
}

/** floor(a / b); exact when b divides every coefficient of a. */
export function dimFloorDiv(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return b === 0 ? null : Math.floor(a / b);
  if (a === null || b === null || b === 0) return null;
  if (b === 1) return a;
  if (typeof b === 'number') {
    const p = fromDim(a as string);
    if (p && [...p.values()].every((v) => v % b === 0)) {
      for (const [k, v] of p) p.set(k, v / b);
      return toDim(p);
    }
    return `floor(${a}/${b})`;
  }
  if (a === b) return 1;
  // a = k*b exactly (b a single monomial dividing each term)
  const pa = fromDim(a),
    pb = fromDim(b);
  if (pa && pb && pb.size === 1) {
    const [[bk, bv]] = [...pb];
    const out: Poly = new Map();
    let ok = bk !== '';
    for (const [k, v] of pa) {
      const fs = k.split('*').filter(Boolean);
      const bf = bk.split('*');
      const rest = [...fs];
      for (const f of bf) {
        const i = rest.indexOf(f);
        if (i < 0) {
          ok = false;
          break;
        }
        rest.splice(i, 1);
      }
      if (!ok || v % bv !== 0) {
        ok = false;
        break;
      }
      out.set(rest.sort().join('*'), v / bv);
    }
    if (ok) return toDim(out);
  }
  return `floor(${a}/${b})`;
}

export function dimCeilDiv(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return b === 0 ? null : Math.ceil(a / b);
  const exact = dimFloorDiv(a, b);
  if (typeof exact === 'string' && exact.startsWith('floor(')) return `ceil(${a}/${b})`;
  return exact;
}

export function dimEq(a: Dim, b: Dim): boolean {
  return a !== null && a === b;
}

/** Broadcast two dims (numpy rules). Returns undefined when they certainly conflict. */
export function broadcastDim(a: Dim, b: Dim): Dim | undefined {
  if (a === 1) return b;
  if (b === 1) return a;
  if (a === b) return a;
  if (typeof a === 'number' && typeof b === 'number') return undefined;
  if (a === null) return typeof b === 'number' ? b : b; // b != 1: result is b unless a is 1 (unknowable)
  if (b === null) return a;
  // two different symbols (or symbol vs number): the non-1 side must win at run time
  if (typeof a === 'number') return a;
  if (typeof b === 'number') return b;
  return a; // both symbolic and distinct: assume equal at run time, keep the first
}

export function broadcastShapes(shapes: Dim[][]): Dim[] | undefined {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim | undefined = 1;
    for (const s of shapes) {
      const k = s.length - rank + i;
      const v = k >= 0 ? s[k] : 1;
      d = broadcastDim(d!, v);
      if (d === undefined) return undefined;
    }
    out.push(d!);
  }
  return out;
}

/** Product of dims; number when all known, a symbolic expression when some are symbolic, null when any is unknown. */
export function dimProduct(dims: Dim[]): Dim {
  let p: Dim = 1;
  for (const d of dims) p = dimMul(p, d);
  return p;
}

// evalDim runs once per dim per consumer (wafer kernels, GPU layers, costs), so a 100k-node graph
// re-parses the same few expression strings millions of times; their parse depends on the string
// alone, so it is kept per string. Bounded: model strings are untrusted and may all differ.
const PARSE_CACHE_MAX = 1 << 16;
const termsCache = new Map<string, { coef: number; factors: string[] }[] | null>();
const floorCeilCache = new Map<string, RegExpExecArray | null>();

function cached<T>(cache: Map<string, T>, key: string, make: () => T): T {
  const hit = cache.get(key);
  if (hit !== undefined || cache.has(key)) return hit as T;
  if (cache.size >= PARSE_CACHE_MAX) cache.clear();
  const v = make();
  cache.set(key, v);
  return v;
}

/** The polynomial's terms with each monomial split into its factors, in parse order. */
function termsOf(s: string): { coef: number; factors: string[] }[] | null {
  return cached(termsCache, s, () => {
    const p = parse(s);
    return p ? [...p].map(([k, coef]) => ({ coef, factors: k.split('*').filter(Boolean) })) : null;
  });
}

function floorCeilOf(d: string): RegExpExecArray | null {
  return cached(floorCeilCache, d, () => /^(floor|ceil)\((.*)\/(.*)\)$/.exec(d));
}

/** Numeric value of a dim under bindings; undefined when it cannot be evaluated. */
export function evalDim(d: Dim, bind: Record<string, number>): number | undefined {
  if (typeof d === 'number') return d;
  if (d === null) return undefined;
  if (d in bind) return bind[d];
  const m = floorCeilOf(d);
  if (m) {
    const a = evalExpr(m[2], bind),
      b = evalExpr(m[3], bind);
    if (a === undefined || b === undefined || b === 0) return undefined;
    return m[1] === 'floor' ? Math.floor(a / b) : Math.ceil(a / b);
  }
  return evalExpr(d, bind);
}

function evalExpr(s: string, bind: Record<string, number>): number | undefined {
  if (/^-?\d+$/.test(s)) return Number(s);
  if (s in bind) return bind[s];
  const inner = /^\((.*)\)$/.exec(s);
  if (inner) return evalExpr(inner[1], bind);
  const terms = termsOf(s);
  if (!terms) return undefined;
  let total = 0;
  for (const { coef, factors } of terms) {
    let v = coef;
    for (const f of factors) {
      const fv = f in bind ? bind[f] : IDENT.test(f) ? undefined : evalDim(f.replace(/^\((.*)\)$/, '$1'), bind);
      if (fv === undefined) return undefined;
      v *= fv;
    }
    total += v;
  }
  return total;
}

/** Symbols a dim mentions (for reporting unbound ones). */
export function dimSymbols(d: Dim): string[] {
  if (typeof d !== 'string') return [];
  return [...new Set(d.match(/[A-Za-z_][A-Za-z0-9_.:-]*/g) ?? [])].filter(
    (s) => s !== 'floor' && s !== 'ceil' && s !== 'mod',
  );
}

/** Substitutes bindings into a dim, folding to a number when fully bound. */
export function bindDim(d: Dim, bind: Record<string, number>): Dim {
  if (typeof d !== 'string') return d;
  const v = evalDim(d, bind);
  return v !== undefined ? v : d;
}

// Control flow (If, Loop, Scan), sequences (Sequence*, ConcatFromSequence, SplitToSequence, SequenceMap)
// and optionals (Optional, OptionalHasElement, OptionalGetElement).
// Subgraphs are inferred through ctx.inferSubgraph with the values this node feeds them.
// Sequences and optionals additionally carry their known contents (`items`) when the graph builds them
// from known pieces (SequenceConstruct, SequenceEmpty, Optional of a value), so SequenceAt / SequenceLength /
// ConcatFromSequence / OptionalHasElement can answer exactly; where contents are unknown only the
// element type is kept, as ONNX shape inference does.
import type { Dim, Graph, ValueType } from '../../onnx/ir';
import { attrInt, attrInts } from '../../onnx/ir';
import { DT } from '../../onnx/dtypes';
import { RuleList } from '../../opTable';
import type { InferFn } from '../types';
import { inTensor, normAxis, tensorOf, type InferCtx, type Value } from '../types';
import { dimAdd, dimEq } from '../dims';

/** This family's inference rules (shapes/ops/index.ts builds the table). */
const rules = new RuleList<InferFn>();

/** A Value that may also know a sequence's elements or an optional's content ([] = empty, [v] = present). */
export type ItemsValue = Value & { items?: (Value | undefined)[] };

/** Most elements a sequence may list explicitly (SplitToSequence of a long axis keeps only the element type). */
const MAX_ITEMS = 1024;

export function itemsOf(v: Value | undefined): (Value | undefined)[] | undefined {
  return (v as ItemsValue | undefined)?.items;
}

function withItems(type: ValueType | null, items?: (Value | undefined)[]): ItemsValue {
  const v: ItemsValue = { type };
  if (items) v.items = items;
  return v;
}

function sameDims(a: Dim[] | null, b: Dim[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Type that covers both a and b: equal dims kept, differing dims unknown, differing ranks unknown rank. */
export function unionType(a: ValueType | null | undefined, b: ValueType | null | undefined): ValueType | null {
  if (!a || !b) return null;
  if ((a.kind === 'tensor' || a.kind === 'sparse_tensor') && a.kind === b.kind) {
    const dtype = a.dtype || b.dtype;
    if (!a.dims || !b.dims || a.dims.length !== b.dims.length) return { kind: a.kind, dtype, dims: null };
    return { kind: a.kind, dtype, dims: a.dims.map((d, i) => (dimEq(d, b.dims![i]) ? d : null)) };
  }
  if (a.kind === 'sequence' && b.kind === 'sequence') return { kind: 'sequence', elem: unionType(a.elem, b.elem) };
  if (a.kind === 'optional' && b.kind === 'optional') return { kind: 'optional', elem: unionType(a.elem, b.elem) };
  if (a.kind === 'map' && b.kind === 'map' && a.keyDtype === b.keyDtype)
    return { kind: 'map', keyDtype: a.keyDtype, value: unionType(a.value, b.value) };
  if (a.kind === 'opaque' && b.kind === 'opaque') return a;
  return null;
}

export function sameType(a: ValueType | null | undefined, b: ValueType | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  if (a.kind !== b.kind) return false;
  if (a.kind === 'tensor' || a.kind === 'sparse_tensor')
    return a.dtype === (b as typeof a).dtype && sameDims(a.dims, (b as typeof a).dims);
  if (a.kind === 'sequence' || a.kind === 'optional') return sameType(a.elem, (b as typeof a).elem);
  if (a.kind === 'map') return a.keyDtype === (b as typeof a).keyDtype && sameType(a.value, (b as typeof a).value);
  return true;
}

/** Value covering a and b: the union type; data and items only where both agree. */
export function unionValue(a: Value | undefined, b: Value | undefined): Value | undefined {
  if (!a || !b) return undefined;
  const v: ItemsValue = { type: unionType(a.type, b.type) };
  if (a.data && b.data && a.data.length === b.data.length) {
    const d = a.data.map((x, i) => (x === b.data![i] ? x : null));
    if (d.some((x) => x !== null)) v.data = d;
  }
  const ia = itemsOf(a),
    ib = itemsOf(b);
  if (ia && ib && ia.length === ib.length) v.items = ia.map((x, i) => unionValue(x, ib[i]));
  return v;
}

/** The type alone: what a loop-carried value is known to be on every iteration. */
function typeOnly(v: Value | undefined): Value | undefined {
  return v ? { type: v.type } : undefined;
}

function graphAttr(ctx: InferCtx, name: string): Graph {
  const a = ctx.node.attrs[name];
  if (!a || a.type !== 'graph') return ctx.fail(`missing graph attribute '${name}'`);
  return a.value;
}

/** Known truth value of a scalar condition, or undefined. */
function truth(v: Value | undefined): boolean | undefined {
  const d = v?.data?.[0];
  return typeof d === 'number' ? d !== 0 : undefined;
}

function prepend(d: Dim, t: ValueType | null | undefined): ValueType | null {
  if (!t || t.kind !== 'tensor')
    return t && t.kind === 'sparse_tensor' ? { ...t, dims: t.dims ? [d, ...t.dims] : null } : null;
  return { kind: 'tensor', dtype: t.dtype, dims: t.dims ? [d, ...t.dims] : null };
}

// ---------------------------------------------------------------- If

rules.add('If', (ctx) => {
  // Both branches are inferred (so both scopes have shapes for the UI and costs); a known condition picks one.
  const thenOut = ctx.inferSubgraph(graphAttr(ctx, 'then_branch'), []);
  const elseOut = ctx.inferSubgraph(graphAttr(ctx, 'else_branch'), []);
  const n = ctx.node.outputs.length;
  if (thenOut.length < n || elseOut.length < n)
    ctx.fail(`branches return ${thenOut.length} and ${elseOut.length} outputs, the node has ${n}`);
  const c = truth(ctx.inputs[0]);
  if (c !== undefined) return (c ? thenOut : elseOut).slice(0, n);
  return thenOut.slice(0, n).map((v, k) => unionValue(v, elseOut[k]));
});

// ---------------------------------------------------------------- Loop

/** A sequence known to be empty: the bottom of the union when a loop grows it. */
function isEmptySeq(v: Value | undefined): boolean {
  return v?.type?.kind === 'sequence' && itemsOf(v)?.length === 0;
}

/**
 * What a loop-carried value is after some iterations, given its initial value `a` and the body's output `b`:
 * an initially empty sequence takes the body's type, a value whose kind changes (Loop-16 optional -> sequence)
 * takes the body's type, otherwise the union of both.
 */
function widen(a: Value | undefined, b: Value | undefined): Value | undefined {
  if (isEmptySeq(a) || (a?.type && b?.type && a.type.kind !== b.type.kind)) return b ? { type: b.type } : undefined;
  return unionValue(a, b);
}

/**
 * Infers a body whose carried inputs may change from one iteration to the next: starts from the initial
 * types (an empty sequence stays known-empty for the first pass) and widens until the types are stable.
 */
function inferCarried(
  ctx: InferCtx,
  body: Graph,
  fixed: (Value | undefined)[],
  init: (Value | undefined)[],
  outOffset: number,
  extra: (Value | undefined)[] = [],
): { outs: (Value | undefined)[]; carried: (Value | undefined)[] } {
  let carried: (Value | undefined)[] = init.map((v) => (isEmptySeq(v) ? withItems(v!.type, []) : typeOnly(v)));
  let outs = ctx.inferSubgraph(body, [...fixed, ...carried, ...extra]);
  for (let pass = 0; pass < 4; pass++) {
    const next = carried.map((c, k) => {
      const o = outs[outOffset + k];
      if (isEmptySeq(c)) return typeOnly(o);
      if (c?.type && o?.type && c.type.kind !== o.type.kind) return c; // kind change: keep feeding the declared kind
      return sameType(c?.type, o?.type) ? c : { type: unionType(c?.type, o?.type) };
    });
    if (next.every((v, k) => v === carried[k])) break;
    carried = next;
    outs = ctx.inferSubgraph(body, [...fixed, ...carried, ...extra]);
  }
  return { outs, carried };
}

rules.add('Loop', (ctx) => {
  const body = graphAttr(ctx, 'body');
  const nCarried = Math.max(0, ctx.node.inputs.length - 2);
  const init = ctx.inputs.slice(2, 2 + nCarried);
  while (init.length < nCarried) init.push(undefined);
  const hasCond = !!ctx.node.inputs[1];
  const mData = ctx.node.inputs[0] ? ctx.inputs[0]?.data?.[0] : undefined;
  const m = typeof mData === 'number' ? mData : undefined;
  const condInit = hasCond ? truth(ctx.inputs[1]) : true;
  const iterIn = tensorOf(DT.INT64, []);
  // The body sees cond = true on every iteration it runs when the initial cond is true and the body keeps returning true.
  const condIn = tensorOf(DT.BOOL, [], condInit ? [1] : undefined);
  const { outs } = inferCarried(ctx, body, [iterIn, condIn], init, 1);
  // Exact trip count: M when the loop cannot stop early (cond starts true and the body always returns true);
  // 0 when M <= 0 or the initial cond is false; otherwise unknown (a while loop).
  let trips: number | undefined;
  if ((m !== undefined && m <= 0) || condInit === false) trips = 0;
  else if (m !== undefined && condInit === true && truth(outs[0]) === true) trips = m;
  const results: (Value | undefined)[] = [];
  for (let k = 0; k < nCarried; k++) {
    if (trips === 0) results.push(init[k]);
    else if (trips !== undefined) results.push(outs[1 + k]);
    else results.push(widen(init[k], outs[1 + k]));
  }
  const nScan = ctx.node.outputs.length - nCarried;
  for (let k = 0; k < nScan; k++) {
    const elem = outs[1 + nCarried + k]?.type;
    const t = prepend(trips ?? null, elem);
    results.push(t ? { type: t } : undefined);
  }
  return results;
});

// ---------------------------------------------------------------- Scan

rules.add('Scan', (ctx) => {
  const body = graphAttr(ctx, 'body');
  const nScan = attrInt(ctx.node, 'num_scan_inputs');
  if (nScan === undefined || nScan < 1) return ctx.fail('Scan needs num_scan_inputs >= 1');
  const batched = ctx.opset < 9; // Scan-8: a batch axis 0 on every input and output, sequence axis 1 on scan inputs
  const first = batched ? 1 : 0;
  const nIn = ctx.node.inputs.length;
  const nState = nIn - first - nScan;
  if (nState < 0) return ctx.fail(`Scan has ${nIn} inputs, fewer than num_scan_inputs ${nScan}`);
  const states = ctx.inputs.slice(first, first + nState);
  const scans = ctx.inputs.slice(first + nState, nIn);
  const inAxes = batched ? scans.map(() => 1) : (attrInts(ctx.node, 'scan_input_axes') ?? scans.map(() => 0));
  let batch: Dim = null;
  if (batched)
    for (const v of [...states, ...scans]) {
      const d = inTensorOfValue(v)?.dims;
      if (d && d.length && d[0] !== null) {
        batch = d[0];
        break;
      }
    }
  // sequence length: the scan axis of the scan inputs (all equal by the spec); prefer a known one
  let seqLen: Dim = null;
  const slices: (Value | undefined)[] = scans.map((v, k) => {
    const t = inTensorOfValue(v);
    if (!t || !t.dims) return t ? { type: { kind: 'tensor', dtype: t.dtype, dims: null } } : undefined;
    const r = t.dims.length;
    const ax = normAxis(inAxes[k] ?? 0, r, ctx);
    if (seqLen === null || (typeof seqLen === 'string' && typeof t.dims[ax] === 'number')) seqLen = t.dims[ax];
    const dims = t.dims.filter((_, i) => i !== ax && !(batched && i === 0));
    return tensorOf(t.dtype, dims);
  });
  const stateIn = states.map((v) => {
    if (!batched) return v;
    const t = inTensorOfValue(v);
    return t ? tensorOf(t.dtype, t.dims ? t.dims.slice(1) : null) : undefined;
  });
  const { outs } = inferCarried(ctx, body, [], stateIn, 0, slices);
  const runs = seqLen !== 0 && seqLen !== null; // at least one iteration (a symbolic length counts as >= 1)
  const results: (Value | undefined)[] = [];
  for (let k = 0; k < nState; k++) {
    const v = seqLen === 0 ? stateIn[k] : runs ? outs[k] : widen(stateIn[k], outs[k]);
    results.push(batched ? (v ? { type: prepend(batch, v.type) } : undefined) : v);
  }
  const outAxes = attrInts(ctx.node, 'scan_output_axes');
  for (let k = 0; k < ctx.node.outputs.length - nState; k++) {
    const elem = outs[nState + k]?.type;
    if (!elem || elem.kind !== 'tensor') {
      results.push(undefined);
      continue;
    }
    if (!elem.dims) {
      results.push(tensorOf(elem.dtype, null));
      continue;
    }
    let dims: Dim[];
    if (batched) dims = [batch, seqLen, ...elem.dims];
    else {
      const ax = normAxis(outAxes?.[k] ?? 0, elem.dims.length + 1, ctx);
      dims = [...elem.dims.slice(0, ax), seqLen, ...elem.dims.slice(ax)];
    }
    results.push(tensorOf(elem.dtype, dims));
  }
  return results;
});

function inTensorOfValue(v: Value | undefined): { dtype: number; dims: Dim[] | null } | undefined {
  const t = v?.type;
  return t && (t.kind === 'tensor' || t.kind === 'sparse_tensor') ? { dtype: t.dtype, dims: t.dims } : undefined;
}

// ---------------------------------------------------------------- sequences

/** The element type of a sequence value: the union of its known items, else its declared element type. */
function elemOf(v: Value | undefined): ValueType | null {
  const t = v?.type;
  if (!t || t.kind !== 'sequence') return null;
  const items = itemsOf(v);
  if (items && items.length) return items.map((x) => x?.type ?? null).reduce((a, b) => unionType(a, b));
  return t.elem;
}

function sequence(items: (Value | undefined)[] | undefined, elem: ValueType | null): ItemsValue {
  if (items && items.length) elem = items.map((x) => x?.type ?? null).reduce((a, b) => unionType(a, b));
  return withItems({ kind: 'sequence', elem }, items && items.length <= MAX_ITEMS ? items : undefined);
}

function seqInput(ctx: InferCtx, i: number): { items?: (Value | undefined)[]; elem: ValueType | null } | undefined {
  const v = ctx.inputs[i];
  if (!v?.type) return undefined;
  if (v.type.kind !== 'sequence') ctx.fail(`input ${i} must be a sequence, got ${v.type.kind}`);
  return { items: itemsOf(v), elem: elemOf(v) };
}

/** A scalar position input's known value. */
function position(ctx: InferCtx, i: number): number | undefined {
  if (!ctx.node.inputs[i]) return undefined;
  const d = ctx.inputs[i]?.data;
  return d && d.length === 1 && typeof d[0] === 'number' ? d[0] : undefined;
}

rules.add('SequenceEmpty', (ctx) =>
  sequenceOut([], { kind: 'tensor', dtype: attrInt(ctx.node, 'dtype', DT.FLOAT), dims: null }),
);

function sequenceOut(items: (Value | undefined)[], elem: ValueType | null): Value[] {
  return [sequence(items, elem)];
}

rules.add('SequenceConstruct', (ctx) => {
  const items = ctx.node.inputs.map((_, i) => ctx.inputs[i]);
  return [sequence(items, null)];
});

rules.add('SequenceInsert', (ctx) => {
  const s = seqInput(ctx, 0);
  const x = ctx.inputs[1];
  if (!s) return [];
  const elem = unionType(s.elem, x?.type);
  if (s.items) {
    const n = s.items.length;
    const p = ctx.node.inputs[2] ? position(ctx, 2) : n;
    if (p !== undefined) {
      if (p < -n || p > n) ctx.fail(`position ${p} is out of range for a sequence of ${n}`);
      const at = p < 0 ? p + n : p;
      return [sequence([...s.items.slice(0, at), x, ...s.items.slice(at)], elem)];
    }
  }
  return [sequence(undefined, s.items && s.items.length === 0 ? (x?.type ?? null) : elem)];
});

rules.add('SequenceErase', (ctx) => {
  const s = seqInput(ctx, 0);
  if (!s) return [];
  if (s.items) {
    const n = s.items.length;
    const p = ctx.node.inputs[1] ? position(ctx, 1) : -1;
    if (p !== undefined) {
      if (p < -n || p >= n) ctx.fail(`position ${p} is out of range for a sequence of ${n}`);
      const at = p < 0 ? p + n : p;
      const items = s.items.filter((_, i) => i !== at);
      return [sequence(items, items.length ? null : emptyElem(s.elem))];
    }
  }
  return [sequence(undefined, s.elem)];
});

/** Element type of a sequence once emptied: its dtype, shape unknown. */
function emptyElem(t: ValueType | null): ValueType | null {
  return t && t.kind === 'tensor' ? { kind: 'tensor', dtype: t.dtype, dims: null } : t;
}

rules.add('SequenceAt', (ctx) => {
  const s = seqInput(ctx, 0);
  if (!s) return [];
  const p = position(ctx, 1);
  if (s.items && p !== undefined) {
    const n = s.items.length;
    if (p < -n || p >= n) ctx.fail(`position ${p} is out of range for a sequence of ${n}`);
    return [s.items[p < 0 ? p + n : p]];
  }
  return [s.elem ? { type: s.elem } : undefined];
});

rules.add('SequenceLength', (ctx) => {
  const s = seqInput(ctx, 0);
  return [tensorOf(DT.INT64, [], s?.items ? [s.items.length] : undefined)];
});

rules.add('ConcatFromSequence', (ctx) => {
  const s = seqInput(ctx, 0);
  if (!s) return [];
  const axis = attrInt(ctx.node, 'axis');
  if (axis === undefined) return ctx.fail('ConcatFromSequence needs the axis attribute');
  const newAxis = attrInt(ctx.node, 'new_axis', 0) === 1;
  const elem = s.elem;
  if (elem && elem.kind !== 'tensor') ctx.fail(`ConcatFromSequence needs a sequence of tensors, got ${elem.kind}`);
  const dtype = elem?.kind === 'tensor' ? elem.dtype : 0;
  if (!elem || elem.kind !== 'tensor' || !elem.dims) return [tensorOf(dtype, null)];
  const r = elem.dims.length;
  const ax = normAxis(axis, newAxis ? r + 1 : r, ctx);
  const items = s.items;
  if (newAxis) {
    const count = items ? items.length : null;
    return [tensorOf(dtype, [...elem.dims.slice(0, ax), count, ...elem.dims.slice(ax)])];
  }
  if (!items)
    return [
      tensorOf(
        dtype,
        elem.dims.map((d, i) => (i === ax ? null : d)),
      ),
    ];
  if (items.length === 0) ctx.fail('ConcatFromSequence of an empty sequence');
  let total: Dim = 0;
  let data: Dim[] | undefined = [];
  for (const it of items) {
    const t = inTensorOfValue(it);
    const d = t?.dims && t.dims.length === r ? t.dims[ax] : null;
    total = dimAdd(total, d);
    if (data && r === 1 && it?.data) data.push(...it.data);
    else data = undefined;
  }
  const dims = elem.dims.map((d, i) => (i === ax ? total : d));
  return [tensorOf(dtype, dims, data && data.length === dims[0] ? data : undefined)];
});

rules.add('SplitToSequence', (ctx) => {
  const t = inTensor(ctx, 0);
  if (!t) return [];
  const elemOfDims = (dims: Dim[] | null): ValueType => ({ kind: 'tensor', dtype: t.dtype, dims });
  if (!t.dims) return [sequence(undefined, elemOfDims(null))];
  const r = t.dims.length;
  const ax = normAxis(attrInt(ctx.node, 'axis', 0), r, ctx);
  const d = t.dims[ax];
  const piece = (len: Dim, keep = true): Dim[] =>
    keep ? t.dims!.map((x, i) => (i === ax ? len : x)) : t.dims!.filter((_, i) => i !== ax);
  const srcData = r === 1 ? ctx.inputs[0]?.data : undefined;
  const make = (lens: number[], keep = true): Value[] => {
    let off = 0;
    const items = lens.map((len) => {
      const v = tensorOf(t.dtype, piece(len, keep), srcData ? srcData.slice(off, off + len) : undefined);
      off += len;
      return v;
    });
    return [sequence(items, null)];
  };
  if (!ctx.node.inputs[1]) {
    // no split: chunks of 1 along the axis; keepdims=0 drops the axis
    const keep = attrInt(ctx.node, 'keepdims', 1) !== 0;
    if (typeof d === 'number' && d <= MAX_ITEMS) return make(new Array<number>(d).fill(1), keep);
    return [sequence(undefined, elemOfDims(piece(1, keep)))];
  }
  const st = inTensor(ctx, 1);
  const split = ctx.inputs[1]?.data;
  const scalar = st?.dims ? st.dims.length === 0 : undefined;
  if (split && split.every((x) => typeof x === 'number') && scalar !== undefined) {
    const s = split as number[];
    if (scalar) {
      const n = s[0];
      if (n <= 0) ctx.fail(`split ${n} must be positive`);
      if (typeof d === 'number') {
        const lens: number[] = [];
        for (let left = d; left > 0; left -= n) lens.push(Math.min(n, left));
        if (lens.length <= MAX_ITEMS) return make(lens);
      }
      // the last chunk may be shorter unless the axis divides evenly
      return [sequence(undefined, elemOfDims(piece(typeof d === 'number' && d % n === 0 ? n : null)))];
    }
    if (typeof d === 'number' && s.reduce((a, b) => a + b, 0) !== d)
      ctx.fail(`split sizes [${s.join(',')}] do not sum to the axis length ${d}`);
    return make(s);
  }
  // split not known: the chunk length on the axis is unknown
  return [sequence(undefined, elemOfDims(piece(null)))];
});

rules.add('SequenceMap', (ctx) => {
  const body = graphAttr(ctx, 'body');
  const n = ctx.node.inputs.length;
  const isSeq = ctx.inputs.map((v) => v?.type?.kind === 'sequence');
  isSeq[0] = true;
  const lengths = new Set<number>();
  let allKnown = true;
  for (let i = 0; i < n; i++) {
    if (!isSeq[i]) continue;
    const items = itemsOf(ctx.inputs[i]);
    if (items) lengths.add(items.length);
    else allKnown = false;
  }
  const nOut = ctx.node.outputs.length;
  const len = allKnown && lengths.size === 1 ? [...lengths][0] : undefined;
  if (len !== undefined && len <= 64) {
    // known contents: map the body over each element so each output element is exact
    const per: (Value | undefined)[][] = [];
    for (let j = 0; j < len; j++)
      per.push(
        ctx.inferSubgraph(
          body,
          ctx.inputs.slice(0, n).map((v, i) => (isSeq[i] ? itemsOf(v)![j] : v)),
        ),
      );
    if (len === 0)
      ctx.inferSubgraph(
        body,
        ctx.inputs.slice(0, n).map((v, i) => (isSeq[i] ? elemValue(v) : v)),
      );
    return Array.from({ length: nOut }, (_, k) =>
      sequence(
        per.map((o) => o[k]),
        null,
      ),
    );
  }
  const outs = ctx.inferSubgraph(
    body,
    ctx.inputs.slice(0, n).map((v, i) => (isSeq[i] ? elemValue(v) : v)),
  );
  return Array.from({ length: nOut }, (_, k) => sequence(undefined, outs[k]?.type ?? null));
});

function elemValue(v: Value | undefined): Value | undefined {
  const e = elemOf(v);
  return e ? { type: e } : undefined;
}

// ---------------------------------------------------------------- optionals

rules.add('Optional', (ctx) => {
  if (ctx.node.inputs[0]) {
    const v = ctx.inputs[0];
    return [withItems({ kind: 'optional', elem: v?.type ?? null }, [v])];
  }
  const a = ctx.node.attrs.type;
  const elem = a && a.type === 'type_proto' ? a.value : null;
  if (!elem) ctx.fail('Optional without an input needs the type attribute');
  return [withItems({ kind: 'optional', elem }, [])];
});

rules.add('OptionalHasElement', (ctx) => {
  // opset 18: the input may be missing (empty), an optional, or a plain tensor/sequence (always present)
  let has: number | undefined;
  if (!ctx.node.inputs[0]) has = 0;
  else {
    const v = ctx.inputs[0];
    if (v?.type && v.type.kind !== 'optional') has = 1;
    else {
      const items = itemsOf(v);
      if (items) has = items.length ? 1 : 0;
    }
  }
  return [tensorOf(DT.BOOL, [], has === undefined ? undefined : [has])];
});

rules.add('OptionalGetElement', (ctx) => {
  const v = ctx.inputs[0];
  if (!v?.type) return [];
  if (v.type.kind !== 'optional') return [v]; // opset 18: a tensor or sequence passes through
  const items = itemsOf(v);
  if (items && items.length === 0) ctx.fail('OptionalGetElement of an empty optional');
  if (items && items.length === 1 && items[0]) return [items[0]];
  return [v.type.elem ? { type: v.type.elem } : undefined];
});

export const controlRules = rules.rules;

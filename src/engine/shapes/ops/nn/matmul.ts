// Matrix products: MatMul (numpy matmul: 1-D promotion, batch broadcasting), MatMulInteger,
// QLinearMatMul, Gemm (transA/transB), Einsum (explicit and implicit output, ellipsis), and the
// com.microsoft FusedMatMul / MatMulNBits / MatMulIntegerToFloat contrib forms.
import type { Dim } from '../../../onnx/ir';
import { attrInt, attrString } from '../../../onnx/ir';
import { DT } from '../../../onnx/dtypes';
import { RuleList } from '../../../opTable';
import type { InferFn } from '../../types';
import { inTensor, tensorOf, type InferCtx, type Value } from '../../types';
import { broadcastDim, broadcastShapes } from '../../dims';

/** This family's inference rules (shapes/ops/index.ts builds the table). */
const rules = new RuleList<InferFn>();

/** numpy.matmul output dims (Operators.md MatMul); fails on scalars or a certain K mismatch. */
export function matmulDims(ctx: InferCtx, a: Dim[], b: Dim[]): Dim[] {
  if (a.length === 0 || b.length === 0) ctx.fail('MatMul inputs must have rank >= 1');
  const a2 = a.length === 1 ? [1, a[0]] : a;
  const b2 = b.length === 1 ? [b[0], 1] : b;
  const ka = a2[a2.length - 1],
    kb = b2[b2.length - 2];
  if (typeof ka === 'number' && typeof kb === 'number' && ka !== kb)
    ctx.fail(`inner dimensions differ: [${a}] x [${b}]`);
  const batch = broadcastShapes([a2.slice(0, -2), b2.slice(0, -2)]);
  if (!batch) ctx.fail(`batch dimensions do not broadcast: [${a}] x [${b}]`);
  const out = [...batch, a2[a2.length - 2], b2[b2.length - 1]];
  if (b.length === 1) out.pop();
  if (a.length === 1) out.splice(out.length - (b.length === 1 ? 1 : 2), 1);
  return out;
}

function matmulOut(ctx: InferCtx, ai: number, bi: number, dtype: number): Value[] {
  const a = inTensor(ctx, ai)?.dims,
    b = inTensor(ctx, bi)?.dims;
  return [tensorOf(dtype, a && b ? matmulDims(ctx, a, b) : null)];
}

rules.add('MatMul', (ctx) => matmulOut(ctx, 0, 1, inTensor(ctx, 0)?.dtype ?? 0));
rules.add('MatMulInteger', (ctx) => matmulOut(ctx, 0, 1, DT.INT32));
// QLinearMatMul(a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp): output type is y_zero_point's
rules.add('QLinearMatMul', (ctx) =>
  matmulOut(ctx, 0, 3, inTensor(ctx, 7)?.dtype ?? inTensor(ctx, 0)?.dtype ?? DT.UINT8),
);

// com.microsoft contrib forms (onnxruntime docs/ContribOperators.md)
rules.add(
  'FusedMatMul',
  (ctx) => {
    // transA/transB swap the last two axes of A/B before a batched MatMul (transBatchA/B not modelled)
    let a = inTensor(ctx, 0)?.dims,
      b = inTensor(ctx, 1)?.dims;
    const swap = (d: Dim[]) => (d.length >= 2 ? [...d.slice(0, -2), d[d.length - 1], d[d.length - 2]] : d);
    if (a && attrInt(ctx.node, 'transA', 0)) a = swap(a);
    if (b && attrInt(ctx.node, 'transB', 0)) b = swap(b);
    return [tensorOf(inTensor(ctx, 0)?.dtype ?? 0, a && b ? matmulDims(ctx, a, b) : null)];
  },
  'com.microsoft',
);
rules.add('MatMulIntegerToFloat', (ctx) => matmulOut(ctx, 0, 1, inTensor(ctx, 2)?.dtype ?? DT.FLOAT), 'com.microsoft');
rules.add('DynamicQuantizeMatMul', (ctx) => matmulOut(ctx, 0, 1, inTensor(ctx, 0)?.dtype ?? DT.FLOAT), 'com.microsoft');
// MatMulNBits(A [..., K], B packed, scales, ...; attrs K, N): Y [..., N]
rules.add(
  'MatMulNBits',
  (ctx) => {
    const a = inTensor(ctx, 0);
    const n = attrInt(ctx.node, 'N');
    if (!a?.dims) return [tensorOf(a?.dtype ?? 0, null)];
    if (n === undefined) return ctx.fail('attribute N is required');
    return [tensorOf(a.dtype, [...a.dims.slice(0, -1), n])];
  },
  'com.microsoft',
);

// Gemm: Y = alpha*A'*B' + beta*C with A' = transA ? A^T : A (2-D); C broadcasts to [M, N].
rules.add('Gemm', (ctx) => {
  const a = inTensor(ctx, 0),
    b = inTensor(ctx, 1);
  const dtype = a?.dtype ?? 0;
  if (!a?.dims || !b?.dims) return [tensorOf(dtype, a?.dims || b?.dims ? [null, null] : null)];
  if (a.dims.length !== 2 || b.dims.length !== 2)
    ctx.fail(`Gemm takes 2-D A and B, got ranks ${a.dims.length} and ${b.dims.length}`);
  const ta = attrInt(ctx.node, 'transA', 0) !== 0,
    tb = attrInt(ctx.node, 'transB', 0) !== 0;
  const [m, ka] = ta ? [a.dims[1], a.dims[0]] : [a.dims[0], a.dims[1]];
  const [kb, n] = tb ? [b.dims[1], b.dims[0]] : [b.dims[0], b.dims[1]];
  if (typeof ka === 'number' && typeof kb === 'number' && ka !== kb)
    ctx.fail(`inner dimensions differ: A' is [${m},${ka}], B' is [${kb},${n}]`);
  const c = inTensor(ctx, 2)?.dims;
  if (c) {
    if (c.length > 2) ctx.fail(`C must have rank <= 2, got ${c.length}`);
    const cc = c.length === 2 ? c : c.length === 1 ? [1, c[0]] : [1, 1];
    if (broadcastDim(cc[0], m) === undefined || broadcastDim(cc[1], n) === undefined)
      ctx.fail(`C [${c}] does not broadcast to [${m},${n}]`);
  }
  return [tensorOf(dtype, [m, n])];
});

/** A parsed einsum term: its letters, with '.' standing for the ellipsis position. */
interface Term {
  labels: string[];
  ellipsis: number;
}

type Fail = (message: string) => never;

function parseTerm(fail: Fail, t: string): Term {
  const labels: string[] = [];
  let ellipsis = -1;
  for (let i = 0; i < t.length; i++) {
    if (t.startsWith('...', i)) {
      if (ellipsis >= 0) fail(`einsum term "${t}" has more than one ellipsis`);
      ellipsis = labels.length;
      i += 2;
    } else if (/[A-Za-z]/.test(t[i])) labels.push(t[i]);
    else fail(`einsum term "${t}" has an invalid character "${t[i]}"`);
  }
  return { labels, ellipsis };
}

/** Einsum (Operators.md Einsum): output dims from the equation; implicit output = ellipsis then labels used once, alphabetical. */
export function einsumDims(
  fail: Fail,
  equation: string,
  inputs: (Dim[] | null)[],
): { out: Dim[]; extents: Map<string, Dim>; ellipsis: Dim[]; outLabels: string[] } | null {
  const eq = equation.replace(/\s+/g, '');
  const [lhs, rhs] = eq.split('->');
  const terms = lhs.split(',').map((t) => parseTerm(fail, t));
  if (terms.length !== inputs.length) fail(`equation has ${terms.length} operands, node has ${inputs.length} inputs`);
  if (inputs.some((d) => d === null)) return null;
  const extents = new Map<string, Dim>();
  const ells: Dim[][] = [];
  const count = new Map<string, number>();
  terms.forEach((t, k) => {
    const dims = inputs[k]!;
    const nEll = dims.length - t.labels.length;
    if (nEll < 0 || (nEll > 0 && t.ellipsis < 0))
      fail(`operand ${k} has rank ${dims.length}, term "${t.labels.join('')}" wants ${t.labels.length}`);
    const at = (i: number) => (t.ellipsis >= 0 && i >= t.ellipsis ? i + nEll : i);
    if (t.ellipsis >= 0) ells.push(dims.slice(t.ellipsis, t.ellipsis + nEll));
    t.labels.forEach((l, i) => {
      const d = dims[at(i)];
      count.set(l, (count.get(l) ?? 0) + 1);
      if (!extents.has(l)) {
        extents.set(l, d);
        return;
      }
      const merged = broadcastDim(extents.get(l)!, d);
      if (merged === undefined) fail(`label ${l} has extents ${extents.get(l)} and ${d}`);
      extents.set(l, merged);
    });
  });
  const ellipsis = broadcastShapes(ells);
  if (!ellipsis) fail('ellipsis dimensions do not broadcast');
  let outTerm: Term;
  if (rhs !== undefined) {
    outTerm = parseTerm(fail, rhs);
    for (const l of outTerm.labels) if (!extents.has(l)) fail(`output label ${l} is not in any input`);
  } else {
    const once = [...count.entries()]
      .filter(([, c]) => c === 1)
      .map(([l]) => l)
      .sort();
    outTerm = { labels: once, ellipsis: ells.length ? 0 : -1 };
  }
  const out: Dim[] = [];
  outTerm.labels.forEach((l, i) => {
    if (i === outTerm.ellipsis) out.push(...ellipsis);
    out.push(extents.get(l)!);
  });
  if (outTerm.ellipsis >= 0 && outTerm.ellipsis === outTerm.labels.length) out.push(...ellipsis);
  return { out, extents, ellipsis, outLabels: outTerm.labels };
}

rules.add('Einsum', (ctx) => {
  const eq = attrString(ctx.node, 'equation');
  if (eq === undefined) return ctx.fail('attribute equation is required');
  const idx = ctx.node.inputs.map((_, i) => i);
  const dims = idx.map((i) => inTensor(ctx, i)?.dims ?? null);
  const r = einsumDims((m) => ctx.fail(m), eq, dims);
  return [tensorOf(inTensor(ctx, 0)?.dtype ?? 0, r ? r.out : null)];
});

export const matmulRules = rules.rules;

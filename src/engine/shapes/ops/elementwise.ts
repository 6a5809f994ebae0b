// Elementwise ops: unary math and activations (shape and dtype of the input), binary and variadic
// broadcasting ops (numpy broadcasting), comparisons and logic (BOOL out), Where, Cast/CastLike.
// Integer data propagates through them so shape arithmetic (Shape -> Mul -> Reshape) stays concrete.
import type { Dim } from '../../onnx/ir';
import { DT } from '../../onnx/dtypes';
import { RuleList } from '../../opTable';
import type { InferFn } from '../types';
import { inTensor, tensorOf, type InferCtx, type Value } from '../types';
import { broadcastShapes, dimAdd, dimFloorDiv, dimMul, dimSub } from '../dims';

/** This family's inference rules (shapes/ops/index.ts builds the table). */
const rules = new RuleList<InferFn>();

export const UNARY_SAME = [
  'Abs',
  'Neg',
  'Exp',
  'Log',
  'Sqrt',
  'Reciprocal',
  'Floor',
  'Ceil',
  'Round',
  'Sign',
  'Erf',
  'Sin',
  'Cos',
  'Tan',
  'Asin',
  'Acos',
  'Atan',
  'Sinh',
  'Cosh',
  'Asinh',
  'Acosh',
  'Atanh',
  'Relu',
  'LeakyRelu',
  'PRelu',
  'Elu',
  'Selu',
  'Celu',
  'Gelu',
  'Sigmoid',
  'HardSigmoid',
  'HardSwish',
  'Tanh',
  'Softplus',
  'Softsign',
  'ThresholdedRelu',
  'Mish',
  'Shrink',
  'Clip',
  'BitwiseNot',
  'Not',
  'IsNaN',
  'IsInf',
  'Swish',
];
const UNARY_BOOL = new Set(['IsNaN', 'IsInf']);

export const BINARY = [
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Mod',
  'BitShift',
  'BitwiseAnd',
  'BitwiseOr',
  'BitwiseXor',
  'And',
  'Or',
  'Xor',
];
export const COMPARE = ['Equal', 'Greater', 'Less', 'GreaterOrEqual', 'LessOrEqual'];
export const VARIADIC = ['Sum', 'Mean', 'Max', 'Min'];

rules.add(UNARY_SAME, (ctx) => {
  const t = inTensor(ctx, 0);
  if (!t) return [];
  const dtype = UNARY_BOOL.has(ctx.node.opType) ? DT.BOOL : t.dtype;
  // PRelu broadcasts its slope onto X (unidirectional): the output is X's shape.
  const data =
    ctx.node.opType === 'Neg'
      ? mapData(ctx.inputs[0], (d) => (typeof d === 'number' ? -d : dimSub(0, d)))
      : ctx.node.opType === 'Abs'
        ? mapData(ctx.inputs[0], (d) => (typeof d === 'number' ? Math.abs(d) : d))
        : ['Floor', 'Ceil', 'Round'].includes(ctx.node.opType)
          ? ctx.inputs[0]?.data?.slice()
          : undefined;
  return [tensorOf(dtype, t.dims ? t.dims.slice() : null, data)];
});

function mapData(v: Value | undefined, f: (d: Dim) => Dim): Dim[] | undefined {
  return v?.data ? v.data.map((d) => (d === null ? null : f(d))) : undefined;
}

function broadcastOut(ctx: InferCtx, idx: number[]): Dim[] | null {
  const shapes: Dim[][] = [];
  for (const i of idx) {
    const d = inTensor(ctx, i)?.dims;
    if (!d) return null;
    shapes.push(d);
  }
  const out = broadcastShapes(shapes);
  if (!out) ctx.fail(`cannot broadcast shapes ${shapes.map((s) => `[${s.join(',')}]`).join(' and ')}`);
  return out;
}

/** Elementwise data propagation on small tensors with broadcasting of a scalar or equal sizes. */
function combineData(a: Dim[] | undefined, b: Dim[] | undefined, f: (x: Dim, y: Dim) => Dim): Dim[] | undefined {
  if (!a || !b) return undefined;
  if (a.length === b.length) return a.map((x, i) => (x === null || b[i] === null ? null : f(x, b[i])));
  if (b.length === 1) return a.map((x) => (x === null || b[0] === null ? null : f(x, b[0])));
  if (a.length === 1) return b.map((y) => (a[0] === null || y === null ? null : f(a[0], y)));
  return undefined;
}

const numeric =
  (f: (x: number, y: number) => number) =>
  (x: Dim, y: Dim): Dim =>
    typeof x === 'number' && typeof y === 'number' ? f(x, y) : null;

const DATA_OPS: Partial<Record<string, (x: Dim, y: Dim) => Dim>> = {
  Add: dimAdd,
  Sub: dimSub,
  Mul: dimMul,
  Div: (x, y) =>
    typeof x === 'number' && typeof y === 'number'
      ? Number.isInteger(x) && Number.isInteger(y)
        ? Math.trunc(x / y)
        : x / y
      : dimFloorDiv(x, y),
  Mod: numeric((x, y) => x % y),
  Pow: numeric((x, y) => x ** y),
  // a symbolic element is a dim (>= 0), so it never equals a negative number (torch's Expand shape: Equal(shape, -1))
  Equal: (x, y) =>
    x === y
      ? 1
      : typeof x === 'number' && typeof y === 'number'
        ? 0
        : (typeof x === 'number' && x < 0) || (typeof y === 'number' && y < 0)
          ? 0
          : null,
  Greater: numeric((x, y) => (x > y ? 1 : 0)),
  Less: numeric((x, y) => (x < y ? 1 : 0)),
  GreaterOrEqual: numeric((x, y) => (x >= y ? 1 : 0)),
  LessOrEqual: numeric((x, y) => (x <= y ? 1 : 0)),
  And: numeric((x, y) => (x && y ? 1 : 0)),
  Or: numeric((x, y) => (x || y ? 1 : 0)),
  Max: numeric(Math.max),
  Min: numeric(Math.min),
};

rules.add(BINARY, (ctx) => {
  const a = inTensor(ctx, 0);
  if (!a) return [];
  const dims = broadcastOut(ctx, [0, 1]);
  const op = DATA_OPS[ctx.node.opType];
  const isFloat = a.dtype === DT.FLOAT || a.dtype === DT.DOUBLE || a.dtype === DT.FLOAT16 || a.dtype === DT.BFLOAT16;
  const f = isFloat && ctx.node.opType === 'Div' ? numeric((x, y) => x / y) : op;
  const data = f ? combineData(ctx.inputs[0]?.data, ctx.inputs[1]?.data, f) : undefined;
  return [tensorOf(a.dtype, dims, data)];
});

rules.add(COMPARE, (ctx) => {
  const dims = broadcastOut(ctx, [0, 1]);
  const op = DATA_OPS[ctx.node.opType];
  return [tensorOf(DT.BOOL, dims, op ? combineData(ctx.inputs[0]?.data, ctx.inputs[1]?.data, op) : undefined)];
});

rules.add(VARIADIC, (ctx) => {
  const idx = ctx.inputs.map((_, i) => i).filter((i) => ctx.node.inputs[i]);
  const a = inTensor(ctx, idx[0]);
  if (!a) return [];
  const dims = broadcastOut(ctx, idx);
  let data: Dim[] | undefined;
  const op = DATA_OPS[ctx.node.opType === 'Sum' ? 'Add' : ctx.node.opType];
  if (op && ctx.node.opType !== 'Mean') {
    data = ctx.inputs[idx[0]]?.data;
    for (const i of idx.slice(1)) data = combineData(data, ctx.inputs[i]?.data, op);
  }
  return [tensorOf(a.dtype, dims, data)];
});

rules.add('Where', (ctx) => {
  const x = inTensor(ctx, 1) ?? inTensor(ctx, 2);
  if (!x) return [];
  const dims = broadcastOut(ctx, [0, 1, 2]);
  const c = ctx.inputs[0]?.data,
    xd = ctx.inputs[1]?.data,
    yd = ctx.inputs[2]?.data;
  let data: Dim[] | undefined;
  if (c && xd && yd && dims && dims.length <= 1) {
    const n = Math.max(c.length, xd.length, yd.length);
    const pick = (arr: Dim[], i: number) => (arr.length === 1 ? arr[0] : arr[i]);
    data = [];
    for (let i = 0; i < n; i++) {
      const ci = pick(c, i);
      data.push(ci === null ? null : ci ? pick(xd, i) : pick(yd, i));
    }
  }
  return [tensorOf(inTensor(ctx, 1)?.dtype ?? x.dtype, dims, data)];
});

rules.add('Cast', (ctx) => {
  const t = inTensor(ctx, 0);
  const a = ctx.node.attrs.to;
  const to = a?.type === 'int' ? a.value : 0;
  const data = ctx.inputs[0]?.data;
  const isInt = to !== DT.FLOAT && to !== DT.DOUBLE && to !== DT.FLOAT16 && to !== DT.BFLOAT16 && to !== DT.STRING;
  const cast =
    data &&
    (to === DT.BOOL
      ? data.map((d) => (typeof d === 'number' ? (d ? 1 : 0) : null))
      : isInt
        ? data.map((d) => (typeof d === 'number' ? Math.trunc(d) : d))
        : data.slice());
  return [tensorOf(to, t?.dims ? t.dims.slice() : null, cast && to !== DT.STRING ? cast : undefined)];
});

rules.add('CastLike', (ctx) => {
  const t = inTensor(ctx, 0);
  const target = inTensor(ctx, 1);
  return [tensorOf(target?.dtype ?? 0, t?.dims ? t.dims.slice() : null, ctx.inputs[0]?.data?.slice())];
});

export const elementwiseRules = rules.rules;

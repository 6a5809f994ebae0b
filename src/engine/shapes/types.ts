// The contract between the shape-inference driver (infer.ts) and the per-op-family modules in ops/.
import type { Dim, Graph, Node, ValueType } from '../onnx/ir';
import { LIMITS, LimitError } from '../limits';

/** What is known about one value: its type and, for small integer tensors, its elements (data propagation). */
export interface Value {
  type: ValueType | null;
  /**
   * Known elements of a small tensor in row-major order (Shape outputs, constants, shape arithmetic).
   * Each element is a Dim: a number, a symbolic expression, or null where that element is unknown.
   * Only kept for tensors of at most DATA_MAX elements.
   */
  data?: Dim[];
}

export const DATA_MAX = LIMITS.maxPropagatedElements;

export class ShapeError extends Error {}

/** Refuses a rank past LIMITS.maxRank (a LimitError: the node gets a diagnostic naming the limit). */
export function checkRank(rank: number, what: string): void {
  if (rank > LIMITS.maxRank) throw new LimitError('maxRank', rank, what, LIMITS.maxRank);
}

export interface InferCtx {
  readonly node: Node;
  /** opset version in force for the node's domain ('' = ai.onnx) */
  readonly opset: number;
  /** all opset imports in force (for ops whose behaviour depends on another domain's version) */
  readonly opsets: Record<string, number>;
  /** input values by position; undefined where the input is omitted ('') or unknown */
  readonly inputs: (Value | undefined)[];
  /** Throws a ShapeError: the node gets a diagnostic and its outputs stay unknown. */
  fail(message: string): never;
  /** A non-fatal note about this node (e.g. a data-dependent dim left unknown). */
  warn(message: string): void;
  /** Infers a subgraph (If/Loop/Scan body) with the given input values, in a scope nested in this node's. Returns its output values. */
  inferSubgraph(g: Graph, inputs: (Value | undefined)[]): (Value | undefined)[];
}

/** Returns one Value per node output (undefined = unknown). */
export type InferFn = (ctx: InferCtx) => (Value | undefined)[];

// ---- small helpers every op module uses ----

export function tensorOf(dtype: number, dims: Dim[] | null, data?: Dim[]): Value {
  if (dims) checkRank(dims.length, 'an output rank');
  const v: Value = { type: { kind: 'tensor', dtype, dims } };
  if (data) v.data = data;
  return v;
}

/** The input's tensor type, or undefined. */
export function inTensor(ctx: InferCtx, i: number): { dtype: number; dims: Dim[] | null } | undefined {
  const t = ctx.inputs[i]?.type;
  return t && (t.kind === 'tensor' || t.kind === 'sparse_tensor') ? { dtype: t.dtype, dims: t.dims } : undefined;
}

export function inDims(ctx: InferCtx, i: number): Dim[] | null {
  return inTensor(ctx, i)?.dims ?? null;
}

/** Known integer elements of input i (all of them numbers), or undefined. */
export function inInts(ctx: InferCtx, i: number): number[] | undefined {
  const d = ctx.inputs[i]?.data;
  if (!d || d.some((x) => typeof x !== 'number')) return undefined;
  return d as number[];
}

/** Known elements of input i as dims (numbers or symbols), or undefined. */
export function inData(ctx: InferCtx, i: number): Dim[] | undefined {
  return ctx.inputs[i]?.data;
}

export function normAxis(axis: number, rank: number, ctx: InferCtx): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) ctx.fail(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

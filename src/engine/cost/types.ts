// Per-node cost: the contract between the cost driver (cost.ts) and the per-op-family modules in ops/.
// Conventions (docs/COSTS.md has the full list): FLOPs count 2 per multiply-add; an elementwise op
// counts its documented FLOPs per output element; data movement ops count 0 FLOPs and their bytes.
import type { Node } from '../onnx/ir';
import type { Value } from '../shapes/types';

export interface NodeCost {
  /** forward FLOPs, 2 per multiply-add */
  flops: number;
  /** elements of constant tensors (initializers / Constant values) this node consumes */
  paramCount: number;
  paramBytes: number;
  /** of paramCount: logical elements of block-quantized weights (MatMulNBits, GatherBlockQuantized, QMoE) */
  quantizedParamCount?: number;
  /** of paramBytes: stored bytes of those weights and their scales / zero points (held as stored at any precision) */
  quantizedParamBytes?: number;
  /** bytes of non-constant inputs read and outputs written */
  inputBytes: number;
  outputBytes: number;
  /** memory traffic: every input (params too) read once, every output written once, unless the op says otherwise */
  bytesRead: number;
  bytesWritten: number;
  /** false when the op has no cost model and the default rule (1 FLOP per output element) was used */
  modelled: boolean;
  /** true when some dim was unbound or unknown: the numbers are evaluated with those dims taken as 1 */
  approximate: boolean;
  /** convention note shown in tooltips, e.g. "If: the larger branch" */
  note?: string;
}

/** A tensor with dims evaluated to numbers (unknown or unbound dims become 1 and mark the cost approximate). */
export interface NumTensor {
  dtype: number;
  dims: number[];
  elements: number;
  bytes: number;
  /** this input is a constant (initializer or Constant output): its bytes count as parameters */
  constant: boolean;
  /** some dim was unknown or unbound */
  approximate: boolean;
}

export interface CostCtx {
  readonly node: Node;
  readonly opset: number;
  readonly inputs: (NumTensor | undefined)[];
  readonly outputs: (NumTensor | undefined)[];
  /** the symbolic values, for ops that need data (e.g. a Loop's trip count) */
  readonly inputValues: (Value | undefined)[];
  /** total forward FLOPs of a subgraph attribute of this node (If branches, Loop/Scan bodies), inferred with this call's shapes */
  subgraphFlops(attr: string): number | undefined;
}

/** What an op family returns: FLOPs and, optionally, overrides of the default byte accounting. */
export interface OpCost {
  flops: number;
  bytesRead?: number;
  bytesWritten?: number;
  note?: string;
}

export type CostFn = (ctx: CostCtx) => OpCost;

/** Elements of output k (0 when unknown). */
export function outElems(ctx: CostCtx, k = 0): number {
  return ctx.outputs[k]?.elements ?? 0;
}

export function inElems(ctx: CostCtx, k = 0): number {
  return ctx.inputs[k]?.elements ?? 0;
}

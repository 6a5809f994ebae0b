// Op name -> cost function. Each file in ops/ registers one family when imported (ops/index.ts).
import type { CostFn } from './types';

const table = new Map<string, CostFn>();

function key(domain: string, op: string): string {
  return `${domain === 'ai.onnx' ? '' : domain}::${op}`;
}

export function registerCost(ops: string | string[], fn: CostFn, domain = ''): void {
  for (const op of Array.isArray(ops) ? ops : [ops]) table.set(key(domain, op), fn);
}

export function lookupCost(domain: string, op: string): CostFn | undefined {
  return table.get(key(domain, op));
}

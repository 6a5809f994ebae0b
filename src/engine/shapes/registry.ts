// Op name -> inference function. Each file in ops/ registers one family when imported (ops/index.ts).
import type { InferFn } from './types';

const table = new Map<string, InferFn>();

function key(domain: string, op: string): string {
  return `${domain === 'ai.onnx' ? '' : domain}::${op}`;
}

export function register(ops: string | string[], fn: InferFn, domain = ''): void {
  for (const op of Array.isArray(ops) ? ops : [ops]) table.set(key(domain, op), fn);
}

export function lookup(domain: string, op: string): InferFn | undefined {
  return table.get(key(domain, op));
}

export function registeredOps(): string[] {
  return [...table.keys()];
}
